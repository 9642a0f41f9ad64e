package authcheck

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bouncekit/bouncekit/authcheck/authres"
	"github.com/bouncekit/bouncekit/authcheck/dkim"
	"github.com/bouncekit/bouncekit/authcheck/dmarc"
	"github.com/bouncekit/bouncekit/authcheck/dnsbl"
	"github.com/bouncekit/bouncekit/authcheck/internal/authtest"
	"github.com/bouncekit/bouncekit/authcheck/mtasts"
	"github.com/bouncekit/bouncekit/authcheck/resolve"
	"github.com/bouncekit/bouncekit/authcheck/spf"
	"github.com/bouncekit/bouncekit/internal/dnstest"
)

// senderZone is a sending setup: example.com done right, example.net done
// wrong (no SPF, no DMARC, a 1024-bit testing key, listed on ZEN).
func senderZone(t testing.TB) string {
	authtest.Keys(t)
	return `$ORIGIN example.com.
@                  IN TXT  "v=spf1 ip4:192.0.2.0/24 -all"
@                  IN MX   10 mx.example.com.
@                  IN A    192.0.2.1
mx                 IN A    192.0.2.25
mail               IN A    192.0.2.10
bounce             IN TXT  "v=spf1 ip4:192.0.2.10 -all"
bounce             IN MX   10 mx.example.com.
_dmarc             IN TXT  "v=DMARC1; p=reject; rua=mailto:dmarc@example.com,mailto:agg@reports.example.org"
s2048._domainkey   IN TXT  ` + authtest.ZoneTXT(authtest.DKIMKeyRecord(t, authtest.RSA2048.Public(), "")) + `
ed._domainkey      IN TXT  ` + authtest.ZoneTXT(authtest.DKIMKeyRecord(t, authtest.Ed25519.Public(), "")) + `
old._domainkey     IN TXT  "v=DKIM1; k=rsa; p="
_mta-sts           IN TXT  "v=STSv1; id=20261127"
_smtp._tls         IN TXT  "v=TLSRPTv1; rua=mailto:tls@example.com"
$ORIGIN reports.example.org.
example.com._report._dmarc IN TXT "v=DMARC1"
$ORIGIN example.net.
@                  IN MX   10 mx.example.net.
mx                 IN A    198.51.100.25
small._domainkey   IN TXT  ` + authtest.ZoneTXT(authtest.DKIMKeyRecord(t, authtest.RSA1024.Public(), "t=y; ")) + `
$ORIGIN 2.0.192.in-addr.arpa.
10                 IN PTR  mail.example.com.
$ORIGIN 100.51.198.in-addr.arpa.
7                  IN PTR  unconfirmed.example.net.
$ORIGIN zen.spamhaus.org.
7.100.51.198       IN A    127.0.0.2
7.100.51.198       IN TXT  "https://www.spamhaus.org/query/ip/198.51.100.7"
$ORIGIN dbl.spamhaus.org.
bad-links.example  IN A    127.0.1.2
$ORIGIN multi.uribl.com.
example.net        IN A    127.0.0.1
`
}

func codes(r *SenderReport) []string {
	var out []string
	for _, f := range r.Findings {
		out = append(out, string(f.Severity)+" "+string(f.Code))
	}
	return out
}

