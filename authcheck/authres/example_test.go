package authres_test

import (
	"fmt"

	"github.com/bouncekit/bouncekit/authcheck/authres"
)

func ExampleParse() {
	ar, err := authres.Parse("Authentication-Results: mx.google.com;\r\n" +
		"       dkim=pass header.i=@example.com header.s=s1;\r\n" +
		"       spf=softfail (google.com: domain of transitioning bounce@example.com does not designate 192.0.2.7 as permitted sender) smtp.mailfrom=bounce@example.com;\r\n" +
		"       dmarc=fail (p=REJECT sp=REJECT dis=REJECT) header.from=example.com")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("by", ar.AuthServID)
	for _, r := range ar.Results {
		fmt.Printf("%s=%s %v\n", r.Method, r.Result, r.Props)
	}
	dmarc, _ := ar.Find("dmarc")
	fmt.Println("dmarc comment:", dmarc.Comment)
	// Output:
	// by mx.google.com
	// dkim=pass [{header i @example.com} {header s s1}]
	// spf=softfail [{smtp mailfrom bounce@example.com}]
	// dmarc=fail [{header from example.com}]
	// dmarc comment: p=REJECT sp=REJECT dis=REJECT
}

func ExampleParseReceivedSPF() {
	rs, err := authres.ParseReceivedSPF(`Received-SPF: fail (mx.example.org: domain of a@example.com does not designate 198.51.100.7 as permitted sender) client-ip=198.51.100.7; envelope-from="a@example.com"; helo=mail.example.com;`)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(rs.Result, rs.ClientIP, rs.EnvelopeFrom, rs.HELO)
	// Output:
	// fail 198.51.100.7 a@example.com mail.example.com
}
