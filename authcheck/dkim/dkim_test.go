package dkim

import (
	"bytes"
	"context"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/bouncekit/bouncekit/authcheck/internal/authtest"
	"github.com/bouncekit/bouncekit/authcheck/resolve"
)

// sign is Signer.Sign for tests: it fails the test on error.
func (s Signer) sign(t testing.TB, msg string) string {
	t.Helper()
	out, err := s.Sign(msg)
	authtest.NoErr(t, err)
	return out
}

func TestDKIMCanonicalisationRFCExample(t *testing.T) {
	// RFC 6376 §3.4.5.
	msg := "A: X\r\nB : Y\t\r\n\tZ  \r\n\r\n C \r\nD \t E\r\n\r\n\r\n"
	m := SplitMessage([]byte(msg))
	authtest.Eq(t, len(m.Headers), 2)
	var rel, simple []byte
	for _, h := range m.Headers {
		rel = canonHeader(rel, h.Raw, CanonRelaxed)
		simple = canonHeader(simple, h.Raw, CanonSimple)
	}
	authtest.Eq(t, "a:X\r\nb:Y Z\r\n", string(rel))
	authtest.Eq(t, "A: X\r\nB : Y\t\r\n\tZ  \r\n", string(simple))
	authtest.Eq(t, " C\r\nD E\r\n", string(canonBody(m.Body, CanonRelaxed)))
	authtest.Eq(t, " C \r\nD \t E\r\n", string(canonBody(m.Body, CanonSimple)))
	// RFC 6376 §3.4.3 and §3.4.4: the empty body.
	authtest.Eq(t, "\r\n", string(canonBody(nil, CanonSimple)))
	authtest.Eq(t, "", string(canonBody(nil, CanonRelaxed)))
	// RFC 6376 §3.4.4 / errata 5252: empty-body hash of relaxed is sha256("").
	sum := sha256.Sum256(canonBody([]byte("\r\n\r\n"), CanonRelaxed))
	authtest.Eq(t, "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=", base64.StdEncoding.EncodeToString(sum[:]))
	s1 := sha1.Sum(canonBody(nil, CanonSimple))
	authtest.Eq(t, "uoq1oCgLlTqpdDX/iUbLy7J1Wic=", base64.StdEncoding.EncodeToString(s1[:]))
}

