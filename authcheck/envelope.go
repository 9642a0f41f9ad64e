// Envelope-domain check: can mail (bounces above all) reach the MAIL FROM
// domain? RFC 5321 §5.1 (MX, else the implicit MX of A/AAAA) and RFC 7505
// (null MX).

package authcheck

import (
	"context"
	"log/slog"
	"net/netip"
	"strings"
	"sync"
)

// MaxEnvelopeMX bounds the MX hosts CheckEnvelopeDomain resolves.
const MaxEnvelopeMX = 10

// EnvelopeResult says whether a domain can receive mail.
type EnvelopeResult struct {
	Domain string
	MX     []MX // as served
	// NullMX is the RFC 7505 "0 ." record: the domain says it accepts no
	// mail, so bounces to it are lost.
	NullMX bool
	// Implicit is true when there is no MX and mail goes to the domain's
	// own A/AAAA records (RFC 5321 §5.1).
	Implicit bool
	// Addrs are the addresses mail would go to: those of the MX hosts, or
	// the domain's own for an implicit MX.
	Addrs []netip.Addr
	// Unresolvable lists MX hosts without any address.
	Unresolvable []string
	// CanReceive: a usable MX host, or an implicit MX, has an address.
	CanReceive bool
	Err        error // a DNS failure other than "not found"; CanReceive is then unknown
}

// LogValue implements slog.LogValuer.
func (e EnvelopeResult) LogValue() slog.Value {
	return slog.GroupValue(slog.String("domain", e.Domain), slog.Int("mx", len(e.MX)),
		slog.Bool("null_mx", e.NullMX), slog.Bool("can_receive", e.CanReceive))
}

// CheckEnvelopeDomain checks that bounces to domain (the MAIL FROM domain,
// or any domain) can be delivered: an MX with an address, or no MX and an A
// or AAAA record. Safe for concurrent use if r is.
func CheckEnvelopeDomain(ctx context.Context, r Resolver, domain string) EnvelopeResult {
	r = orNoResolver(r)
	domain = strings.TrimSuffix(strings.TrimSpace(domain), ".")
	if i := strings.LastIndexByte(domain, '@'); i >= 0 {
		domain = domain[i+1:]
	}
	res := EnvelopeResult{Domain: domain}
	if _, ok := dnsCheckName(domain); !ok {
		res.Err = &DNSError{Name: domain, Type: "MX", Err: ErrBadName}
		return res
	}
	mxs, err := r.LookupMX(ctx, domain)
	if err != nil && !IsNotFound(err) {
		res.Err = err
		return res
	}
	res.MX = mxs
	// RFC 7505 §3: a null MX is a single record with an empty target.
	if len(mxs) == 1 && (mxs[0].Host == "" || mxs[0].Host == ".") {
		res.NullMX = true
		return res
	}
	if len(mxs) == 0 {
		// RFC 5321 §5.1: no MX means the domain itself is the host.
		res.Implicit = true
		res.Addrs, res.Err = lookupBoth(ctx, r, domain)
		res.CanReceive = len(res.Addrs) > 0
		return res
	}
	hosts := mxs
	if len(hosts) > MaxEnvelopeMX {
		hosts = hosts[:MaxEnvelopeMX]
	}
	addrs := make([][]netip.Addr, len(hosts))
	errs := make([]error, len(hosts))
	var wg sync.WaitGroup
	for i, mx := range hosts {
		if mx.Host == "" || mx.Host == "." {
			continue
		}
		wg.Go(func() { addrs[i], errs[i] = lookupBoth(ctx, r, mx.Host) })
	}
	wg.Wait()
	for i, mx := range hosts {
		if mx.Host == "" || mx.Host == "." {
			continue
		}
		if len(addrs[i]) == 0 {
			if errs[i] != nil && res.Err == nil {
				res.Err = errs[i]
			}
			res.Unresolvable = append(res.Unresolvable, mx.Host)
			continue
		}
		res.Addrs = append(res.Addrs, addrs[i]...)
	}
	res.CanReceive = len(res.Addrs) > 0
	return res
}
