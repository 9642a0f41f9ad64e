package dmarc_test

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/bouncekit/bouncekit/authcheck/dmarcreport"
	"github.com/bouncekit/bouncekit/examples/dmarc"
)

// Reports -> sources -> is the CS01 stream authenticated? -> the advice.
func Example() {
	agg, err := dmarc.ReadDir("testdata")
	if err != nil {
		fmt.Println(err)
	}
	sum, _ := agg.Summary("example.com")
	fmt.Printf("%d reports, %d messages, %.1f%% pass DMARC\n", agg.Reports(), sum.Messages, 100*sum.PassRate())
	for _, s := range sum.Sources {
		fmt.Println(strings.TrimSpace(fmt.Sprintf("%-13s %5d  %-22s %s", s.IP, s.Messages, s.Class, s.Org)))
	}

	// Apple rejected the marketing stream, sent from the ESP's address.
	cs01 := dmarc.StreamAuthentication(sum, netip.MustParseAddr("198.51.100.7"))
	if cs01.Authenticated {
		fmt.Println("CS01 stream: authenticated; look at content")
	} else {
		fmt.Println("CS01 stream: authentication gap:", cs01.Gap)
	}

	adv := dmarcreport.Advise(dmarcreport.PolicyFromReport(sum.Policy), sum, dmarcreport.AdviceOptions{})
	fmt.Printf("stage %s, next %s (safe: %v) from %s: %s\n", adv.Stage, adv.Next.Stage, adv.Safe, adv.Next.Earliest, adv.Next.Record)
	for _, r := range adv.Reasons {
		fmt.Println("-", r)
	}
	for _, b := range adv.Blockers {
		fmt.Printf("blocks %s: %s\n", b.Blocks, b.Fix)
	}
	// Output:
	// 14 reports, 6140 messages, 98.0% pass DMARC
	// 192.0.2.10     4900  authorized             example.com
	// 198.51.100.7   1120  authorized_broken_dkim example.net
	// 203.0.113.9     120  spoofing
	// CS01 stream: authentication gap: DMARC passes on SPF alone for 1120 of 1120 messages: no aligned DKIM signature
	// stage none, next quarantine_test (safe: false) from 2025-12-13: v=DMARC1; p=quarantine; pct=0; t=y
	// - 7 days of reports; 14 needed at this stage
	// blocks reject_partial: example.net passes on SPF alone and signs as d=esp-mail.example.net: sign with d=example.com so that forwarded mail still passes
}
