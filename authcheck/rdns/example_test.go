package rdns_test

import (
	"context"
	"fmt"
	"net/netip"

	"github.com/bouncekit/bouncekit/authcheck/rdns"
	"github.com/bouncekit/bouncekit/authcheck/resolve"
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

func ExampleCheck() {
	r, err := resolve.NewStatic(exampleZone)
	if err != nil {
		panic(err)
	}
	res := rdns.Check(context.Background(), r, netip.MustParseAddr("192.0.2.25"), "mx.example.com")
	fmt.Println(res.PTR, "FCrDNS:", res.FCrDNS, "HELO matches:", res.HELO.MatchesIP)
	// Output:
	// [mx.example.com] FCrDNS: true HELO matches: true
}
