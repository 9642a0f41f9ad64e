package dmarc_test

import (
	"context"
	"fmt"

	"github.com/bouncekit/bouncekit/authcheck/dkim"
	"github.com/bouncekit/bouncekit/authcheck/dmarc"
	"github.com/bouncekit/bouncekit/authcheck/resolve"
	"github.com/bouncekit/bouncekit/authcheck/spf"
)

func ExampleParse() {
	rec, err := dmarc.Parse("v=DMARC1; p=quarantine; pct=50; rua=mailto:dmarc@example.com; adkim=s; fo=x")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("policy:", rec.Policy, "pct:", rec.Percent, "adkim:", rec.ADKIM, "aspf:", rec.ASPF)
	fmt.Println("rua:", rec.RUA[0].Domain)
	for _, is := range rec.Issues {
		fmt.Printf("%s %s: %s\n", is.Severity, is.Tag, is.Message)
	}
	// Output:
	// policy: quarantine pct: 50 adkim: s aspf: r
	// rua: example.com
	// warning pct: the policy applies to 50% of failing mail only
	// info pct: pct= is not part of RFC 9989; use t=y for testing
	// warning fo: unknown failure option "x" is ignored
}

func ExampleEvaluate() {
	rec, _ := dmarc.Parse("v=DMARC1; p=reject")
	d := &dmarc.Discovery{Domain: "example.com", PolicyDomain: "example.com", OrgDomain: "example.com", Record: rec}
	ev := dmarc.Evaluate(d, dmarc.Input{
		FromDomain: "example.com", FromDomainExists: true,
		SPFResult: spf.Pass, SPFDomain: "esp-bounces.example.net", // the ESP's return path
		DKIM: []dmarc.DKIMInput{{Domain: "esp.example.net", Result: dkim.Pass}},
	})
	fmt.Println(ev.Result, ev.Disposition)
	fmt.Println(ev.Reason)
	// Output:
	// fail reject
	// SPF passes for esp-bounces.example.net, not aligned with example.com (aspf=r); DKIM d=esp.example.net passes, not aligned (adkim=r)
}

func ExampleDiscover() {
	// A university publishes psd=n at dept level: the RFC 9989 tree walk
	// stops there, the RFC 7489 Public Suffix List method does not.
	r, err := resolve.NewStatic(`
_dmarc.example.ac.uk.      TXT "v=DMARC1; p=none; rua=mailto:d@example.ac.uk"
_dmarc.cs.example.ac.uk.   TXT "v=DMARC1; p=reject; psd=n"
_dmarc.list.example.ac.uk. TXT "v=DMARC1; p=quarantine"
_dmarc.list.example.ac.uk. TXT "v=DMARC1; p=none"
`)
	if err != nil {
		panic(err)
	}
	for _, domain := range []string{"mail.cs.example.ac.uk", "list.example.ac.uk"} {
		d := dmarc.Discover(context.Background(), r, domain)
		fmt.Printf("%s: tree walk org %s policy %s; PSL org %s policy %s\n", domain,
			d.OrgDomain, d.EffectivePolicy(true), d.PSLOrgDomain, d.PSLRecord.Policy)
		for _, q := range d.Trace {
			fmt.Println("  ", q.Name, q.Outcome)
		}
	}
	// Output:
	// mail.cs.example.ac.uk: tree walk org cs.example.ac.uk policy reject; PSL org example.ac.uk policy none
	//    _dmarc.mail.cs.example.ac.uk none
	//    _dmarc.cs.example.ac.uk record
	//    _dmarc.example.ac.uk record
	// list.example.ac.uk: tree walk org example.ac.uk policy none; PSL org example.ac.uk policy none
	//    _dmarc.list.example.ac.uk multiple
	//    _dmarc.example.ac.uk record
	//    _dmarc.ac.uk none
	//    _dmarc.uk none
}
