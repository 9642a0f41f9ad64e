package dmarc

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bouncekit/bouncekit/authcheck/dkim"
	"github.com/bouncekit/bouncekit/authcheck/internal/authtest"
	"github.com/bouncekit/bouncekit/authcheck/resolve"
	"github.com/bouncekit/bouncekit/authcheck/severity"
	"github.com/bouncekit/bouncekit/authcheck/spf"
	"github.com/bouncekit/bouncekit/internal/dnstest"
	"github.com/bouncekit/bouncekit/internal/spfsuite"
)

func issueTags(r *Record, sev severity.Level) []string {
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
		check  func(t *testing.T, r *Record)
		errors []string // tags with error-severity issues
	}{
		{name: "a minimal record gets the RFC defaults", in: "v=DMARC1; p=none", check: func(t *testing.T, r *Record) {
			authtest.Eq(t, r.Policy, PolicyNone)
			authtest.Eq(t, r.Percent, 100)
			authtest.Eq(t, r.ADKIM, Relaxed)
			authtest.Eq(t, r.ASPF, Relaxed)
			authtest.Eq(t, r.ReportInterval, int64(86400))
			authtest.Eq(t, r.PSD, PSDUnknown)
			authtest.Eq(t, r.SubdomainPolicy, Policy(""))
		}},
		{name: "every tag is read", in: "v=DMARC1; p=reject; sp=quarantine; np=reject; pct=50; rua=mailto:agg@example.com,mailto:x@rep.example.net!10m; ruf=mailto:f@example.com; adkim=s; aspf=s; fo=0:1:d:s; rf=afrf; ri=3600; psd=n; t=y",
			check: func(t *testing.T, r *Record) {
				authtest.Eq(t, r.Policy, PolicyReject)
				authtest.Eq(t, r.SubdomainPolicy, PolicyQuarantine)
				authtest.Eq(t, r.NonexistentPolicy, PolicyReject)
				authtest.Eq(t, r.Percent, 50)
				authtest.Eq(t, len(r.RUA), 2)
				authtest.Eq(t, r.RUA[1], ReportURI{URI: "mailto:x@rep.example.net", Address: "x@rep.example.net", Domain: "rep.example.net", MaxSize: "10m"})
				authtest.Eq(t, r.RUF[0].Domain, "example.com")
				authtest.Eq(t, r.ADKIM, Strict)
				authtest.Eq(t, r.ASPF, Strict)
				authtest.Eq(t, r.FailureOptions, []string{"0", "1", "d", "s"})
				authtest.Eq(t, r.ReportFormats, []string{"afrf"})
				authtest.Eq(t, r.ReportInterval, int64(3600))
				authtest.Eq(t, r.PSD, PSDNo)
				authtest.Eq(t, r.Testing, true)
			}},
		{name: "tag names and values are case-insensitive", in: "v=DMARC1; P=Reject; ADKIM=S", check: func(t *testing.T, r *Record) {
			authtest.Eq(t, r.Policy, PolicyReject)
			authtest.Eq(t, r.ADKIM, Strict)
		}},
		{name: "a bad p= becomes none with an error", in: "v=DMARC1; p=block; rua=mailto:a@example.com", errors: []string{"p"}, check: func(t *testing.T, r *Record) {
			authtest.Eq(t, r.Policy, PolicyNone)
		}},
		{name: "a missing p= without rua is an error", in: "v=DMARC1; adkim=r", errors: []string{"p"}},
		{name: "a bad sp= and np= are ignored", in: "v=DMARC1; p=reject; sp=no; np=drop", errors: []string{"sp", "np"}, check: func(t *testing.T, r *Record) {
			authtest.Eq(t, r.SubdomainPolicy, Policy(""))
		}},
		{name: "pct out of range keeps 100", in: "v=DMARC1; p=reject; pct=150", errors: []string{"pct"}, check: func(t *testing.T, r *Record) {
			authtest.Eq(t, r.Percent, 100)
		}},
		{name: "a bad alignment mode keeps relaxed", in: "v=DMARC1; p=none; adkim=x; aspf=strict", errors: []string{"adkim", "aspf"}},
		{name: "a rua that is not a URI is an error", in: "v=DMARC1; p=none; rua=agg@example.com", errors: []string{"rua"}, check: func(t *testing.T, r *Record) {
			authtest.Eq(t, len(r.RUA), 0)
		}},
		{name: "a bad psd= and t= are errors", in: "v=DMARC1; p=none; psd=maybe; t=yes", errors: []string{"psd", "t"}},
		{name: "bad fo, rf and ri are warnings", in: "v=DMARC1; p=none; fo=2; rf=iodef; ri=-1", check: func(t *testing.T, r *Record) {
			authtest.Eq(t, issueTags(r, severity.Warning), []string{"fo", "rf", "ri"})
		}},
		{name: "empty tags are skipped with a warning", in: "v=DMARC1;; p=reject; ;rua=mailto:a@example.com", check: func(t *testing.T, r *Record) {
			authtest.Eq(t, r.Policy, PolicyReject)
			authtest.Eq(t, issueTags(r, severity.Warning), []string{"syntax"})
			authtest.Eq(t, len(r.RUA), 1)
		}},
		{name: "unknown tags are noted and ignored", in: "v=DMARC1; p=none; rua=mailto:a@example.com; foo=bar", check: func(t *testing.T, r *Record) {
			authtest.Eq(t, issueTags(r, severity.Info), []string{"foo"})
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Parse(tt.in)
			authtest.NoErr(t, err)
			authtest.Eq(t, issueTags(r, severity.Error), tt.errors, r.Issues)
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
		r, err := Parse(in)
		authtest.NoErr(t, err)
		authtest.Eq(t, r.String(), in)
	}
	r, _ := Parse("v=DMARC1; P=Reject; foo=bar; ADKIM=r")
	authtest.Eq(t, r.String(), "v=DMARC1; p=reject")
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
		{"v=DMARC1; p=reject; p=none", ErrSyntax},
		{"v=DMARC1; p", ErrSyntax},
	} {
		_, err := Parse(tc.in)
		authtest.ErrIs(t, err, tc.err)
		var de *Error
		if !errors.As(err, &de) {
			t.Fatalf("%q: %v is not a *DMARCError", tc.in, err)
		}
	}
}

