package msgauth

import (
	"context"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bouncekit/bouncekit/authcheck/arc"
	"github.com/bouncekit/bouncekit/authcheck/dkim"
	"github.com/bouncekit/bouncekit/authcheck/dmarc"
	"github.com/bouncekit/bouncekit/authcheck/dnsbl"
	"github.com/bouncekit/bouncekit/authcheck/internal/authtest"
	"github.com/bouncekit/bouncekit/authcheck/resolve"
	"github.com/bouncekit/bouncekit/authcheck/spf"
)

var (
	sendIP    = netip.MustParseAddr("192.0.2.10")
	dynamicIP = netip.MustParseAddr("198.51.100.7")
	clock     = time.Unix(1700000500, 0)
)

// testZones are a blocklist of IPs and one of domains; 127.0.0.2 lists,
// 127.255.255.254 is the operator refusing to answer.
var testZones = []dnsbl.Zone{
	{Name: "Test IP list", Zone: "ipbl.test", Kind: dnsbl.IP, Codes: []dnsbl.Code{
		{Match: netip.MustParsePrefix("127.0.0.2/32"), Meaning: "spam source"},
		{Match: netip.MustParsePrefix("127.255.255.254/32"), Meaning: "refused", Refused: true}}},
	{Name: "Test domain list", Zone: "dbl.test", Kind: dnsbl.Domain, Codes: []dnsbl.Code{
		{Match: netip.MustParsePrefix("127.0.1.2/32"), Meaning: "spam domain"},
		{Match: netip.MustParsePrefix("127.255.255.254/32"), Meaning: "refused", Refused: true}}},
}

// senderZone is the whole DNS of these tests: the sender's keys, SPF,
// DMARC (p=reject, rua to an external, authorised address), BIMI, the
// sending host's PTR and A, a list's ARC key, and blocklist entries.
func senderZone(t testing.TB, without ...string) *resolve.Static {
	t.Helper()
	authtest.Keys(t)
	lines := []string{
		"rsa._domainkey.shop.example. IN TXT " + authtest.ZoneTXT(authtest.DKIMKeyRecord(t, authtest.RSA2048.Public(), "")),
		"ed._domainkey.shop.example. IN TXT " + authtest.ZoneTXT(authtest.DKIMKeyRecord(t, authtest.Ed25519.Public(), "")),
		"esp._domainkey.esp.example. IN TXT " + authtest.ZoneTXT(authtest.DKIMKeyRecord(t, authtest.RSA1024.Public(), "")),
		"arc._domainkey.lists.example. IN TXT " + authtest.ZoneTXT(authtest.DKIMKeyRecord(t, authtest.RSAOther.Public(), "")),
		`shop.example. IN TXT "v=spf1 ip4:192.0.2.0/24 -all"`,
		`shop.example. IN MX 10 mx.shop.example.`,
		`bounces.shop.example. IN TXT "v=spf1 ip4:192.0.2.10 -all"`,
		`mail.shop.example. IN A 192.0.2.10`,
		`mail.shop.example. IN TXT "v=spf1 a -all"`,
		`_dmarc.shop.example. IN TXT "v=DMARC1; p=reject; rua=mailto:dmarc@shop.example,mailto:agg@reports.example"`,
		`shop.example._report._dmarc.reports.example. IN TXT "v=DMARC1"`,
		`default._bimi.shop.example. IN TXT "v=BIMI1; l=https://shop.example/logo.svg; a=https://shop.example/vmc.pem"`,
		`10.2.0.192.in-addr.arpa. IN PTR mail.shop.example.`,
		`7.100.51.198.in-addr.arpa. IN PTR 198-51-100-7.dyn.isp.example.`,
		`198-51-100-7.dyn.isp.example. IN A 198.51.100.7`,
		`7.100.51.198.ipbl.test. IN A 127.0.0.2`,
		`7.100.51.198.ipbl.test. IN TXT "listed for spam"`,
		`bad-tracker.example.dbl.test. IN A 127.0.1.2`,
		`hidden.example.dbl.test. IN A 127.255.255.254`,
	}
	lines = slices.DeleteFunc(lines, func(l string) bool {
		return slices.ContainsFunc(without, func(p string) bool { return strings.HasPrefix(l, p) })
	})
	s, err := resolve.NewStatic(strings.Join(lines, "\n"))
	authtest.NoErr(t, err)
	return s
}

