package authcheck

import (
	"context"
	"net/netip"
	"testing"
	"time"

	"github.com/bouncekit/bouncekit/authcheck/resolve"
	"github.com/bouncekit/bouncekit/internal/dnstest"
)

// BenchmarkCheckSender runs the whole check against a local dnstest server:
// SPF, DMARC, two DKIM selectors, rDNS/HELO, envelope, MTA-STS/TLS-RPT and
// the default blocklists for the IP and four domains. "nocache" sends every
// query to the server; "cache" uses the resolver's TTL cache, as a triage
// loop over many campaigns of one sender would.
func BenchmarkCheckSender(b *testing.B) {
	addr := dnstest.Start(b, senderZone(b))
	in := SenderInput{IP: netip.MustParseAddr("192.0.2.10"), HELO: "mail.example.com", MailFrom: "bounces@bounce.example.com",
		FromDomain: "example.com", DKIMSelectors: []string{"s2048", "ed"}, LinkDomains: []string{"cdn.example.com"}}
	for _, tc := range []struct {
		name  string
		cache int
	}{{"nocache", 0}, {"cache", 4096}} {
		b.Run(tc.name, func(b *testing.B) {
			r := resolve.NewClient(resolve.Config{Servers: []string{addr}, Timeout: time.Second, CacheSize: tc.cache})
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				rep, err := CheckSender(ctx, r, in)
				if err != nil || rep.Count(SeverityError) != 0 {
					b.Fatal(err, codes(rep))
				}
			}
		})
	}
}
