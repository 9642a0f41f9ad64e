// CheckSender: the whole sending setup checked in one call, the way a
// receiving mailbox provider would see it, with coded findings for triage.

package authcheck

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"strings"
	"sync"

	"github.com/bouncekit/bouncekit/authcheck/bimi"
	"github.com/bouncekit/bouncekit/authcheck/dkim"
	"github.com/bouncekit/bouncekit/authcheck/dmarc"
	"github.com/bouncekit/bouncekit/authcheck/dnsbl"
	"github.com/bouncekit/bouncekit/authcheck/envelope"
	"github.com/bouncekit/bouncekit/authcheck/mtasts"
	"github.com/bouncekit/bouncekit/authcheck/rdns"
	"github.com/bouncekit/bouncekit/authcheck/resolve"
	"github.com/bouncekit/bouncekit/authcheck/spf"
)

// DefaultSenderConcurrency bounds the checks CheckSender runs at once.
const DefaultSenderConcurrency = 8

// MaxSenderSelectors and MaxSenderLinkDomains bound the input lists.
const (
	MaxSenderSelectors   = 32
	MaxSenderLinkDomains = dnsbl.MaxSubjects
)

// SenderInput describes one sending setup. Only FromDomain is required.
type SenderInput struct {
	IP         netip.Addr // the sending (client) address; invalid skips SPF, rDNS and IP blocklists
	HELO       string     // the HELO/EHLO name
	MailFrom   string     // RFC5321.MailFrom: an address, a bare domain, or "" / "<>" for the null sender
	FromDomain string     // RFC5322.From domain
	// DKIMSelectors are checked at DKIMDomain (FromDomain when empty). An
	// entry "selector:domain" checks another domain, e.g. an ESP's.
	DKIMSelectors []string
	DKIMDomain    string
	// LinkDomains are the domains of links and images in the message; they
	// are checked against the domain blocklists with the envelope and From
	// domains.
	LinkDomains []string
	// Blocklists are the zones to query; nil means dnsbl.DefaultZones(), an
	// empty non-nil slice skips blocklists.
	Blocklists []dnsbl.Zone
	// HTTPClient, when set, fetches the From domain's MTA-STS policy.
	HTTPClient *http.Client
	// Concurrency bounds lookups in flight; 0 means DefaultSenderConcurrency.
	Concurrency int
}

// SenderSPF is the SPF part of a report.
type SenderSPF struct {
	Result      spf.Result `json:"result"`
	Domain      string     `json:"domain"`
	Record      string     `json:"record,omitempty"`
	Mechanism   string     `json:"mechanism,omitempty"`
	Lookups     int        `json:"lookups"`
	VoidLookups int        `json:"void_lookups"`
	// LintLookups is the DNS-querying terms of the whole include tree
	// (spf.Lint), what a sender matching nothing early would use.
	LintLookups int    `json:"lint_lookups"`
	Error       string `json:"error,omitempty"`
}

// SenderDMARC is the DMARC part of a report.
type SenderDMARC struct {
	Domain       string                    `json:"domain"`
	Record       string                    `json:"record,omitempty"`
	Policy       dmarc.Policy              `json:"policy,omitempty"` // what applies to the From domain (p, sp or np)
	PolicyDomain string                    `json:"policy_domain,omitempty"`
	OrgDomain    string                    `json:"org_domain"`     // RFC 9989 tree walk
	PSLOrgDomain string                    `json:"psl_org_domain"` // RFC 7489 Public Suffix List
	SPFAligned   bool                      `json:"spf_aligned"`    // SPF passes for a domain aligned with From
	DKIMAligned  bool                      `json:"dkim_aligned"`   // a checked selector's key is usable and aligned with From
	Issues       []dmarc.Issue             `json:"issues,omitempty"`
	Reports      []dmarc.ReportDestination `json:"report_destinations,omitempty"`
	Error        string                    `json:"error,omitempty"`
}

// SenderDKIM is one selector's key in a report.
type SenderDKIM struct {
	Selector string         `json:"selector"`
	Domain   string         `json:"domain"`
	Status   dkim.KeyStatus `json:"status"`
	KeyType  dkim.KeyType   `json:"key_type,omitempty"`
	Bits     int            `json:"bits,omitempty"`
	Testing  bool           `json:"testing,omitempty"`
	Aligned  bool           `json:"aligned"` // d= would align with the From domain (relaxed)
	Error    string         `json:"error,omitempty"`
}

