package dnsbl

import (
	"context"
	"net/netip"
	"testing"

	"github.com/bouncekit/bouncekit/authcheck/resolve"
	"github.com/bouncekit/bouncekit/internal/dnstest"
)

// BenchmarkCheckBlocklists checks one IP and 20 domains on the default
// lists (3 + 60 queries) against dnstest.
func BenchmarkCheckBlocklists(b *testing.B) {
	srv := dnstest.New(b, blocklistZone)
	r := resolve.NewClient(resolve.Config{Servers: []string{srv.Addr}})
	domains := make([]string, 20)
	for i := range domains {
		domains[i] = "d" + string(rune('a'+i)) + ".example"
	}
	ip := netip.MustParseAddr("192.0.2.1")
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		Check(ctx, r, ip, domains, nil)
	}
}
