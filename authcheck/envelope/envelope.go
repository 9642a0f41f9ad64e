// Envelope-domain check: can mail (bounces above all) reach the MAIL FROM
// domain? RFC 5321 §5.1 (MX, else the implicit MX of A/AAAA) and RFC 7505
// (null MX).

package envelope

import (
	"context"
	"log/slog"
	"net/netip"
	"strings"
	"sync"

	"github.com/bouncekit/bouncekit/authcheck/resolve"
)

// MaxMX bounds the MX hosts Check resolves.
const MaxMX = 10

// Result says whether a domain can receive mail.
type Result struct {
	Domain string
	MX     []resolve.MX // as served
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
func (e Result) LogValue() slog.Value {
	return slog.GroupValue(slog.String("domain", e.Domain), slog.Int("mx", len(e.MX)),
		slog.Bool("null_mx", e.NullMX), slog.Bool("can_receive", e.CanReceive))
}

// Check checks that bounces to domain (the MAIL FROM domain,
// or any domain) can be delivered: an MX with an address, or no MX and an A
// or AAAA record. Safe for concurrent use if r is.
func Check(ctx context.Context, r resolve.Resolver, domain string) Result {
	r = resolve.OrFail(r)
	domain = strings.TrimSuffix(strings.TrimSpace(domain), ".")
	if i := strings.LastIndexByte(domain, '@'); i >= 0 {
		domain = domain[i+1:]
	}
	res := Result{Domain: domain}
	if _, ok := resolve.CheckName(domain); !ok {
		res.Err = &resolve.Error{Name: domain, Type: "MX", Err: resolve.ErrBadName}
		return res
	}
	mxs, err := r.LookupMX(ctx, domain)
	if err != nil && !resolve.IsNotFound(err) {
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
		res.Addrs, res.Err = resolve.LookupIP(ctx, r, domain)
		res.CanReceive = len(res.Addrs) > 0
		return res
	}
	hosts := mxs
	if len(hosts) > MaxMX {
		hosts = hosts[:MaxMX]
	}
	addrs := make([][]netip.Addr, len(hosts))
	errs := make([]error, len(hosts))
	var wg sync.WaitGroup
	for i, mx := range hosts {
		if mx.Host == "" || mx.Host == "." {
			continue
		}
		wg.Go(func() { addrs[i], errs[i] = resolve.LookupIP(ctx, r, mx.Host) })
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