func TestCheckSenderGoodSetup(t *testing.T) {
	r := authtest.DNS(t, senderZone(t))
	rep, err := CheckSender(context.Background(), r, SenderInput{
		IP: netip.MustParseAddr("192.0.2.10"), HELO: "mail.example.com", MailFrom: "bounces@bounce.example.com",
		FromDomain: "example.com", DKIMSelectors: []string{"s2048", "ed"}, LinkDomains: []string{"example.com", "cdn.example.com"},
	})
	authtest.NoErr(t, err)
	authtest.Eq(t, rep.Count(SeverityError), 0, codes(rep))
	authtest.Eq(t, rep.Count(SeverityWarning), 0, codes(rep))
	authtest.Eq(t, rep.SPF.Result, spf.Pass)
	authtest.Eq(t, rep.SPF.Domain, "bounce.example.com")
	authtest.Eq(t, rep.DMARC.Policy, dmarc.PolicyReject)
	authtest.Eq(t, rep.DMARC.OrgDomain, "example.com")
	authtest.Eq(t, rep.DMARC.SPFAligned, true)
	authtest.Eq(t, len(rep.DMARC.Reports), 2)
	authtest.Eq(t, rep.DMARC.Reports[1].Authorized, true)
	authtest.Eq(t, []dkim.KeyStatus{rep.DKIM[0].Status, rep.DKIM[1].Status}, []dkim.KeyStatus{dkim.KeyOK, dkim.KeyOK})
	authtest.Eq(t, []int{rep.DKIM[0].Bits, rep.DKIM[1].Bits}, []int{2048, 256})
	authtest.Eq(t, rep.RDNS.FCrDNS, true)
	authtest.Eq(t, rep.Envelope.CanReceive, true)
	authtest.Eq(t, rep.MTASTS.Present, true)
	authtest.Eq(t, rep.TLSRPT.Present, true)
	for _, b := range rep.Blocklists {
		if b.Status != dnsbl.NotListed {
			t.Errorf("%s on %s: %s", b.Subject, b.Zone, b.Status)
		}
	}
	// The IP on each IP zone and bounce.example.com, example.com and
	// cdn.example.com (deduplicated) on each domain zone.
	ipZones, domZones := 0, 0
	for _, z := range dnsbl.DefaultZones() {
		if z.Kind == dnsbl.IP {
			ipZones++
		} else {
			domZones++
		}
	}
	authtest.Eq(t, len(rep.Blocklists), ipZones+3*domZones)
}

func TestCheckSenderBadSetup(t *testing.T) {
	r := authtest.DNS(t, senderZone(t))
	rep, err := CheckSender(context.Background(), r, SenderInput{
		IP: netip.MustParseAddr("198.51.100.7"), HELO: "localhost", MailFrom: "news@example.net",
		FromDomain: "example.net", DKIMSelectors: []string{"small", "gone", "old:example.com"},
		LinkDomains: []string{"bad-links.example"},
	})
	authtest.NoErr(t, err)
	var logged strings.Builder
	slog.New(slog.NewTextHandler(&logged, nil)).Info("checked", "report", rep)
	authtest.Contains(t, logged.String(), "error_codes=")
	authtest.Contains(t, logged.String(), "dmarc.missing")
	got := codes(rep)
	for _, want := range []string{
		"error spf.missing", "error dmarc.missing", "error dkim.key_missing", "error dkim.key_revoked",
		"warning dkim.key_weak", "warning dkim.testing", "error rdns.mismatch", "error helo.not_fqdn",
		"error blocklist.listed", "warning blocklist.refused", "info mtasts.missing", "info tlsrpt.missing",
	} {
		if !slices.Contains(got, want) {
			t.Errorf("missing finding %q in %v", want, got)
		}
	}
	// Errors come first, and the order is by code within a severity.
	for i := 1; i < len(rep.Findings); i++ {
		a, b := rep.Findings[i-1], rep.Findings[i]
		if a.Severity.Rank() > b.Severity.Rank() || a.Severity == b.Severity && a.Code > b.Code {
			t.Fatalf("findings out of order at %d: %v then %v", i, a, b)
		}
	}
	listed := 0
	for _, f := range rep.Findings {
		if f.Code == FindingBlocklistListed {
			listed++
			if f.RFC == "" || f.Message == "" {
				t.Errorf("finding without RFC or message: %+v", f)
			}
		}
	}
	authtest.Eq(t, listed, 2, "the IP on ZEN and bad-links.example on DBL")
}

