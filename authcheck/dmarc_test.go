package authcheck

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/bouncekit/bouncekit/internal/dnstest"
)

func issueTags(r *DMARCRecord, sev Severity) []string {
	var out []string
	for _, i := range r.Issues {
		if i.Severity == sev {
			out = append(out, i.Tag)
		}
	}
	return out
}

func TestParseDMARC(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		check  func(t *testing.T, r *DMARCRecord)
		errors []string // tags with error-severity issues
	}{
		{name: "a minimal record gets the RFC defaults", in: "v=DMARC1; p=none", check: func(t *testing.T, r *DMARCRecord) {
			expectEq(t, r.Policy, DMARCPolicyNone)
			expectEq(t, r.Percent, 100)
			expectEq(t, r.ADKIM, DMARCRelaxed)
			expectEq(t, r.ASPF, DMARCRelaxed)
			expectEq(t, r.ReportInterval, int64(86400))
			expectEq(t, r.PSD, DMARCPSDUnknown)
			expectEq(t, r.SubdomainPolicy, DMARCPolicy(""))
		}},
		{name: "every tag is read", in: "v=DMARC1; p=reject; sp=quarantine; np=reject; pct=50; rua=mailto:agg@example.com,mailto:x@rep.example.net!10m; ruf=mailto:f@example.com; adkim=s; aspf=s; fo=0:1:d:s; rf=afrf; ri=3600; psd=n; t=y",
			check: func(t *testing.T, r *DMARCRecord) {
				expectEq(t, r.Policy, DMARCPolicyReject)
				expectEq(t, r.SubdomainPolicy, DMARCPolicyQuarantine)
				expectEq(t, r.NonexistentPolicy, DMARCPolicyReject)
				expectEq(t, r.Percent, 50)
				expectEq(t, len(r.RUA), 2)
				expectEq(t, r.RUA[1], DMARCReportURI{URI: "mailto:x@rep.example.net", Address: "x@rep.example.net", Domain: "rep.example.net", MaxSize: "10m"})
				expectEq(t, r.RUF[0].Domain, "example.com")
				expectEq(t, r.ADKIM, DMARCStrict)
				expectEq(t, r.ASPF, DMARCStrict)
				expectEq(t, r.FailureOptions, []string{"0", "1", "d", "s"})
				expectEq(t, r.ReportFormats, []string{"afrf"})
				expectEq(t, r.ReportInterval, int64(3600))
				expectEq(t, r.PSD, DMARCPSDNo)
				expectEq(t, r.Testing, true)
			}},
		{name: "tag names and values are case-insensitive", in: "v=DMARC1; P=Reject; ADKIM=S", check: func(t *testing.T, r *DMARCRecord) {
			expectEq(t, r.Policy, DMARCPolicyReject)
			expectEq(t, r.ADKIM, DMARCStrict)
		}},
		{name: "a bad p= becomes none with an error", in: "v=DMARC1; p=block; rua=mailto:a@example.com", errors: []string{"p"}, check: func(t *testing.T, r *DMARCRecord) {
			expectEq(t, r.Policy, DMARCPolicyNone)
		}},
		{name: "a missing p= without rua is an error", in: "v=DMARC1; adkim=r", errors: []string{"p"}},
		{name: "a bad sp= and np= are ignored", in: "v=DMARC1; p=reject; sp=no; np=drop", errors: []string{"sp", "np"}, check: func(t *testing.T, r *DMARCRecord) {
			expectEq(t, r.SubdomainPolicy, DMARCPolicy(""))
		}},
		{name: "pct out of range keeps 100", in: "v=DMARC1; p=reject; pct=150", errors: []string{"pct"}, check: func(t *testing.T, r *DMARCRecord) {
			expectEq(t, r.Percent, 100)
		}},
		{name: "a bad alignment mode keeps relaxed", in: "v=DMARC1; p=none; adkim=x; aspf=strict", errors: []string{"adkim", "aspf"}},
		{name: "a rua that is not a URI is an error", in: "v=DMARC1; p=none; rua=agg@example.com", errors: []string{"rua"}, check: func(t *testing.T, r *DMARCRecord) {
			expectEq(t, len(r.RUA), 0)
		}},
		{name: "a bad psd= and t= are errors", in: "v=DMARC1; p=none; psd=maybe; t=yes", errors: []string{"psd", "t"}},
		{name: "bad fo, rf and ri are warnings", in: "v=DMARC1; p=none; fo=2; rf=iodef; ri=-1", check: func(t *testing.T, r *DMARCRecord) {
			expectEq(t, issueTags(r, SeverityWarning), []string{"fo", "rf", "ri"})
		}},
		{name: "empty tags are skipped with a warning", in: "v=DMARC1;; p=reject; ;rua=mailto:a@example.com", check: func(t *testing.T, r *DMARCRecord) {
			expectEq(t, r.Policy, DMARCPolicyReject)
			expectEq(t, issueTags(r, SeverityWarning), []string{"syntax"})
			expectEq(t, len(r.RUA), 1)
		}},
		{name: "unknown tags are noted and ignored", in: "v=DMARC1; p=none; rua=mailto:a@example.com; foo=bar", check: func(t *testing.T, r *DMARCRecord) {
			expectEq(t, issueTags(r, SeverityInfo), []string{"foo"})
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := ParseDMARC(tt.in)
			expectNoErr(t, err)
			expectEq(t, issueTags(r, SeverityError), tt.errors, r.Issues)
			if tt.check != nil {
				tt.check(t, r)
			}
		})
	}
}

