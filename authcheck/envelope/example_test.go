package envelope_test

import (
	"context"
	"fmt"

	"github.com/bouncekit/bouncekit/authcheck/envelope"
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
	r, err := resolve.NewStatic(exampleZone + "\nnomail.example. MX 0 .\n")
	if err != nil {
		panic(err)
	}
	for _, d := range []string{"bounces@example.com", "nomail.example"} {
		res := envelope.Check(context.Background(), r, d)
		fmt.Println(res.Domain, "can receive:", res.CanReceive, "null MX:", res.NullMX)
	}
	// Output:
	// example.com can receive: true null MX: false
	// nomail.example can receive: false null MX: true
}
