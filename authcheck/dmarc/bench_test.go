package dmarc

import (
	"context"
	"testing"

	"github.com/bouncekit/bouncekit/authcheck/internal/authtest"
	"github.com/bouncekit/bouncekit/authcheck/psl"
)

func BenchmarkParseDMARC(b *testing.B) {
	const rec = "v=DMARC1; p=reject; sp=quarantine; pct=100; rua=mailto:dmarc@example.com,mailto:agg@reports.example.net!10m; ruf=mailto:f@example.com; adkim=r; aspf=s; fo=1"
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(rec); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDiscoverDMARC(b *testing.B) {
	r := authtest.DNS(b, openDMARCZone(b))
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		d := Discover(ctx, r, "leaf.mid.psdy.dmarcwalk.example.com")
		if d.Err != nil || d.OrgDomain != "mid.psdy.dmarcwalk.example.com" {
			b.Fatal(d.Err, d.OrgDomain)
		}
	}
}

func BenchmarkOrgDomain(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := psl.OrgDomain("www.news.example.co.uk"); err != nil {
			b.Fatal(err)
		}
	}
}
