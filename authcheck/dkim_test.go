package authcheck

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
)

// sign is Signer.Sign for tests: it fails the test on error.
func (s Signer) sign(t testing.TB, msg string) string {
	t.Helper()
	out, err := s.Sign(msg)
	expectNoErr(t, err)
	return out
}

func TestDKIMCanonicalisationRFCExample(t *testing.T) {
	// RFC 6376 §3.4.5.
	msg := "A: X\r\nB : Y\t\r\n\tZ  \r\n\r\n C \r\nD \t E\r\n\r\n\r\n"
	m := splitDKIMMessage([]byte(msg))
	expectEq(t, len(m.headers), 2)
	var rel, simple []byte
	for _, h := range m.headers {
		rel = canonHeader(rel, h.raw, DKIMCanonRelaxed)
		simple = canonHeader(simple, h.raw, DKIMCanonSimple)
	}
	expectEq(t, "a:X\r\nb:Y Z\r\n", string(rel))
	expectEq(t, "A: X\r\nB : Y\t\r\n\tZ  \r\n", string(simple))
	expectEq(t, " C\r\nD E\r\n", string(canonBody(m.body, DKIMCanonRelaxed)))
	expectEq(t, " C \r\nD \t E\r\n", string(canonBody(m.body, DKIMCanonSimple)))
	// RFC 6376 §3.4.3 and §3.4.4: the empty body.
	expectEq(t, "\r\n", string(canonBody(nil, DKIMCanonSimple)))
	expectEq(t, "", string(canonBody(nil, DKIMCanonRelaxed)))
	// RFC 6376 §3.4.4 / errata 5252: empty-body hash of relaxed is sha256("").
	sum := sha256.Sum256(canonBody([]byte("\r\n\r\n"), DKIMCanonRelaxed))
	expectEq(t, "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=", base64.StdEncoding.EncodeToString(sum[:]))
	s1 := sha1.Sum(canonBody(nil, DKIMCanonSimple))
	expectEq(t, "uoq1oCgLlTqpdDX/iUbLy7J1Wic=", base64.StdEncoding.EncodeToString(s1[:]))
}