func TestDKIMVerify(t *testing.T) {
	authtest.Keys(t)
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	z := authtest.NewFakeZone()
	z.TXT["rsa._domainkey.example.com"] = []string{authtest.DKIMKeyRecord(t, authtest.RSA2048.Public(), "")}
	z.TXT["small._domainkey.example.com"] = []string{authtest.DKIMKeyRecord(t, authtest.RSA1024.Public(), "t=y; ")}
	z.TXT["ed._domainkey.example.com"] = []string{authtest.DKIMKeyRecord(t, authtest.Ed25519.Public(), "")}
	z.TXT["rotated._domainkey.example.com"] = []string{authtest.DKIMKeyRecord(t, authtest.RSAOther.Public(), "")}
	z.TXT["revoked._domainkey.example.com"] = []string{"v=DKIM1; k=rsa; p="}
	z.TXT["edonly._domainkey.example.com"] = []string{authtest.DKIMKeyRecord(t, authtest.Ed25519.Public(), "")}
	z.TXT["strict._domainkey.example.com"] = []string{authtest.DKIMKeyRecord(t, authtest.RSA2048.Public(), "t=s; ")}
	z.Fail["slow._domainkey.example.com"] = resolve.ErrTimeout

	base := Signer{Domain: "example.com", Selector: "rsa", Key: authtest.RSA2048, Algorithm: "rsa-sha256", Canon: "relaxed/relaxed", Headers: "from:to:subject:date:message-id"}
	with := func(f func(*Signer)) Signer { s := base; f(&s); return s }

	tests := []struct {
		name     string
		msg      func() string
		want     []Result
		reason   string // substring of the first result's reason
		noteLike string // substring of a note of the first result
	}{
		{name: "rsa-sha256 relaxed/relaxed passes", msg: func() string { return base.sign(t, authtest.Message) }, want: []Result{Pass}},
		{name: "rsa-sha256 simple/simple passes", msg: func() string {
			return with(func(s *Signer) { s.Canon = "simple/simple" }).sign(t, authtest.Message)
		}, want: []Result{Pass}},
		{name: "relaxed/simple passes", msg: func() string {
			return with(func(s *Signer) { s.Canon = "relaxed/simple" }).sign(t, authtest.Message)
		}, want: []Result{Pass}},
		{name: "ed25519-sha256 passes", msg: func() string {
			return with(func(s *Signer) { s.Key, s.Algorithm, s.Selector = authtest.Ed25519, "ed25519-sha256", "ed" }).sign(t, authtest.Message)
		}, want: []Result{Pass}},
		{name: "a body altered after signing fails the body hash", msg: func() string {
			return strings.Replace(base.sign(t, authtest.Message), "this is the body", "this is the b0dy", 1)
		}, want: []Result{Fail}, reason: "body hash"},
		{name: "a signed header altered after signing fails", msg: func() string {
			return strings.Replace(base.sign(t, authtest.Message), "Hello", "Jello", 1)
		}, want: []Result{Fail}, reason: "did not verify"},
		{name: "an unsigned header added after signing still passes", msg: func() string {
			return "X-Mailer: later\r\n" + base.sign(t, authtest.Message)
		}, want: []Result{Pass}},
		{name: "a second From added above passes without oversigning, and is noted", msg: func() string {
			return "From: mallory@evil.example\r\n" + base.sign(t, authtest.Message)
		}, want: []Result{Pass}, noteLike: "2 From header fields"},
		{name: "a second From added above fails when From is oversigned", msg: func() string {
			return "From: mallory@evil.example\r\n" + with(func(s *Signer) { s.Headers = "from:from:to:subject" }).sign(t, authtest.Message)
		}, want: []Result{Fail}},
		{name: "relaxed survives whitespace changes in headers", msg: func() string {
			return strings.Replace(base.sign(t, authtest.Message), "Subject:  Hello   there", "Subject: Hello \t there", 1)
		}, want: []Result{Pass}},
		{name: "simple does not survive whitespace changes in headers", msg: func() string {
			s := with(func(s *Signer) { s.Canon = "simple/simple" }).sign(t, authtest.Message)
			return strings.Replace(s, "Subject:  Hello   there", "Subject: Hello there", 1)
		}, want: []Result{Fail}},
		{name: "a key rotated in DNS fails as wrong key", msg: func() string {
			return with(func(s *Signer) { s.Selector = "rotated" }).sign(t, authtest.Message)
		}, want: []Result{Fail}, reason: "did not verify"},
		{name: "an expired signature is a permerror", msg: func() string {
			return with(func(s *Signer) { s.Expires = now.Add(-time.Hour) }).sign(t, authtest.Message)
		}, want: []Result{PermError}, reason: "expired"},
		{name: "a signature expiring later passes", msg: func() string {
			return with(func(s *Signer) { s.Expires = now.Add(time.Hour) }).sign(t, authtest.Message)
		}, want: []Result{Pass}},
		{name: "a revoked key is a permerror", msg: func() string {
			return with(func(s *Signer) { s.Selector = "revoked" }).sign(t, authtest.Message)
		}, want: []Result{PermError}, reason: "revoked"},
		{name: "a missing key is a permerror", msg: func() string {
			return with(func(s *Signer) { s.Selector = "nokey" }).sign(t, authtest.Message)
		}, want: []Result{PermError}, reason: "no DKIM key"},
		{name: "a key lookup timeout is a temperror", msg: func() string {
			return with(func(s *Signer) { s.Selector = "slow" }).sign(t, authtest.Message)
		}, want: []Result{TempError}},
		{name: "an rsa key record used for ed25519 is a permerror", msg: func() string {
			return with(func(s *Signer) { s.Selector = "edonly" }).sign(t, authtest.Message)
		}, want: []Result{PermError}, reason: "does not match"},
		{name: "rsa-sha1 is refused per RFC 8301", msg: func() string {
			return with(func(s *Signer) { s.Algorithm = "rsa-sha1" }).sign(t, authtest.Message)
		}, want: []Result{Fail}, reason: "RFC 8301"},
		{name: "a 1024-bit testing key passes with notes", msg: func() string {
			return with(func(s *Signer) { s.Key, s.Selector = authtest.RSA1024, "small" }).sign(t, authtest.Message)
		}, want: []Result{Pass}, noteLike: "below the recommended 2048"},
		{name: "l= passes even with content appended, and is noted", msg: func() string {
			return with(func(s *Signer) { s.BodyLength = 10 }).sign(t, authtest.Message) + "Click here: http://evil.example/\r\n"
		}, want: []Result{Pass}, noteLike: "unsigned"},
		{name: "t=s keys refuse a subdomain identity", msg: func() string {
			return with(func(s *Signer) { s.Selector, s.Identity = "strict", "@news.example.com" }).sign(t, authtest.Message)
		}, want: []Result{PermError}, reason: "t=s"},
		{name: "two signatures are reported separately, top first", msg: func() string {
			inner := with(func(s *Signer) { s.Selector = "rotated" }).sign(t, authtest.Message)
			return with(func(s *Signer) { s.Key, s.Algorithm, s.Selector = authtest.Ed25519, "ed25519-sha256", "ed" }).sign(t, strings.ReplaceAll(inner, "\r\n", "\n"))
		}, want: []Result{Pass, Fail}},
		{name: "a signature with a syntax error is neutral", msg: func() string {
			return "DKIM-Signature: v=1; a=rsa-sha256; d=example.com\r\n" + strings.ReplaceAll(authtest.Message, "\n", "\r\n")
		}, want: []Result{Neutral}, reason: "required tag missing"},
		{name: "an unsigned message has no results", msg: func() string { return authtest.Message }, want: nil},
		{name: "a message with bare LF line endings verifies", msg: func() string {
			return strings.ReplaceAll(base.sign(t, authtest.Message), "\r\n", "\n")
		}, want: []Result{Pass}},
	}
	v := &Verifier{Resolver: z, Now: func() time.Time { return now }}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := v.Verify(context.Background(), strings.NewReader(tt.msg()))
			authtest.NoErr(t, err)
			var got []Result
			for _, r := range res {
				got = append(got, r.Result)
			}
			authtest.Eq(t, got, tt.want, fmt.Sprintf("results %+v", res))
			if tt.reason != "" {
				authtest.Contains(t, res[0].Reason, tt.reason)
			}
			if tt.noteLike != "" {
				authtest.Contains(t, strings.Join(res[0].Notes, "\n"), tt.noteLike)
			}
		})
	}
}

