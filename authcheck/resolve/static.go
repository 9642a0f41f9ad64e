// Static: a Resolver that answers from zone-file text held in
// memory, for tests, examples and benchmarks that must not touch a network.

package resolve

import (
	"context"
	"fmt"
	"net/netip"
	"strings"
	"sync"

	"github.com/miekg/dns"
)

// Static answers from records given as zone-file text (RFC 1035
// §5), keeping NXDOMAIN and NODATA apart and following CNAMEs as
// Client does. It is safe for concurrent use.
type Static struct {
	maxCNAME int
	rrs      map[string][]dns.RR // by canonical owner
	exists   map[string]bool     // owners and their ancestors

	mu     sync.RWMutex
	errors map[string]error // by canonical name
}

// NewStatic parses zone (relative names are relative to the root
// unless $ORIGIN says otherwise) into a resolver.
func NewStatic(zone string) (*Static, error) {
	zp := dns.NewZoneParser(strings.NewReader(zone), ".", "")
	zp.SetDefaultTTL(3600)
	s := &Static{maxCNAME: DefaultMaxCNAME, rrs: map[string][]dns.RR{}, exists: map[string]bool{}, errors: map[string]error{}}
	for rr, ok := zp.Next(); ok; rr, ok = zp.Next() {
		name := dns.CanonicalName(rr.Header().Name)
		s.rrs[name] = append(s.rrs[name], rr)
		for off, end := 0, false; !end; off, end = dns.NextLabel(name, off) {
			s.exists[name[off:]] = true
		}
	}
	if err := zp.Err(); err != nil {
		return nil, fmt.Errorf("static resolver zone: %w", err)
	}
	return s, nil
}

// SetError makes lookups of name fail with err (normally one of the DNS
// sentinels such as ErrTimeout or ErrServFail) unless the zone holds records
// of the type asked, like the SPF suites' TIMEOUT entry.
func (s *Static) SetError(name string, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.errors[dns.CanonicalName(dns.Fqdn(name))] = err
}

func (s *Static) lookup(ctx context.Context, name string, qtype uint16) ([]dns.RR, error) {
	typ := dns.TypeToString[qtype]
	if err := ctx.Err(); err != nil {
		return nil, &Error{Name: name, Type: typ, Err: ContextError(err)}
	}
	fq, ok := CheckName(name)
	if !ok {
		return nil, &Error{Name: name, Type: typ, Err: ErrBadName}
	}
	target := dns.CanonicalName(fq)
	s.mu.RLock()
	defer s.mu.RUnlock()
	for hops := 0; ; hops++ {
		rrs, ok := s.rrs[target]
		var out []dns.RR
		next := ""
		for _, rr := range rrs {
			switch h := rr.Header(); {
			case h.Rrtype == qtype:
				out = append(out, rr)
			case h.Rrtype == dns.TypeCNAME:
				next = dns.CanonicalName(rr.(*dns.CNAME).Target)
			}
		}
		if len(out) > 0 {
			return out, nil
		}
		if err := s.errors[target]; err != nil {
			return nil, &Error{Name: name, Type: typ, Err: err}
		}
		if !ok && !s.exists[target] {
			return nil, &Error{Name: name, Type: typ, Err: ErrNXDomain}
		}
		if next == "" {
			return nil, &Error{Name: name, Type: typ, Err: ErrNoData}
		}
		if hops >= s.maxCNAME {
			return nil, &Error{Name: name, Type: typ, Err: ErrCNAMELoop}
		}
		target = next
	}
}

// LookupTXT implements Resolver.
func (s *Static) LookupTXT(ctx context.Context, name string) ([]string, error) {
	return rrLookup(s.lookup).txt(ctx, name)
}

// LookupA implements Resolver.
func (s *Static) LookupA(ctx context.Context, name string) ([]netip.Addr, error) {
	return rrLookup(s.lookup).addrs(ctx, name, dns.TypeA)
}

// LookupAAAA implements Resolver.
func (s *Static) LookupAAAA(ctx context.Context, name string) ([]netip.Addr, error) {
	return rrLookup(s.lookup).addrs(ctx, name, dns.TypeAAAA)
}

// LookupMX implements Resolver.
func (s *Static) LookupMX(ctx context.Context, name string) ([]MX, error) {
	return rrLookup(s.lookup).mx(ctx, name)
}

// LookupPTR implements Resolver.
func (s *Static) LookupPTR(ctx context.Context, addr netip.Addr) ([]string, error) {
	return rrLookup(s.lookup).ptr(ctx, addr)
}
