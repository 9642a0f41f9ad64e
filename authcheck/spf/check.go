// SPF evaluation: the check_host() function of RFC 7208 §4 with every
// mechanism (§5), redirect= and exp= (§6), macros (§7) and the processing
// limits of §4.6.4, recorded step by step.

package spf

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"strings"
	"time"

	"github.com/bouncekit/bouncekit/authcheck/resolve"
)

// SPF processing limits (RFC 7208 §4.6.4).
const (
	MaxLookups     = 10 // terms that query DNS: include, a, mx, ptr, exists, redirect
	MaxVoidLookups = 2  // lookups answered NXDOMAIN or with no records
	MaxMXRecords   = 10 // MX records one mx mechanism may look at
	MaxPTRRecords  = 10 // PTR names one ptr mechanism or %{p} may look at
	spfMaxDepth    = 32 // include/redirect nesting; the lookup limit ends loops first
	spfMaxTrace    = 1024
)

// Step is one step of an evaluation, in the order it happened.
type Step struct {
	Depth  int    // 0 for the checked domain, +1 per include or redirect
	Domain string // the domain whose record is evaluated
	Term   string // the term, or "record" for the record lookup
	Match  bool   // the mechanism matched
	Result Result // set on the step that decided the record's result
	Detail string // what was looked up and found
}

// Outcome is the result of CheckHost with everything that explains it.
type Outcome struct {
	Result      Result
	Domain      string // the domain checked
	Record      string // its SPF record, "" if none was found
	Mechanism   string // the top-level directive that decided ("redirect=..." when the redirect did), "" if none
	Explanation string // the exp= text for a fail (RFC 7208 §6.2), macros expanded
	Lookups     int    // DNS-querying terms evaluated (limit MaxLookups)
	VoidLookups int    // lookups that found nothing (limit MaxVoidLookups)
	Trace       []Step
	// Err says why the result is permerror or temperror (an *Error
	// wrapping one of the ErrSPF... sentinels), nil otherwise.
	Err error
}

// LogValue implements slog.LogValuer.
func (o Outcome) LogValue() slog.Value {
	attrs := []slog.Attr{
		slog.String("result", string(o.Result)),
		slog.String("domain", o.Domain),
		slog.Int("lookups", o.Lookups),
		slog.Int("void_lookups", o.VoidLookups),
	}
	if o.Mechanism != "" {
		attrs = append(attrs, slog.String("mechanism", o.Mechanism))
	}
	if o.Err != nil {
		attrs = append(attrs, slog.String("error", o.Err.Error()))
	}
	return slog.GroupValue(attrs...)
}

// Options holds the optional inputs of CheckHostWith. The zero value is
// fine.
type Options struct {
	// Receiver is the checking host's name, the %{r} macro of exp= text.
	Receiver string
	// Now gives the %{t} macro; nil means time.Now.
	Now func() time.Time
	// NoTrace skips recording steps, for callers that only want the
	// result.
	NoTrace bool
}

// CheckHost runs check_host(ip, domain, sender) of RFC 7208 §4. sender is
// the MAIL FROM address (or "postmaster@" + helo when MAIL FROM is empty,
// §2.4); domain is normally its domain part. helo feeds the %{h} macro. It
// never panics and returns when ctx is done (with temperror).
//
// CheckHost is safe for concurrent use if r is.
func CheckHost(ctx context.Context, r resolve.Resolver, ip netip.Addr, domain, sender, helo string) Outcome {
	return CheckHostWith(ctx, r, ip, domain, sender, helo, Options{})
}

// CheckMailFrom checks the MAIL FROM identity the way a receiver does
// (RFC 7208 §2.4): for the null sender "<>" or "" it checks the HELO name as
// postmaster@helo.
func CheckMailFrom(ctx context.Context, r resolve.Resolver, ip netip.Addr, mailFrom, helo string) Outcome {
	sender := strings.TrimSuffix(strings.TrimPrefix(mailFrom, "<"), ">")
	if sender == "" {
		sender = "postmaster@" + helo
	}
	domain := sender
	if i := strings.LastIndexByte(sender, '@'); i >= 0 {
		domain = sender[i+1:]
	}
	return CheckHost(ctx, r, ip, domain, sender, helo)
}

