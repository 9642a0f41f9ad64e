package authcheck

import (
	"context"
	"net/netip"
	"testing"

	"github.com/bouncekit/bouncekit/authcheck/dnsbl"
	"github.com/bouncekit/bouncekit/authcheck/internal/authtest"
	"github.com/bouncekit/bouncekit/internal/dnstest"
)

// TestLintServFailMarksTheReportIncomplete: SPF passes on an early ip4 term,
// so check_host never asks for the include; the lint walk does, and the
// server answers SERVFAIL. That finding is a temperror and the report is
// incomplete, not clean (RFC 7208 §4.4: a failed lookup says nothing about
// the record).
func TestLintServFailMarksTheReportIncomplete(t *testing.T) {
	zone := `
$ORIGIN example.com.
@        TXT  "v=spf1 ip4:192.0.2.0/24 include:_spf.broken.example -all"
_dmarc   TXT  "v=DMARC1; p=reject"
@        MX   10 mx.example.com.
mx       A    192.0.2.25
$ORIGIN 25.2.0.192.in-addr.arpa.
@        PTR  mx.example.com.
`
	r := authtest.DNS(t, zone, dnstest.ServFail("_spf.broken.example"))
	rep, err := CheckSender(context.Background(), r, SenderInput{
		IP: netip.MustParseAddr("192.0.2.25"), HELO: "mx.example.com", MailFrom: "bounces@example.com",
		FromDomain: "example.com", Blocklists: []dnsbl.Zone{},
	})
	authtest.NoErr(t, err)
	if rep.SPF == nil || rep.SPF.Result != "pass" {
		t.Fatalf("SPF %+v, want pass from the ip4 term", rep.SPF)
	}
	var lintDNS *Finding
	for i, f := range rep.Findings {
		if f.Code == FindingSPFDNSError {
			lintDNS = &rep.Findings[i]
		}
	}
	if lintDNS == nil {
		t.Fatalf("no spf.dns_error finding in %v", rep.Findings)
	}
	if !lintDNS.TempError() {
		t.Errorf("%v: TempError() is false", lintDNS)
	}
	if rep.Incomplete() == 0 {
		t.Errorf("Incomplete() = 0 with %v", rep.Findings)
	}
}

// TestCleanReportIsComplete is the control: the same setup with the include
// answered has no temperror finding.
func TestCleanReportIsComplete(t *testing.T) {
	zone := `
$ORIGIN example.com.
@        TXT  "v=spf1 ip4:192.0.2.0/24 include:_spf.ok.example -all"
_dmarc   TXT  "v=DMARC1; p=reject"
@        MX   10 mx.example.com.
mx       A    192.0.2.25
_spf.ok.example. TXT "v=spf1 ip4:198.51.100.0/24 -all"
$ORIGIN 25.2.0.192.in-addr.arpa.
@        PTR  mx.example.com.
`
	r := authtest.DNS(t, zone)
	rep, err := CheckSender(context.Background(), r, SenderInput{
		IP: netip.MustParseAddr("192.0.2.25"), HELO: "mx.example.com", MailFrom: "bounces@example.com",
		FromDomain: "example.com", Blocklists: []dnsbl.Zone{},
	})
	authtest.NoErr(t, err)
	if n := rep.Incomplete(); n != 0 {
		t.Errorf("Incomplete() = %d: %v", n, rep.Findings)
	}
}