func TestDMARCRecordString(t *testing.T) {
	for _, in := range []string{
		"v=DMARC1; p=none",
		"v=DMARC1; p=reject; sp=quarantine; np=reject; pct=50; rua=mailto:a@example.com,mailto:b@example.net!10m; ruf=mailto:f@example.com; adkim=s; aspf=s; fo=0:d; rf=afrf; ri=3600; psd=n; t=y",
	} {
		r, err := ParseDMARC(in)
		expectNoErr(t, err)
		expectEq(t, r.String(), in)
	}
	r, _ := ParseDMARC("v=DMARC1; P=Reject; foo=bar; ADKIM=r")
	expectEq(t, r.String(), "v=DMARC1; p=reject")
}

func TestParseDMARCErrors(t *testing.T) {
	for _, tc := range []struct {
		in  string
		err error
	}{
		{"v=spf1 -all", ErrNotDMARC},
		{"p=reject; v=DMARC1", ErrNotDMARC},
		{"v=DMARC2; p=reject", ErrNotDMARC},
		{"v=DMARC1p=reject", ErrNotDMARC},
		{"v=DMARC1; p=reject; p=none", ErrDMARCSyntax},
		{"v=DMARC1; p", ErrDMARCSyntax},
	} {
		_, err := ParseDMARC(tc.in)
		expectErrIs(t, err, tc.err)
		var de *DMARCError
		if !errors.As(err, &de) {
			t.Fatalf("%q: %v is not a *DMARCError", tc.in, err)
		}
	}
}

// openDMARCZone returns the OpenDMARC tree-walk fixture under example.com.
func openDMARCZone(t testing.TB) string {
	b, err := os.ReadFile("../../shared/conformance/dmarc/opendmarc-test-dns.zone.inc")
	if err != nil {
		t.Skipf("OpenDMARC fixture not present: %v", err)
	}
	return "$ORIGIN example.com.\n$TTL 300\n" + string(b)
}