// CheckHostWith is CheckHost with options.
func CheckHostWith(ctx context.Context, r resolve.Resolver, ip netip.Addr, domain, sender, helo string, opts Options) Outcome {
	r = resolve.OrFail(r)
	c := &spfChecker{r: r, ip: ip.Unmap(), helo: helo, receiver: opts.Receiver, nowFn: opts.Now, noTrace: opts.NoTrace}
	// §4.3: a sender without a local part is postmaster@domain.
	c.sender = sender
	at := strings.LastIndexByte(sender, '@')
	switch {
	case at < 0:
		c.local, c.senderDomain = "postmaster", sender
		if sender == "" {
			c.senderDomain = domain
		}
		c.sender = "postmaster@" + c.senderDomain
	case at == 0:
		c.local, c.senderDomain = "postmaster", sender[1:]
		c.sender = "postmaster" + sender
	default:
		c.local, c.senderDomain = sender[:at], sender[at+1:]
	}
	domain = strings.TrimSuffix(domain, ".")
	out := Outcome{Domain: domain}
	// §4.3: a malformed or single-label domain gives none.
	if !ip.IsValid() {
		out.Result, out.Err = PermError, &Error{Domain: domain, Err: fmt.Errorf("%w: invalid client IP", ErrSyntax)}
		return out
	}
	if _, ok := resolve.CheckName(domain); !ok || !strings.Contains(domain, ".") {
		out.Result = None
		if !c.noTrace {
			c.step(0, domain, "record", false, None, "malformed or single-label domain (RFC 7208 §4.3)")
		}
		out.Trace = c.trace
		return out
	}
	res, err := c.check(ctx, domain, 0, false)
	out.Result, out.Err = res, err
	out.Record, out.Mechanism = c.topRecord, c.topMechanism
	out.Explanation = c.explanation
	out.Lookups, out.VoidLookups = c.lookups, c.voids
	out.Trace = c.trace
	return out
}

// spfChecker holds the state of one check_host evaluation, including
// nested includes and redirects, which share the limits (§4.6.4).
type spfChecker struct {
	r                           resolve.Resolver
	ip                          netip.Addr
	sender, local, senderDomain string
	helo, receiver              string
	nowFn                       func() time.Time
	noTrace                     bool

	lookups, voids int
	trace          []Step
	explanation    string
	topRecord      string
	topMechanism   string
}

func (c *spfChecker) now() time.Time {
	if c.nowFn != nil {
		return c.nowFn()
	}
	return time.Now()
}

func (c *spfChecker) step(depth int, domain, term string, match bool, res Result, detail string) {
	if c.noTrace || len(c.trace) >= spfMaxTrace {
		return
	}
	c.trace = append(c.trace, Step{Depth: depth, Domain: domain, Term: term, Match: match, Result: res, Detail: detail})
}

// decide marks the step of a matching term with the result it gives,
// adding the step if the mechanism recorded none.
func (c *spfChecker) decide(depth int, domain, term string, res Result) {
	if n := len(c.trace); n > 0 {
		if last := &c.trace[n-1]; last.Depth == depth && last.Domain == domain && last.Term == term && last.Match {
			last.Result = res
			return
		}
	}
	if !c.noTrace {
		c.step(depth, domain, term, true, res, "")
	}
}

// fetchRecord returns the one SPF record of domain (RFC 7208 §4.4, §4.5).
// A missing record is (nil, nil).
func fetchSPFRecord(ctx context.Context, r resolve.Resolver, domain string) (string, error) {
	txts, err := r.LookupTXT(ctx, domain)
	if err != nil {
		if resolve.IsNotFound(err) || errors.Is(err, resolve.ErrBadName) {
			return "", nil
		}
		return "", fmt.Errorf("%w: %w", ErrDNS, err)
	}
	var found []string
	for _, t := range txts {
		if IsRecord(t) {
			found = append(found, t)
		}
	}
	switch len(found) {
	case 0:
		return "", nil
	case 1:
		return found[0], nil
	}
	return "", fmt.Errorf("%w: %d records", ErrMultipleRecords, len(found))
}

