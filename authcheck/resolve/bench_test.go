package resolve

import (
	"context"
	"testing"

	"github.com/bouncekit/bouncekit/internal/dnstest"
)

// BenchmarkDNSResolver measures one TXT lookup over UDP against an
// in-process dnstest server on 127.0.0.1, without and with the cache.
func BenchmarkDNSResolver(b *testing.B) {
	srv := dnstest.New(b, dnsTestZone)
	ctx := context.Background()
	for _, bc := range []struct {
		name  string
		cache int
	}{{"uncached", 0}, {"cached", 1024}} {
		b.Run(bc.name, func(b *testing.B) {
			r := NewClient(Config{Servers: []string{srv.Addr}, CacheSize: bc.cache})
			b.ReportAllocs()
			for b.Loop() {
				if _, err := r.LookupTXT(ctx, "example.test"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
