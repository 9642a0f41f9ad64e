package dkim

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"strings"
	"testing"

	"github.com/bouncekit/bouncekit/authcheck/internal/authtest"
)

// verifyWithPrimitives checks the first DKIM-Signature of msg the way a
// DKIM-like protocol (ARC) built on the exported pieces would: split,
// parse the tag-list, look the key up, hash body and header fields, check
// the signature with the key.
func verifyWithPrimitives(t *testing.T, z *authtest.FakeZone, msg string) error {
	t.Helper()
	m := SplitMessage([]byte(msg))
	var self Header
	for _, h := range m.Headers {
		if strings.EqualFold(h.Name, "DKIM-Signature") {
			self = h
			break
		}
	}
	if self.Raw == nil {
		t.Fatal("no DKIM-Signature")
	}
	tags, err := ParseTagList(self.Value())
	authtest.NoErr(t, err)
	if len(tags) == 0 || tags[0].Name != "v" {
		t.Fatalf("tags %v", tags)
	}
	sig, err := ParseSignature(self.Value())
	authtest.NoErr(t, err)
	key, err := LookupKey(context.Background(), z, sig.Selector, sig.Domain)
	authtest.NoErr(t, err)
	bh := dkimHash(sig.Hash)
	bh.Write(CanonBody(m.Body, sig.BodyCan))
	if !bytes.Equal(bh.Sum(nil), sig.BodyHash) {
		return errors.New("body hash")
	}
	digest := HeaderHash(sig.Hash, m.Headers, sig.Headers, self.Raw, sig.HeaderCan)
	return key.VerifySignature(sig.Hash, digest, sig.Signature)
}

func TestPrimitivesVerifyTheRFC8463Example(t *testing.T) {
	z := authtest.NewFakeZone()
	z.TXT["brisbane._domainkey.football.example.com"] = []string{"v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="}
	if err := verifyWithPrimitives(t, z, rfc8463Message); err != nil {
		t.Fatalf("RFC 8463 example: %v", err)
	}
	tampered := strings.Replace(rfc8463Message, "Is dinner ready?", "Is lunch ready?", 1)
	if tampered == rfc8463Message {
		t.Fatal("tampering did not change the message")
	}
	if err := verifyWithPrimitives(t, z, tampered); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("tampered header: %v, want ErrBadSignature", err)
	}
}

func TestPrimitivesVerifyRSAAndRefuseWeakKeys(t *testing.T) {
	authtest.Keys(t)
	z := authtest.NewFakeZone()
	z.TXT["rsa._domainkey.example.com"] = []string{authtest.DKIMKeyRecord(t, authtest.RSA2048.Public(), "")}
	s := Signer{Domain: "example.com", Selector: "rsa", Key: authtest.RSA2048, Algorithm: "rsa-sha256", Canon: "relaxed/simple", Headers: "from:to:subject"}
	if err := verifyWithPrimitives(t, z, s.sign(t, authtest.Message)); err != nil {
		t.Fatalf("rsa-sha256: %v", err)
	}
	s.Algorithm = "rsa-sha1"
	if err := verifyWithPrimitives(t, z, s.sign(t, authtest.Message)); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("rsa-sha1: %v, want ErrBadSignature (RFC 8301 §3.1)", err)
	}
}

func TestHeaderHashTakesInstancesBottomUp(t *testing.T) {
	hs := SplitMessage([]byte("A: 1\r\nA: 2\r\nX: s; b=abc\r\n\r\n")).Headers
	self := hs[2].Raw
	got := HeaderHash("sha256", hs, []string{"a", "a", "a"}, self, CanonRelaxed)
	want := sha256.Sum256([]byte("a:2\r\na:1\r\nx:s; b=")) // the third "a" has no instance left
	if !bytes.Equal(got, want[:]) {
		t.Fatalf("header hash differs from the hand-made canonical input")
	}
	if c := string(CanonHeader(nil, []byte("Subject:  Hello \r\n\tthere \r\n"), CanonRelaxed)); c != "subject:Hello there\r\n" {
		t.Fatalf("relaxed header %q", c)
	}
	if c := string(CanonBody([]byte("a \r\n\r\n\r\n"), CanonRelaxed)); c != "a\r\n" {
		t.Fatalf("relaxed body %q", c)
	}
}