func TestDKIMVerify(t *testing.T) {
	testKeys(t)
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	z := newFakeZone()
	z.TXT["rsa._domainkey.example.com"] = []string{dkimKeyRecord(t, testRSA2048.Public(), "")}
	z.TXT["small._domainkey.example.com"] = []string{dkimKeyRecord(t, testRSA1024.Public(), "t=y; ")}
	z.TXT["ed._domainkey.example.com"] = []string{dkimKeyRecord(t, testEd.Public(), "")}
	z.TXT["rotated._domainkey.example.com"] = []string{dkimKeyRecord(t, testRSAOther.Public(), "")}
	z.TXT["revoked._domainkey.example.com"] = []string{"v=DKIM1; k=rsa; p="}
	z.TXT["edonly._domainkey.example.com"] = []string{dkimKeyRecord(t, testEd.Public(), "")}
	z.TXT["strict._domainkey.example.com"] = []string{dkimKeyRecord(t, testRSA2048.Public(), "t=s; ")}
	z.Fail["slow._domainkey.example.com"] = ErrTimeout

	base := Signer{Domain: "example.com", Selector: "rsa", Key: testRSA2048, Algorithm: "rsa-sha256", Canon: "relaxed/relaxed", Headers: "from:to:subject:date:message-id"}
	with := func(f func(*Signer)) Signer { s := base; f(&s); return s }

	tests := []struct {
		name     string
		msg      func() string
		want     []DKIMResult
		reason   string // substring of the first result's reason
		noteLike string // substring of a note of the first result
	}{
		{name: "rsa-sha256 relaxed/relaxed passes", msg: func() string { return base.sign(t, testMessage) }, want: []DKIMResult{DKIMPass}},
		{name: "rsa-sha256 simple/simple passes", msg: func() string {
			return with(func(s *Signer) { s.Canon = "simple/simple" }).sign(t, testMessage)
		}, want: []DKIMResult{DKIMPass}},
		{name: "relaxed/simple passes", msg: func() string {
			return with(func(s *Signer) { s.Canon = "relaxed/simple" }).sign(t, testMessage)
		}, want: []DKIMResult{DKIMPass}},
		{name: "ed25519-sha256 passes", msg: func() string {
			return with(func(s *Signer) { s.Key, s.Algorithm, s.Selector = testEd, "ed25519-sha256", "ed" }).sign(t, testMessage)
		}, want: []DKIMResult{DKIMPass}},
		{name: "a body altered after signing fails the body hash", msg: func() string {
			return strings.Replace(base.sign(t, testMessage), "this is the body", "this is the b0dy", 1)
		}, want: []DKIMResult{DKIMFail}, reason: "body hash"},
		{name: "a signed header altered after signing fails", msg: func() string {
			return strings.Replace(base.sign(t, testMessage), "Hello", "Jello", 1)
		}, want: []DKIMResult{DKIMFail}, reason: "did not verify"},
		{name: "an unsigned header added after signing still passes", msg: func() string {
			return "X-Mailer: later\r\n" + base.sign(t, testMessage)
		}, want: []DKIMResult{DKIMPass}},
		{name: "a second From added above passes without oversigning, and is noted", msg: func() string {
			return "From: mallory@evil.example\r\n" + base.sign(t, testMessage)
		}, want: []DKIMResult{DKIMPass}, noteLike: "2 From header fields"},
		{name: "a second From added above fails when From is oversigned", msg: func() string {
			return "From: mallory@evil.example\r\n" + with(func(s *Signer) { s.Headers = "from:from:to:subject" }).sign(t, testMessage)
		}, want: []DKIMResult{DKIMFail}},
		{name: "relaxed survives whitespace changes in headers", msg: func() string {
			return strings.Replace(base.sign(t, testMessage), "Subject:  Hello   there", "Subject: Hello \t there", 1)
		}, want: []DKIMResult{DKIMPass}},
		{name: "simple does not survive whitespace changes in headers", msg: func() string {
			s := with(func(s *Signer) { s.Canon = "simple/simple" }).sign(t, testMessage)
			return strings.Replace(s, "Subject:  Hello   there", "Subject: Hello there", 1)
		}, want: []DKIMResult{DKIMFail}},
		{name: "a key rotated in DNS fails as wrong key", msg: func() string {
			return with(func(s *Signer) { s.Selector = "rotated" }).sign(t, testMessage)
		}, want: []DKIMResult{DKIMFail}, reason: "did not verify"},
		{name: "an expired signature is a permerror", msg: func() string {
			return with(func(s *Signer) { s.Expires = now.Add(-time.Hour) }).sign(t, testMessage)
		}, want: []DKIMResult{DKIMPermError}, reason: "expired"},
		{name: "a signature expiring later passes", msg: func() string {
			return with(func(s *Signer) { s.Expires = now.Add(time.Hour) }).sign(t, testMessage)
		}, want: []DKIMResult{DKIMPass}},
		{name: "a revoked key is a permerror", msg: func() string {
			return with(func(s *Signer) { s.Selector = "revoked" }).sign(t, testMessage)
		}, want: []DKIMResult{DKIMPermError}, reason: "revoked"},
		{name: "a missing key is a permerror", msg: func() string {
			return with(func(s *Signer) { s.Selector = "nokey" }).sign(t, testMessage)
		}, want: []DKIMResult{DKIMPermError}, reason: "no DKIM key"},
		{name: "a key lookup timeout is a temperror", msg: func() string {
			return with(func(s *Signer) { s.Selector = "slow" }).sign(t, testMessage)
		}, want: []DKIMResult{DKIMTempError}},
		{name: "an rsa key record used for ed25519 is a permerror", msg: func() string {
			return with(func(s *Signer) { s.Selector = "edonly" }).sign(t, testMessage)
		}, want: []DKIMResult{DKIMPermError}, reason: "does not match"},
		{name: "rsa-sha1 is refused per RFC 8301", msg: func() string {
			return with(func(s *Signer) { s.Algorithm = "rsa-sha1" }).sign(t, testMessage)
		}, want: []DKIMResult{DKIMFail}, reason: "RFC 8301"},
		{name: "a 1024-bit testing key passes with notes", msg: func() string {
			return with(func(s *Signer) { s.Key, s.Selector = testRSA1024, "small" }).sign(t, testMessage)
		}, want: []DKIMResult{DKIMPass}, noteLike: "below the recommended 2048"},
		{name: "l= passes even with content appended, and is noted", msg: func() string {
			return with(func(s *Signer) { s.BodyLength = 10 }).sign(t, testMessage) + "Click here: http://evil.example/\r\n"
		}, want: []DKIMResult{DKIMPass}, noteLike: "unsigned"},
		{name: "t=s keys refuse a subdomain identity", msg: func() string {
			return with(func(s *Signer) { s.Selector, s.Identity = "strict", "@news.example.com" }).sign(t, testMessage)
		}, want: []DKIMResult{DKIMPermError}, reason: "t=s"},
		{name: "two signatures are reported separately, top first", msg: func() string {
			inner := with(func(s *Signer) { s.Selector = "rotated" }).sign(t, testMessage)
			return with(func(s *Signer) { s.Key, s.Algorithm, s.Selector = testEd, "ed25519-sha256", "ed" }).sign(t, strings.ReplaceAll(inner, "\r\n", "\n"))
		}, want: []DKIMResult{DKIMPass, DKIMFail}},
		{name: "a signature with a syntax error is neutral", msg: func() string {
			return "DKIM-Signature: v=1; a=rsa-sha256; d=example.com\r\n" + strings.ReplaceAll(testMessage, "\n", "\r\n")
		}, want: []DKIMResult{DKIMNeutral}, reason: "required tag missing"},
		{name: "an unsigned message has no results", msg: func() string { return testMessage }, want: nil},
		{name: "a message with bare LF line endings verifies", msg: func() string {
			return strings.ReplaceAll(base.sign(t, testMessage), "\r\n", "\n")
		}, want: []DKIMResult{DKIMPass}},
	}
	v := &DKIMVerifier{Resolver: z, Now: func() time.Time { return now }}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := v.Verify(context.Background(), strings.NewReader(tt.msg()))
			expectNoErr(t, err)
			var got []DKIMResult
			for _, r := range res {
				got = append(got, r.Result)
			}
			expectEq(t, got, tt.want, fmt.Sprintf("results %+v", res))
			if tt.reason != "" {
				expectContains(t, res[0].Reason, tt.reason)
			}
			if tt.noteLike != "" {
				expectContains(t, strings.Join(res[0].Notes, "\n"), tt.noteLike)
			}
		})
	}
}