// TestDiscoverDMARCOpenDMARCFixture checks the expected organisational and
// policy domains the fixture's comments give, for both methods. The
// fixture's "rfc7489" mode is OpenDMARC's one-label-at-a-time walk, whose
// answer is the RFC 9989 policy domain (the first record found); its "psl"
// mode is the RFC 7489 §3.2 answer.
func TestDiscoverDMARCOpenDMARCFixture(t *testing.T) {
	r := testDNS(t, openDMARCZone(t))
	const w = "dmarcwalk.example.com"
	tests := []struct {
		query                   string
		org, policy, policyTags string // RFC 9989 tree walk
		pslPolicy               string // RFC 7489 with the PSL
	}{
		{query: "direct." + w, org: "direct." + w, policy: "direct." + w, policyTags: "p=reject", pslPolicy: "direct." + w},
		{query: "sub.nopsd." + w, org: "nopsd." + w, policy: "nopsd." + w, policyTags: "p=quarantine", pslPolicy: "example.com"},
		{query: "sub.psdn." + w, org: "psdn." + w, policy: "psdn." + w, pslPolicy: "example.com"},
		{query: "leaf.mid.psdy." + w, org: "mid.psdy." + w, policy: "psdy." + w, pslPolicy: "example.com"},
		{query: "d6.d5.d4.d3.d2.d1.eightlabel." + w, org: "d3.d2.d1.eightlabel." + w, policy: "d3.d2.d1.eightlabel." + w, pslPolicy: "example.com"},
		{query: "multirecord." + w, org: "multirecord." + w, policy: w, pslPolicy: "example.com"},
		{query: "webhost.example.com", org: "example.com", policy: "example.com", pslPolicy: "example.com"},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			d := DiscoverDMARC(context.Background(), r, tt.query)
			expectNoErr(t, d.Err)
			expectEq(t, d.OrgDomain, tt.org, "tree-walk org domain")
			expectEq(t, d.PolicyDomain, tt.policy, "tree-walk policy domain")
			expectEq(t, d.PSLOrgDomain, "example.com", "PSL org domain")
			expectEq(t, d.PSLPolicyDomain, tt.pslPolicy, "PSL policy domain")
			if tt.policyTags != "" {
				expectContains(t, d.Record.Raw, tt.policyTags)
			}
			expectEq(t, d.OrgDomainsDisagree(), tt.org != "example.com")
		})
	}
	t.Run("the eight-label walk queries at most 8 names", func(t *testing.T) {
		d := DiscoverDMARC(context.Background(), r, "a.b.c.d.e.f.g.h.i.j.k.l.example.com")
		names := dmarcWalk("a.b.c.d.e.f.g.h.i.j.k.l.example.com")
		expectEq(t, len(names), 8)
		expectEq(t, names[1], "h.i.j.k.l.example.com") // 7 labels
		expectEq(t, d.PolicyDomain, "example.com")
	})
	t.Run("several records at one name are discarded and reported", func(t *testing.T) {
		d := DiscoverDMARC(context.Background(), r, "multirecord."+w)
		if len(d.Invalid) != 1 || !errors.Is(d.Invalid[0], ErrDMARCMultiple) {
			t.Fatalf("Invalid = %v", d.Invalid)
		}
		expectEq(t, d.Trace[0].Outcome, "multiple")
	})
}

func TestDiscoverDMARCTimeoutIsNotMissing(t *testing.T) {
	r := testDNSQuick(t, "$ORIGIN example.org.\n@ 300 IN A 192.0.2.1\n", dnstest.Timeout("_dmarc.example.org."))
	d := DiscoverDMARC(context.Background(), r, "example.org")
	expectErrIs(t, d.Err, ErrTimeout)
	expectEq(t, d.Record == nil, true)
	ev := EvaluateDMARC(d, DMARCInput{FromDomain: "example.org"})
	expectEq(t, ev.Result, DMARCTempError)
}

func TestIdentifiersAligned(t *testing.T) {
	tests := []struct {
		mode            DMARCAlignment
		from, auth, org string
		want            bool
	}{
		{DMARCRelaxed, "example.com", "example.com", "", true},
		{DMARCRelaxed, "example.com", "bounce.example.com", "", true},
		{DMARCRelaxed, "news.example.co.uk", "mail.example.co.uk", "", true},
		{DMARCRelaxed, "example.com", "example.net", "", false},
		{DMARCRelaxed, "a.example.co.uk", "b.other.co.uk", "", false},
		{DMARCStrict, "example.com", "bounce.example.com", "", false},
		{DMARCStrict, "Example.COM.", "example.com", "", true},
		{DMARCRelaxed, "sub.nopsd.dmarcwalk.example.com", "x.nopsd.dmarcwalk.example.com", "nopsd.dmarcwalk.example.com", true},
		{DMARCRelaxed, "example.com", "", "", false},
	}
	for _, tt := range tests {
		if got := IdentifiersAligned(tt.mode, tt.from, tt.auth, tt.org); got != tt.want {
			t.Errorf("IdentifiersAligned(%s, %q, %q, %q) = %v, want %v", tt.mode, tt.from, tt.auth, tt.org, got, tt.want)
		}
	}
}