// openDMARCZone returns the OpenDMARC tree-walk fixture under example.com.
func openDMARCZone(t testing.TB) string {
	dir, err := spfsuite.ConformanceDir()
	if err != nil {
		t.Skipf("OpenDMARC fixture not present: %v", err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "dmarc", "opendmarc-test-dns.zone.inc"))
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
	r := authtest.DNS(t, openDMARCZone(t))
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
			d := Discover(context.Background(), r, tt.query)
			authtest.NoErr(t, d.Err)
			authtest.Eq(t, d.OrgDomain, tt.org, "tree-walk org domain")
			authtest.Eq(t, d.PolicyDomain, tt.policy, "tree-walk policy domain")
			authtest.Eq(t, d.PSLOrgDomain, "example.com", "PSL org domain")
			authtest.Eq(t, d.PSLPolicyDomain, tt.pslPolicy, "PSL policy domain")
			if tt.policyTags != "" {
				authtest.Contains(t, d.Record.Raw, tt.policyTags)
			}
			authtest.Eq(t, d.OrgDomainsDisagree(), tt.org != "example.com")
		})
	}
	t.Run("the eight-label walk queries at most 8 names", func(t *testing.T) {
		d := Discover(context.Background(), r, "a.b.c.d.e.f.g.h.i.j.k.l.example.com")
		names := dmarcWalk("a.b.c.d.e.f.g.h.i.j.k.l.example.com")
		authtest.Eq(t, len(names), 8)
		authtest.Eq(t, names[1], "h.i.j.k.l.example.com") // 7 labels
		authtest.Eq(t, d.PolicyDomain, "example.com")
	})
	t.Run("several records at one name are discarded and reported", func(t *testing.T) {
		d := Discover(context.Background(), r, "multirecord."+w)
		if len(d.Invalid) != 1 || !errors.Is(d.Invalid[0], ErrMultiple) {
			t.Fatalf("Invalid = %v", d.Invalid)
		}
		authtest.Eq(t, d.Trace[0].Outcome, "multiple")
	})
}