func TestCheckSenderTimeoutIsTempErrorNotMissing(t *testing.T) {
	r := authtest.DNSQuick(t, senderZone(t), dnstest.Drop(func(name string, _ uint16) bool {
		return name == "_dmarc.example.com." || name == "s2048._domainkey.example.com."
	}))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	rep, err := CheckSender(ctx, r, SenderInput{
		IP: netip.MustParseAddr("192.0.2.10"), HELO: "mail.example.com", MailFrom: "a@example.com",
		FromDomain: "example.com", DKIMSelectors: []string{"s2048"}, Blocklists: []dnsbl.Zone{},
	})
	authtest.NoErr(t, err)
	got := codes(rep)
	for _, bad := range []string{"error dmarc.missing", "error dkim.key_missing", "error spf.missing"} {
		if slices.Contains(got, bad) {
			t.Errorf("a timeout was reported as %q: %v", bad, got)
		}
	}
	for _, want := range []string{"warning dmarc.temperror", "warning dkim.temperror"} {
		if !slices.Contains(got, want) {
			t.Errorf("missing %q in %v", want, got)
		}
	}
	authtest.Eq(t, rep.DKIM[0].Status, dkim.KeyTempError)
	authtest.Eq(t, len(rep.Blocklists), 0)
}

func TestCheckSenderIsDeterministic(t *testing.T) {
	r := authtest.DNS(t, senderZone(t))
	in := SenderInput{IP: netip.MustParseAddr("198.51.100.7"), HELO: "mx.example.net", MailFrom: "<>",
		FromDomain: "example.net", DKIMSelectors: []string{"small", "gone"}, LinkDomains: []string{"bad-links.example", "example.com"}, Concurrency: 3}
	var first []byte
	for i := range 5 {
		rep, err := CheckSender(context.Background(), r, in)
		authtest.NoErr(t, err)
		b, err := json.Marshal(rep)
		authtest.NoErr(t, err)
		if i == 0 {
			first = b
			var m map[string]any
			authtest.NoErr(t, json.Unmarshal(b, &m))
			for _, k := range []string{"spf", "dmarc", "dkim", "rdns", "blocklists", "findings"} {
				if _, ok := m[k]; !ok {
					t.Fatalf("JSON lacks %q: %s", k, b)
				}
			}
			spf := m["spf"].(map[string]any)
			authtest.Eq(t, spf["result"], "none")
			// The null sender is checked as postmaster@HELO (RFC 7208 §2.4).
			authtest.Eq(t, spf["domain"], "mx.example.net")
			continue
		}
		if string(b) != string(first) {
			t.Fatalf("run %d differs:\n%s\n%s", i, first, b)
		}
	}
}

func TestCheckSenderRejectsBadInput(t *testing.T) {
	_, err := CheckSender(context.Background(), authtest.NewFakeZone(), SenderInput{})
	authtest.ErrIs(t, err, ErrSenderInput)
	_, err = CheckSender(context.Background(), authtest.NewFakeZone(), SenderInput{FromDomain: "example.com", DKIMSelectors: make([]string, MaxSenderSelectors+1)})
	if !errors.Is(err, ErrSenderInput) {
		t.Fatalf("too many selectors accepted: %v", err)
	}
}

func TestCheckSenderCancelledContextEnds(t *testing.T) {
	r := authtest.DNSQuick(t, senderZone(t), dnstest.Drop(func(string, uint16) bool { return true }))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	done := make(chan *SenderReport)
	go func() {
		rep, _ := CheckSender(ctx, r, SenderInput{IP: netip.MustParseAddr("192.0.2.10"), HELO: "mail.example.com",
			MailFrom: "a@example.com", FromDomain: "example.com", DKIMSelectors: []string{"s2048"}})
		done <- rep
	}()
	select {
	case rep := <-done:
		if rep.Has(FindingDMARCMissing) || rep.Has(FindingSPFMissing) {
			t.Fatalf("a cancelled check reported missing records: %v", codes(rep))
		}
	case <-time.After(5 * time.Second):
		t.Fatal("CheckSender did not return on a cancelled context")
	}
}