// check evaluates the record of domain. inInclude stops exp= from being
// used (§6.2).
func (c *spfChecker) check(ctx context.Context, domain string, depth int, inInclude bool) (Result, error) {
	if depth > spfMaxDepth {
		return PermError, &Error{Domain: domain, Err: ErrRecursionTooDeep}
	}
	txt, err := fetchSPFRecord(ctx, c.r, domain)
	if err != nil {
		res := PermError
		if errors.Is(err, ErrDNS) {
			res = TempError
		}
		if !c.noTrace {
			c.step(depth, domain, "record", false, res, err.Error())
		}
		return res, &Error{Domain: domain, Err: err}
	}
	if txt == "" {
		if !c.noTrace {
			c.step(depth, domain, "record", false, None, "no v=spf1 record")
		}
		return None, nil
	}
	if depth == 0 {
		c.topRecord = txt
	}
	if !c.noTrace {
		c.step(depth, domain, "record", false, "", txt)
	}
	rec, err := Parse(txt)
	if err != nil {
		if !c.noTrace {
			c.step(depth, domain, "record", false, PermError, err.Error())
		}
		return PermError, &Error{Domain: domain, Err: err}
	}

	for _, m := range rec.Mechanisms {
		if err := ctx.Err(); err != nil {
			return TempError, &Error{Domain: domain, Term: m.String(), Err: fmt.Errorf("%w: %w", ErrDNS, resolve.ContextError(err))}
		}
		match, res, err := c.evalMechanism(ctx, m, domain, depth)
		if err != nil {
			if !c.noTrace {
				c.step(depth, domain, m.String(), false, res, err.Error())
			}
			return res, &Error{Domain: domain, Term: m.String(), Err: err}
		}
		if !match {
			continue
		}
		res = m.Qualifier.Result()
		c.decide(depth, domain, m.String(), res)
		if depth == 0 {
			c.topMechanism = m.String()
		}
		if res == Fail && !inInclude && rec.Exp != "" {
			c.explain(ctx, rec.Exp, domain)
		}
		return res, nil
	}

	// §6.1: redirect applies only when no mechanism matched; "all"
	// anywhere makes it unreachable.
	if rec.Redirect != "" {
		term := "redirect=" + rec.Redirect
		if err := c.countLookup(); err != nil {
			if !c.noTrace {
				c.step(depth, domain, term, false, PermError, err.Error())
			}
			return PermError, &Error{Domain: domain, Term: term, Err: err}
		}
		target, err := c.targetDomain(ctx, rec.Redirect, domain)
		if err != nil {
			if !c.noTrace {
				c.step(depth, domain, term, false, PermError, err.Error())
			}
			return PermError, &Error{Domain: domain, Term: term, Err: err}
		}
		if !c.noTrace {
			c.step(depth, domain, term, false, "", "to "+target)
		}
		if depth == 0 {
			c.topMechanism = term
		}
		res, err := c.check(ctx, target, depth+1, inInclude)
		if res == None {
			// §6.1: a redirect target without a record is permerror.
			err = &Error{Domain: target, Term: term, Err: ErrNoRecord}
			res = PermError
		}
		return res, err
	}
	if !c.noTrace {
		c.step(depth, domain, "(default)", false, Neutral, "no mechanism matched (RFC 7208 §4.7)")
	}
	return Neutral, nil
}

// explain sets the explanation from exp= (§6.2); any failure leaves it
// empty, as if there were no exp=.
func (c *spfChecker) explain(ctx context.Context, exp, domain string) {
	target, err := c.spfExpand(ctx, exp, domain, false)
	if err != nil {
		return
	}
	txts, err := c.r.LookupTXT(ctx, target)
	if err != nil || len(txts) != 1 {
		return
	}
	if spfCheckMacroString(txts[0], true) != nil {
		return
	}
	text, err := c.spfExpand(ctx, txts[0], domain, true)
	if err != nil {
		return
	}
	for i := 0; i < len(text); i++ {
		if text[i] < 0x20 || text[i] > 0x7e {
			return // §6.2: explanation text is US-ASCII
		}
	}
	c.explanation = text
}

// countLookup counts one DNS-querying term against the limit (§4.6.4).
func (c *spfChecker) countLookup() error {
	c.lookups++
	if c.lookups > MaxLookups {
		return fmt.Errorf("%w (%d)", ErrTooManyLookups, c.lookups)
	}
	return nil
}