// SenderRDNS is the reverse DNS and HELO part of a report.
type SenderRDNS struct {
	IP            string   `json:"ip"`
	PTR           []string `json:"ptr"`
	FCrDNS        bool     `json:"fcrdns"`
	HELO          string   `json:"helo"`
	HELOFQDN      bool     `json:"helo_fqdn"`
	HELOResolves  bool     `json:"helo_resolves"`
	HELOMatchesIP bool     `json:"helo_matches_ip"`
	Error         string   `json:"error,omitempty"`
}

// SenderEnvelope says whether the MAIL FROM domain can receive bounces.
type SenderEnvelope struct {
	Domain     string `json:"domain"`
	CanReceive bool   `json:"can_receive"`
	NullMX     bool   `json:"null_mx,omitempty"`
	Error      string `json:"error,omitempty"`
}

// SenderRecord is a presence check of a TXT record (MTA-STS, TLS-RPT).
type SenderRecord struct {
	Name    string `json:"name"`
	Present bool   `json:"present"`
	Record  string `json:"record,omitempty"`
	Error   string `json:"error,omitempty"`
}

// SenderBlocklist is one blocklist answer in a report.
type SenderBlocklist struct {
	Zone     string       `json:"zone"`
	List     string       `json:"list"`
	Subject  string       `json:"subject"`
	Status   dnsbl.Status `json:"status"`
	Meanings []string     `json:"meanings,omitempty"`
	Reason   string       `json:"reason,omitempty"`
}

// SenderReport is the result of CheckSender. It marshals to the JSON the
// example binary prints; the full results of each check are kept in the
// fields tagged json:"-". It is not modified after CheckSender returns and
// is safe for concurrent reads.
type SenderReport struct {
	IP         string            `json:"ip,omitempty"`
	HELO       string            `json:"helo,omitempty"`
	MailFrom   string            `json:"mail_from,omitempty"`
	FromDomain string            `json:"from_domain"`
	SPF        *SenderSPF        `json:"spf,omitempty"`
	DMARC      SenderDMARC       `json:"dmarc"`
	DKIM       []SenderDKIM      `json:"dkim"`
	RDNS       *SenderRDNS       `json:"rdns,omitempty"`
	Envelope   *SenderEnvelope   `json:"envelope,omitempty"`
	MTASTS     SenderRecord      `json:"mta_sts"`
	TLSRPT     SenderRecord      `json:"tls_rpt"`
	BIMI       SenderRecord      `json:"bimi"`
	Blocklists []SenderBlocklist `json:"blocklists"`
	// Findings are sorted: errors first, then by code and subject.
	Findings []Finding `json:"findings"`

	SPFOutcome      *spf.Outcome         `json:"-"`
	SPFLint         *spf.LintReport      `json:"-"`
	DMARCDiscovery  *dmarc.Discovery     `json:"-"`
	DKIMKeys        []dkim.KeyCheck      `json:"-"`
	RDNSResult      *rdns.Result         `json:"-"`
	EnvelopeResult  *envelope.Result     `json:"-"`
	MTASTSCheck     *mtasts.Result       `json:"-"`
	TLSRPTRecord    *mtasts.TLSRPTRecord `json:"-"`
	BIMIRecord      *bimi.Record         `json:"-"`
	BlocklistResult []dnsbl.Result       `json:"-"`

	fromMissing bool // the From domain is NXDOMAIN
}

// LogValue implements slog.LogValuer: the headline results and the error
// codes.
func (r *SenderReport) LogValue() slog.Value {
	attrs := []slog.Attr{slog.String("from", r.FromDomain), slog.Int("errors", r.Count(SeverityError)), slog.Int("warnings", r.Count(SeverityWarning))}
	if r.SPF != nil {
		attrs = append(attrs, slog.String("spf", string(r.SPF.Result)))
	}
	attrs = append(attrs, slog.String("dmarc_policy", string(r.DMARC.Policy)))
	var errs []string
	for _, f := range r.Findings {
		if f.Severity == SeverityError {
			errs = append(errs, string(f.Code))
		}
	}
	return slog.GroupValue(append(attrs, slog.String("error_codes", strings.Join(errs, ",")))...)
}

// Count returns how many findings have severity s.
func (r *SenderReport) Count(s Severity) int {
	n := 0
	for _, f := range r.Findings {
		if f.Severity == s {
			n++
		}
	}
	return n
}

