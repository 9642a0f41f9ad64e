package dkim

import (
	"context"
	"strings"
	"testing"

	"github.com/bouncekit/bouncekit/authcheck/internal/authtest"
)

func benchmarkDKIMVerify(b *testing.B, s Signer) {
	authtest.Keys(b)
	z := authtest.NewFakeZone()
	z.TXT["rsa._domainkey.example.com"] = []string{authtest.DKIMKeyRecord(b, authtest.RSA2048.Public(), "")}
	z.TXT["ed._domainkey.example.com"] = []string{authtest.DKIMKeyRecord(b, authtest.Ed25519.Public(), "")}
	body := strings.Repeat("A line of a typical marketing message body, with some   spaces.\n", 300) // ~20 KB
	msg := s.sign(b, authtest.Message+body)
	v := &Verifier{Resolver: z}
	ctx := context.Background()
	b.SetBytes(int64(len(msg)))
	b.ReportAllocs()
	for b.Loop() {
		res, err := v.Verify(ctx, strings.NewReader(msg))
		if err != nil || len(res) != 1 || res[0].Result != Pass {
			b.Fatalf("%v %+v", err, res)
		}
	}
}

func BenchmarkDKIMVerify(b *testing.B) {
	authtest.Keys(b)
	b.Run("rsa-sha256-relaxed", func(b *testing.B) {
		benchmarkDKIMVerify(b, Signer{Domain: "example.com", Selector: "rsa", Key: authtest.RSA2048, Algorithm: "rsa-sha256", Canon: "relaxed/relaxed", Headers: "from:to:subject:date:message-id"})
	})
	b.Run("rsa-sha256-simple", func(b *testing.B) {
		benchmarkDKIMVerify(b, Signer{Domain: "example.com", Selector: "rsa", Key: authtest.RSA2048, Algorithm: "rsa-sha256", Canon: "simple/simple", Headers: "from:to:subject:date:message-id"})
	})
	b.Run("ed25519-sha256-relaxed", func(b *testing.B) {
		benchmarkDKIMVerify(b, Signer{Domain: "example.com", Selector: "ed", Key: authtest.Ed25519, Algorithm: "ed25519-sha256", Canon: "relaxed/relaxed", Headers: "from:to:subject:date:message-id"})
	})
}

func BenchmarkParseDKIMKey(b *testing.B) {
	authtest.Keys(b)
	rec := authtest.DKIMKeyRecord(b, authtest.RSA2048.Public(), "")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseKey(rec); err != nil {
			b.Fatal(err)
		}
	}
}
