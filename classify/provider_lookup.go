package classify

// This file finds the mailbox provider of a reply: from its host, the
// recipient's domain, or the reply's own text.

import (
	"strings"

	"github.com/bouncekit/bouncekit/bounce"
)

// ProviderForHost is the package's ProviderForHost with the hosts of
// Options.Providers tried first. Safe for concurrent use; does not
// allocate.
func (c *Classifier) ProviderForHost(host string) Provider {
	if len(c.userHosts) > 0 {
		var buf [256]byte
		if h, ok := foldBuf(buf[:], cleanName(host)); ok && len(h) > 0 {
			if p, ok := c.userHosts[string(h)]; ok {
				return p
			}
			for i := 0; i < len(h); i++ {
				if h[i] == '.' {
					if p, ok := c.userHosts[string(h[i+1:])]; ok {
						return p
					}
				}
			}
		}
	}
	return ProviderForHost(host)
}

// ProviderForDomain is the package's ProviderForDomain with the domains of
// Options.Providers tried first. Safe for concurrent use; does not
// allocate.
func (c *Classifier) ProviderForDomain(domain string) Provider {
	if len(c.userDomains) > 0 {
		d := domain
		if i := strings.LastIndexByte(d, '@'); i >= 0 {
			d = d[i+1:]
		}
		var buf [256]byte
		if k, ok := foldBuf(buf[:], cleanName(d)); ok && len(k) > 0 {
			if p, ok := c.userDomains[string(k)]; ok {
				return p
			}
		}
	}
	return ProviderForDomain(domain)
}

// detectProvider: remote MTA first, then the recipient domain, then text
// clues (provider-codes.md, design note 1: the recipient domain is
// unreliable where mail is hosted elsewhere, the MX host is not).
func (c *Classifier) detectProvider(r *bounce.Reply, in Context, ml *matchList) Provider {
	if in.RemoteMTA != "" {
		if p := c.ProviderForHost(in.RemoteMTA); p != "" {
			return p
		}
	}
	if r.RemoteHost != "" {
		if p := c.ProviderForHost(r.RemoteHost); p != "" {
			return p
		}
	}
	if in.Recipient != "" {
		if p := c.ProviderForDomain(in.Recipient); p != "" {
			return p
		}
	}
	best := int32(-1)
	for k := 0; k < ml.n; k++ {
		if ci := c.clue[ml.ids[k]]; ci >= 0 && (best < 0 || ci < best) {
			best = ci
		}
	}
	if best >= 0 {
		return textClues[best].provider
	}
	return ""
}