func TestDKIMVerifyLimitsSignatures(t *testing.T) {
	z := authtest.NewFakeZone()
	var b strings.Builder
	for range 12 {
		b.WriteString("DKIM-Signature: v=1; a=rsa-sha256; d=example.com; s=x; h=from; bh=; b=\r\n")
	}
	b.WriteString("From: a@example.com\r\n\r\nbody\r\n")
	res, err := (&Verifier{Resolver: z, MaxSignatures: 3}).Verify(context.Background(), strings.NewReader(b.String()))
	authtest.NoErr(t, err)
	authtest.Eq(t, len(res), 4)
	authtest.Eq(t, PermError, res[3].Result)
	authtest.Contains(t, res[3].Reason, "9 more signatures not verified: more than 3")
	authtest.Eq(t, 1, z.Calls(), "one key lookup for the same selector, none beyond the cap")

	_, err = (&Verifier{Resolver: z, MaxMessageBytes: 10}).Verify(context.Background(), strings.NewReader(b.String()))
	authtest.ErrIs(t, err, ErrMessageTooLarge)
}

func TestParseDKIMKey(t *testing.T) {
	authtest.Keys(t)
	rsaRec := authtest.DKIMKeyRecord(t, authtest.RSA2048.Public(), "")
	pkcs1 := "k=rsa; p=" + base64.StdEncoding.EncodeToString(x509.MarshalPKCS1PublicKey(&authtest.RSA1024.PublicKey))
	tests := []struct {
		name    string
		in      string
		bits    int
		typ     KeyType
		revoked bool
		testing bool
		strict  bool
		err     error
	}{
		{name: "an RSA SubjectPublicKeyInfo key", in: rsaRec, bits: 2048, typ: KeyRSA},
		{name: "a bare PKCS#1 RSA key", in: pkcs1, bits: 1024, typ: KeyRSA},
		{name: "an ed25519 key", in: authtest.DKIMKeyRecord(t, authtest.Ed25519.Public(), ""), bits: 256, typ: KeyEd25519},
		{name: "empty p= is a revoked key", in: "v=DKIM1; p=", typ: KeyRSA, revoked: true},
		{name: "t=y:s sets both flags", in: "v=DKIM1; t=y:s; p=", typ: KeyRSA, revoked: true, testing: true, strict: true},
		{name: "p= with folding whitespace", in: rsaRec[:len(rsaRec)-20] + " \r\n\t" + rsaRec[len(rsaRec)-20:], bits: 2048, typ: KeyRSA},
		{name: "v= not first is a syntax error", in: "k=rsa; v=DKIM1; p=", err: ErrKeySyntax},
		{name: "v=DKIM2 is a syntax error", in: "v=DKIM2; p=", err: ErrKeySyntax},
		{name: "missing p= is a syntax error", in: "v=DKIM1; k=rsa", err: ErrKeySyntax},
		{name: "bad base64 is a syntax error", in: "v=DKIM1; p=!!!", err: ErrKeySyntax},
		{name: "an unknown key type is unsupported", in: "v=DKIM1; k=dsa; p=AAAA", err: ErrKeyUnsupported},
		{name: "a short ed25519 key is a syntax error", in: "k=ed25519; p=AAAA", err: ErrKeySyntax},
		{name: "a duplicate tag is a syntax error", in: "v=DKIM1; p=; p=", err: ErrKeySyntax},
		{name: "a tag without = is a syntax error", in: "v=DKIM1; junk; p=", err: ErrKeySyntax},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k, err := ParseKey(tt.in)
			if tt.err != nil {
				authtest.ErrIs(t, err, tt.err)
				var ke *KeyError
				if !errors.As(err, &ke) {
					t.Fatalf("%v is not a *DKIMKeyError", err)
				}
				return
			}
			authtest.NoErr(t, err)
			authtest.Eq(t, tt.typ, k.Type)
			authtest.Eq(t, tt.bits, k.Bits)
			authtest.Eq(t, tt.revoked, k.Revoked)
			authtest.Eq(t, tt.testing, k.Testing)
			authtest.Eq(t, tt.strict, k.Strict)
			authtest.Eq(t, tt.revoked, k.PublicKey == nil)
		})
	}
}