func TestDiscoverDMARCTimeoutIsNotMissing(t *testing.T) {
	r := authtest.DNSQuick(t, "$ORIGIN example.org.\n@ 300 IN A 192.0.2.1\n", dnstest.Timeout("_dmarc.example.org."))
	d := Discover(context.Background(), r, "example.org")
	authtest.ErrIs(t, d.Err, resolve.ErrTimeout)
	authtest.Eq(t, d.Record == nil, true)
	ev := Evaluate(d, Input{FromDomain: "example.org"})
	authtest.Eq(t, ev.Result, TempError)
}

func TestIdentifiersAligned(t *testing.T) {
	tests := []struct {
		mode            Alignment
		from, auth, org string
		want            bool
	}{
		{Relaxed, "example.com", "example.com", "", true},
		{Relaxed, "example.com", "bounce.example.com", "", true},
		{Relaxed, "news.example.co.uk", "mail.example.co.uk", "", true},
		{Relaxed, "example.com", "example.net", "", false},
		{Relaxed, "a.example.co.uk", "b.other.co.uk", "", false},
		{Strict, "example.com", "bounce.example.com", "", false},
		{Strict, "Example.COM.", "example.com", "", true},
		{Relaxed, "sub.nopsd.dmarcwalk.example.com", "x.nopsd.dmarcwalk.example.com", "nopsd.dmarcwalk.example.com", true},
		{Relaxed, "example.com", "", "", false},
	}
	for _, tt := range tests {
		if got := IdentifiersAligned(tt.mode, tt.from, tt.auth, tt.org); got != tt.want {
			t.Errorf("IdentifiersAligned(%s, %q, %q, %q) = %v, want %v", tt.mode, tt.from, tt.auth, tt.org, got, tt.want)
		}
	}
}