func TestCheckSenderLintsTheWholeSPFTree(t *testing.T) {
	// The IP matches the first term, so check_host passes with no lookup,
	// while senders matching later terms hit 11 lookups and a ptr.
	zone := `$ORIGIN example.org.
@        IN TXT "v=spf1 ip4:192.0.2.10 include:i1.example.org include:i2.example.org include:i3.example.org include:i4.example.org include:i5.example.org include:i6.example.org ptr -all"
i1       IN TXT "v=spf1 a mx -all"
i2       IN TXT "v=spf1 a mx -all"
i3       IN TXT "v=spf1 a mx -all"
i4       IN TXT "v=spf1 ip4:203.0.113.0/24 -all"
i5       IN TXT "v=spf1 ip4:203.0.113.0/24 -all"
i6       IN TXT "v=spf1 ip4:203.0.113.0/24 -all"
@        IN MX  10 mx.example.org.
mx       IN A   192.0.2.25
i1       IN A   192.0.2.26
i2       IN A   192.0.2.27
i3       IN A   192.0.2.28
i1       IN MX  10 mx.example.org.
i2       IN MX  10 mx.example.org.
i3       IN MX  10 mx.example.org.
`
	r := authtest.DNS(t, zone)
	rep, err := CheckSender(context.Background(), r, SenderInput{IP: netip.MustParseAddr("192.0.2.10"), MailFrom: "a@example.org",
		FromDomain: "example.org", Blocklists: []dnsbl.Zone{}})
	authtest.NoErr(t, err)
	authtest.Eq(t, rep.SPF.Result, spf.Pass)
	authtest.Eq(t, rep.SPF.Lookups, 0)
	if rep.SPF.LintLookups <= spf.MaxLookups {
		t.Fatalf("lint lookups %d, want over %d", rep.SPF.LintLookups, spf.MaxLookups)
	}
	got := codes(rep)
	for _, want := range []string{"error spf.too_many_lookups", "warning spf.ptr"} {
		if !slices.Contains(got, want) {
			t.Errorf("missing %q in %v", want, got)
		}
	}
}

func TestCheckSenderBIMI(t *testing.T) {
	r := authtest.DNS(t, `$ORIGIN example.org.
@              IN TXT "v=spf1 ip4:192.0.2.10 -all"
_dmarc         IN TXT "v=DMARC1; p=none; rua=mailto:d@example.org"
default._bimi  IN TXT "v=BIMI1; l=https://example.org/logo.svg; a=https://example.org/vmc.pem"
$ORIGIN example.info.
_dmarc         IN TXT "v=DMARC1; p=reject; rua=mailto:d@example.info"
default._bimi  IN TXT "v=BIMI1; l=ftp://example.info/logo.svg"
`)
	in := SenderInput{FromDomain: "example.org", Blocklists: []dnsbl.Zone{}}
	rep, err := CheckSender(context.Background(), r, in)
	authtest.NoErr(t, err)
	authtest.Eq(t, rep.BIMI.Present, true)
	if !slices.Contains(codes(rep), "warning bimi.dmarc_too_weak") {
		t.Errorf("p=none with BIMI not reported: %v", codes(rep))
	}
	in.FromDomain = "example.info"
	rep, err = CheckSender(context.Background(), r, in)
	authtest.NoErr(t, err)
	if !slices.Contains(codes(rep), "warning bimi.invalid") || rep.Has(FindingBIMIDMARCWeak) {
		t.Errorf("bad BIMI record: %v", codes(rep))
	}
}

