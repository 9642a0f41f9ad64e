package dmarcreport

// This file holds the report model: the elements of RFC 7489 Appendix C
// and RFC 9990 mirrored one to one, with enumerations whose values are the
// wire tokens.

import (
	"log/slog"
	"net/netip"
	"strconv"
	"time"
)

// Namespace2 is the XML namespace of RFC 9990 reports; RFC 7489 reports
// carry none.
const Namespace2 = "urn:ietf:params:xml:ns:dmarc-2.0"

// Report is one aggregate report (a <feedback> element). It is a plain
// value; it is not safe to modify from several goroutines.
type Report struct {
	// Namespace is the namespace of <feedback>: "" for RFC 7489 reports,
	// Namespace2 for RFC 9990 ones.
	Namespace string
	// Version is the <version> element: "1.0" in RFC 7489 reports, optional
	// in RFC 9990.
	Version  string
	Metadata Metadata
	Policy   PolicyPublished
	Records  []Record
	// Extensions names the extension elements met (RFC 9990 allows them
	// at the end of <feedback> and of <record>), in order, once each.
	Extensions []string
	// Repairs lists what was read leniently, once per kind and detail.
	Repairs []Repair
}

// Metadata is <report_metadata> (RFC 7489 Appendix C, RFC 9990 §3.1.1).
type Metadata struct {
	OrgName          string
	Email            string
	ExtraContactInfo string
	ReportID         string
	// Begin and End are the report window (date_range, Unix seconds, UTC).
	Begin, End time.Time
	Errors     []string
	// Generator names the software that wrote the report (RFC 9990).
	Generator string
}

// PolicyPublished is <policy_published>: the DMARC record the reporter
// found. Empty strings mean the element was absent.
type PolicyPublished struct {
	Domain string
	ADKIM  Alignment
	ASPF   Alignment
	P      Policy
	SP     Policy
	// NP is the RFC 9989 policy for non-existent subdomains.
	NP Policy
	// Pct is the pct tag (RFC 7489 §6.3); HasPct is false when the report
	// did not state it (RFC 9990 dropped it).
	Pct    int
	HasPct bool
	FO     string
	// Testing is the RFC 9989 t= tag: "y" or "n", "" when absent.
	Testing string
	// DiscoveryMethod is "psl" or "treewalk" (RFC 9990), "" when absent.
	DiscoveryMethod string
}

// Record is one <record>: a row of messages from one source with the same
// results.
type Record struct {
	// SourceIP is the sending address; invalid when the report's text
	// could not be read as one, which is then in SourceIPText.
	SourceIP     netip.Addr
	SourceIPText string
	Count        int64
	// Policy evaluated: the disposition applied and the DMARC-aligned
	// DKIM and SPF results (RFC 7489 §6.3).
	Disposition Disposition
	DKIM        DMARCResult
	SPF         DMARCResult
	Reasons     []Reason
	// Identifiers.
	HeaderFrom   string
	EnvelopeFrom string
	EnvelopeTo   string
	// Raw authentication results (auth_results), in report order.
	DKIMResults []DKIMAuth
	SPFResults  []SPFAuth
}

// DMARCPass reports whether the row passed DMARC: its evaluated DKIM or SPF
// result passed (RFC 7489 §3.1, §4.2).
func (r *Record) DMARCPass() bool { return r.DKIM == ResultPass || r.SPF == ResultPass }

// Reason is a policy override reason (RFC 7489 Appendix C PolicyOverrideReason).
type Reason struct {
	Type    Override
	Comment string
}

// DKIMAuth is one DKIM result of auth_results.
type DKIMAuth struct {
	Domain      string
	Selector    string
	Result      DKIMResult
	HumanResult string
}

// SPFAuth is one SPF result of auth_results.
type SPFAuth struct {
	Domain string
	// Scope is "mfrom" or "helo" (RFC 7489); RFC 9990 dropped it.
	Scope  string
	Result SPFResult
}

// Policy is a DMARC policy token (RFC 7489 §6.3 p=).
type Policy string

