// Findings: the stable, coded observations CheckSender reports, each with a
// severity and the RFC section it follows.

package authcheck

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"

	"github.com/bouncekit/bouncekit/authcheck/resolve"
	"github.com/bouncekit/bouncekit/authcheck/severity"
)

// FindingCode is a stable identifier of a kind of finding, "area.problem".
// Codes are never renamed; new ones may be added.
type FindingCode string

// The finding codes. Each comment names the rule it follows.
const (
	FindingSPFFail             FindingCode = "spf.fail"               // RFC 7208 §2.6.4
	FindingSPFSoftFail         FindingCode = "spf.softfail"           // RFC 7208 §2.6.5
	FindingSPFNeutral          FindingCode = "spf.neutral"            // RFC 7208 §2.6.2
	FindingSPFMissing          FindingCode = "spf.missing"            // RFC 7208 §4.5 (result none)
	FindingSPFPermError        FindingCode = "spf.permerror"          // RFC 7208 §2.6.7
	FindingSPFTempError        FindingCode = "spf.temperror"          // RFC 7208 §2.6.6
	FindingSPFTooManyLookups   FindingCode = "spf.too_many_lookups"   // RFC 7208 §4.6.4
	FindingSPFLookupsNearLimit FindingCode = "spf.lookups_near_limit" // RFC 7208 §4.6.4
	FindingSPFLint             FindingCode = "spf.lint"               // RFC 7208 (lint detail)
	FindingSPFDNSError         FindingCode = "spf.dns_error"          // RFC 7208 §4.4: a lookup of the lint walk failed (temperror)
	FindingDMARCMissing        FindingCode = "dmarc.missing"          // RFC 7489 §6.6.3, RFC 9989 §4.10
	FindingDMARCPolicyNone     FindingCode = "dmarc.policy_none"      // RFC 7489 §6.3 p=none
	FindingDMARCInvalid        FindingCode = "dmarc.invalid"          // RFC 7489 §6.3 record syntax
	FindingDMARCTagIssue       FindingCode = "dmarc.tag"              // RFC 7489 §6.3 / RFC 9989 tag value
	FindingDMARCOrgDisagree    FindingCode = "dmarc.org_domain_disagreement"
	FindingDMARCTempError      FindingCode = "dmarc.temperror"           // RFC 7489 §6.6.3 (DNS error)
	FindingDMARCReportAuth     FindingCode = "dmarc.report_unauthorized" // RFC 7489 §7.1
	FindingDMARCWouldFail      FindingCode = "dmarc.would_fail"          // RFC 7489 §4.2: nothing aligned can pass
	FindingDMARCSPFUnaligned   FindingCode = "dmarc.spf_unaligned"       // RFC 7489 §3.1.2
	FindingDKIMKeyMissing      FindingCode = "dkim.key_missing"          // RFC 6376 §6.1.2
	FindingDKIMKeyRevoked      FindingCode = "dkim.key_revoked"          // RFC 6376 §3.6.1
	FindingDKIMKeyWeak         FindingCode = "dkim.key_weak"             // RFC 8301 §3.2
	FindingDKIMKeyInvalid      FindingCode = "dkim.key_invalid"          // RFC 6376 §3.6.1
	FindingDKIMUnaligned       FindingCode = "dkim.unaligned"            // RFC 7489 §3.1.1
	FindingDKIMTesting         FindingCode = "dkim.testing"              // RFC 6376 §3.6.1 t=y
	FindingDKIMNoSelector      FindingCode = "dkim.no_selector"          // nothing to check
	FindingDKIMTempError       FindingCode = "dkim.temperror"            // RFC 6376 §6.1.2
	FindingRDNSMissing         FindingCode = "rdns.missing"              // RFC 1912 §2.1; M3AAWG rDNS practices
	FindingRDNSMismatch        FindingCode = "rdns.mismatch"             // forward-confirmed rDNS fails
	FindingRDNSTempError       FindingCode = "rdns.temperror"            // DNS error on PTR/A
	FindingHELONotFQDN         FindingCode = "helo.not_fqdn"             // RFC 5321 §4.1.1.1
	FindingHELOUnresolvable    FindingCode = "helo.unresolvable"         // RFC 5321 §4.1.4
	FindingHELOMismatch        FindingCode = "helo.mismatch"             // HELO does not resolve to the IP
	FindingEnvelopeNoMX        FindingCode = "envelope.no_mx"            // RFC 5321 §5.1 (no MX or A)
	FindingEnvelopeNullMX      FindingCode = "envelope.null_mx"          // RFC 7505
	FindingMTASTSMissing       FindingCode = "mtasts.missing"            // RFC 8461 §3.1
	FindingMTASTSInvalid       FindingCode = "mtasts.invalid"            // RFC 8461 §3.1
	FindingTLSRPTMissing       FindingCode = "tlsrpt.missing"            // RFC 8460 §3
	FindingTLSRPTInvalid       FindingCode = "tlsrpt.invalid"            // RFC 8460 §3
	FindingBIMIInvalid         FindingCode = "bimi.invalid"              // BIMI record syntax
	FindingBIMIDMARCWeak       FindingCode = "bimi.dmarc_too_weak"       // BIMI needs p=quarantine/reject, pct=100
	FindingBlocklistListed     FindingCode = "blocklist.listed"          // RFC 5782 §2.1
	FindingBlocklistRefused    FindingCode = "blocklist.refused"         // list operator refused the query
	FindingBlocklistError      FindingCode = "blocklist.error"           // DNS error querying a list
	FindingDNSError            FindingCode = "dns.error"                 // SERVFAIL, REFUSED or no server reachable: temperror
	FindingDNSTimeout          FindingCode = "dns.timeout"               // a lookup timed out: temperror
)

