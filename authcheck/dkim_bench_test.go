package authcheck

import (
	"context"
	"strings"
	"testing"
)

func benchmarkDKIMVerify(b *testing.B, s Signer) {
	testKeys(b)
	z := newFakeZone()
	z.TXT["rsa._domainkey.example.com"] = []string{dkimKeyRecord(b, testRSA2048.Public(), "")}
	z.TXT["ed._domainkey.example.com"] = []string{dkimKeyRecord(b, testEd.Public(), "")}
	body := strings.Repeat("A line of a typical marketing message body, with some   spaces.\n", 300) // ~20 KB
	msg := s.sign(b, testMessage+body)
	v := &DKIMVerifier{Resolver: z}
	ctx := context.Background()
	b.SetBytes(int64(len(msg)))
	b.ReportAllocs()
	for b.Loop() {
		res, err := v.Verify(ctx, strings.NewReader(msg))
		if err != nil || len(res) != 1 || res[0].Result != DKIMPass {
			b.Fatalf("%v %+v", err, res)
		}
	}
}

func BenchmarkDKIMVerify(b *testing.B) {
	testKeys(b)
	b.Run("rsa-sha256-relaxed", func(b *testing.B) {
		benchmarkDKIMVerify(b, Signer{Domain: "example.com", Selector: "rsa", Key: testRSA2048, Algorithm: "rsa-sha256", Canon: "relaxed/relaxed", Headers: "from:to:subject:date:message-id"})
	})
	b.Run("rsa-sha256-simple", func(b *testing.B) {
		benchmarkDKIMVerify(b, Signer{Domain: "example.com", Selector: "rsa", Key: testRSA2048, Algorithm: "rsa-sha256", Canon: "simple/simple", Headers: "from:to:subject:date:message-id"})
	})
	b.Run("ed25519-sha256-relaxed", func(b *testing.B) {
		benchmarkDKIMVerify(b, Signer{Domain: "example.com", Selector: "ed", Key: testEd, Algorithm: "ed25519-sha256", Canon: "relaxed/relaxed", Headers: "from:to:subject:date:message-id"})
	})
}

func BenchmarkParseDKIMKey(b *testing.B) {
	testKeys(b)
	rec := dkimKeyRecord(b, testRSA2048.Public(), "")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseDKIMKey(rec); err != nil {
			b.Fatal(err)
		}
	}
}
