package dmarcreport

// This file names sources by their PTR records (RFC 1035 §3.5), through a
// resolver the caller hands in: the package itself does no DNS.

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"
)

// PTRResolver looks up the names of an address. authcheck's resolvers
// satisfy it. Implementations must be safe for concurrent use.
type PTRResolver interface {
	LookupPTR(ctx context.Context, addr netip.Addr) ([]string, error)
}

// ResolvePTR looks up the PTR name of every source address not yet named,
// at most max of them (0 means all), in address order so that the same
// input asks the same questions. An address with several names takes the
// first in sort order. Failed lookups leave the address unnamed and are
// returned joined; the context ending stops the lookups.
func (a *Aggregate) ResolvePTR(ctx context.Context, r PTRResolver, max int) error {
	var ips []netip.Addr
	seen := map[netip.Addr]bool{}
	for _, d := range a.domains {
		for ip := range d.sources {
			if ip.IsValid() && !seen[ip] {
				if _, done := a.ptr[ip]; !done {
					ips = append(ips, ip)
				}
				seen[ip] = true
			}
		}
	}
	slices.SortFunc(ips, netip.Addr.Compare)
	if max > 0 && len(ips) > max {
		ips = ips[:max]
	}
	var errs []error
	for _, ip := range ips {
		if err := ctx.Err(); err != nil {
			errs = append(errs, err)
			break
		}
		names, err := r.LookupPTR(ctx, ip)
		if err != nil {
			errs = append(errs, fmt.Errorf("PTR %s: %w", ip, err))
			continue
		}
		for i := range names {
			names[i] = lowerDomain(names[i])
		}
		slices.Sort(names)
		names = slices.DeleteFunc(names, func(s string) bool { return s == "" || strings.ContainsAny(s, " \t") })
		if len(names) > 0 {
			a.ptr[ip] = names[0]
		}
	}
	return errors.Join(errs...)
}

// SetPTR records the PTR name of an address, for callers that resolved it
// themselves.
func (a *Aggregate) SetPTR(ip netip.Addr, name string) {
	if ip.IsValid() && name != "" {
		a.ptr[ip] = lowerDomain(name)
	}
}