func TestEvaluateDMARC(t *testing.T) {
	rec := func(s string) *Record {
		r, err := Parse(s)
		authtest.NoErr(t, err)
		return r
	}
	disc := func(domain, policyDomain, record string) *Discovery {
		return &Discovery{Domain: domain, PolicyDomain: policyDomain, Record: rec(record), OrgDomain: policyDomain}
	}
	tests := []struct {
		name string
		d    *Discovery
		in   Input
		res  Result
		disp Policy
	}{
		{name: "aligned SPF pass passes", d: disc("example.com", "example.com", "v=DMARC1; p=reject"),
			in: Input{SPFResult: spf.Pass, SPFDomain: "bounce.example.com", FromDomainExists: true}, res: Pass, disp: PolicyNone},
		{name: "SPF pass for a subdomain fails under strict aspf", d: disc("example.com", "example.com", "v=DMARC1; p=reject; aspf=s"),
			in: Input{SPFResult: spf.Pass, SPFDomain: "bounce.example.com", FromDomainExists: true}, res: Fail, disp: PolicyReject},
		{name: "aligned DKIM pass rescues an SPF fail", d: disc("example.com", "example.com", "v=DMARC1; p=reject"),
			in: Input{SPFResult: spf.Fail, SPFDomain: "esp.example.net", DKIM: []DKIMInput{{"esp.example.net", dkim.Pass}, {"example.com", dkim.Pass}}, FromDomainExists: true}, res: Pass, disp: PolicyNone},
		{name: "only third-party DKIM fails quarantine", d: disc("example.com", "example.com", "v=DMARC1; p=quarantine"),
			in: Input{SPFResult: spf.Pass, SPFDomain: "esp.example.net", DKIM: []DKIMInput{{"esp.example.net", dkim.Pass}}, FromDomainExists: true}, res: Fail, disp: PolicyQuarantine},
		{name: "a failing aligned DKIM does not count", d: disc("example.com", "example.com", "v=DMARC1; p=reject"),
			in: Input{DKIM: []DKIMInput{{"example.com", dkim.Fail}}, FromDomainExists: true}, res: Fail, disp: PolicyReject},
		{name: "t=y lowers reject to quarantine", d: disc("example.com", "example.com", "v=DMARC1; p=reject; t=y"),
			in: Input{FromDomainExists: true}, res: Fail, disp: PolicyQuarantine},
		{name: "a subdomain gets sp=", d: disc("news.example.com", "example.com", "v=DMARC1; p=reject; sp=none"),
			in: Input{FromDomainExists: true}, res: Fail, disp: PolicyNone},
		{name: "a nonexistent subdomain gets np=", d: disc("ghost.example.com", "example.com", "v=DMARC1; p=none; sp=none; np=reject"),
			in: Input{FromDomainExists: false}, res: Fail, disp: PolicyReject},
		{name: "no record is none", d: &Discovery{Domain: "example.com"}, in: Input{}, res: None},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev := Evaluate(tt.d, tt.in)
			authtest.Eq(t, ev.Result, tt.res, ev.Reason)
			authtest.Eq(t, ev.Disposition, tt.disp, ev.Reason)
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
	r := authtest.DNS(t, zone)
	d := Discover(context.Background(), r, "example.net")
	authtest.NoErr(t, d.Err)
	got := VerifyReportDestinations(context.Background(), r, d.PolicyDomain, d.Record)
	authtest.Eq(t, len(got), 3)
	authtest.Eq(t, []bool{got[0].External, got[0].Authorized}, []bool{false, true})
	// example.com publishes *._report._dmarc, so it accepts reports for anyone.
	authtest.Eq(t, []bool{got[1].External, got[1].Authorized}, []bool{true, true})
	authtest.Eq(t, got[1].Query, "example.net._report._dmarc.example.com")
	authtest.Eq(t, []bool{got[2].External, got[2].Authorized}, []bool{true, false})
	if strings.Contains(got[2].Query, "_report._dmarc.nowhere.example.org") != true {
		t.Errorf("query %q", got[2].Query)
	}
}

func TestDMARCFromVerifiedDKIM(t *testing.T) {
	authtest.Keys(t)
	z := authtest.NewFakeZone()
	z.TXT["rsa._domainkey.example.com"] = []string{authtest.DKIMKeyRecord(t, authtest.RSA2048.Public(), "")}
	z.TXT["_dmarc.example.com"] = []string{"v=DMARC1; p=reject; adkim=s"}
	signer := dkim.Signer{Domain: "example.com", Selector: "rsa", Key: authtest.RSA2048, Algorithm: "rsa-sha256", Canon: "relaxed/relaxed", Headers: "from:subject"}
	signed, err := signer.Sign(authtest.Message)
	authtest.NoErr(t, err)
	vs, err := dkim.Verify(context.Background(), z, strings.NewReader(signed))
	authtest.NoErr(t, err)
	d := Discover(context.Background(), z, "example.com")
	ev := Evaluate(d, Input{FromDomain: "example.com", FromDomainExists: true, SPFResult: spf.SoftFail, DKIM: DKIMInputs(vs)})
	authtest.Eq(t, ev.Result, Pass, ev.Reason)
	authtest.Eq(t, ev.AlignedDKIMDomain, "example.com")

	// The same signature seen from a subdomain From fails strict alignment.
	ev = Evaluate(&Discovery{Domain: "news.example.com", Record: d.Record, PolicyDomain: "example.com", OrgDomain: "example.com"},
		Input{FromDomain: "news.example.com", FromDomainExists: true, DKIM: DKIMInputs(vs)})
	authtest.Eq(t, ev.Result, Fail, ev.Reason)
	authtest.Eq(t, ev.Disposition, PolicyReject)
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
	r := authtest.DNS(t, `$ORIGIN example.com.
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
		d := Discover(context.Background(), r, tc.domain)
		authtest.NoErr(t, d.Err)
		authtest.Eq(t, d.Trace[0].Outcome, tc.outcome, tc.domain)
		authtest.Eq(t, len(d.Invalid), map[bool]int{true: 1, false: 0}[tc.outcome == "invalid"], tc.domain)
		// The walk goes on to the parent, whose record applies.
		authtest.Eq(t, d.PolicyDomain, "example.com", tc.domain)
		authtest.Eq(t, d.EffectivePolicy(true), PolicyQuarantine)
	}
	// A huge record is read over TCP and parsed, its rua= list capped.
	d := Discover(context.Background(), r, "huge.example.com")
	authtest.NoErr(t, d.Err)
	authtest.Eq(t, d.PolicyDomain, "huge.example.com")
	authtest.Eq(t, len(d.Record.RUA), maxDMARCURIs)
	authtest.Contains(t, fmt.Sprint(d.Record.Issues), "more than 32 URIs")
}
