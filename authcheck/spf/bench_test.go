package spf

import (
	"context"
	"net/netip"
	"testing"

	"github.com/bouncekit/bouncekit/authcheck/resolve"
	"github.com/bouncekit/bouncekit/internal/dnstest"
)

// spfBenchCase is one suite test ready to run.
type spfBenchCase struct {
	r              resolve.Resolver
	ip             netip.Addr
	domain, sender string
	helo           string
}

// spfBenchCases loads the RFC 7208 suite with a fake resolver per scenario.
func spfBenchCases(b *testing.B) []spfBenchCase {
	var cases []spfBenchCase
	for _, sc := range loadSPFSuite(b, "rfc7208-tests.yml") {
		r := spfSuiteResolver(b, sc, false)
		for _, tc := range sc.Tests {
			domain, sender := spfSuiteIdentity(tc)
			cases = append(cases, spfBenchCase{r, netip.MustParseAddr(tc.Host), domain, sender, tc.Helo})
		}
	}
	return cases
}

// BenchmarkCheckHost runs the 203 tests of the RFC 7208 suite once per
// iteration against the in-memory resolver: it measures evaluation, not
// DNS.
func BenchmarkCheckHost(b *testing.B) {
	cases := spfBenchCases(b)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		for _, c := range cases {
			CheckHost(ctx, c.r, c.ip, c.domain, c.sender, c.helo)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(cases)), "ns/check")
}

// BenchmarkCheckHostNoTrace is the same without the step-by-step trace.
func BenchmarkCheckHostNoTrace(b *testing.B) {
	cases := spfBenchCases(b)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		for _, c := range cases {
			CheckHostWith(ctx, c.r, c.ip, c.domain, c.sender, c.helo, Options{NoTrace: true})
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(cases)), "ns/check")
}

func BenchmarkParseSPF(b *testing.B) {
	const rec = "v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 a:mail.example.com/24 mx include:_spf.google.com include:spf.protection.outlook.com exists:%{ir}.%{v}._spf.%{d2} ~all"
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(rec); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCheckHostOverDNS is a full check (include and mx, 3 lookups)
// through the real resolver against dnstest.
func BenchmarkCheckHostOverDNS(b *testing.B) {
	srv := dnstest.New(b, spfUnitZone)
	r := resolve.NewClient(resolve.Config{Servers: []string{srv.Addr}})
	ip := netip.MustParseAddr("203.0.113.9")
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if out := CheckHost(ctx, r, ip, "example.test", "a@example.test", "h.example.test"); out.Result != Fail {
			b.Fatal(out.Result, out.Err)
		}
	}
}
