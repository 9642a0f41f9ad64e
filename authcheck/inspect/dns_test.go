package inspect

import (
	"context"
	"encoding/json"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/bouncekit/bouncekit/authcheck/arc"
	"github.com/bouncekit/bouncekit/authcheck/dkim"
	"github.com/bouncekit/bouncekit/authcheck/dnsbl"
	"github.com/bouncekit/bouncekit/authcheck/internal/authtest"
	"github.com/bouncekit/bouncekit/authcheck/resolve"
)

var dnsClock = time.Unix(1700000500, 0)

var dnsTestLists = []dnsbl.Zone{
	{Name: "Test IP list", Zone: "ipbl.test", Kind: dnsbl.IP, Codes: []dnsbl.Code{
		{Match: netip.MustParsePrefix("127.0.0.2/32"), Meaning: "spam source"},
		{Match: netip.MustParsePrefix("127.255.255.254/32"), Meaning: "refused", Refused: true}}},
	{Name: "Test domain list", Zone: "dbl.test", Kind: dnsbl.Domain, Codes: []dnsbl.Code{
		{Match: netip.MustParsePrefix("127.0.1.2/32"), Meaning: "spam domain"},
		{Match: netip.MustParsePrefix("127.255.255.254/32"), Meaning: "refused", Refused: true}}},
}

func dnsZone(t *testing.T, extra ...string) *resolve.Static {
	t.Helper()
	authtest.Keys(t)
	lines := append([]string{
		"rsa._domainkey.shop.example. IN TXT " + authtest.ZoneTXT(authtest.DKIMKeyRecord(t, authtest.RSA2048.Public(), "")),
		"ed._domainkey.shop.example. IN TXT " + authtest.ZoneTXT(authtest.DKIMKeyRecord(t, authtest.Ed25519.Public(), "")),
		"arc._domainkey.lists.example. IN TXT " + authtest.ZoneTXT(authtest.DKIMKeyRecord(t, authtest.RSAOther.Public(), "")),
		`bounces.shop.example. IN TXT "v=spf1 ip4:192.0.2.10 -all"`,
		`mail.shop.example. IN A 192.0.2.10`,
		`mail.shop.example. IN TXT "v=spf1 a -all"`,
		`_dmarc.shop.example. IN TXT "v=DMARC1; p=reject; rua=mailto:dmarc@shop.example"`,
		`10.2.0.192.in-addr.arpa. IN PTR mail.shop.example.`,
		`track.example.dbl.test. IN A 127.0.1.2`,
	}, extra...)
	z, err := resolve.NewStatic(strings.Join(lines, "\n"))
	authtest.NoErr(t, err)
	return z
}

const dnsNewsletter = "From: Shop <news@shop.example>\nTo: bob@example.org\nSubject: Sale\n" +
	"Date: Tue, 14 Nov 2023 22:00:00 +0000\nMessage-ID: <n1@shop.example>\n" +
	"List-Unsubscribe: <https://shop.example/u/1>\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\n" +
	"MIME-Version: 1.0\nContent-Type: text/html; charset=utf-8\n\n" +
	"<p>Sale! <a href=\"https://track.example/c?u=https%3A%2F%2Fshop.example%2Fsale\">shop</a></p>\n"

func dnsSign(t *testing.T, msg string, s dkim.Signer) string {
	t.Helper()
	out, err := s.Sign(strings.ReplaceAll(msg, "\r\n", "\n"))
	authtest.NoErr(t, err)
	return out
}

func signedShop(t *testing.T) string {
	authtest.Keys(t)
	m := dnsSign(t, dnsNewsletter, dkim.Signer{Domain: "shop.example", Selector: "rsa", Key: authtest.RSA2048, Algorithm: "rsa-sha256",
		Canon: "relaxed/relaxed", Headers: "from:to:subject:date:message-id:list-unsubscribe:list-unsubscribe-post"})
	return dnsSign(t, m, dkim.Signer{Domain: "shop.example", Selector: "ed", Key: authtest.Ed25519, Algorithm: "ed25519-sha256",
		Canon: "relaxed/relaxed", Headers: "from:to:subject:date:message-id:list-unsubscribe:list-unsubscribe-post"})
}

