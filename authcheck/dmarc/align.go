// DMARC identifier alignment (RFC 7489 §3.1, RFC 9989 §4.4) and the
// resulting disposition of a message (RFC 7489 §6.6.4, §6.7).

package dmarc

import (
	"cmp"
	"fmt"
	"strings"

	"github.com/bouncekit/bouncekit/authcheck/dkim"
	"github.com/bouncekit/bouncekit/authcheck/internal/syntax"
	"github.com/bouncekit/bouncekit/authcheck/psl"
	"github.com/bouncekit/bouncekit/authcheck/spf"
)

// Result is the DMARC outcome for a message; the values are the RFC
// 8601 §2.7.1 / RFC 7489 §11.2 tokens.
type Result string

const (
	Pass      Result = "pass"      // an aligned identifier passed
	Fail      Result = "fail"      // a policy exists and nothing aligned passed
	None      Result = "none"      // no policy was found
	TempError Result = "temperror" // discovery failed temporarily
)

// DKIMInput is one DKIM verification result for alignment.
type DKIMInput struct {
	Domain string      // d=
	Result dkim.Result // only pass counts
}

// DKIMInputs turns verification results into alignment input, keeping
// signatures whose d= could be read.
func DKIMInputs(vs []dkim.Verification) []DKIMInput {
	out := make([]DKIMInput, 0, len(vs))
	for _, v := range vs {
		if v.Domain != "" {
			out = append(out, DKIMInput{Domain: v.Domain, Result: v.Result})
		}
	}
	return out
}

// Input is what alignment needs about one message.
type Input struct {
	FromDomain string     // RFC5322.From domain
	SPFResult  spf.Result // SPF result for SPFDomain
	SPFDomain  string     // RFC5321.MailFrom domain (HELO when the MAIL FROM is null)
	DKIM       []DKIMInput
	// FromDomainExists is false when the From domain does not exist in DNS,
	// which selects np= (RFC 9989 §4.10.1). The zero value assumes it does
	// not; set it to true in the common case.
	FromDomainExists bool
}

// Evaluation is the DMARC verdict for one message.
type Evaluation struct {
	Result            Result `json:"result"`
	SPFAligned        bool   `json:"spf_aligned"`  // SPF passed for an aligned domain
	DKIMAligned       bool   `json:"dkim_aligned"` // some DKIM pass had an aligned d=
	AlignedDKIMDomain string `json:"aligned_dkim_domain,omitempty"`
	Policy            Policy `json:"policy,omitempty"` // requested for this domain (p, sp or np)
	// Disposition is what a receiver applies to a failing message: Policy
	// lowered one step under t=y (RFC 9989) and "none" on pass.
	Disposition Policy `json:"disposition,omitempty"`
	// Percent is the share of failing mail the policy applies to (pct=,
	// RFC 7489 §6.6.4); the rest gets one step less.
	Percent int    `json:"percent,omitempty"`
	Reason  string `json:"reason"`
}

// IdentifiersAligned reports whether an authenticated domain is aligned with
// the From domain under mode (RFC 7489 §3.1): strict wants the same name,
// relaxed the same organisational domain. Organisational domains come from
// the Public Suffix List (RFC 7489 §3.2); pass orgFrom (the RFC 9989 tree
// walk result for the From domain) to also accept any authDomain at or below
// it, which is where the tree walk would place it barring a psd=n record in
// between.
func IdentifiersAligned(mode Alignment, fromDomain, authDomain, orgFrom string) bool {
	from := strings.ToLower(strings.TrimSuffix(fromDomain, "."))
	auth := strings.ToLower(strings.TrimSuffix(authDomain, "."))
	if from == "" || auth == "" {
		return false
	}
	if from == auth {
		return true
	}
	if mode == Strict {
		return false
	}
	if psl.OrgDomainOrSelf(from) == psl.OrgDomainOrSelf(auth) {
		return true
	}
	return orgFrom != "" && syntax.IsSubdomainOrSame(from, orgFrom) && syntax.IsSubdomainOrSame(auth, orgFrom)
}

// Evaluate applies the discovered policy to one message: SPF and DKIM
// identifiers are checked for alignment under aspf= and adkim= and the
// disposition follows (RFC 7489 §6.6.2-§6.6.4).
func Evaluate(d *Discovery, in Input) Evaluation {
	var ev Evaluation
	if d.Err != nil && d.Record == nil {
		ev.Result, ev.Reason = TempError, d.Err.Error()
		return ev
	}
	if d.Record == nil {
		ev.Result, ev.Reason = None, "no DMARC record for "+d.Domain
		return ev
	}
	rec := d.Record
	from := in.FromDomain
	if from == "" {
		from = d.Domain
	}
	if in.SPFResult == spf.Pass && IdentifiersAligned(rec.ASPF, from, in.SPFDomain, d.OrgDomain) {
		ev.SPFAligned = true
	}
	for _, k := range in.DKIM {
		if k.Result == dkim.Pass && IdentifiersAligned(rec.ADKIM, from, k.Domain, d.OrgDomain) {
			ev.DKIMAligned, ev.AlignedDKIMDomain = true, k.Domain
			break
		}
	}
	ev.Policy = d.EffectivePolicy(in.FromDomainExists)
	ev.Percent = rec.Percent
	if ev.SPFAligned || ev.DKIMAligned {
		ev.Result, ev.Disposition = Pass, PolicyNone
		switch {
		case ev.SPFAligned && ev.DKIMAligned:
			ev.Reason = "SPF and DKIM both pass aligned"
		case ev.SPFAligned:
			ev.Reason = fmt.Sprintf("SPF passes for %s, aligned (aspf=%s)", in.SPFDomain, rec.ASPF)
		default:
			ev.Reason = fmt.Sprintf("DKIM passes for d=%s, aligned (adkim=%s)", ev.AlignedDKIMDomain, rec.ADKIM)
		}
		return ev
	}
	ev.Result = Fail
	ev.Disposition = ev.Policy
	if rec.Testing {
		ev.Disposition = lowerPolicy(ev.Disposition)
	}
	var why []string
	switch {
	case in.SPFResult != spf.Pass:
		why = append(why, fmt.Sprintf("SPF %s", cmp.Or(string(in.SPFResult), "not checked")))
	default:
		why = append(why, fmt.Sprintf("SPF passes for %s, not aligned with %s (aspf=%s)", in.SPFDomain, from, rec.ASPF))
	}
	passed := 0
	for _, k := range in.DKIM {
		if k.Result == dkim.Pass {
			passed++
			why = append(why, fmt.Sprintf("DKIM d=%s passes, not aligned (adkim=%s)", k.Domain, rec.ADKIM))
		}
	}
	if passed == 0 {
		why = append(why, "no DKIM signature passes")
	}
	ev.Reason = strings.Join(why, "; ")
	return ev
}

// lowerPolicy is one step less strict (RFC 7489 §6.6.4, RFC 9989 t=y).
func lowerPolicy(p Policy) Policy {
	switch p {
	case PolicyReject:
		return PolicyQuarantine
	case PolicyQuarantine:
		return PolicyNone
	}
	return p
}
