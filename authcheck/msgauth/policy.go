// SPF for the envelope (RFC 7208), DMARC for the From domain (RFC 7489) and
// BIMI, which builds on DMARC enforcement.

package msgauth

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/bouncekit/bouncekit/authcheck/bimi"
	"github.com/bouncekit/bouncekit/authcheck/dmarc"
	"github.com/bouncekit/bouncekit/authcheck/psl"
	"github.com/bouncekit/bouncekit/authcheck/resolve"
	"github.com/bouncekit/bouncekit/authcheck/spf"
)

// SPF is the SPF verdict for the envelope.
type SPF struct {
	// Result is check_host for the MAIL FROM identity (or
	// postmaster@HELO for the null sender, RFC 7208 §2.4); "" when it
	// could not run (Skipped says why).
	Result spf.Result `json:"result"`
	Domain string     `json:"domain"`
	IP     string     `json:"ip"`
	HELO   string     `json:"helo,omitempty"`
	// HELOResult is check_host for the HELO identity (RFC 7208 §2.3),
	// "" when there is no HELO name.
	HELOResult spf.Result `json:"helo_result,omitempty"`
	Mechanism  string     `json:"mechanism,omitempty"`
	Reason     string     `json:"reason"`
	Skipped    string     `json:"skipped,omitempty"`
	Err        error      `json:"-"`
}

func evalSPF(ctx context.Context, r resolve.Resolver, env Envelope) SPF {
	s := SPF{HELO: env.HELO}
	if !env.IP.IsValid() {
		s.Skipped = "no sending IP given"
		s.Reason = s.Skipped
		return s
	}
	s.IP = env.IP.String()
	mf := strings.Trim(strings.TrimSpace(env.MailFrom), "<>")
	if mf == "" && env.HELO == "" {
		s.Skipped = "no MAIL FROM and no HELO given"
		s.Reason = s.Skipped
		return s
	}
	o := spf.CheckMailFrom(ctx, r, env.IP, mf, env.HELO)
	s.Result, s.Domain, s.Mechanism, s.Err = o.Result, o.Domain, o.Mechanism, o.Err
	switch {
	case o.Err != nil:
		s.Reason = o.Err.Error()
	case o.Mechanism != "":
		s.Reason = fmt.Sprintf("%s for %s: %s matched", o.Result, o.Domain, o.Mechanism)
	case o.Record == "":
		s.Reason = fmt.Sprintf("%s: no SPF record at %s", o.Result, o.Domain)
	default:
		s.Reason = fmt.Sprintf("%s for %s: no mechanism matched", o.Result, o.Domain)
	}
	if env.HELO != "" {
		s.HELOResult = spf.CheckHost(ctx, r, env.IP, env.HELO, "postmaster@"+env.HELO, env.HELO).Result
	}
	return s
}

// DMARC is the DMARC verdict for the From domain.
type DMARC struct {
	Result dmarc.Result `json:"result"`
	Domain string       `json:"domain"`
	// PolicyDomain is where the record was found; OrgDomain the From
	// domain's organisational domain.
	PolicyDomain string `json:"policy_domain,omitempty"`
	OrgDomain    string `json:"org_domain,omitempty"`
	Record       string `json:"record,omitempty"`
	// Policy is p=, sp= or np= as it applies to this domain; Disposition
	// what a receiver does with this message.
	Policy      dmarc.Policy    `json:"policy"`
	Disposition dmarc.Policy    `json:"disposition,omitempty"`
	Percent     int             `json:"percent,omitempty"`
	ADKIM       dmarc.Alignment `json:"adkim,omitempty"`
	ASPF        dmarc.Alignment `json:"aspf,omitempty"`
	DKIMAligned bool            `json:"dkim_aligned"`
	SPFAligned  bool            `json:"spf_aligned"`
	// RUA are the aggregate report addresses; Reports their RFC 7489 §7.1
	// authorisation check.
	RUA     []string                  `json:"rua"`
	Reports []dmarc.ReportDestination `json:"reports,omitempty"`
	Reason  string                    `json:"reason"`
	Err     error                     `json:"-"`
}

// Enforced reports a policy that acts on failing mail for all of it
// (quarantine or reject at pct=100), what Gmail and Yahoo ask of BIMI
// senders.
func (d DMARC) Enforced() bool {
	return (d.Policy == dmarc.PolicyQuarantine || d.Policy == dmarc.PolicyReject) && (d.Percent == 0 || d.Percent == 100)
}