func TestDKIMVerifyLimitsSignatures(t *testing.T) {
	z := newFakeZone()
	var b strings.Builder
	for range 12 {
		b.WriteString("DKIM-Signature: v=1; a=rsa-sha256; d=example.com; s=x; h=from; bh=; b=\r\n")
	}
	b.WriteString("From: a@example.com\r\n\r\nbody\r\n")
	res, err := (&DKIMVerifier{Resolver: z, MaxSignatures: 3}).Verify(context.Background(), strings.NewReader(b.String()))
	expectNoErr(t, err)
	expectEq(t, len(res), 4)
	expectEq(t, DKIMPermError, res[3].Result)
	expectContains(t, res[3].Reason, "9 more signatures not verified: more than 3")
	expectEq(t, 1, z.Calls(), "one key lookup for the same selector, none beyond the cap")

	_, err = (&DKIMVerifier{Resolver: z, MaxMessageBytes: 10}).Verify(context.Background(), strings.NewReader(b.String()))
	expectErrIs(t, err, ErrMessageTooLarge)
}

func TestParseDKIMKey(t *testing.T) {
	testKeys(t)
	rsaRec := dkimKeyRecord(t, testRSA2048.Public(), "")
	pkcs1 := "k=rsa; p=" + base64.StdEncoding.EncodeToString(x509.MarshalPKCS1PublicKey(&testRSA1024.PublicKey))
	tests := []struct {
		name    string
		in      string
		bits    int
		typ     DKIMKeyType
		revoked bool
		testing bool
		strict  bool
		err     error
	}{
		{name: "an RSA SubjectPublicKeyInfo key", in: rsaRec, bits: 2048, typ: DKIMKeyRSA},
		{name: "a bare PKCS#1 RSA key", in: pkcs1, bits: 1024, typ: DKIMKeyRSA},
		{name: "an ed25519 key", in: dkimKeyRecord(t, testEd.Public(), ""), bits: 256, typ: DKIMKeyEd25519},
		{name: "empty p= is a revoked key", in: "v=DKIM1; p=", typ: DKIMKeyRSA, revoked: true},
		{name: "t=y:s sets both flags", in: "v=DKIM1; t=y:s; p=", typ: DKIMKeyRSA, revoked: true, testing: true, strict: true},
		{name: "p= with folding whitespace", in: rsaRec[:len(rsaRec)-20] + " \r\n\t" + rsaRec[len(rsaRec)-20:], bits: 2048, typ: DKIMKeyRSA},
		{name: "v= not first is a syntax error", in: "k=rsa; v=DKIM1; p=", err: ErrDKIMKeySyntax},
		{name: "v=DKIM2 is a syntax error", in: "v=DKIM2; p=", err: ErrDKIMKeySyntax},
		{name: "missing p= is a syntax error", in: "v=DKIM1; k=rsa", err: ErrDKIMKeySyntax},
		{name: "bad base64 is a syntax error", in: "v=DKIM1; p=!!!", err: ErrDKIMKeySyntax},
		{name: "an unknown key type is unsupported", in: "v=DKIM1; k=dsa; p=AAAA", err: ErrDKIMKeyUnsupported},
		{name: "a short ed25519 key is a syntax error", in: "k=ed25519; p=AAAA", err: ErrDKIMKeySyntax},
		{name: "a duplicate tag is a syntax error", in: "v=DKIM1; p=; p=", err: ErrDKIMKeySyntax},
		{name: "a tag without = is a syntax error", in: "v=DKIM1; junk; p=", err: ErrDKIMKeySyntax},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k, err := ParseDKIMKey(tt.in)
			if tt.err != nil {
				expectErrIs(t, err, tt.err)
				var ke *DKIMKeyError
				if !errors.As(err, &ke) {
					t.Fatalf("%v is not a *DKIMKeyError", err)
				}
				return
			}
			expectNoErr(t, err)
			expectEq(t, tt.typ, k.Type)
			expectEq(t, tt.bits, k.Bits)
			expectEq(t, tt.revoked, k.Revoked)
			expectEq(t, tt.testing, k.Testing)
			expectEq(t, tt.strict, k.Strict)
			expectEq(t, tt.revoked, k.PublicKey == nil)
		})
	}
}