func inspectDNS(t *testing.T, z resolve.Resolver, msg string, env Envelope) Report {
	t.Helper()
	opts := WithDNS(Options{Envelope: env, Now: dnsClock}, DNS{Resolver: z, Blocklists: dnsTestLists})
	return Inspect(context.Background(), []byte(msg), opts)
}

func wantResults(t *testing.T, rep Report, want map[string]Result) {
	t.Helper()
	for id, w := range want {
		f, ok := rep.Finding(id)
		if !ok {
			t.Errorf("%s did not run", id)
			continue
		}
		if f.Result != w {
			t.Errorf("%s = %s (%s), want %s", id, f.Result, f.Detail, w)
		}
		if (f.Result == Warn || f.Result == Fail) && f.Fix == "" {
			t.Errorf("%s: %s without a fix", id, f.Result)
		}
	}
}

var goodEnvelope = Envelope{IP: netip.MustParseAddr("192.0.2.10"), HELO: "mail.shop.example", MailFrom: "b@bounces.shop.example"}

func TestDNSChecksOnAWellSentNewsletter(t *testing.T) {
	rep := inspectDNS(t, dnsZone(t), signedShop(t), goodEnvelope)
	wantResults(t, rep, map[string]Result{
		"auth.dkim.verify": Pass, "auth.dkim.aligned": Pass, "auth.dkim.algorithm": Pass, "auth.dkim.key-size": Pass,
		"auth.dkim.expiry": Pass, "auth.dkim.body-length": Pass, "auth.dkim.signed-headers": Pass,
		"auth.spf": Pass, "auth.spf-helo": Pass, "auth.dmarc": Pass, "auth.dmarc-policy": Pass,
		"auth.dmarc-alignment": Pass, "auth.dmarc-rua": Pass, "auth.arc": Info, "auth.bimi": Info,
		"infra.ptr": Pass, "infra.fcrdns": Pass, "infra.generic-ptr": Pass, "infra.helo-fqdn": Pass,
		"infra.helo-matches": Pass, "infra.ip-blocklists": Pass,
		"domains.sender-blocklists": Pass, "domains.link-blocklists": Fail,
		"bulk.spf-and-dkim": Pass, "bulk.dmarc-published": Pass, "bulk.dmarc-pass": Pass, "bulk.rdns": Pass,
	})
	if f, _ := rep.Finding("domains.link-blocklists"); !strings.Contains(f.Detail, "track.example") {
		t.Errorf("listed link host not named: %s", f.Detail)
	}

	// The JSON contract: dkim, spf, dmarc, arc filled from the evaluation.
	b, err := json.Marshal(rep)
	authtest.NoErr(t, err)
	var got struct {
		DKIM  []struct{ Domain, Selector, Algorithm, Result, Reason string }
		SPF   struct{ Result, Domain, IP string }
		DMARC struct {
			Result, Domain, Policy string
			DKIMAligned            bool `json:"dkim_aligned"`
			RUA                    []string
		}
		ARC struct {
			CV        string
			Instances int
		}
	}
	authtest.NoErr(t, json.Unmarshal(b, &got))
	if len(got.DKIM) != 2 || got.DKIM[0].Algorithm != "ed25519-sha256" || got.DKIM[1].Result != "pass" || got.DKIM[0].Selector != "ed" {
		t.Errorf("dkim %+v", got.DKIM)
	}
	if got.SPF.Result != "pass" || got.SPF.Domain != "bounces.shop.example" || got.SPF.IP != "192.0.2.10" {
		t.Errorf("spf %+v", got.SPF)
	}
	if got.DMARC.Result != "pass" || got.DMARC.Policy != "reject" || !got.DMARC.DKIMAligned || len(got.DMARC.RUA) != 1 {
		t.Errorf("dmarc %+v", got.DMARC)
	}
	if got.ARC.CV != "none" || got.ARC.Instances != 0 {
		t.Errorf("arc %+v", got.ARC)
	}
}