func TestEvaluateDMARC(t *testing.T) {
	rec := func(s string) *DMARCRecord {
		r, err := ParseDMARC(s)
		expectNoErr(t, err)
		return r
	}
	disc := func(domain, policyDomain, record string) *DMARCDiscovery {
		return &DMARCDiscovery{Domain: domain, PolicyDomain: policyDomain, Record: rec(record), OrgDomain: policyDomain}
	}
	tests := []struct {
		name string
		d    *DMARCDiscovery
		in   DMARCInput
		res  DMARCResult
		disp DMARCPolicy
	}{
		{name: "aligned SPF pass passes", d: disc("example.com", "example.com", "v=DMARC1; p=reject"),
			in: DMARCInput{SPFResult: SPFPass, SPFDomain: "bounce.example.com", FromDomainExists: true}, res: DMARCPass, disp: DMARCPolicyNone},
		{name: "SPF pass for a subdomain fails under strict aspf", d: disc("example.com", "example.com", "v=DMARC1; p=reject; aspf=s"),
			in: DMARCInput{SPFResult: SPFPass, SPFDomain: "bounce.example.com", FromDomainExists: true}, res: DMARCFail, disp: DMARCPolicyReject},
		{name: "aligned DKIM pass rescues an SPF fail", d: disc("example.com", "example.com", "v=DMARC1; p=reject"),
			in: DMARCInput{SPFResult: SPFFail, SPFDomain: "esp.example.net", DKIM: []DMARCDKIMInput{{"esp.example.net", DKIMPass}, {"example.com", DKIMPass}}, FromDomainExists: true}, res: DMARCPass, disp: DMARCPolicyNone},
		{name: "only third-party DKIM fails quarantine", d: disc("example.com", "example.com", "v=DMARC1; p=quarantine"),
			in: DMARCInput{SPFResult: SPFPass, SPFDomain: "esp.example.net", DKIM: []DMARCDKIMInput{{"esp.example.net", DKIMPass}}, FromDomainExists: true}, res: DMARCFail, disp: DMARCPolicyQuarantine},
		{name: "a failing aligned DKIM does not count", d: disc("example.com", "example.com", "v=DMARC1; p=reject"),
			in: DMARCInput{DKIM: []DMARCDKIMInput{{"example.com", DKIMFail}}, FromDomainExists: true}, res: DMARCFail, disp: DMARCPolicyReject},
		{name: "t=y lowers reject to quarantine", d: disc("example.com", "example.com", "v=DMARC1; p=reject; t=y"),
			in: DMARCInput{FromDomainExists: true}, res: DMARCFail, disp: DMARCPolicyQuarantine},
		{name: "a subdomain gets sp=", d: disc("news.example.com", "example.com", "v=DMARC1; p=reject; sp=none"),
			in: DMARCInput{FromDomainExists: true}, res: DMARCFail, disp: DMARCPolicyNone},
		{name: "a nonexistent subdomain gets np=", d: disc("ghost.example.com", "example.com", "v=DMARC1; p=none; sp=none; np=reject"),
			in: DMARCInput{FromDomainExists: false}, res: DMARCFail, disp: DMARCPolicyReject},
		{name: "no record is none", d: &DMARCDiscovery{Domain: "example.com"}, in: DMARCInput{}, res: DMARCNone},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev := EvaluateDMARC(tt.d, tt.in)
			expectEq(t, ev.Result, tt.res, ev.Reason)
			expectEq(t, ev.Disposition, tt.disp, ev.Reason)
			if ev.Reason == "" {
				t.Error("no reason given")
			}
		})
	}
}

func TestVerifyDMARCReportDestinations(t *testing.T) {
	zone := openDMARCZone(t) + `
$ORIGIN example.net.
_dmarc             IN TXT "v=DMARC1; p=none; rua=mailto:agg@example.net,mailto:dmarc@example.com,mailto:x@nowhere.example.org"
`
	r := testDNS(t, zone)
	d := DiscoverDMARC(context.Background(), r, "example.net")
	expectNoErr(t, d.Err)
	got := VerifyDMARCReportDestinations(context.Background(), r, d.PolicyDomain, d.Record)
	expectEq(t, len(got), 3)
	expectEq(t, []bool{got[0].External, got[0].Authorized}, []bool{false, true})
	// example.com publishes *._report._dmarc, so it accepts reports for anyone.
	expectEq(t, []bool{got[1].External, got[1].Authorized}, []bool{true, true})
	expectEq(t, got[1].Query, "example.net._report._dmarc.example.com")
	expectEq(t, []bool{got[2].External, got[2].Authorized}, []bool{true, false})
	if strings.Contains(got[2].Query, "_report._dmarc.nowhere.example.org") != true {
		t.Errorf("query %q", got[2].Query)
	}
}

