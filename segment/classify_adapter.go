package segment

// This file is the one place segment calls the classify package for a
// verdict or a provider.

import (
	"context"

	"github.com/bouncekit/bouncekit/bounce"
	"github.com/bouncekit/bouncekit/classify"
)

// classifyReply classifies r with c, or with classify.Default() when c is nil.
func classifyReply(c *classify.Classifier, r *bounce.Reply, recipient string) classify.Verdict {
	if c == nil {
		c = classify.Default()
	}
	return c.Classify(r, classify.Context{Recipient: recipient, Stage: r.Stage})
}

// providerForDomain maps a recipient domain to its mailbox provider, with
// the provider maps of c when it is not nil.
func providerForDomain(c *classify.Classifier, domain string) classify.Provider {
	if c != nil {
		return c.ProviderForDomain(domain)
	}
	return classify.ProviderForDomain(domain)
}

// MXProvider returns an Options.ProviderFor that places a custom domain
// with the provider running its mail exchangers (a Google Workspace or
// Microsoft 365 domain), through lookupMX (for example a wrapper around
// net.Resolver.LookupMX that returns the hosts in preference order). ctx
// is passed to every lookup, so cancelling it stops them; the first MX
// host a provider is known for decides; lookup errors leave the domain with
// no provider.
func MXProvider(ctx context.Context, lookupMX func(ctx context.Context, domain string) ([]string, error)) func(domain string) classify.Provider {
	return func(domain string) classify.Provider {
		if ctx.Err() != nil {
			return ""
		}
		hosts, err := lookupMX(ctx, domain)
		if err != nil {
			return ""
		}
		for _, h := range hosts {
			if p := classify.ProviderForHost(h); p != "" {
				return p
			}
		}
		return ""
	}
}
