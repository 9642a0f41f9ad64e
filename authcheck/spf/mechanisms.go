// The evaluation of each SPF mechanism (RFC 7208 §5), one function per
// mechanism; evalMechanism dispatches on the kind.

package spf

import (
	"context"
	"errors"
	"fmt"

	"github.com/bouncekit/bouncekit/authcheck/resolve"
)

// evalMechanism reports whether m matches. A non-nil error ends the
// evaluation with res.
func (c *spfChecker) evalMechanism(ctx context.Context, m Mechanism, domain string, depth int) (match bool, res Result, err error) {
	if m.Kind.countsLookup() {
		if err := c.countLookup(); err != nil {
			return false, PermError, err
		}
	}
	switch m.Kind {
	case All:
		return true, "", nil // §5.1
	case IP4, IP6:
		return c.evalIP(m, domain, depth), "", nil
	}
	target, err := c.targetDomain(ctx, m.Domain, domain)
	if err != nil {
		return false, PermError, err
	}
	switch m.Kind {
	case Include:
		return c.evalInclude(ctx, m, target, domain, depth)
	case A:
		return c.evalA(ctx, m, target, domain, depth)
	case MX:
		return c.evalMX(ctx, m, target, domain, depth)
	case PTR:
		return c.evalPTR(ctx, m, target, domain, depth)
	case Exists:
		return c.evalExists(ctx, m, target, domain, depth)
	}
	return false, PermError, fmt.Errorf("%w: unknown mechanism %q", ErrSyntax, m.Kind)
}

// evalIP matches ip4 and ip6 (§5.6): an ip4 network never matches an IPv6
// client and vice versa.
func (c *spfChecker) evalIP(m Mechanism, domain string, depth int) bool {
	ok := m.Net.Addr().Is4() == c.ip.Is4() && m.Net.Contains(c.ip)
	if !c.noTrace {
		c.step(depth, domain, m.String(), ok, "", "")
	}
	return ok
}

// evalInclude evaluates the included record (§5.2).
func (c *spfChecker) evalInclude(ctx context.Context, m Mechanism, target, domain string, depth int) (match bool, res Result, err error) {
	if !c.noTrace {
		c.step(depth, domain, m.String(), false, "", "to "+target)
	}
	sub, err := c.check(ctx, target, depth+1, true)
	if !c.noTrace {
		c.step(depth, domain, m.String(), sub == Pass, "", "included record gave "+string(sub))
	}
	// §5.2: the include table.
	switch sub {
	case Pass:
		return true, "", nil
	case Fail, SoftFail, Neutral:
		return false, "", nil
	case TempError:
		return false, TempError, err
	case None:
		return false, PermError, fmt.Errorf("%w: %s", ErrNoRecord, target)
	}
	return false, PermError, err
}

// evalA matches the target's A or AAAA addresses, by the client's family
// (§5.3).
func (c *spfChecker) evalA(ctx context.Context, m Mechanism, target, domain string, depth int) (match bool, res Result, err error) {
	addrs, err := c.lookupAddrs(ctx, target, c.ip.Is4())
	if err != nil {
		if nf, res, ferr := c.dnsFailure(err); !nf || ferr != nil {
			return false, res, ferr
		}
		if !c.noTrace {
			c.step(depth, domain, m.String(), false, "", target+": no address")
		}
		return false, "", nil
	}
	ok := c.matchAddrs(addrs, m)
	if !c.noTrace {
		c.step(depth, domain, m.String(), ok, "", fmt.Sprintf("%s: %d addresses", target, len(addrs)))
	}
	return ok, "", nil
}

// evalMX matches the addresses of the target's MX hosts (§5.4).
func (c *spfChecker) evalMX(ctx context.Context, m Mechanism, target, domain string, depth int) (match bool, res Result, err error) {
	mxs, err := c.r.LookupMX(ctx, target)
	if err != nil {
		if nf, res, ferr := c.dnsFailure(err); !nf || ferr != nil {
			return false, res, ferr
		}
		if !c.noTrace {
			c.step(depth, domain, m.String(), false, "", target+": no MX")
		}
		return false, "", nil
	}
	// §4.6.4: more than 10 MX records is permerror.
	if len(mxs) > MaxMXRecords {
		return false, PermError, fmt.Errorf("%w: %s has %d", ErrTooManyMX, target, len(mxs))
	}
	for _, mx := range mxs {
		if mx.Host == "" || mx.Host == "." {
			continue // null MX (RFC 7505)
		}
		addrs, err := c.lookupAddrs(ctx, mx.Host, c.ip.Is4())
		if err != nil {
			// §4.6.4 counts void lookups per term: the MX query
			// above decides, a host without address is skipped.
			if resolve.IsNotFound(err) || errors.Is(err, resolve.ErrBadName) {
				continue
			}
			return false, TempError, fmt.Errorf("%w: %w", ErrDNS, err)
		}
		if c.matchAddrs(addrs, m) {
			if !c.noTrace {
				c.step(depth, domain, m.String(), true, "", "via "+mx.Host)
			}
			return true, "", nil
		}
	}
	if !c.noTrace {
		c.step(depth, domain, m.String(), false, "", fmt.Sprintf("%s: %d MX", target, len(mxs)))
	}
	return false, "", nil
}

// evalPTR matches the client's validated PTR names against the target
// (§5.5).
func (c *spfChecker) evalPTR(ctx context.Context, m Mechanism, target, domain string, depth int) (match bool, res Result, err error) {
	// §4.6.4: a PTR query that finds nothing is a void lookup
	// (§5.5: other errors make the mechanism not match).
	names, err := c.validatedNames(ctx)
	if resolve.IsNotFound(err) {
		if verr := c.countVoid(); verr != nil {
			return false, PermError, verr
		}
		if !c.noTrace {
			c.step(depth, domain, m.String(), false, "", "no PTR record")
		}
		return false, "", nil
	}
	for _, n := range names {
		if spfSubdomainOf(n, target) {
			if !c.noTrace {
				c.step(depth, domain, m.String(), true, "", "validated "+n)
			}
			return true, "", nil
		}
	}
	if !c.noTrace {
		c.step(depth, domain, m.String(), false, "", fmt.Sprintf("%d validated names", len(names)))
	}
	return false, "", nil
}

// evalExists matches when the target has an A record (§5.7).
func (c *spfChecker) evalExists(ctx context.Context, m Mechanism, target, domain string, depth int) (match bool, res Result, err error) {
	// §5.7: always an A query, whatever the client's address family.
	addrs, err := c.r.LookupA(ctx, target)
	if err != nil {
		if nf, res, ferr := c.dnsFailure(err); !nf || ferr != nil {
			return false, res, ferr
		}
		if !c.noTrace {
			c.step(depth, domain, m.String(), false, "", target+": does not exist")
		}
		return false, "", nil
	}
	ok := len(addrs) > 0
	if !c.noTrace {
		c.step(depth, domain, m.String(), ok, "", target)
	}
	return ok, "", nil
}
