package triage_test

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"strings"
	"time"

	"github.com/bouncekit/bouncekit/authcheck"
	"github.com/bouncekit/bouncekit/authcheck/dnsbl"
	"github.com/bouncekit/bouncekit/authcheck/resolve"
	"github.com/bouncekit/bouncekit/examples/triage"
)

// The sender's DNS and a domain blocklist, as a local server serves them.
const zone = `
shop.example.             TXT "v=spf1 ip4:192.0.2.0/24 -all"
shop.example.             MX  10 mx.shop.example.
mail.shop.example.        TXT "v=spf1 ip4:192.0.2.0/24 -all"
mail.shop.example.        MX  10 mx.shop.example.
mx.shop.example.          A   192.0.2.20
mta1.shop.example.        A   192.0.2.10
10.2.0.192.in-addr.arpa.  PTR mta1.shop.example.
_dmarc.shop.example.      TXT "v=DMARC1; p=none; rua=mailto:dmarc@shop.example"
s1._domainkey.shop.example. TXT "v=DKIM1; k=ed25519; p=AMFDXBzZ/Elx/ZMJs8haJK7GUj9CZHNq716qeTtQXxc="
clickfast.example.dbl.test. A 127.0.1.2
`

// campaign builds the event log of one Black Friday send: 6,000 recipients,
// 40 Apple CS01 rejections that all carry the go.clickfast.example link, and
// a handful of ordinary unknown users at Gmail.
func campaign() string {
	var b strings.Builder
	b.WriteString("time,recipient,outcome,reply,campaign,template,sending_ip,link_host,first_name\n")
	domains := []string{"gmail.com", "icloud.com", "outlook.com", "yahoo.com", "me.com", "gmail.com"}
	cs01 := 0
	for i := range 6000 {
		d := domains[i%len(domains)]
		link := "www.shop.example"
		if i%5 == 0 {
			link = "go.clickfast.example"
		}
		outcome, reply := "delivered", "250 2.0.0 OK"
		switch {
		case (d == "icloud.com" || d == "me.com") && link == "go.clickfast.example" && cs01 < 40 && i%3 == 1:
			outcome, reply = "bounced", "554 5.7.1 [CS01] Message rejected due to local policy"
			cs01++
		case d == "gmail.com" && i%701 == 0:
			outcome, reply = "bounced", "550 5.1.1 The email account that you tried to reach does not exist. - gsmtp"
		}
		fmt.Fprintf(&b, "2026-11-25T14:%02d:%02dZ,u%05d@%s,%s,%q,black-friday,bf-v2,192.0.2.10,%s,set\n",
			i/100%60, i%60, i, d, outcome, reply, link)
	}
	return b.String()
}

func Example() {
	dnsSrv, err := startZone(zone)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer dnsSrv.Close()
	resolver := resolve.NewClient(resolve.Config{Servers: []string{dnsSrv.Addr()}, Timeout: 2 * time.Second})

	f, err := os.Open("testdata/cs01.eml")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer f.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	res, err := triage.Run(ctx, triage.Input{
		Bounce:   f,
		Events:   strings.NewReader(campaign()),
		Provider: "apple",
		Sender: triage.Sender{
			IP: netip.MustParseAddr("192.0.2.10"), HELO: "mta1.shop.example",
			MailFrom: "bounces@mail.shop.example", FromDomain: "shop.example", Selectors: []string{"s1"},
		},
		Resolver: resolver,
		Blocklists: []dnsbl.Zone{{
			Name: "Test DBL", Zone: "dbl.test", Kind: dnsbl.Domain, Registrable: true,
			Codes: []dnsbl.Code{{Match: netip.MustParsePrefix("127.0.1.0/24"), Meaning: "spam domain"}},
		}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}

	v := res.Verdict
	fmt.Printf("bounce: %s %s, hint %s, retry %v, suppress %v (rule %s)\n", v.Severity, v.Category, v.Hint, v.Retry, v.Suppress, v.Rule)
	fmt.Println("domains in the message:", res.Domains)
	p := res.Provider
	fmt.Printf("apple: %d sent, %d bounced, rate %.2f%%, level %s\n", p.Counts.Sent(), p.Counts.Bounced, 100*p.Rate.Rate, p.Level)
	for _, f := range res.Findings {
		fmt.Printf("finding: %s=%s failed %d delivered %d\n", f.Attribute, f.Value, f.Failed, f.Delivered)
	}
	if d := res.Diagnosis; d != nil {
		fmt.Println("pattern:", d.Pattern)
		fmt.Println("next step:", d.NextStep)
	}
	for _, f := range res.Auth.Findings {
		if f.Severity != authcheck.SeverityInfo {
			fmt.Printf("auth: %s %s %s\n", f.Severity, f.Code, f.Subject)
		}
	}
	// Output:
	// bounce: hard content_policy, hint content, retry false, suppress false (rule apple-cs01)
	// domains in the message: [shop.example clickfast.example]
	// apple: 2000 sent, 40 bounced, rate 2.00%, level investigate
	// finding: link_host=go.clickfast.example failed 40 delivered 360
	// pattern: link_host
	// next step: Check go.clickfast.example and its redirect chain against domain blocklists and URL reputation; send a variant without it (or on another host) to a small apple segment before the next large send.
	// auth: error blocklist.listed clickfast.example on dbl.test
	// auth: warning dmarc.policy_none shop.example
}