func TestDMARCFromVerifiedDKIM(t *testing.T) {
	testKeys(t)
	z := newFakeZone()
	z.TXT["rsa._domainkey.example.com"] = []string{dkimKeyRecord(t, testRSA2048.Public(), "")}
	z.TXT["_dmarc.example.com"] = []string{"v=DMARC1; p=reject; adkim=s"}
	signer := Signer{Domain: "example.com", Selector: "rsa", Key: testRSA2048, Algorithm: "rsa-sha256", Canon: "relaxed/relaxed", Headers: "from:subject"}
	vs, err := VerifyDKIM(context.Background(), z, strings.NewReader(signer.sign(t, testMessage)))
	expectNoErr(t, err)
	d := DiscoverDMARC(context.Background(), z, "example.com")
	ev := EvaluateDMARC(d, DMARCInput{FromDomain: "example.com", FromDomainExists: true, SPFResult: SPFSoftFail, DKIM: DKIMForDMARC(vs)})
	expectEq(t, ev.Result, DMARCPass, ev.Reason)
	expectEq(t, ev.AlignedDKIMDomain, "example.com")

	// The same signature seen from a subdomain From fails strict alignment.
	ev = EvaluateDMARC(&DMARCDiscovery{Domain: "news.example.com", Record: d.Record, PolicyDomain: "example.com", OrgDomain: "example.com"},
		DMARCInput{FromDomain: "news.example.com", FromDomainExists: true, DKIM: DKIMForDMARC(vs)})
	expectEq(t, ev.Result, DMARCFail, ev.Reason)
	expectEq(t, ev.Disposition, DMARCPolicyReject)
}

func TestDiscoverDMARCBadRecords(t *testing.T) {
	// About 40 KB: a DNS message cannot carry much more (RFC 1035 §4.2.2).
	huge := "v=DMARC1; p=reject; rua=" + strings.Repeat("mailto:a@example.com,", 1900)
	var txt strings.Builder
	for len(huge) > 0 {
		n := min(len(huge), 255)
		txt.WriteString(`"` + huge[:n] + `" `)
		huge = huge[n:]
	}
	r := testDNS(t, `$ORIGIN example.com.
_dmarc.loop    IN CNAME _dmarc.loop2.example.com.
_dmarc.loop2   IN CNAME _dmarc.loop.example.com.
_dmarc.huge    IN TXT   `+txt.String()+`
_dmarc.spf     IN TXT   "v=spf1 -all"
_dmarc.broken  IN TXT   "v=DMARC1; p=reject; p=none"
_dmarc         IN TXT   "v=DMARC1; p=quarantine"
`)
	for _, tc := range []struct {
		domain, outcome string
	}{
		{"loop.example.com", "invalid"},
		{"spf.example.com", "none"},
		{"broken.example.com", "invalid"},
	} {
		d := DiscoverDMARC(context.Background(), r, tc.domain)
		expectNoErr(t, d.Err)
		expectEq(t, d.Trace[0].Outcome, tc.outcome, tc.domain)
		expectEq(t, len(d.Invalid), map[bool]int{true: 1, false: 0}[tc.outcome == "invalid"], tc.domain)
		// The walk goes on to the parent, whose record applies.
		expectEq(t, d.PolicyDomain, "example.com", tc.domain)
		expectEq(t, d.EffectivePolicy(true), DMARCPolicyQuarantine)
	}
	// A huge record is read over TCP and parsed, its rua= list capped.
	d := DiscoverDMARC(context.Background(), r, "huge.example.com")
	expectNoErr(t, d.Err)
	expectEq(t, d.PolicyDomain, "huge.example.com")
	expectEq(t, len(d.Record.RUA), maxDMARCURIs)
	expectContains(t, fmt.Sprint(d.Record.Issues), "more than 32 URIs")
}