func TestParseDKIMSignatureErrors(t *testing.T) {
	good := "v=1; a=rsa-sha256; d=example.com; s=sel; h=from:to; bh=AAAA; b=AAAA"
	sig, err := ParseDKIMSignature(good)
	expectNoErr(t, err)
	expectEq(t, "@example.com", sig.Identity)
	expectEq(t, []string{"from", "to"}, sig.Headers)
	expectEq(t, int64(-1), sig.BodyLength)
	expectEq(t, DKIMCanonSimple, sig.BodyCan)

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
		_, err := ParseDKIMSignature(tc.in)
		var se *DKIMSignatureError
		if !errors.As(err, &se) {
			t.Fatalf("%q: %v is not a *DKIMSignatureError", tc.in, err)
		}
		expectEq(t, tc.tag, se.Tag, tc.in)
		expectErrIs(t, err, ErrDKIMSignatureSyntax)
	}
}

func TestLookupDKIMKeyKeepsTimeoutApartFromMissing(t *testing.T) {
	z := newFakeZone()
	z.Fail["slow._domainkey.example.com"] = ErrTimeout
	_, err := LookupDKIMKey(context.Background(), z, "slow", "example.com")
	expectErrIs(t, err, ErrTimeout)
	if errors.Is(err, ErrDKIMKeyMissing) {
		t.Fatalf("timeout reported as missing key: %v", err)
	}
	_, err = LookupDKIMKey(context.Background(), z, "none", "example.com")
	expectErrIs(t, err, ErrDKIMKeyMissing)
}

func TestStripSigValueKeepsBH(t *testing.T) {
	got := stripSigValue([]byte("DKIM-Signature: a=x; bh=abc; b=sig\r\n\tmore; d=y\r\n"))
	expectEq(t, "DKIM-Signature: a=x; bh=abc; b=; d=y\r\n", string(got))
	got = stripSigValue([]byte("DKIM-Signature: bh=abc; b=sig\r\n"))
	expectEq(t, "DKIM-Signature: bh=abc; b=\r\n", string(got))
	if !bytes.HasPrefix(got, []byte("DKIM-Signature:")) {
		t.Fatal("header name lost")
	}
}

