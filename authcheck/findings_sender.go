// The translation of the SPF, DMARC, MTA-STS, TLS-RPT and BIMI results of
// a sender report into coded findings.

package authcheck

import (
	"cmp"
	"context"
	"errors"
	"fmt"

	"github.com/bouncekit/bouncekit/authcheck/bimi"
	"github.com/bouncekit/bouncekit/authcheck/dkim"
	"github.com/bouncekit/bouncekit/authcheck/dmarc"
	"github.com/bouncekit/bouncekit/authcheck/resolve"
	"github.com/bouncekit/bouncekit/authcheck/spf"
)

func spfFindings(o spf.Outcome) []Finding {
	subj := o.Domain
	f := func(code FindingCode, sev Severity, rfc, format string, a ...any) []Finding {
		return []Finding{{Code: code, Severity: sev, Subject: subj, Message: fmt.Sprintf(format, a...), RFC: rfc}}
	}
	var fs []Finding
	switch o.Result {
	case spf.Fail:
		fs = f(FindingSPFFail, SeverityError, "RFC 7208 §2.6.4", "the sending IP is not authorised by %s's SPF record", o.Domain)
	case spf.SoftFail:
		fs = f(FindingSPFSoftFail, SeverityWarning, "RFC 7208 §2.6.5", "the sending IP is not authorised (~all): many receivers treat it as a fail")
	case spf.Neutral:
		fs = f(FindingSPFNeutral, SeverityWarning, "RFC 7208 §2.6.2", "the SPF record makes no assertion about the sending IP")
	case spf.None:
		fs = f(FindingSPFMissing, SeverityError, "RFC 7208 §4.5", "%s publishes no SPF record; large receivers require SPF or DKIM, bulk senders both", o.Domain)
	case spf.TempError:
		msg := "SPF could not be evaluated (temperror): %v"
		if errors.Is(o.Err, resolve.ErrTimeout) {
			msg = "an SPF lookup timed out (temperror; not evidence of a missing record): %v"
		}
		fs = f(FindingSPFTempError, SeverityWarning, "RFC 7208 §2.6.6", msg, o.Err)
	case spf.PermError:
		switch {
		case errors.Is(o.Err, spf.ErrTooManyLookups), errors.Is(o.Err, spf.ErrTooManyVoid), errors.Is(o.Err, spf.ErrTooManyMX):
			fs = f(FindingSPFTooManyLookups, SeverityError, "RFC 7208 §4.6.4", "SPF exceeds a lookup limit, so it fails as permerror everywhere: %v", o.Err)
		default:
			fs = f(FindingSPFPermError, SeverityError, "RFC 7208 §2.6.7", "the SPF record cannot be evaluated (permerror): %v", o.Err)
		}
	}
	if o.Result != spf.PermError && o.Lookups >= spf.MaxLookups-1 {
		fs = append(fs, Finding{Code: FindingSPFLookupsNearLimit, Severity: SeverityWarning, Subject: subj,
			Message: fmt.Sprintf("%d of %d DNS-querying terms used on this path; one more include breaks SPF", o.Lookups, spf.MaxLookups), RFC: "RFC 7208 §4.6.4"})
	}
	return fs
}

// dmarcOutlook says whether mail sent this way can pass DMARC at all: it
// needs SPF to pass for an aligned MAIL FROM domain or an aligned DKIM key
// (RFC 7489 §4.2). It concludes only when SPF and every selector gave a
// definite answer, and only when selectors were given.
func (rep *SenderReport) dmarcOutlook() []Finding {
	d := rep.DMARCDiscovery
	if d == nil || d.Record == nil || rep.SPF == nil || len(rep.DKIM) == 0 ||
		rep.SPF.Result == spf.TempError {
		return nil
	}
	dkimOK := false
	for _, k := range rep.DKIM {
		if k.Status == dkim.KeyTempError {
			return nil
		}
		if k.Status == dkim.KeyOK && k.Aligned {
			dkimOK = true
		}
	}
	rep.DMARC.DKIMAligned = dkimOK
	if dkimOK || rep.DMARC.SPFAligned {
		return nil
	}
	sev := SeverityError
	if rep.DMARC.Policy == dmarc.PolicyNone {
		sev = SeverityWarning
	}
	return []Finding{{Code: FindingDMARCWouldFail, Severity: sev, Subject: d.Domain, RFC: "RFC 7489 §4.2",
		Message: fmt.Sprintf("neither SPF (%s for %s) nor any checked DKIM key is aligned with %s: DMARC fails and policy %s applies",
			rep.SPF.Result, rep.SPF.Domain, d.Domain, rep.DMARC.Policy)}}
}

