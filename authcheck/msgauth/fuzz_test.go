package msgauth

import (
	"context"
	"net/netip"
	"testing"
	"time"

	"github.com/bouncekit/bouncekit/authcheck/resolve"
)

// FuzzEvaluate runs the whole evaluation on arbitrary messages against a
// small static zone: no panic, no hang, and every signature accounted for.
func FuzzEvaluate(f *testing.F) {
	f.Add([]byte(newsletter))
	f.Add([]byte("DKIM-Signature: v=1; a=rsa-sha256; d=shop.example; s=rsa; h=from; bh=AAAA; b=AAAA\r\nFrom: a@shop.example\r\n\r\nx\r\n"))
	f.Add([]byte("ARC-Seal: i=1; a=rsa-sha256; cv=none; d=x.example; s=s; b=AAAA\r\nFrom: <a@b.example>, c@d.example\r\n\r\n"))
	zone, err := resolve.NewStatic(`shop.example. IN TXT "v=spf1 ip4:192.0.2.0/24 -all"
_dmarc.shop.example. IN TXT "v=DMARC1; p=reject"
10.2.0.192.in-addr.arpa. IN PTR mail.shop.example.
mail.shop.example. IN A 192.0.2.10`)
	if err != nil {
		f.Fatal(err)
	}
	env := Envelope{IP: netip.MustParseAddr("192.0.2.10"), HELO: "mail.shop.example", MailFrom: "a@shop.example"}
	f.Fuzz(func(t *testing.T, msg []byte) {
		res := Evaluate(context.Background(), zone, msg, Options{Envelope: env, Now: time.Unix(1700000000, 0), NoBlocklists: true})
		if res.Err != nil {
			t.Fatalf("error on a small message: %v", res.Err)
		}
		for _, d := range res.DKIM {
			if d.Result == "" {
				t.Fatalf("a DKIM result without a token: %+v", d)
			}
		}
		if res.ARC.CV == "" || res.DMARC.Result == "" {
			t.Fatalf("empty verdicts: arc %q dmarc %q", res.ARC.CV, res.DMARC.Result)
		}
	})
}