const newsletter = `From: Shop <news@shop.example>
To: bob@example.org
Subject: Our sale
Date: Tue, 14 Nov 2023 22:00:00 +0000
Message-ID: <n1@shop.example>
List-Unsubscribe: <https://shop.example/u/1>
List-Unsubscribe-Post: List-Unsubscribe=One-Click
Feedback-ID: c1:news:shop
Reply-To: help@shop.example
MIME-Version: 1.0
Content-Type: text/plain

Sale starts now.
`

func sign(t *testing.T, msg string, s dkim.Signer) string {
	t.Helper()
	// Signer.Sign turns every LF into CRLF, so a signed (CRLF) message goes
	// back to LF before the next signature.
	out, err := s.Sign(strings.ReplaceAll(msg, "\r\n", "\n"))
	authtest.NoErr(t, err)
	return out
}

// signedNewsletter carries three signatures: ed25519 and rsa-sha256 by the
// shop (aligned), and the ESP's own 1024-bit one (not aligned), with l=.
func signedNewsletter(t *testing.T) string {
	msg := sign(t, newsletter, dkim.Signer{Domain: "esp.example", Selector: "esp", Key: authtest.RSA1024, Algorithm: "rsa-sha256",
		Canon: "relaxed/relaxed", Headers: "from:to:subject:date", BodyLength: 10})
	msg = sign(t, msg, dkim.Signer{Domain: "shop.example", Selector: "rsa", Key: authtest.RSA2048, Algorithm: "rsa-sha256",
		Canon: "relaxed/relaxed", Headers: "from:to:subject:date:message-id:list-unsubscribe:list-unsubscribe-post:feedback-id:mime-version:content-type"})
	return sign(t, msg, dkim.Signer{Domain: "shop.example", Selector: "ed", Key: authtest.Ed25519, Algorithm: "ed25519-sha256",
		Canon: "relaxed/relaxed", Headers: "from:subject:date", Expires: clock.Add(-time.Minute)})
}