func TestSPFFindings(t *testing.T) {
	tests := []struct {
		o    spf.Outcome
		want []string
	}{
		{spf.Outcome{Result: spf.Pass, Domain: "example.com", Lookups: 2}, nil},
		{spf.Outcome{Result: spf.Pass, Domain: "example.com", Lookups: 9}, []string{"warning spf.lookups_near_limit"}},
		{spf.Outcome{Result: spf.Fail, Domain: "example.com"}, []string{"error spf.fail"}},
		{spf.Outcome{Result: spf.SoftFail, Domain: "example.com"}, []string{"warning spf.softfail"}},
		{spf.Outcome{Result: spf.Neutral, Domain: "example.com"}, []string{"warning spf.neutral"}},
		{spf.Outcome{Result: spf.None, Domain: "example.com"}, []string{"error spf.missing"}},
		{spf.Outcome{Result: spf.PermError, Domain: "example.com", Err: &spf.Error{Err: spf.ErrTooManyLookups}}, []string{"error spf.too_many_lookups"}},
		{spf.Outcome{Result: spf.PermError, Domain: "example.com", Err: &spf.Error{Err: spf.ErrTooManyVoid}}, []string{"error spf.too_many_lookups"}},
		{spf.Outcome{Result: spf.PermError, Domain: "example.com", Err: &spf.Error{Err: spf.ErrSyntax}}, []string{"error spf.permerror"}},
		{spf.Outcome{Result: spf.TempError, Domain: "example.com", Err: &resolve.Error{Name: "example.com", Type: "TXT", Err: resolve.ErrTimeout}}, []string{"warning spf.temperror"}},
	}
	for _, tt := range tests {
		var got []string
		for _, f := range spfFindings(tt.o) {
			got = append(got, string(f.Severity)+" "+string(f.Code))
			if f.RFC == "" || f.Message == "" || f.Subject != "example.com" {
				t.Errorf("incomplete finding %+v", f)
			}
		}
		authtest.Eq(t, got, tt.want, tt.o.Result)
	}
	f := spfFindings(spf.Outcome{Result: spf.TempError, Domain: "example.com", Err: &resolve.Error{Name: "example.com", Type: "TXT", Err: resolve.ErrTimeout}})
	authtest.Contains(t, f[0].Message, "timed out")
}

func TestDMARCFindings(t *testing.T) {
	rec := func(s string) *dmarc.Record {
		r, err := dmarc.Parse(s)
		authtest.NoErr(t, err)
		return r
	}
	fcodes := func(fs []Finding) []string {
		var out []string
		for _, f := range fs {
			out = append(out, string(f.Severity)+" "+string(f.Code))
		}
		return out
	}
	// Org domains disagree but the same record applies: info only.
	d := &dmarc.Discovery{Domain: "a.example.com", Record: rec("v=DMARC1; p=reject; rua=mailto:d@example.com"), PolicyDomain: "example.com",
		OrgDomain: "a.example.com", PSLOrgDomain: "example.com", PSLRecord: nil, PSLPolicyDomain: "example.com"}
	dm := &SenderDMARC{Policy: dmarc.PolicyReject, PolicyDomain: "example.com"}
	authtest.Eq(t, fcodes(dmarcFindings(d, dm, nil)), []string{"info dmarc.org_domain_disagreement"})
	// Different policy records: a warning.
	d.PSLPolicyDomain = "a.example.com"
	authtest.Eq(t, fcodes(dmarcFindings(d, dm, nil)), []string{"warning dmarc.org_domain_disagreement"})
	// p=none, pct<100, unaligned SPF pass and an unauthorised report address.
	d = &dmarc.Discovery{Domain: "example.com", Record: rec("v=DMARC1; p=none; pct=20; rua=mailto:x@other.example"), PolicyDomain: "example.com",
		OrgDomain: "example.com", PSLOrgDomain: "example.com", PSLPolicyDomain: "example.com"}
	dm = &SenderDMARC{Policy: dmarc.PolicyNone, PolicyDomain: "example.com",
		Reports: []dmarc.ReportDestination{{Tag: "rua", URI: "mailto:x@other.example", Domain: "other.example", External: true, Query: "example.com._report._dmarc.other.example"}}}
	got := fcodes(dmarcFindings(d, dm, &SenderSPF{Result: spf.Pass, Domain: "esp.example.net"}))
	for _, want := range []string{"warning dmarc.policy_none", "warning dmarc.tag", "info dmarc.tag", "warning dmarc.spf_unaligned", "warning dmarc.report_unauthorized"} {
		if !slices.Contains(got, want) {
			t.Errorf("missing %q in %v", want, got)
		}
	}
	// A timeout is a temperror, never "missing".
	d = &dmarc.Discovery{Domain: "example.com", Err: &resolve.Error{Name: "_dmarc.example.com", Type: "TXT", Err: resolve.ErrTimeout}}
	authtest.Eq(t, fcodes(dmarcFindings(d, &SenderDMARC{}, nil)), []string{"warning dmarc.temperror"})
	// An unparsable record is reported and counts as missing.
	d = &dmarc.Discovery{Domain: "example.com", Invalid: []error{errors.New("_dmarc.example.com: broken")}}
	authtest.Eq(t, fcodes(dmarcFindings(d, &SenderDMARC{}, nil)), []string{"error dmarc.invalid", "error dmarc.missing"})
}

