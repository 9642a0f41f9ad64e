package authres

import "testing"

func BenchmarkParseAuthResults(b *testing.B) {
	const h = "mx.google.com; dkim=pass header.i=@example.com header.s=s1 header.b=AbC123; spf=pass (google.com: domain of bounce@example.com designates 192.0.2.1 as permitted sender) smtp.mailfrom=bounce@example.com; dmarc=pass (p=REJECT sp=REJECT dis=NONE) header.from=example.com"
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(h); err != nil {
			b.Fatal(err)
		}
	}
}