func TestParseDKIMSignatureErrors(t *testing.T) {
	good := "v=1; a=rsa-sha256; d=example.com; s=sel; h=from:to; bh=AAAA; b=AAAA"
	sig, err := ParseSignature(good)
	authtest.NoErr(t, err)
	authtest.Eq(t, "@example.com", sig.Identity)
	authtest.Eq(t, []string{"from", "to"}, sig.Headers)
	authtest.Eq(t, int64(-1), sig.BodyLength)
	authtest.Eq(t, CanonSimple, sig.BodyCan)

	for _, tc := range []struct{ in, tag string }{
		{"v=1; a=rsa-sha256; d=example.com; s=sel; h=to; bh=AAAA; b=AAAA", "h"},
		{"v=2; a=rsa-sha256; d=example.com; s=sel; h=from; bh=AAAA; b=AAAA", "v"},
		{"v=1; a=rsa-sha256; d=example.com; s=sel; h=from; bh=AAAA", "b"},
		{good + "; i=joe@example.net", "i"},
		{good + "; l=-1", "l"},
		{good + "; c=fancy/simple", "c"},
		{good + "; t=200; x=100", "x"},
		{good + "; q=https", "q"},
		{"v=1; a=rsa; d=example.com; s=sel; h=from; bh=AAAA; b=AAAA", "a"},
	} {
		_, err := ParseSignature(tc.in)
		var se *SignatureError
		if !errors.As(err, &se) {
			t.Fatalf("%q: %v is not a *DKIMSignatureError", tc.in, err)
		}
		authtest.Eq(t, tc.tag, se.Tag, tc.in)
		authtest.ErrIs(t, err, ErrSignatureSyntax)
	}
}

func TestLookupDKIMKeyKeepsTimeoutApartFromMissing(t *testing.T) {
	z := authtest.NewFakeZone()
	z.Fail["slow._domainkey.example.com"] = resolve.ErrTimeout
	_, err := LookupKey(context.Background(), z, "slow", "example.com")
	authtest.ErrIs(t, err, resolve.ErrTimeout)
	if errors.Is(err, ErrKeyMissing) {
		t.Fatalf("timeout reported as missing key: %v", err)
	}
	_, err = LookupKey(context.Background(), z, "none", "example.com")
	authtest.ErrIs(t, err, ErrKeyMissing)
}

func TestStripSigValueKeepsBH(t *testing.T) {
	got := stripSigValue([]byte("DKIM-Signature: a=x; bh=abc; b=sig\r\n\tmore; d=y\r\n"))
	authtest.Eq(t, "DKIM-Signature: a=x; bh=abc; b=; d=y\r\n", string(got))
	got = stripSigValue([]byte("DKIM-Signature: bh=abc; b=sig\r\n"))
	authtest.Eq(t, "DKIM-Signature: bh=abc; b=\r\n", string(got))
	if !bytes.HasPrefix(got, []byte("DKIM-Signature:")) {
		t.Fatal("header name lost")
	}
}