// Small assertion helpers (testify is not in go.mod's requirement graph).

func TestDKIMVerifyManyHeaderFields(t *testing.T) {
	testKeys(t)
	z := newFakeZone()
	z.TXT["rsa._domainkey.example.com"] = []string{dkimKeyRecord(t, testRSA2048.Public(), "")}
	var b strings.Builder
	for i := range 20000 {
		fmt.Fprintf(&b, "Received: from hop%d.example.net\n", i)
	}
	msg := b.String() + testMessage
	// h= names Received 200 times: the bottom 200 instances are signed.
	h := "from" + strings.Repeat(":received", 200)
	signed := Signer{Domain: "example.com", Selector: "rsa", Key: testRSA2048, Algorithm: "rsa-sha256", Canon: "relaxed/relaxed", Headers: h}.sign(t, msg)
	res, err := VerifyDKIM(context.Background(), z, strings.NewReader(signed))
	expectNoErr(t, err)
	expectEq(t, res[0].Result, DKIMPass, res[0].Reason)
	// Altering a Received header above the signed ones changes nothing;
	// altering one of the bottom 200 breaks the signature.
	res, _ = VerifyDKIM(context.Background(), z, strings.NewReader(strings.Replace(signed, "hop5.", "hopX.", 1)))
	expectEq(t, res[0].Result, DKIMPass)
	res, _ = VerifyDKIM(context.Background(), z, strings.NewReader(strings.Replace(signed, "hop19950.", "hopX.", 1)))
	expectEq(t, res[0].Result, DKIMFail)
}

func TestTagListLimits(t *testing.T) {
	_, err := parseTagList(strings.Repeat("a=1;", 10) + "p=")
	var te *TagListError
	if !errors.As(err, &te) {
		t.Fatalf("duplicate tags accepted: %v", err)
	}
	var many strings.Builder
	for i := range MaxTags + 1 {
		fmt.Fprintf(&many, "t%d=x;", i)
	}
	_, err = parseTagList(many.String())
	if !errors.As(err, &te) || !strings.Contains(te.Reason, "more than") {
		t.Fatalf("%d tags accepted: %v", MaxTags+1, err)
	}
	_, err = parseTagList(strings.Repeat("x", MaxTagListLen+1))
	if !errors.As(err, &te) {
		t.Fatalf("oversized tag-list accepted: %v", err)
	}
	_, err = ParseDKIMSignature("v=1; a=rsa-sha256; d=x; s=y; bh=; b=; h=from" + strings.Repeat(":to", MaxDKIMSignedHeaders))
	expectErrIs(t, err, ErrDKIMSignatureSyntax)
}

func TestDKIMSummary(t *testing.T) {
	v := func(rs ...DKIMResult) []DKIMVerification {
		var out []DKIMVerification
		for _, r := range rs {
			out = append(out, DKIMVerification{Result: r})
		}
		return out
	}
	expectEq(t, DKIMSummary(nil), DKIMNone)
	expectEq(t, DKIMSummary(v(DKIMFail, DKIMPass)), DKIMPass)
	expectEq(t, DKIMSummary(v(DKIMPermError, DKIMFail)), DKIMFail)
	expectEq(t, DKIMSummary(v(DKIMNeutral, DKIMPermError, DKIMTempError)), DKIMTempError)
	expectEq(t, DKIMSummary(v(DKIMNeutral)), DKIMNeutral)
}

func TestSplitDKIMMessageLineEndings(t *testing.T) {
	for _, in := range []string{
		"A: 1\r\nB: 2\r\n\tfolded\r\n\r\nbody\r\n",
		"A: 1\nB: 2\n\tfolded\n\nbody\n",
		"A: 1\r\nB: 2\n\tfolded\r\n\nbody\n",
	} {
		m := splitDKIMMessage([]byte(in))
		expectEq(t, len(m.headers), 2, in)
		expectEq(t, string(m.headers[1].raw), "B: 2\r\n\tfolded\r\n", in)
		expectEq(t, string(m.body), "body\r\n", in)
	}
	m := splitDKIMMessage([]byte("A: 1\r\n no-colon continuation\r\nnot a header\r\nC: 3"))
	expectEq(t, len(m.headers), 2)
	expectEq(t, m.body, []byte(nil))
}
