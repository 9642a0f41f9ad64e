package retest_test

import (
	"fmt"

	"github.com/bouncekit/bouncekit/authcheck/inspect/retest"
)

// Example plans the retest of a message with a click-tracking link, for a
// campaign that fails 3 % of its Apple recipients.
func Example() {
	msg := "From: Shop <news@shop.example>\r\nTo: Kate <kate@icloud.com>\r\nSubject: Black Friday\r\n" +
		"Message-ID: <bf.1@shop.example>\r\nDKIM-Signature: v=1; a=rsa-sha256; d=shop.example; s=s1; h=from:subject; bh=x; b=y\r\n" +
		"Content-Type: text/html; charset=utf-8\r\n\r\n" +
		"<p>Hi Kate, <a href=\"https://click.esp.example/c?url=https%3A%2F%2Fwww.shop.example%2Fbf\">shop now</a></p>\r\n"
	p, err := retest.New([]byte(msg), retest.Facts{Observed: 0.03})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, v := range p.Variants {
		fmt.Printf("%s: %d sends, %d+ failures above watch\n", v.File, v.Sends, v.Critical)
	}
	fmt.Println(p.Variants[0].Changes)
	fmt.Println(p.Variants[0].Breaks[0])
	// Output:
	// 01-plain.eml: 108 sends, 3+ failures above watch
	// 02-host-click.esp.example.eml: 108 sends, 3+ failures above watch
	// 03-personalised.eml: 108 sends, 3+ failures above watch
	// 04-production.eml: 108 sends, 3+ failures above watch
	// [tracking redirects replaced by their targets (1) personal values made static (Kate, kate → "there")]
	// DKIM d=shop.example s=s1: the body hash (bh=) no longer matches the rewritten body
}