// Small assertion helpers (testify is not in go.mod's requirement graph).

func TestDKIMVerifyManyHeaderFields(t *testing.T) {
	authtest.Keys(t)
	z := authtest.NewFakeZone()
	z.TXT["rsa._domainkey.example.com"] = []string{authtest.DKIMKeyRecord(t, authtest.RSA2048.Public(), "")}
	var b strings.Builder
	for i := range 20000 {
		fmt.Fprintf(&b, "Received: from hop%d.example.net\n", i)
	}
	msg := b.String() + authtest.Message
	// h= names Received 200 times: the bottom 200 instances are signed.
	h := "from" + strings.Repeat(":received", 200)
	signed := Signer{Domain: "example.com", Selector: "rsa", Key: authtest.RSA2048, Algorithm: "rsa-sha256", Canon: "relaxed/relaxed", Headers: h}.sign(t, msg)
	res, err := Verify(context.Background(), z, strings.NewReader(signed))
	authtest.NoErr(t, err)
	authtest.Eq(t, res[0].Result, Pass, res[0].Reason)
	// Altering a Received header above the signed ones changes nothing;
	// altering one of the bottom 200 breaks the signature.
	res, _ = Verify(context.Background(), z, strings.NewReader(strings.Replace(signed, "hop5.", "hopX.", 1)))
	authtest.Eq(t, res[0].Result, Pass)
	res, _ = Verify(context.Background(), z, strings.NewReader(strings.Replace(signed, "hop19950.", "hopX.", 1)))
	authtest.Eq(t, res[0].Result, Fail)
}

func TestTagListLimits(t *testing.T) {
	_, err := ParseTagList(strings.Repeat("a=1;", 10) + "p=")
	var te *TagListError
	if !errors.As(err, &te) {
		t.Fatalf("duplicate tags accepted: %v", err)
	}
	var many strings.Builder
	for i := range MaxTags + 1 {
		fmt.Fprintf(&many, "t%d=x;", i)
	}
	_, err = ParseTagList(many.String())
	if !errors.As(err, &te) || !strings.Contains(te.Reason, "more than") {
		t.Fatalf("%d tags accepted: %v", MaxTags+1, err)
	}
	_, err = ParseTagList(strings.Repeat("x", MaxTagListLen+1))
	if !errors.As(err, &te) {
		t.Fatalf("oversized tag-list accepted: %v", err)
	}
	_, err = ParseSignature("v=1; a=rsa-sha256; d=x; s=y; bh=; b=; h=from" + strings.Repeat(":to", MaxSignedHeaders))
	authtest.ErrIs(t, err, ErrSignatureSyntax)
}

func TestDKIMSummary(t *testing.T) {
	v := func(rs ...Result) []Verification {
		var out []Verification
		for _, r := range rs {
			out = append(out, Verification{Result: r})
		}
		return out
	}
	authtest.Eq(t, Summary(nil), None)
	authtest.Eq(t, Summary(v(Fail, Pass)), Pass)
	authtest.Eq(t, Summary(v(PermError, Fail)), Fail)
	authtest.Eq(t, Summary(v(Neutral, PermError, TempError)), TempError)
	authtest.Eq(t, Summary(v(Neutral)), Neutral)
}

func TestSplitDKIMMessageLineEndings(t *testing.T) {
	for _, in := range []string{
		"A: 1\r\nB: 2\r\n\tfolded\r\n\r\nbody\r\n",
		"A: 1\nB: 2\n\tfolded\n\nbody\n",
		"A: 1\r\nB: 2\n\tfolded\r\n\nbody\n",
	} {
		m := SplitMessage([]byte(in))
		authtest.Eq(t, len(m.Headers), 2, in)
		authtest.Eq(t, string(m.Headers[1].Raw), "B: 2\r\n\tfolded\r\n", in)
		authtest.Eq(t, string(m.Body), "body\r\n", in)
	}
	m := SplitMessage([]byte("A: 1\r\n no-colon continuation\r\nnot a header\r\nC: 3"))
	authtest.Eq(t, len(m.Headers), 2)
	authtest.Eq(t, m.Body, []byte(nil))
}
