// Signing: making a DKIM-Signature with the same canonicalisation and
// header hash the verifier uses (RFC 6376 §5).

package dkim

import (
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"fmt"
	"strings"
	"time"
)

// Signer makes DKIM-Signature fields (RFC 6376 §5), for tests of
// verifiers and of what is built on DKIM (DMARC, ARC). It shares the
// canonicalisation and header-hash code with the verifier, so the
// package's test of the RFC's own canonicalisation example pins both. The
// zero value is not usable: Domain, Selector, Key, Algorithm, Canon and
// Headers are required. Safe for concurrent use.
type Signer struct {
	Domain, Selector string
	Key              crypto.Signer // *rsa.PrivateKey or ed25519.PrivateKey
	Algorithm        string        // a=: rsa-sha256, ed25519-sha256, rsa-sha1
	Canon            string        // c=: "relaxed/relaxed", "simple/simple"...
	Headers          string        // h=: colon-separated field names
	BodyLength       int64         // l=, when above 0: only that many body bytes are signed
	Expires          time.Time     // x=, when set
	Identity         string        // i=, when set
}

// Sign returns msg (LF or CRLF line endings) with CRLF line endings and a
// DKIM-Signature field prepended, its t= fixed at 1700000000.
func (s Signer) Sign(msg string) (string, error) {
	// Bare LFs become CRLF; a CRLF stays one (a message signed once more
	// must not gain CR CR LF line ends).
	msg = strings.ReplaceAll(strings.ReplaceAll(msg, "\r\n", "\n"), "\n", "\r\n")
	m := SplitMessage([]byte(msg))
	_, bc, _ := strings.Cut(s.Canon, "/")
	body := canonBody(m.Body, Canon(bc))
	if s.BodyLength > 0 {
		body = body[:s.BodyLength]
	}
	hashName := s.Algorithm[strings.IndexByte(s.Algorithm, '-')+1:]
	hf := dkimHash(hashName)
	hf.Write(body)
	tags := fmt.Sprintf("v=1; a=%s; c=%s; d=%s; s=%s;\r\n\tt=1700000000; h=%s;", s.Algorithm, s.Canon, s.Domain, s.Selector, s.Headers)
	if s.BodyLength > 0 {
		tags += fmt.Sprintf(" l=%d;", s.BodyLength)
	}
	if !s.Expires.IsZero() {
		tags += fmt.Sprintf(" x=%d;", s.Expires.Unix())
	}
	if s.Identity != "" {
		tags += " i=" + s.Identity + ";"
	}
	tags += "\r\n\tbh=" + base64.StdEncoding.EncodeToString(hf.Sum(nil)) + "; b="
	raw := "DKIM-Signature: " + tags + "\r\n"
	sig, err := ParseSignature(tags)
	if err != nil {
		return "", err
	}
	hdrs := append(m.Headers, Header{Name: "DKIM-Signature", Raw: []byte(raw)})
	hf = dkimHash(hashName)
	writeSignedHeaders(hf, hdrs, sig, len(hdrs)-1)
	digest := hf.Sum(nil)
	var b []byte
	switch k := s.Key.(type) {
	case ed25519.PrivateKey:
		b = ed25519.Sign(k, digest)
	case *rsa.PrivateKey:
		h := crypto.SHA256
		if hashName == "sha1" {
			h = crypto.SHA1
		}
		b, err = rsa.SignPKCS1v15(rand.Reader, k, h, digest)
		if err != nil {
			return "", err
		}
	default:
		return "", fmt.Errorf("dkim: cannot sign with a %T", s.Key)
	}
	raw = "DKIM-Signature: " + tags + base64.StdEncoding.EncodeToString(b) + "\r\n"
	return raw + msg, nil
}
