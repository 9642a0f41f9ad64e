// DMARC identifier alignment (RFC 7489 §3.1, RFC 9989 §4.4) and the
// resulting disposition of a message (RFC 7489 §6.6.4, §6.7).

package authcheck

import (
	"cmp"
	"fmt"
	"strings"
)

// DMARCResult is the DMARC outcome for a message; the values are the RFC
// 8601 §2.7.1 / RFC 7489 §11.2 tokens.
type DMARCResult string

const (
	DMARCPass      DMARCResult = "pass"      // an aligned identifier passed
	DMARCFail      DMARCResult = "fail"      // a policy exists and nothing aligned passed
	DMARCNone      DMARCResult = "none"      // no policy was found
	DMARCTempError DMARCResult = "temperror" // discovery failed temporarily
)

// DMARCDKIMInput is one DKIM verification result for alignment.
type DMARCDKIMInput struct {
	Domain string     // d=
	Result DKIMResult // only pass counts
}

// DKIMForDMARC turns verification results into alignment input, keeping
// signatures whose d= could be read.
func DKIMForDMARC(vs []DKIMVerification) []DMARCDKIMInput {
	out := make([]DMARCDKIMInput, 0, len(vs))
	for _, v := range vs {
		if v.Domain != "" {
			out = append(out, DMARCDKIMInput{Domain: v.Domain, Result: v.Result})
		}
	}
	return out
}

// DMARCInput is what alignment needs about one message.
type DMARCInput struct {
	FromDomain string    // RFC5322.From domain
	SPFResult  SPFResult // SPF result for SPFDomain
	SPFDomain  string    // RFC5321.MailFrom domain (HELO when the MAIL FROM is null)
	DKIM       []DMARCDKIMInput
	// FromDomainExists is false when the From domain does not exist in DNS,
	// which selects np= (RFC 9989 §4.10.1). The zero value assumes it does
	// not; set it to true in the common case.
	FromDomainExists bool
}

// DMARCEvaluation is the DMARC verdict for one message.
type DMARCEvaluation struct {
	Result            DMARCResult `json:"result"`
	SPFAligned        bool        `json:"spf_aligned"`  // SPF passed for an aligned domain
	DKIMAligned       bool        `json:"dkim_aligned"` // some DKIM pass had an aligned d=
	AlignedDKIMDomain string      `json:"aligned_dkim_domain,omitempty"`
	Policy            DMARCPolicy `json:"policy,omitempty"` // requested for this domain (p, sp or np)
	// Disposition is what a receiver applies to a failing message: Policy
	// lowered one step under t=y (RFC 9989) and "none" on pass.
	Disposition DMARCPolicy `json:"disposition,omitempty"`
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
func IdentifiersAligned(mode DMARCAlignment, fromDomain, authDomain, orgFrom string) bool {
	from := strings.ToLower(strings.TrimSuffix(fromDomain, "."))
	auth := strings.ToLower(strings.TrimSuffix(authDomain, "."))
	if from == "" || auth == "" {
		return false
	}
	if from == auth {
		return true
	}
	if mode == DMARCStrict {
		return false
	}
	if orgDomainOrSelf(from) == orgDomainOrSelf(auth) {
		return true
	}
	return orgFrom != "" && isSubdomainOrSame(from, orgFrom) && isSubdomainOrSame(auth, orgFrom)
}

// EvaluateDMARC applies the discovered policy to one message: SPF and DKIM
// identifiers are checked for alignment under aspf= and adkim= and the
// disposition follows (RFC 7489 §6.6.2-§6.6.4).
func EvaluateDMARC(d *DMARCDiscovery, in DMARCInput) DMARCEvaluation {
	var ev DMARCEvaluation
	if d.Err != nil && d.Record == nil {
		ev.Result, ev.Reason = DMARCTempError, d.Err.Error()
		return ev
	}
	if d.Record == nil {
		ev.Result, ev.Reason = DMARCNone, "no DMARC record for "+d.Domain
		return ev
	}
	rec := d.Record
	from := in.FromDomain
	if from == "" {
		from = d.Domain
	}
	if in.SPFResult == SPFPass && IdentifiersAligned(rec.ASPF, from, in.SPFDomain, d.OrgDomain) {
		ev.SPFAligned = true
	}
	for _, k := range in.DKIM {
		if k.Result == DKIMPass && IdentifiersAligned(rec.ADKIM, from, k.Domain, d.OrgDomain) {
			ev.DKIMAligned, ev.AlignedDKIMDomain = true, k.Domain
			break
		}
	}
	ev.Policy = d.EffectivePolicy(in.FromDomainExists)
	ev.Percent = rec.Percent
	if ev.SPFAligned || ev.DKIMAligned {
		ev.Result, ev.Disposition = DMARCPass, DMARCPolicyNone
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
	ev.Result = DMARCFail
	ev.Disposition = ev.Policy
	if rec.Testing {
		ev.Disposition = lowerPolicy(ev.Disposition)
	}
	var why []string
	switch {
	case in.SPFResult != SPFPass:
		why = append(why, fmt.Sprintf("SPF %s", cmp.Or(string(in.SPFResult), "not checked")))
	default:
		why = append(why, fmt.Sprintf("SPF passes for %s, not aligned with %s (aspf=%s)", in.SPFDomain, from, rec.ASPF))
	}
	passed := 0
	for _, k := range in.DKIM {
		if k.Result == DKIMPass {
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
func lowerPolicy(p DMARCPolicy) DMARCPolicy {
	switch p {
	case DMARCPolicyReject:
		return DMARCPolicyQuarantine
	case DMARCPolicyQuarantine:
		return DMARCPolicyNone
	}
	return p
}
