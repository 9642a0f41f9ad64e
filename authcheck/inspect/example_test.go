package inspect_test

import (
	"context"
	"fmt"
	"time"

	"github.com/bouncekit/bouncekit/authcheck/inspect"
)

// Example inspects a one-line promotion whose template failed to merge and
// whose link goes through a public shortener.
func Example() {
	msg := "From: Shop <news@shop.example>\n" +
		"To: kate@example.org\n" +
		"Subject: Hi {{first_name}}, 40% off\n" +
		"Date: Wed, 25 Nov 2026 14:00:00 +0000\n" +
		"Message-ID: <bf.1@shop.example>\n" +
		"\n" +
		"Shop now: https://bit.ly/bf40\n"
	r := inspect.Inspect(context.Background(), inspect.CRLF([]byte(msg)), inspect.Options{Now: time.Date(2026, 11, 25, 15, 0, 0, 0, time.UTC)})
	for _, f := range r.Checks {
		if f.Result == inspect.Fail {
			fmt.Printf("%s: %s\n", f.ID, f.Detail)
		}
	}
	for _, l := range r.Links {
		fmt.Printf("%s %s %s (%s)\n", l.Kind, l.Host, l.Domain, l.Redirect)
	}
	fmt.Printf("%d of %d passed\n", r.Passed, r.Total)
	// Output:
	// content.merge-tags: unrendered tags: Subject: {{first_name}}
	// links.shortener: public shorteners: bit.ly
	// bulk.dkim-signed: no DKIM-Signature
	// bulk.dmarc-alignment: neither the MAIL FROM domain nor a DKIM d= is under shop.example
	// link bit.ly bit.ly (shortener)
	// 37 of 41 passed
}
