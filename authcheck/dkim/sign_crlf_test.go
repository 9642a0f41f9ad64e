package dkim_test

import (
	"crypto/ed25519"
	"strings"
	"testing"

	"github.com/bouncekit/bouncekit/authcheck/dkim"
)

// Signing a message that already has CRLF line ends (a second signature)
// keeps them CRLF.
func TestSignKeepsCRLF(t *testing.T) {
	_, key, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	s := dkim.Signer{Domain: "example.com", Selector: "s1", Key: key, Algorithm: "ed25519-sha256", Canon: "relaxed/relaxed", Headers: "from:subject"}
	once, err := s.Sign("From: a@example.com\nSubject: hi\n\nbody\n")
	if err != nil {
		t.Fatal(err)
	}
	twice, err := s.Sign(once)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(twice, "\r\r") || strings.Count(twice, "\n") != strings.Count(twice, "\r\n") {
		t.Errorf("line ends broken: %q", twice)
	}
}
