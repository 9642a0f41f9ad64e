package dnsbl_test

import (
	"context"
	"fmt"
	"net/netip"

	"github.com/bouncekit/bouncekit/authcheck/dnsbl"
	"github.com/bouncekit/bouncekit/authcheck/resolve"
)

func ExampleCheck() {
	// The answers Spamhaus gives: a PBL listing, and a refusal because the
	// query came through a public resolver.
	r, err := resolve.NewStatic(`
2.0.0.127.zen.spamhaus.org. A 127.0.0.11
example.net.dbl.spamhaus.org. A 127.255.255.254
`)
	if err != nil {
		panic(err)
	}
	zones := dnsbl.DefaultZones()[:2] // ZEN and DBL
	for _, res := range dnsbl.Check(context.Background(), r, netip.MustParseAddr("127.0.0.2"), []string{"example.net"}, zones) {
		fmt.Println(res.Subject, res.Zone, res.Status, res.Meanings)
	}
	// Output:
	// 127.0.0.2 zen.spamhaus.org listed [PBL: Spamhaus says the address should not send direct mail]
	// example.net dbl.spamhaus.org refused [refused by Spamhaus (public resolver, quota or bad query)]
}