// Severity ranks a finding: error, warning or info (the wire tokens). It
// is the type the protocol packages' lint issues use too.
type Severity = severity.Level

// The severities, as root names.
const (
	SeverityError   = severity.Error   // mail will be rejected or fail authentication
	SeverityWarning = severity.Warning // deliverability or security risk
	SeverityInfo    = severity.Info    // worth knowing, no action required
)

// Finding is one observation about a sending setup.
type Finding struct {
	Code     FindingCode `json:"code"`
	Severity Severity    `json:"severity"`
	Subject  string      `json:"subject,omitempty"` // the domain, IP or selector concerned
	Message  string      `json:"message"`
	RFC      string      `json:"rfc,omitempty"` // e.g. "RFC 7208 §4.6.4"
}

// TempError reports whether the finding says a check could not be done
// because a DNS lookup failed or timed out (a temperror in RFC 7208 §2.6.6
// and RFC 7489 §6.6.3 terms), rather than what the check found.
func (f Finding) TempError() bool {
	switch f.Code {
	case FindingSPFTempError, FindingSPFDNSError, FindingDMARCTempError, FindingDKIMTempError, FindingRDNSTempError,
		FindingBlocklistError, FindingDNSError, FindingDNSTimeout:
		return true
	}
	return false
}

func (f Finding) String() string {
	return fmt.Sprintf("%s %s %s: %s", f.Severity, f.Code, f.Subject, f.Message)
}

// LogValue implements slog.LogValuer.
func (f Finding) LogValue() slog.Value {
	return slog.GroupValue(slog.String("code", string(f.Code)), slog.String("severity", string(f.Severity)),
		slog.String("subject", f.Subject), slog.String("message", f.Message))
}

// SortFindings orders findings by severity (errors first), then code,
// subject and message, so reports are deterministic whatever order the
// concurrent checks finished in.
func SortFindings(fs []Finding) {
	slices.SortStableFunc(fs, func(a, b Finding) int {
		return cmp.Or(cmp.Compare(a.Severity.Rank(), b.Severity.Rank()), cmp.Compare(a.Code, b.Code),
			cmp.Compare(a.Subject, b.Subject), cmp.Compare(a.Message, b.Message))
	})
}

// dnsFailureCode is the finding code of a failed lookup: dns.timeout when
// it timed out (or the context ended), dns.error otherwise.
func dnsFailureCode(err error) FindingCode {
	if errors.Is(err, resolve.ErrTimeout) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return FindingDNSTimeout
	}
	return FindingDNSError
}