func evalDMARC(ctx context.Context, r resolve.Resolver, from string, s SPF, ds []DKIM) DMARC {
	out := DMARC{Domain: from, RUA: []string{}}
	if from == "" {
		out.Result = dmarc.None
		out.Reason = "no From domain to evaluate (RFC 7489 §6.6.1)"
		return out
	}
	disc := dmarc.Discover(ctx, r, from)
	out.OrgDomain = disc.OrgDomain
	if out.OrgDomain == "" {
		out.OrgDomain = psl.OrgDomainOrSelf(from)
	}
	if disc.Err != nil {
		out.Result, out.Err = dmarc.TempError, disc.Err
		out.Reason = "DMARC discovery failed temporarily: " + disc.Err.Error()
		return out
	}
	var vs []dmarc.DKIMInput
	for _, d := range ds {
		if d.Domain != "" {
			vs = append(vs, dmarc.DKIMInput{Domain: strings.ToLower(d.Domain), Result: d.Result})
		}
	}
	// DMARC's SPF identifier is the MAIL FROM domain, or the HELO name for
	// the null sender (RFC 7489 §3.1.2, RFC 7208 §2.4).
	in := dmarc.Input{FromDomain: from, SPFResult: s.Result, SPFDomain: s.Domain, DKIM: vs,
		FromDomainExists: domainExists(ctx, r, from)}
	ev := dmarc.Evaluate(disc, in)
	out.Result, out.Policy, out.Disposition, out.Percent = ev.Result, ev.Policy, ev.Disposition, ev.Percent
	out.DKIMAligned, out.SPFAligned, out.Reason = ev.DKIMAligned, ev.SPFAligned, ev.Reason
	if rec := disc.Record; rec != nil {
		out.PolicyDomain, out.Record, out.ADKIM, out.ASPF = disc.PolicyDomain, rec.Raw, rec.ADKIM, rec.ASPF
		for _, u := range rec.RUA {
			out.RUA = append(out.RUA, u.URI)
		}
		out.Reports = dmarc.VerifyReportDestinations(ctx, r, disc.PolicyDomain, rec)
	}
	return out
}

// domainExists is false only when the name has no records of any kind
// (NXDOMAIN), which selects np= (RFC 9989 §4.10.1).
func domainExists(ctx context.Context, r resolve.Resolver, d string) bool {
	_, err := r.LookupMX(ctx, d)
	if err == nil || !errors.Is(err, resolve.ErrNXDomain) {
		return true
	}
	_, err = r.LookupA(ctx, d)
	return err == nil || !errors.Is(err, resolve.ErrNXDomain)
}

// BIMI is the From domain's BIMI assertion record
// (draft-brand-indicators-for-message-identification §4) and whether the
// message can show the logo.
type BIMI struct {
	// Record is the record found at the From domain or, failing that, its
	// organisational domain; nil when none.
	Record *bimi.Record `json:"record,omitempty"`
	Domain string       `json:"domain,omitempty"` // where it was found
	// Eligible says a logo can show: a record with a logo, DMARC pass and
	// DMARC at enforcement (the draft's §4.2 and the providers' rules).
	Eligible bool   `json:"eligible"`
	Reason   string `json:"reason"`
	Err      error  `json:"-"`
}

func evalBIMI(ctx context.Context, r resolve.Resolver, from, selector string, dm DMARC) BIMI {
	var b BIMI
	if from == "" {
		b.Reason = "no From domain"
		return b
	}
	domains := []string{from}
	if dm.OrgDomain != "" && dm.OrgDomain != from {
		// The draft's §4.4: without a record at the author domain, the
		// organisational domain's record applies.
		domains = append(domains, dm.OrgDomain)
	}
	for _, d := range domains {
		rec, err := bimi.Lookup(ctx, r, selector, d)
		if err == nil {
			b.Record, b.Domain = rec, d
			break
		}
		var re *resolve.Error
		switch {
		case errors.Is(err, resolve.ErrRecordMissing):
			continue
		case errors.As(err, &re):
			b.Err, b.Reason = err, "BIMI lookup failed temporarily: "+err.Error()
			return b
		default:
			// A record that does not parse is reported, not looked past.
			b.Err, b.Domain, b.Reason = err, d, err.Error()
			return b
		}
	}
	switch {
	case b.Record == nil:
		b.Reason = "no BIMI record at " + from
	case b.Record.Declined:
		b.Reason = "the domain declines BIMI (empty l= and a=)"
	case dm.Result != dmarc.Pass:
		b.Reason = fmt.Sprintf("DMARC is %s, BIMI needs a DMARC pass", dm.Result)
	case !dm.Enforced():
		b.Reason = fmt.Sprintf("DMARC policy %s (pct %d) is not at enforcement; BIMI needs quarantine or reject at 100%%", dm.Policy, dm.Percent)
	case b.Record.Logo == "":
		b.Reason = "the record has no logo URL (l=)"
	default:
		b.Eligible = true
		b.Reason = "logo " + b.Record.Logo
	}
	return b
}
