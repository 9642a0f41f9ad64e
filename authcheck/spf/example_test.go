package spf_test

import (
	"context"
	"fmt"
	"net/netip"

	"github.com/bouncekit/bouncekit/authcheck/resolve"
	"github.com/bouncekit/bouncekit/authcheck/spf"
)

// A sending setup as zone-file text; tests and examples answer from memory
// so nothing reaches the network. In production use resolve.NewClient.
const exampleZone = `
$ORIGIN example.com.
@        TXT  "v=spf1 ip4:192.0.2.0/24 include:_spf.esp.example -all"
@        MX   10 mx.example.com.
mx       A    192.0.2.25
_spf.esp.example. TXT "v=spf1 ip4:198.51.100.0/24 ptr ~all"
$ORIGIN 25.2.0.192.in-addr.arpa.
@        PTR  mx.example.com.
`

func ExampleCheckHost() {
	r, err := resolve.NewStatic(exampleZone)
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	for _, ip := range []string{"198.51.100.7", "203.0.113.9"} {
		out := spf.CheckHost(ctx, r, netip.MustParseAddr(ip), "example.com", "bounces@example.com", "mx.example.com")
		fmt.Printf("%s: %s (matched %q, %d lookups)\n", ip, out.Result, out.Mechanism, out.Lookups)
	}
	// Output:
	// 198.51.100.7: pass (matched "include:_spf.esp.example", 1 lookups)
	// 203.0.113.9: fail (matched "-all", 2 lookups)
}

func ExampleParse() {
	rec, err := spf.Parse("v=spf1 a/24 mx:mail.example.com ip6:2001:db8::/32 include:_spf.example.net ~all exp=why.%{d}")
	if err != nil {
		panic(err)
	}
	for _, m := range rec.Mechanisms {
		fmt.Printf("%-8s %-8s %s\n", m.Kind, m.Qualifier.Result(), m)
	}
	fmt.Println("exp:", rec.Exp)
	_, err = spf.Parse("v=spf1 ip4:192.0.2.0/33 -all")
	fmt.Println(err)
	// Output:
	// a        pass     a/24
	// mx       pass     mx:mail.example.com
	// ip6      pass     ip6:2001:db8::/32
	// include  pass     include:_spf.example.net
	// all      softfail ~all
	// exp: why.%{d}
	// spf: syntax error in "ip4:192.0.2.0/33": prefix length /33 over /32
}

func ExampleLint() {
	r, err := resolve.NewStatic(exampleZone)
	if err != nil {
		panic(err)
	}
	l := spf.Lint(context.Background(), r, "example.com")
	fmt.Println("lookups:", l.Lookups)
	for _, issue := range l.Issues {
		fmt.Println(issue.Code, issue.Domain, issue.Term)
	}
	// Output:
	// lookups: 2
	// spf.ptr _spf.esp.example ptr
}