func TestDNSChecksOnABadlySentMessage(t *testing.T) {
	// Unsigned, from a dynamic-looking listed IP with a bare HELO, no SPF
	// for the envelope and a p=none DMARC record.
	z := dnsZone(t,
		`7.100.51.198.in-addr.arpa. IN PTR 198-51-100-7.dyn.isp.example.`,
		`198-51-100-7.dyn.isp.example. IN A 198.51.100.7`,
		`7.100.51.198.ipbl.test. IN A 127.0.0.2`,
		`_dmarc.other.example. IN TXT "v=DMARC1; p=none"`,
		`hidden.example.dbl.test. IN A 127.255.255.254`,
	)
	msg := strings.Replace(dnsNewsletter, "news@shop.example", "news@other.example", 1)
	msg = strings.Replace(msg, "track.example", "hidden.example", 1)
	rep := inspectDNS(t, z, msg, Envelope{IP: netip.MustParseAddr("198.51.100.7"), HELO: "localhost", MailFrom: "news@other.example"})
	wantResults(t, rep, map[string]Result{
		"auth.dkim.verify": Fail, "auth.dkim.aligned": Fail, "auth.spf": Fail, "auth.dmarc": Fail,
		"auth.dmarc-policy": Warn, "auth.dmarc-alignment": Fail, "auth.dmarc-rua": Warn,
		"infra.fcrdns": Pass, "infra.generic-ptr": Warn, "infra.helo-fqdn": Fail, "infra.ip-blocklists": Fail,
		// A refusal code is never a listing.
		"domains.link-blocklists": Warn,
		"bulk.spf-and-dkim":       Fail, "bulk.dmarc-pass": Fail,
	})
}

func TestDNSChecksOnAForwardedMessage(t *testing.T) {
	z := dnsZone(t)
	fwd := strings.Replace(signedShop(t), "Subject: Sale", "Subject: [deals] Sale", 1) + "-- \r\nfooter\r\n"
	s := &arc.Sealer{Domain: "lists.example", Selector: "arc", Key: authtest.RSAOther, AuthServID: "lists.example", Time: dnsClock}
	sealed, err := s.Seal([]byte(fwd), arc.None, "dkim=pass header.d=shop.example")
	authtest.NoErr(t, err)
	rep := inspectDNS(t, z, string(sealed), Envelope{})
	wantResults(t, rep, map[string]Result{"auth.dkim.verify": Fail, "auth.arc": Pass, "auth.spf": Skip, "infra.ptr": Skip})
	if rep.ARC == nil || rep.ARC.CV != "pass" || rep.ARC.Instances != 1 {
		t.Errorf("arc section %+v", rep.ARC)
	}
	// Tampering after the seal breaks the chain at instance 1.
	rep = inspectDNS(t, z, string(sealed)+"tracking\r\n", Envelope{})
	wantResults(t, rep, map[string]Result{"auth.arc": Fail})
}

func TestDNSChecksSkipWithoutAResolver(t *testing.T) {
	rep := Inspect(context.Background(), []byte(dnsNewsletter), Options{Extra: DNSChecks()})
	for _, c := range DNSChecks() {
		f, ok := rep.Finding(c.ID)
		if !ok || f.Result != Skip || !strings.Contains(f.Detail, "no DNS source") {
			t.Errorf("%s: %+v", c.ID, f)
		}
	}
}

func TestDNSCheckIDsAreStableAndDocumented(t *testing.T) {
	seen := map[string]bool{}
	groups := map[Group]int{}
	for _, c := range append(Checks(), DNSChecks()...) {
		if seen[c.ID] {
			t.Errorf("duplicate id %s", c.ID)
		}
		seen[c.ID] = true
	}
	for _, c := range DNSChecks() {
		groups[c.Group]++
		if c.Ref == "" || c.Title == "" || c.Run == nil {
			t.Errorf("%s lacks a title, reference or body", c.ID)
		}
	}
	if n := len(DNSChecks()); n < 17 || groups[GroupAuthentication] == 0 || groups[GroupInfrastructure] == 0 || groups[GroupDomains] == 0 || groups[GroupBulkSender] == 0 {
		t.Fatalf("%d DNS checks by group %v", n, groups)
	}
}

func TestDNSChecksSurviveHostileMessages(t *testing.T) {
	z := dnsZone(t)
	for _, msg := range []string{"", "\r\n", "DKIM-Signature: v=1; d=; s=\r\nARC-Seal: i=99\r\nFrom: <>\r\n\r\n",
		strings.Repeat("ARC-Seal: i=1; a=rsa-sha256; cv=none; d=x.example; s=s; b=AAAA\r\n", 200) + "\r\n"} {
		rep := inspectDNS(t, z, msg, goodEnvelope)
		if len(rep.Checks) == 0 {
			t.Fatalf("%q: no checks ran", msg)
		}
	}
}