func TestEvaluateASignedNewsletterOffline(t *testing.T) {
	z := senderZone(t)
	msg := signedNewsletter(t)
	res := Evaluate(context.Background(), z, []byte(msg), Options{
		Envelope: Envelope{IP: sendIP, HELO: "mail.shop.example", MailFrom: "bounce-1@bounces.shop.example"},
		Now:      clock, Blocklists: testZones, Domains: []string{"bad-tracker.example", "hidden.example", "cdn.example"},
	})
	if res.FromDomain != "shop.example" || res.FromCount != 1 {
		t.Fatalf("From = %q (%d)", res.FromDomain, res.FromCount)
	}
	if len(res.DKIM) != 3 {
		t.Fatalf("%d DKIM results, want 3: %+v", len(res.DKIM), res.DKIM)
	}
	ed, rsa, esp := res.DKIM[0], res.DKIM[1], res.DKIM[2]

	// The ed25519 signature expired a minute before the clock.
	if ed.Algorithm != "ed25519-sha256" || !ed.Expired || ed.Result == dkim.Pass {
		t.Errorf("ed25519: %+v, want an expired, non-passing signature", ed)
	}
	if rsa.Result != dkim.Pass || rsa.KeyBits != 2048 || rsa.KeyType != dkim.KeyRSA || !rsa.Aligned || !rsa.StrictAligned {
		t.Errorf("rsa: %+v", rsa)
	}
	for _, h := range []string{"List-Unsubscribe", "List-Unsubscribe-Post", "Feedback-ID"} {
		if !slices.Contains(rsa.Covered, h) || slices.Contains(ed.Covered, h) || !slices.Contains(ed.Uncovered, h) {
			t.Errorf("%s: rsa covered %v; ed covered %v uncovered %v", h, rsa.Covered, ed.Covered, ed.Uncovered)
		}
	}
	if !slices.Contains(rsa.Uncovered, "Reply-To") {
		t.Errorf("Reply-To is present and unsigned: uncovered %v", rsa.Uncovered)
	}
	if esp.Result != dkim.Pass || esp.KeyBits != 1024 || esp.Aligned || esp.BodyLength != 10 || esp.UnsignedBodyBytes == 0 {
		t.Errorf("esp: %+v, want a passing, unaligned 1024-bit l=10 signature", esp)
	}

	if res.SPF.Result != spf.Pass || res.SPF.Domain != "bounces.shop.example" || res.SPF.HELOResult != spf.Pass {
		t.Errorf("SPF: %+v", res.SPF)
	}
	d := res.DMARC
	if d.Result != dmarc.Pass || !d.DKIMAligned || !d.SPFAligned || d.Policy != dmarc.PolicyReject || !d.Enforced() {
		t.Errorf("DMARC: %+v", d)
	}
	if !slices.Equal(d.RUA, []string{"mailto:dmarc@shop.example", "mailto:agg@reports.example"}) || len(d.Reports) != 2 || !d.Reports[1].Authorized {
		t.Errorf("rua: %v reports %+v", d.RUA, d.Reports)
	}
	if res.ARC.CV != arc.None {
		t.Errorf("ARC: %+v", res.ARC)
	}
	if !res.BIMI.Eligible || res.BIMI.Domain != "shop.example" {
		t.Errorf("BIMI: %+v", res.BIMI)
	}

	in := res.Infra
	if in == nil || !in.FCrDNS || in.GenericPTR || !in.HELO.FQDN || !in.HELO.MatchesIP || !in.HELO.MatchesPTR || len(in.Listed()) != 0 || len(in.Listings) != 1 {
		t.Errorf("infra: %+v", in)
	}

	want := map[string]dnsbl.Status{
		"shop.example": dnsbl.NotListed, "bounces.shop.example": dnsbl.NotListed, "mail.shop.example": dnsbl.NotListed,
		"esp.example": dnsbl.NotListed, "bad-tracker.example": dnsbl.Listed, "hidden.example": dnsbl.Refused, "cdn.example": dnsbl.NotListed,
	}
	if len(res.Domains) != len(want) {
		t.Fatalf("domains %+v", res.Domains)
	}
	for _, dom := range res.Domains {
		if got := dom.Status(); got != want[dom.Domain] {
			t.Errorf("%s: %s, want %s", dom.Domain, got, want[dom.Domain])
		}
	}
	if got := res.Domains[0]; got.Domain != "shop.example" || !slices.Equal(got.Sources, []string{"from", "dkim"}) {
		t.Errorf("first domain %+v", got)
	}
}

func TestEvaluateADynamicListedSender(t *testing.T) {
	z := senderZone(t)
	res := Evaluate(context.Background(), z, []byte(newsletter), Options{
		Envelope: Envelope{IP: dynamicIP, HELO: "localhost", MailFrom: "news@shop.example"}, Now: clock, Blocklists: testZones})
	if len(res.DKIM) != 0 {
		t.Fatalf("unsigned message has DKIM results %+v", res.DKIM)
	}
	if res.SPF.Result != spf.Fail {
		t.Errorf("SPF %s, want fail for an IP outside ip4:192.0.2.0/24", res.SPF.Result)
	}
	if res.DMARC.Result != dmarc.Fail || res.DMARC.Disposition != dmarc.PolicyReject {
		t.Errorf("DMARC %+v", res.DMARC)
	}
	if res.BIMI.Eligible {
		t.Error("BIMI eligible on a DMARC fail")
	}
	in := res.Infra
	if !in.FCrDNS || !in.GenericPTR || !strings.Contains(in.GenericReason, "embeds the address") {
		t.Errorf("PTR: %+v", in)
	}
	if in.HELO.FQDN {
		t.Error("localhost taken as an FQDN")
	}
	if l := in.Listed(); len(l) != 1 || l[0].Reason != "listed for spam" {
		t.Errorf("IP listings %+v", in.Listings)
	}
}

