// Sending-IP checks: the PTR record of the address (RFC 1035 §3.5, RFC 3596
// §2.5), forward-confirmed reverse DNS, and the HELO name checked against
// both, as large receivers do before they read a message.

package authcheck

import (
	"context"
	"log/slog"
	"net/netip"
	"strings"
	"sync"
)

// MaxRDNSNames bounds the PTR names CheckReverseDNS confirms, as RFC 7208
// §4.6.4 bounds them for SPF.
const MaxRDNSNames = 10

// RDNSResult is what the sending address says about itself in DNS.
type RDNSResult struct {
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
func (r RDNSResult) LogValue() slog.Value {
	return slog.GroupValue(slog.String("ip", r.IP.String()), slog.Any("ptr", r.PTR),
		slog.Bool("fcrdns", r.FCrDNS), slog.String("helo", r.HELO.Name))
}

// CheckReverseDNS looks up the PTR names of ip, confirms each forward (at
// most MaxRDNSNames), and checks the HELO name (see CheckHELO). The lookups
// run concurrently; the result does not depend on their order. Safe for
// concurrent use if r is.
func CheckReverseDNS(ctx context.Context, r Resolver, ip netip.Addr, helo string) RDNSResult {
	r = orNoResolver(r)
	ip = ip.Unmap()
	res := RDNSResult{IP: ip}
	var wg sync.WaitGroup
	wg.Go(func() { res.HELO = CheckHELO(ctx, r, helo, ip) })
	if !ip.IsValid() {
		res.Err = &DNSError{Name: ip.String(), Type: "PTR", Err: ErrBadName}
		wg.Wait()
		return res
	}
	names, err := r.LookupPTR(ctx, ip)
	if err != nil && !IsNotFound(err) {
		res.Err = err
	}
	for _, n := range names {
		res.PTR = append(res.PTR, strings.TrimSuffix(n, "."))
	}
	check := res.PTR
	if len(check) > MaxRDNSNames {
		check = check[:MaxRDNSNames]
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

func lookupFamily(ctx context.Context, r Resolver, name string, v4 bool) ([]netip.Addr, error) {
	if v4 {
		return r.LookupA(ctx, name)
	}
	return r.LookupAAAA(ctx, name)
}