// Incomplete returns how many findings say a check could not be done
// because a lookup failed (Finding.TempError): a report with any is not a
// clean bill of health, whatever its error count.
func (r *SenderReport) Incomplete() int {
	n := 0
	for _, f := range r.Findings {
		if f.TempError() {
			n++
		}
	}
	return n
}

// Has reports whether a finding with code c is present.
func (r *SenderReport) Has(c FindingCode) bool {
	for _, f := range r.Findings {
		if f.Code == c {
			return true
		}
	}
	return false
}

// ErrSenderInput is wrapped by CheckSender input errors.
var ErrSenderInput = errors.New("invalid sender input")

// mailFromDomain returns the domain of a MAIL FROM value, "" for the null
// sender.
func mailFromDomain(mf string) string {
	mf = strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(mf), "<"), ">"))
	if i := strings.LastIndexByte(mf, '@'); i >= 0 {
		mf = mf[i+1:]
	}
	return strings.ToLower(strings.TrimSuffix(mf, "."))
}

// CheckSender checks a whole sending setup: SPF for the MAIL FROM (or HELO)
// identity and a lint of its whole include tree (RFC 7208), DMARC discovery
// by both methods, record validity and report destinations (RFC 7489,
// RFC 9989), each DKIM selector's key (RFC 6376, RFC 8301), reverse DNS and
// HELO, whether the envelope domain can receive bounces (RFC 5321 §5.1),
// MTA-STS, TLS-RPT and BIMI records of the From domain (RFC 8461, RFC 8460)
// and the IP and every domain against blocklists (RFC 5782).
//
// The checks run concurrently, at most in.Concurrency at a time; the
// blocklist check spreads its own queries over the same bound. A DNS
// failure is reported as a temperror finding, never as a missing record.
// It returns an error only for unusable input; otherwise the report is
// complete up to ctx's deadline. Safe for concurrent use if r is.
func CheckSender(ctx context.Context, r resolve.Resolver, in SenderInput) (*SenderReport, error) {
	from := strings.ToLower(strings.TrimSuffix(strings.TrimSpace(in.FromDomain), "."))
	if from == "" {
		return nil, fmt.Errorf("%w: FromDomain is required", ErrSenderInput)
	}
	if len(in.DKIMSelectors) > MaxSenderSelectors {
		return nil, fmt.Errorf("%w: %d DKIM selectors, at most %d", ErrSenderInput, len(in.DKIMSelectors), MaxSenderSelectors)
	}
	if len(in.LinkDomains) > MaxSenderLinkDomains {
		return nil, fmt.Errorf("%w: %d link domains, at most %d", ErrSenderInput, len(in.LinkDomains), MaxSenderLinkDomains)
	}
	conc := in.Concurrency
	if conc <= 0 {
		conc = DefaultSenderConcurrency
	}
	ip := in.IP.Unmap()
	rep := &SenderReport{HELO: in.HELO, MailFrom: in.MailFrom, FromDomain: from}
	if ip.IsValid() {
		rep.IP = ip.String()
	}
	envDomain := mailFromDomain(in.MailFrom)
	if envDomain == "" && in.HELO != "" {
		envDomain = strings.ToLower(strings.TrimSuffix(in.HELO, "."))
	}
	dkimDomain := strings.ToLower(strings.TrimSuffix(in.DKIMDomain, "."))
	if dkimDomain == "" {
		dkimDomain = from
	}

	sem := make(chan struct{}, conc)
	var wg sync.WaitGroup
	run := func(f func()) {
		wg.Go(func() {
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				// Still run: every check returns promptly on a done context
				// and reports it as a temperror.
				f()
				return
			}
			defer func() { <-sem }()
			f()
		})
	}

	if ip.IsValid() {
		run(func() {
			o := spf.CheckMailFrom(ctx, r, ip, in.MailFrom, in.HELO)
			rep.SPFOutcome = &o
		})
		if envDomain != "" {
			run(func() {
				l := spf.Lint(ctx, r, envDomain)
				rep.SPFLint = &l
			})
		}
		run(func() {
			rd := rdns.Check(ctx, r, ip, in.HELO)
			rep.RDNSResult = &rd
		})
	}
	run(func() {
		d := dmarc.Discover(ctx, r, from)
		rep.DMARCDiscovery = d
		if d.Record != nil && d.PolicyDomain != d.Domain && d.Record.NonexistentPolicy != "" {
			// np= applies only to a From domain that does not exist
			// (RFC 9989 §4.10.1): NXDOMAIN, not merely no A record.
			if _, err := r.LookupA(ctx, from); errors.Is(err, resolve.ErrNXDomain) {
				rep.fromMissing = true
			}
		}
		if d.Record != nil {
			rep.DMARC.Reports = dmarc.VerifyReportDestinations(ctx, r, d.PolicyDomain, d.Record)
		}
	})
	rep.DKIMKeys = make([]dkim.KeyCheck, len(in.DKIMSelectors))
	for i, s := range in.DKIMSelectors {
		sel, dom, ok := strings.Cut(strings.TrimSpace(s), ":")
		if !ok || dom == "" {
			dom = dkimDomain
		}
		run(func() { rep.DKIMKeys[i] = dkim.CheckKey(ctx, r, sel, strings.ToLower(strings.TrimSuffix(dom, "."))) })
	}
	if envDomain != "" {
		run(func() {
			e := envelope.Check(ctx, r, envDomain)
			rep.EnvelopeResult = &e
		})
	}
	run(func() { rep.MTASTSCheck = mtasts.Check(ctx, r, in.HTTPClient, from) })
	var tlsErr, bimiErr error
	run(func() { rep.TLSRPTRecord, tlsErr = mtasts.LookupTLSRPT(ctx, r, from) })
	run(func() { rep.BIMIRecord, bimiErr = bimi.Lookup(ctx, r, "", from) })
	if in.Blocklists == nil || len(in.Blocklists) > 0 {
		domains := []string{}
		for _, d := range append([]string{envDomain, from, dkimDomain}, in.LinkDomains...) {
			d = strings.ToLower(strings.TrimSuffix(strings.TrimSpace(d), "."))
			if d != "" && !containsString(domains, d) {
				domains = append(domains, d)
			}
		}
		run(func() {
			rep.BlocklistResult = dnsbl.CheckWith(ctx, r, ip, domains, in.Blocklists, dnsbl.Options{Concurrency: conc})
		})
	}
	wg.Wait()

	rep.fill(envDomain, tlsErr, bimiErr)
	return rep, nil
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// fill derives the JSON views and the findings from the raw results, in a
// fixed order so that the report never depends on goroutine timing.
func (rep *SenderReport) fill(envDomain string, tlsErr, bimiErr error) {
	var fs []Finding
	if o := rep.SPFOutcome; o != nil {
		rep.SPF = &SenderSPF{Result: o.Result, Domain: o.Domain, Record: o.Record, Mechanism: o.Mechanism,
			Lookups: o.Lookups, VoidLookups: o.VoidLookups, Error: errString(o.Err)}
		checked := spfFindings(*o)
		fs = append(fs, checked...)
		if l := rep.SPFLint; l != nil {
			rep.SPF.LintLookups = l.Lookups
			fs = append(fs, spfLintFindings(*l, checked)...)
		}
	}
	if d := rep.DMARCDiscovery; d != nil {
		dm := &rep.DMARC
		dm.Domain, dm.OrgDomain, dm.PSLOrgDomain, dm.PolicyDomain = d.Domain, d.OrgDomain, d.PSLOrgDomain, d.PolicyDomain
		dm.Error = errString(d.Err)
		if d.Record != nil {
			dm.Record, dm.Issues = d.Record.Raw, d.Record.Issues
			dm.Policy = d.EffectivePolicy(!rep.fromMissing)
		}
		if rep.SPF != nil && rep.SPF.Result == spf.Pass && d.Record != nil {
			dm.SPFAligned = dmarc.IdentifiersAligned(d.Record.ASPF, d.Domain, rep.SPF.Domain, d.OrgDomain)
		}
		fs = append(fs, dmarcFindings(d, dm, rep.SPF)...)
	}
	rep.DKIM = make([]SenderDKIM, 0, len(rep.DKIMKeys))
	for _, c := range rep.DKIMKeys {
		mode := dmarc.Relaxed
		if d := rep.DMARCDiscovery; d != nil && d.Record != nil {
			mode = d.Record.ADKIM
		}
		sd := SenderDKIM{Selector: c.Selector, Domain: c.Domain, Status: c.Status, Error: errString(c.Err),
			Aligned: dmarc.IdentifiersAligned(mode, rep.FromDomain, c.Domain, rep.DMARC.OrgDomain)}
		if c.Key != nil {
			sd.KeyType, sd.Bits, sd.Testing = c.Key.Type, c.Key.Bits, c.Key.Testing
		}
		rep.DKIM = append(rep.DKIM, sd)
		fs = append(fs, DKIMKeyFindings(c)...)
		if c.Status == dkim.KeyOK && !sd.Aligned {
			fs = append(fs, Finding{Code: FindingDKIMUnaligned, Severity: SeverityWarning, Subject: c.Name,
				Message: fmt.Sprintf("d=%s is not aligned with the From domain %s: this signature cannot satisfy DMARC", c.Domain, rep.FromDomain), RFC: "RFC 7489 §3.1.1"})
		}
	}
	fs = append(fs, rep.dmarcOutlook()...)
	if len(rep.DKIMKeys) == 0 {
		fs = append(fs, Finding{Code: FindingDKIMNoSelector, Severity: SeverityInfo, Subject: rep.FromDomain,
			Message: "no DKIM selector given: DKIM keys were not checked", RFC: "RFC 6376 §3.6.2.1"})
	}
	if rd := rep.RDNSResult; rd != nil {
		rep.RDNS = &SenderRDNS{IP: rd.IP.String(), PTR: rd.PTR, FCrDNS: rd.FCrDNS, HELO: rd.HELO.Name,
			HELOFQDN: rd.HELO.FQDN, HELOResolves: rd.HELO.Resolves, HELOMatchesIP: rd.HELO.MatchesIP, Error: errString(rd.Err)}
		if rep.RDNS.PTR == nil {
			rep.RDNS.PTR = []string{}
		}
		fs = append(fs, RDNSFindings(*rd)...)
	}
	if e := rep.EnvelopeResult; e != nil {
		rep.Envelope = &SenderEnvelope{Domain: e.Domain, CanReceive: e.CanReceive, NullMX: e.NullMX, Error: errString(e.Err)}
		fs = append(fs, EnvelopeFindings(*e)...)
	}
	if m := rep.MTASTSCheck; m != nil {
		rep.MTASTS = SenderRecord{Name: "_mta-sts." + m.Domain, Present: m.Record != nil, Error: errString(m.RecordErr)}
		if m.Record != nil {
			rep.MTASTS.Record = m.Record.Raw
		}
		fs = append(fs, recordFindings(m.Domain, "_mta-sts."+m.Domain, m.RecordErr, FindingMTASTSMissing, FindingMTASTSInvalid, "MTA-STS", "RFC 8461 §3.1")...)
		if m.PolicyErr != nil {
			fs = append(fs, Finding{Code: FindingMTASTSInvalid, Severity: SeverityWarning, Subject: mtasts.PolicyURL(m.Domain),
				Message: fmt.Sprintf("policy unusable: %v", m.PolicyErr), RFC: "RFC 8461 §3.3"})
		}
		if len(m.UncoveredMX) > 0 {
			fs = append(fs, Finding{Code: FindingMTASTSInvalid, Severity: SeverityError, Subject: m.Domain,
				Message: fmt.Sprintf("MX hosts not allowed by the policy: %s", strings.Join(m.UncoveredMX, ", ")), RFC: "RFC 8461 §4.1"})
		}
	}
	tname := "_smtp._tls." + rep.FromDomain
	rep.TLSRPT = SenderRecord{Name: tname, Present: rep.TLSRPTRecord != nil, Error: errString(tlsErr)}
	if rep.TLSRPTRecord != nil {
		rep.TLSRPT.Record = rep.TLSRPTRecord.Raw
	}
	fs = append(fs, recordFindings(rep.FromDomain, tname, tlsErr, FindingTLSRPTMissing, FindingTLSRPTInvalid, "TLS-RPT", "RFC 8460 §3")...)
	fs = append(fs, rep.bimiFindings(bimiErr)...)
	rep.Blocklists = make([]SenderBlocklist, 0, len(rep.BlocklistResult))
	for _, b := range rep.BlocklistResult {
		rep.Blocklists = append(rep.Blocklists, SenderBlocklist{Zone: b.Zone, List: b.List, Subject: b.Subject, Status: b.Status, Meanings: b.Meanings, Reason: b.Reason})
	}
	fs = append(fs, BlocklistFindings(rep.BlocklistResult)...)
	SortFindings(fs)
	if fs == nil {
		fs = []Finding{}
	}
	rep.Findings = fs
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