func TestEvaluateForwardedThroughAList(t *testing.T) {
	z := senderZone(t)
	msg := signedNewsletter(t)
	// The list rewrites the Subject, adds a footer and seals.
	fwd := strings.Replace(msg, "Subject: Our sale", "Subject: [deals] Our sale", 1) + "-- \r\nlist footer\r\n"
	s := &arc.Sealer{Domain: "lists.example", Selector: "arc", Key: authtest.RSAOther, AuthServID: "lists.example", Time: clock}
	sealed, err := s.Seal([]byte(fwd), arc.None, "dkim=pass header.d=shop.example; dmarc=pass header.from=shop.example")
	authtest.NoErr(t, err)
	res := Evaluate(context.Background(), z, sealed, Options{Now: clock, NoBlocklists: true})
	for _, d := range res.DKIM {
		if d.Result == dkim.Pass && d.Domain == "shop.example" {
			t.Errorf("shop signature survived the list: %+v", d)
		}
	}
	if res.ARC.CV != arc.Pass || res.ARC.Instances != 1 || !strings.Contains(res.ARC.Hops[0], "dkim=pass header.d=shop.example") {
		t.Errorf("ARC %+v", res.ARC)
	}
	if res.SPF.Skipped == "" || res.Infra != nil {
		t.Errorf("no envelope: SPF %+v infra %+v", res.SPF, res.Infra)
	}
	for _, d := range res.Domains {
		if len(d.Results) != 0 {
			t.Errorf("blocklists were off but %s has results", d.Domain)
		}
	}
}

func TestEvaluateReportsTemporaryFailures(t *testing.T) {
	z := senderZone(t, "rsa._domainkey.shop.example", "_dmarc.shop.example")
	msg := signedNewsletter(t)
	z.SetError("rsa._domainkey.shop.example", resolve.ErrTimeout)
	z.SetError("_dmarc.shop.example", resolve.ErrServFail)
	res := Evaluate(context.Background(), z, []byte(msg), Options{Now: clock, NoBlocklists: true})
	if !res.DKIM[1].Temporary || res.DKIM[1].Result != dkim.TempError {
		t.Errorf("rsa: %+v", res.DKIM[1])
	}
	if res.DMARC.Result != dmarc.TempError || res.DMARC.Err == nil {
		t.Errorf("DMARC: %+v", res.DMARC)
	}
}

func TestEvaluateHostileInput(t *testing.T) {
	z := senderZone(t)
	for _, msg := range []string{"", "\r\n\r\n", "From:\r\n\r\n", "From: <@>\r\nFrom: a@b@c\r\n\r\n", strings.Repeat("DKIM-Signature: v=1\r\n", 50) + "\r\n"} {
		res := Evaluate(context.Background(), z, []byte(msg), Options{Now: clock, NoBlocklists: true})
		if res.Err != nil {
			t.Errorf("%q: %v", msg, res.Err)
		}
	}
	if res := Evaluate(context.Background(), z, make([]byte, 100), Options{MaxMessageBytes: 10}); res.Err == nil {
		t.Error("over the size limit accepted")
	}
}

func TestGenericPTR(t *testing.T) {
	ip := netip.MustParseAddr("203.0.113.45")
	cases := []struct {
		name    string
		generic bool
	}{
		{"mail.shop.example", false},
		{"mta45.shop.example", false},
		{"o1.ptr1234.sendgrid.net", false},
		{"203-0-113-45.static.isp.example", true},
		{"45.113.0.203.broadband.isp.example", true},
		{"host203000113045.isp.example", true},
		{"cb00712d.isp.example", true},
		{"dynamic-203-0-113.isp.example", true},
		{"pool-12.isp.example", true},
		{"dslam-admin.isp.example", false},
	}
	for _, c := range cases {
		if got := genericPTR(c.name, ip) != ""; got != c.generic {
			t.Errorf("%s: generic=%v, want %v", c.name, got, c.generic)
		}
	}
}