// bimiFindings reports a broken BIMI record, and one published while the
// DMARC policy is too weak for mailbox providers to show the logo (they
// require p=quarantine or reject at pct=100).
func (rep *SenderReport) bimiFindings(err error) []Finding {
	name := "default._bimi." + rep.FromDomain
	rep.BIMI = SenderRecord{Name: name, Present: rep.BIMIRecord != nil}
	if rep.BIMIRecord != nil {
		rep.BIMI.Record = rep.BIMIRecord.Raw
	}
	if err != nil && !errors.Is(err, resolve.ErrRecordMissing) {
		rep.BIMI.Error = err.Error()
		if errors.Is(err, bimi.ErrSyntax) || errors.Is(err, resolve.ErrRecordMultiple) {
			return []Finding{{Code: FindingBIMIInvalid, Severity: SeverityWarning, Subject: name, Message: fmt.Sprintf("BIMI record unusable: %v", err), RFC: "BIMI draft §4"}}
		}
		return nil
	}
	b := rep.BIMIRecord
	if b == nil || b.Declined {
		return nil
	}
	var fs []Finding
	for _, n := range b.Notes {
		fs = append(fs, Finding{Code: FindingBIMIInvalid, Severity: SeverityInfo, Subject: name, Message: n, RFC: "BIMI draft §4"})
	}
	d := rep.DMARCDiscovery
	if d != nil && d.Record != nil && (rep.DMARC.Policy == dmarc.PolicyNone || d.Record.Percent < 100) {
		fs = append(fs, Finding{Code: FindingBIMIDMARCWeak, Severity: SeverityWarning, Subject: name,
			Message: fmt.Sprintf("a BIMI logo is shown only under DMARC p=quarantine or reject at pct=100; the policy here is %s at pct=%d", rep.DMARC.Policy, d.Record.Percent), RFC: "BIMI draft §4.4"})
	}
	return fs
}

// spfLintRFC gives the rule each lint code follows.
var spfLintRFC = []struct {
	code spf.LintCode
	rfc  string
}{
	{spf.LintMissing, "RFC 7208 §4.5"}, {spf.LintMultiple, "RFC 7208 §3.2"}, {spf.LintSyntax, "RFC 7208 §4.6"},
	{spf.LintTooManyLookups, "RFC 7208 §4.6.4"}, {spf.LintTooManyVoid, "RFC 7208 §4.6.4"}, {spf.LintVoidLookup, "RFC 7208 §4.6.4"},
	{spf.LintTooManyMX, "RFC 7208 §4.6.4"}, {spf.LintPTR, "RFC 7208 §5.5"}, {spf.LintPlusAll, "RFC 7208 §5.1"},
	{spf.LintNeutralAll, "RFC 7208 §2.6.2"}, {spf.LintNoAll, "RFC 7208 §4.7"}, {spf.LintRecordTooLong, "RFC 7208 §3.4"},
	{spf.LintLongString, "RFC 7208 §3.3"}, {spf.LintIncludeLoop, "RFC 7208 §4.6.4"}, {spf.LintIncludeMissing, "RFC 7208 §5.2"},
	{spf.LintRedirectIgnored, "RFC 7208 §6.1"}, {spf.LintMacroTarget, "RFC 7208 §7"}, {spf.LintDNSError, "RFC 7208 §4.4"},
}

// spfLintFindings turns lint issues into findings, leaving out what the
// check_host result already reported (same code and subject, or a missing
// record).
func spfLintFindings(l spf.LintReport, checked []Finding) []Finding {
	var fs []Finding
	for _, is := range l.Issues {
		if is.Code == spf.LintMissing {
			continue
		}
		dup := false
		for _, c := range checked {
			if string(c.Code) == string(is.Code) && c.Subject == is.Domain {
				dup = true
			}
		}
		if dup {
			continue
		}
		subj := is.Domain
		if is.Term != "" {
			subj += " " + is.Term
		}
		rfc := "RFC 7208"
		for _, e := range spfLintRFC {
			if e.code == is.Code {
				rfc = e.rfc
			}
		}
		fs = append(fs, Finding{Code: FindingCode(is.Code), Severity: is.Severity, Subject: subj, Message: is.Message, RFC: rfc})
	}
	return fs
}

