package arc

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/bouncekit/bouncekit/authcheck/internal/authtest"
)

// benchMessage is a 3-hop chain (ed25519, RSA 2048, ed25519) on a ~20 KB
// newsletter body.
func benchMessage(b *testing.B) []byte {
	z := testZone(b)
	body := strings.Repeat("Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod.\r\n", 280)
	msg := []byte(strings.Replace(authtest.Message, "Hi Bob,", body, 1))
	var err error
	for i, s := range []*Sealer{listSealer(), relaySealer(), listSealer()} {
		cv := Pass
		if i == 0 {
			cv = None
		}
		if msg, err = s.Seal(msg, cv, "arc=pass"); err != nil {
			b.Fatal(err)
		}
	}
	if v := Validate(context.Background(), z, msg); v.Result != Pass {
		b.Fatalf("bench chain: %s", v.Reason)
	}
	return msg
}

func BenchmarkValidate(b *testing.B) {
	msg := benchMessage(b)
	z := testZone(b)
	b.SetBytes(int64(len(msg)))
	b.ReportAllocs()
	for b.Loop() {
		if v := Validate(context.Background(), z, msg); v.Result != Pass {
			b.Fatal(v.Reason)
		}
	}
}

func BenchmarkSealEd25519(b *testing.B) {
	msg := benchMessage(b)
	s := listSealer()
	s.Time = time.Unix(1700000300, 0)
	b.SetBytes(int64(len(msg)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Seal(msg, Pass, "arc=pass"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseSeal(b *testing.B) {
	v := "i=1; a=rsa-sha256; cv=none; d=example.org; s=dummy; t=12345; b=" + strings.Repeat("QUFB", 86)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseSeal(v); err != nil {
			b.Fatal(err)
		}
	}
}
