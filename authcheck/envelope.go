// Envelope-domain check: can mail (bounces above all) reach the MAIL FROM
// domain? RFC 5321 §5.1 (MX, else the implicit MX of A/AAAA) and RFC 7505
// (null MX).

package authcheck

import (
	"context"
	"fmt"
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

// lookupBoth returns the A and AAAA records of name; the error is set only
// for failures other than "not found" when nothing was found.
func lookupBoth(ctx context.Context, r Resolver, name string) ([]netip.Addr, error) {
	var a, aaaa []netip.Addr
	var errA, errAAAA error
	var wg sync.WaitGroup
	wg.Go(func() { a, errA = r.LookupA(ctx, name) })
	wg.Go(func() { aaaa, errAAAA = r.LookupAAAA(ctx, name) })
	wg.Wait()
	out := append(a, aaaa...)
	if len(out) > 0 {
		return out, nil
	}
	for _, err := range []error{errA, errAAAA} {
		if err != nil && !IsNotFound(err) {
			return nil, err
		}
	}
	return nil, nil
}

// Findings turns the result into coded findings.
func (e EnvelopeResult) Findings() []Finding {
	switch {
	case e.NullMX:
		return []Finding{{Code: FindingEnvelopeNullMX, Severity: SeverityError, Subject: e.Domain,
			Message: "the domain publishes a null MX: it accepts no mail, so bounces are lost and many receivers reject it as a sender", RFC: "RFC 7505 §4.2"}}
	case e.Err != nil && !e.CanReceive:
		return []Finding{{Code: dnsFailureCode(e.Err), Severity: SeverityWarning, Subject: e.Domain,
			Message: fmt.Sprintf("MX/A lookup failed: %v", e.Err), RFC: "RFC 5321 §5.1"}}
	case !e.CanReceive && len(e.MX) > 0:
		return []Finding{{Code: FindingEnvelopeNoMX, Severity: SeverityError, Subject: e.Domain,
			Message: fmt.Sprintf("no MX host resolves (%s): bounces cannot be delivered", strings.Join(e.Unresolvable, ", ")), RFC: "RFC 5321 §5.1"}}
	case !e.CanReceive:
		return []Finding{{Code: FindingEnvelopeNoMX, Severity: SeverityError, Subject: e.Domain,
			Message: "no MX and no A/AAAA record: bounces cannot be delivered", RFC: "RFC 5321 §5.1"}}
	case e.Implicit:
		return []Finding{{Code: FindingEnvelopeNoMX, Severity: SeverityInfo, Subject: e.Domain,
			Message: "no MX record; mail goes to the domain's own address (implicit MX)", RFC: "RFC 5321 §5.1"}}
	}
	return nil
}