func dmarcFindings(d *dmarc.Discovery, dm *SenderDMARC, sp *SenderSPF) []Finding {
	var fs []Finding
	add := func(code FindingCode, sev Severity, subj, rfc, format string, a ...any) {
		fs = append(fs, Finding{Code: code, Severity: sev, Subject: subj, Message: fmt.Sprintf(format, a...), RFC: rfc})
	}
	for _, e := range d.Invalid {
		add(FindingDMARCInvalid, SeverityError, "_dmarc."+d.Domain, "RFC 7489 §6.6.3", "%v (treated as no record)", e)
	}
	switch {
	case d.Err != nil && d.Record == nil:
		msg := "DMARC lookup failed (temperror): %v"
		if errors.Is(d.Err, resolve.ErrTimeout) {
			msg = "a DMARC lookup timed out (temperror; not evidence of a missing record): %v"
		}
		add(FindingDMARCTempError, SeverityWarning, d.Domain, "RFC 7489 §6.6.3", msg, d.Err)
		return fs
	case d.Record == nil:
		add(FindingDMARCMissing, SeverityError, d.Domain, "RFC 7489 §6.6.3",
			"no DMARC record for %s or any parent: Gmail and Yahoo require one of bulk senders", d.Domain)
		return fs
	}
	if dm.Policy == dmarc.PolicyNone {
		add(FindingDMARCPolicyNone, SeverityWarning, dm.PolicyDomain, "RFC 7489 §6.3",
			"the policy for %s is none: failing mail is delivered and spoofing is not blocked", d.Domain)
	}
	for _, is := range d.Record.Issues {
		if is.Severity == SeverityInfo && is.Tag != "pct" && is.Tag != "rua" {
			continue
		}
		add(FindingDMARCTagIssue, is.Severity, "_dmarc."+dm.PolicyDomain+" "+is.Tag, "RFC 7489 §6.3", "%s", is.Message)
	}
	if d.OrgDomainsDisagree() || d.PoliciesDisagree() {
		sev := SeverityInfo
		if d.PoliciesDisagree() {
			sev = SeverityWarning
		}
		add(FindingDMARCOrgDisagree, sev, d.Domain, "RFC 9989 §4.10",
			"the RFC 7489 Public Suffix List method finds org domain %s (policy at %s) but the RFC 9989 tree walk finds %s (policy at %s): receivers may apply different policies",
			d.PSLOrgDomain, cmp.Or(d.PSLPolicyDomain, "none"), d.OrgDomain, cmp.Or(d.PolicyDomain, "none"))
	}
	if sp != nil && sp.Result == spf.Pass && !dm.SPFAligned {
		add(FindingDMARCSPFUnaligned, SeverityWarning, sp.Domain, "RFC 7489 §3.1.2",
			"SPF passes for %s, which is not aligned with %s (aspf=%s): DMARC depends on DKIM alone", sp.Domain, d.Domain, d.Record.ASPF)
	}
	for _, rd := range dm.Reports {
		switch {
		case rd.Err != nil:
			add(FindingDMARCTempError, SeverityInfo, rd.Query, "RFC 7489 §7.1", "report authorisation lookup failed: %v", rd.Err)
		case !rd.Authorized:
			add(FindingDMARCReportAuth, SeverityWarning, rd.URI, "RFC 7489 §7.1",
				"%s does not publish %s, so receivers will not send %s reports there", rd.Domain, rd.Query, rd.Tag)
		}
	}
	return fs
}

// recordFindings reports a missing, duplicated or broken versioned record.
func recordFindings(domain, name string, err error, missing, invalid FindingCode, what, rfc string) []Finding {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, resolve.ErrRecordMissing):
		return []Finding{{Code: missing, Severity: SeverityInfo, Subject: name, Message: fmt.Sprintf("%s publishes no %s record", domain, what), RFC: rfc}}
	case errors.Is(err, resolve.ErrTimeout), errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return []Finding{{Code: FindingDNSTimeout, Severity: SeverityInfo, Subject: name, Message: fmt.Sprintf("%s lookup timed out (temperror): %v", what, err), RFC: rfc}}
	case errors.Is(err, resolve.ErrServFail), errors.Is(err, resolve.ErrRefused), errors.Is(err, resolve.ErrUnreachable):
		return []Finding{{Code: FindingDNSError, Severity: SeverityInfo, Subject: name, Message: fmt.Sprintf("%s lookup failed (temperror): %v", what, err), RFC: rfc}}
	}
	return []Finding{{Code: invalid, Severity: SeverityWarning, Subject: name, Message: fmt.Sprintf("%s record unusable: %v", what, err), RFC: rfc}}
}