// countVoid counts a lookup that found nothing (§4.6.4).
func (c *spfChecker) countVoid() error {
	c.voids++
	if c.voids > MaxVoidLookups {
		return fmt.Errorf("%w (%d)", ErrTooManyVoid, c.voids)
	}
	return nil
}

// targetDomain expands a domain-spec and checks the result is a name that
// can be asked.
func (c *spfChecker) targetDomain(ctx context.Context, spec, domain string) (string, error) {
	if spec == "" {
		return domain, nil
	}
	t, err := c.spfExpand(ctx, spec, domain, false)
	if err != nil {
		return "", err
	}
	t = strings.TrimSuffix(t, ".")
	if _, ok := resolve.CheckName(t); !ok {
		return t, fmt.Errorf("%w: %q", ErrBadDomain, t)
	}
	return t, nil
}

// dnsFailure turns a lookup error into temperror unless it is "not found"
// (§5: RCODE 3 and empty answers are no match; anything else is
// temperror).
func (c *spfChecker) dnsFailure(err error) (notFound bool, res Result, ferr error) {
	if resolve.IsNotFound(err) {
		if verr := c.countVoid(); verr != nil {
			return true, PermError, verr
		}
		return true, "", nil
	}
	if errors.Is(err, resolve.ErrBadName) {
		return true, "", nil
	}
	return false, TempError, fmt.Errorf("%w: %w", ErrDNS, err)
}

func (c *spfChecker) lookupAddrs(ctx context.Context, name string, v4 bool) ([]netip.Addr, error) {
	if v4 {
		return c.r.LookupA(ctx, name)
	}
	return c.r.LookupAAAA(ctx, name)
}

// matchAddrs compares the client with addresses under the mechanism's
// cidr lengths (§5.3, §5.6).
func (c *spfChecker) matchAddrs(addrs []netip.Addr, m Mechanism) bool {
	bits := m.Bits4
	if !c.ip.Is4() {
		bits = m.Bits6
	}
	for _, a := range addrs {
		a = a.Unmap()
		if a.Is4() != c.ip.Is4() {
			continue
		}
		if bits < 0 {
			if a == c.ip {
				return true
			}
			continue
		}
		p, err := a.Prefix(bits)
		if err == nil && p.Contains(c.ip) {
			return true
		}
	}
	return false
}

// validatedNames returns the client's PTR names whose forward lookup
// gives the client address back (§5.5), looking at most at 10 names. DNS
// errors skip a name rather than fail. err is that of the PTR query.
func (c *spfChecker) validatedNames(ctx context.Context) ([]string, error) {
	names, err := c.r.LookupPTR(ctx, c.ip)
	if err != nil {
		return nil, err
	}
	if len(names) > MaxPTRRecords {
		names = names[:MaxPTRRecords]
	}
	var out []string
	for _, n := range names {
		n = strings.TrimSuffix(n, ".")
		addrs, err := c.lookupAddrs(ctx, n, c.ip.Is4())
		if err != nil {
			continue
		}
		for _, a := range addrs {
			if a.Unmap() == c.ip {
				out = append(out, n)
				break
			}
		}
	}
	return out, nil
}

// validatedName is the %{p} macro (§7.3): a validated name equal to the
// domain, else one under it, else any, else "unknown".
func (c *spfChecker) validatedName(ctx context.Context, domain string) string {
	names, _ := c.validatedNames(ctx)
	for _, n := range names {
		if strings.EqualFold(n, domain) {
			return n
		}
	}
	for _, n := range names {
		if spfSubdomainOf(n, domain) {
			return n
		}
	}
	if len(names) > 0 {
		return names[0]
	}
	return "unknown"
}

// spfSubdomainOf reports whether name is domain or a name under it,
// case-insensitively.
func spfSubdomainOf(name, domain string) bool {
	name, domain = strings.TrimSuffix(name, "."), strings.TrimSuffix(domain, ".")
	if strings.EqualFold(name, domain) {
		return true
	}
	return len(name) > len(domain) && name[len(name)-len(domain)-1] == '.' &&
		strings.EqualFold(name[len(name)-len(domain):], domain)
}
