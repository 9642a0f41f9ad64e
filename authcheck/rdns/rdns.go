// Sending-IP checks: the PTR record of the address (RFC 1035 §3.5, RFC 3596
// §2.5), forward-confirmed reverse DNS, and the HELO name checked against
// both, as large receivers do before they read a message.

package rdns

import (
	"context"
	"log/slog"
	"net/netip"
	"strings"
	"sync"

	"github.com/bouncekit/bouncekit/authcheck/resolve"
)

// MaxNames bounds the PTR names Check confirms, as RFC 7208
// §4.6.4 bounds them for SPF.
const MaxNames = 10

// Result is what the sending address says about itself in DNS.
type Result struct {
	IP  netip.Addr
	PTR []string // the names the address maps back to, without trailing dots
	// Confirmed are the PTR names whose A or AAAA records include IP
	// (forward-confirmed reverse DNS).
	Confirmed []string
	FCrDNS    bool  // at least one name is confirmed
	Err       error // a DNS failure other than "no PTR" (timeout, SERVFAIL...)
	HELO      HELOResult
}

// LogValue implements slog.LogValuer.
func (r Result) LogValue() slog.Value {
	return slog.GroupValue(slog.String("ip", r.IP.String()), slog.Any("ptr", r.PTR),
		slog.Bool("fcrdns", r.FCrDNS), slog.String("helo", r.HELO.Name))
}

// Check looks up the PTR names of ip, confirms each forward (at
// most MaxNames), and checks the HELO name (see CheckHELO). The lookups
// run concurrently; the result does not depend on their order. Safe for
// concurrent use if r is.
func Check(ctx context.Context, r resolve.Resolver, ip netip.Addr, helo string) Result {
	r = resolve.OrFail(r)
	ip = ip.Unmap()
	res := Result{IP: ip}
	var wg sync.WaitGroup
	wg.Go(func() { res.HELO = CheckHELO(ctx, r, helo, ip) })
	if !ip.IsValid() {
		res.Err = &resolve.Error{Name: ip.String(), Type: "PTR", Err: resolve.ErrBadName}
		wg.Wait()
		return res
	}
	names, err := r.LookupPTR(ctx, ip)
	if err != nil && !resolve.IsNotFound(err) {
		res.Err = err
	}
	for _, n := range names {
		res.PTR = append(res.PTR, strings.TrimSuffix(n, "."))
	}
	check := res.PTR
	if len(check) > MaxNames {
		check = check[:MaxNames]
	}
	confirmed := make([]bool, len(check))
	for i, n := range check {
		wg.Go(func() {
			addrs, err := lookupFamily(ctx, r, n, ip.Is4())
			if err != nil {
				return
			}
			for _, a := range addrs {
				if a.Unmap() == ip {
					confirmed[i] = true
					return
				}
			}
		})
	}
	wg.Wait()
	for i, ok := range confirmed {
		if ok {
			res.Confirmed = append(res.Confirmed, check[i])
		}
	}
	res.FCrDNS = len(res.Confirmed) > 0
	for _, n := range res.PTR {
		if strings.EqualFold(n, strings.TrimSuffix(res.HELO.Name, ".")) {
			res.HELO.MatchesPTR = true
		}
	}
	return res
}

func lookupFamily(ctx context.Context, r resolve.Resolver, name string, v4 bool) ([]netip.Addr, error) {
	if v4 {
		return r.LookupA(ctx, name)
	}
	return r.LookupAAAA(ctx, name)
}