// Policies.
const (
	PolicyNone       Policy = "none"
	PolicyQuarantine Policy = "quarantine"
	PolicyReject     Policy = "reject"
)

// Alignment is an alignment mode token (RFC 7489 §3.1).
type Alignment string

// Alignment modes.
const (
	AlignRelaxed Alignment = "r"
	AlignStrict  Alignment = "s"
)

// Disposition is the policy a receiver applied (RFC 7489 Appendix C
// DispositionType; "pass" is RFC 9990's value for mail that passed).
type Disposition string

// Dispositions.
const (
	DispositionNone       Disposition = "none"
	DispositionQuarantine Disposition = "quarantine"
	DispositionReject     Disposition = "reject"
	DispositionPass       Disposition = "pass"
)

// DMARCResult is an evaluated, DMARC-aligned result (DMARCResultType).
type DMARCResult string

// Evaluated results.
const (
	ResultPass DMARCResult = "pass"
	ResultFail DMARCResult = "fail"
)

// DKIMResult is a raw DKIM result (RFC 8601 §2.7.1, DKIMResultType).
type DKIMResult string

// DKIM results.
const (
	DKIMNone      DKIMResult = "none"
	DKIMPass      DKIMResult = "pass"
	DKIMFail      DKIMResult = "fail"
	DKIMPolicy    DKIMResult = "policy"
	DKIMNeutral   DKIMResult = "neutral"
	DKIMTempError DKIMResult = "temperror"
	DKIMPermError DKIMResult = "permerror"
)

// SPFResult is a raw SPF result (RFC 7208 §2.6, SPFResultType).
type SPFResult string

// SPF results.
const (
	SPFNone      SPFResult = "none"
	SPFNeutral   SPFResult = "neutral"
	SPFPass      SPFResult = "pass"
	SPFFail      SPFResult = "fail"
	SPFSoftFail  SPFResult = "softfail"
	SPFTempError SPFResult = "temperror"
	SPFPermError SPFResult = "permerror"
)

// Override is a policy override reason type (PolicyOverrideType).
type Override string

// Override reasons. OverridePolicyTestMode is RFC 9990's: the domain is in
// t=y test mode.
const (
	OverrideForwarded        Override = "forwarded"
	OverrideSampledOut       Override = "sampled_out"
	OverrideTrustedForwarder Override = "trusted_forwarder"
	OverrideMailingList      Override = "mailing_list"
	OverrideLocalPolicy      Override = "local_policy"
	OverridePolicyTestMode   Override = "policy_test_mode"
	OverrideOther            Override = "other"
)

// Messages is the sum of the records' counts.
func (r *Report) Messages() int64 {
	var n int64
	for i := range r.Records {
		n = addSat(n, r.Records[i].Count)
	}
	return n
}

// LogValue implements slog.LogValuer.
func (r *Report) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("org", r.Metadata.OrgName),
		slog.String("report_id", r.Metadata.ReportID),
		slog.String("domain", r.Policy.Domain),
		slog.Int("records", len(r.Records)),
		slog.Int64("messages", r.Messages()),
	)
}

// String gives the record as the DMARC TXT record it describes.
func (p PolicyPublished) String() string {
	s := "v=DMARC1; p=" + string(p.P)
	if p.SP != "" {
		s += "; sp=" + string(p.SP)
	}
	if p.NP != "" {
		s += "; np=" + string(p.NP)
	}
	if p.HasPct {
		s += "; pct=" + strconv.Itoa(p.Pct)
	}
	if p.Testing != "" {
		s += "; t=" + p.Testing
	}
	if p.ADKIM != "" {
		s += "; adkim=" + string(p.ADKIM)
	}
	if p.ASPF != "" {
		s += "; aspf=" + string(p.ASPF)
	}
	if p.FO != "" {
		s += "; fo=" + p.FO
	}
	return s
}

// addSat adds two non-negative counts, saturating instead of overflowing:
// counts come from untrusted reports.
func addSat(a, b int64) int64 {
	if s := a + b; s >= a {
		return s
	}
	return 1<<63 - 1
}