func TestRecordFindings(t *testing.T) {
	authtest.Eq(t, recordFindings("example.com", "_x", nil, FindingMTASTSMissing, FindingMTASTSInvalid, "MTA-STS", "RFC"), []Finding(nil))
	cases := []struct {
		err  error
		code FindingCode
	}{
		{resolve.ErrRecordMissing, FindingMTASTSMissing},
		{&resolve.Error{Err: resolve.ErrTimeout}, FindingDNSTimeout},
		{&resolve.Error{Err: resolve.ErrServFail}, FindingDNSError},
		{resolve.ErrRecordMultiple, FindingMTASTSInvalid},
		{&mtasts.Error{Err: mtasts.ErrSyntax, Msg: "x"}, FindingMTASTSInvalid},
	}
	for _, c := range cases {
		fs := recordFindings("example.com", "_mta-sts.example.com", c.err, FindingMTASTSMissing, FindingMTASTSInvalid, "MTA-STS", "RFC 8461 §3.1")
		authtest.Eq(t, fs[0].Code, c.code, c.err)
	}
}

func TestErrorMessagesNameTheInput(t *testing.T) {
	_, err := dmarc.Parse("v=DMARC1; p=reject; p=none")
	authtest.Contains(t, err.Error(), "v=DMARC1; p=reject; p=none")
	authtest.Contains(t, err.Error(), "duplicate tag")
	_, err = authres.Parse("mx; spf")
	authtest.Contains(t, err.Error(), "at byte")
	_, err = mtasts.ParsePolicy("version: STSv1\nmode: strict\nmx: a\nmax_age: 1")
	authtest.Contains(t, err.Error(), "mode")
	authtest.Contains(t, err.Error(), "strict")
	_, err = dkim.ParseSignature("v=1; a=rsa-sha256")
	authtest.Contains(t, err.Error(), "required tag missing")
	f := Finding{Code: FindingSPFFail, Severity: SeverityError, Subject: "example.com", Message: "m"}
	authtest.Eq(t, f.String(), "error spf.fail example.com: m")
	var logged strings.Builder
	lg := slog.New(slog.NewTextHandler(&logged, nil))
	r, _ := dmarc.Parse("v=DMARC1; p=reject")
	ar, _ := authres.Parse("mx; spf=pass")
	lg.Info("x", "finding", f, "dmarc", r, "ar", ar, "dkim", dkim.Verification{Result: dkim.Pass, Domain: "example.com"})
	for _, want := range []string{"finding.code=spf.fail", "dmarc.p=reject", "ar.spf=pass", "dkim.result=pass"} {
		authtest.Contains(t, logged.String(), want)
	}
}

func TestCheckSenderDMARCWouldFail(t *testing.T) {
	r := authtest.DNS(t, senderZone(t))
	// From example.com (p=reject) sent through an ESP: SPF is for the ESP's
	// bounce domain and the only DKIM key is the ESP's.
	in := SenderInput{IP: netip.MustParseAddr("192.0.2.10"), HELO: "mail.example.com", MailFrom: "b@example.net",
		FromDomain: "example.com", DKIMSelectors: []string{"small:example.net"}, Blocklists: []dnsbl.Zone{}}
	rep, err := CheckSender(context.Background(), r, in)
	authtest.NoErr(t, err)
	if !slices.Contains(codes(rep), "error dmarc.would_fail") || !slices.Contains(codes(rep), "warning dkim.unaligned") {
		t.Fatalf("findings %v", codes(rep))
	}
	authtest.Eq(t, rep.DMARC.DKIMAligned, false)
	// Adding the brand's own selector fixes it.
	in.DKIMSelectors = append(in.DKIMSelectors, "s2048")
	rep, err = CheckSender(context.Background(), r, in)
	authtest.NoErr(t, err)
	authtest.Eq(t, rep.DMARC.DKIMAligned, true)
	if rep.Has(FindingDMARCWouldFail) {
		t.Fatalf("would_fail with an aligned key: %v", codes(rep))
	}
}
