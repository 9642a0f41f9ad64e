package msgauth

import (
	"context"
	"strings"
	"testing"

	"github.com/bouncekit/bouncekit/authcheck/dkim"
	"github.com/bouncekit/bouncekit/authcheck/internal/authtest"
)

// BenchmarkEvaluateNewsletter evaluates a 100 KB newsletter signed with
// rsa-sha256 and ed25519-sha256, every check on, against a static zone.
func BenchmarkEvaluateNewsletter(b *testing.B) {
	z := senderZone(b)
	body := strings.Repeat("<p>Autumn sale: 30% off boots, coats and <a href=\"https://shop.example/x\">more</a>.</p>\n", 1100)
	msg := strings.Replace(newsletter, "Sale starts now.\n", body, 1)
	for _, s := range []dkim.Signer{
		{Domain: "shop.example", Selector: "rsa", Key: authtest.RSA2048, Algorithm: "rsa-sha256", Canon: "relaxed/relaxed", Headers: "from:to:subject:date:message-id"},
		{Domain: "shop.example", Selector: "ed", Key: authtest.Ed25519, Algorithm: "ed25519-sha256", Canon: "relaxed/relaxed", Headers: "from:to:subject:date"},
	} {
		out, err := s.Sign(strings.ReplaceAll(msg, "\r\n", "\n"))
		if err != nil {
			b.Fatal(err)
		}
		msg = out
	}
	opts := Options{Envelope: Envelope{IP: sendIP, HELO: "mail.shop.example", MailFrom: "bounce@bounces.shop.example"}, Now: clock,
		Blocklists: testZones, Domains: []string{"cdn.example", "bad-tracker.example"}}
	data := []byte(msg)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if res := Evaluate(context.Background(), z, data, opts); res.DMARC.Result != "pass" {
			b.Fatal(res.DMARC.Reason)
		}
	}
}
