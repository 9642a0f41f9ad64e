package arc

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/bouncekit/bouncekit/authcheck/dkim"
	"github.com/bouncekit/bouncekit/authcheck/internal/authtest"
	"github.com/bouncekit/bouncekit/authcheck/resolve"
)

// hops are the forwarders of these tests and their keys; the zone serves
// their public keys and the author's DKIM key.
func testZone(t testing.TB) *resolve.Static {
	t.Helper()
	authtest.Keys(t)
	zone := "s1._domainkey.author.example. IN TXT " + authtest.ZoneTXT(authtest.DKIMKeyRecord(t, authtest.RSA2048.Public(), "")) + "\n" +
		"ed._domainkey.list.example. IN TXT " + authtest.ZoneTXT(authtest.DKIMKeyRecord(t, authtest.Ed25519.Public(), "")) + "\n" +
		"rsa._domainkey.relay.example. IN TXT " + authtest.ZoneTXT(authtest.DKIMKeyRecord(t, authtest.RSAOther.Public(), "")) + "\n" +
		"old._domainkey.relay.example. IN TXT " + authtest.ZoneTXT(authtest.DKIMKeyRecord(t, authtest.RSA1024.Public(), "")) + "\n"
	z, err := resolve.NewStatic(zone)
	authtest.NoErr(t, err)
	return z
}

func listSealer() *Sealer {
	return &Sealer{Domain: "list.example", Selector: "ed", Key: authtest.Ed25519, AuthServID: "list.example", Time: time.Unix(1700000100, 0)}
}

func relaySealer() *Sealer {
	return &Sealer{Domain: "relay.example", Selector: "rsa", Key: authtest.RSAOther, AuthServID: "relay.example", Time: time.Unix(1700000200, 0)}
}

func signedByAuthor(t *testing.T) []byte {
	t.Helper()
	s := dkim.Signer{Domain: "author.example", Selector: "s1", Key: authtest.RSA2048, Algorithm: "rsa-sha256",
		Canon: "relaxed/relaxed", Headers: "from:to:subject:date:message-id"}
	out, err := s.Sign(strings.ReplaceAll(authtest.Message, "example.com", "author.example"))
	authtest.NoErr(t, err)
	return []byte(out)
}

// forwardThroughList is what a mailing list does: verify on receipt,
// record the verdict, rewrite the Subject and add a footer (which breaks
// the author's DKIM signature), then seal.
func forwardThroughList(t *testing.T, z resolve.Resolver, msg []byte) []byte {
	t.Helper()
	vs, err := dkim.Verify(context.Background(), z, strings.NewReader(string(msg)))
	authtest.NoErr(t, err)
	if dkim.Summary(vs) != dkim.Pass {
		t.Fatalf("author's signature does not verify before forwarding: %+v", vs)
	}
	cv := Validate(context.Background(), z, msg).Result
	s := string(msg)
	s = strings.Replace(s, "Subject:  Hello", "Subject: [list] Hello", 1)
	s += "-- \r\nlist footer\r\n"
	out, err := listSealer().Seal([]byte(s), cv, "dkim=pass header.d=author.example; spf=pass smtp.mailfrom=author.example")
	authtest.NoErr(t, err)
	return out
}

func TestForwardedMessageKeepsARCWhenDKIMBreaks(t *testing.T) {
	z := testZone(t)
	fwd := forwardThroughList(t, z, signedByAuthor(t))

	vs, err := dkim.Verify(context.Background(), z, strings.NewReader(string(fwd)))
	authtest.NoErr(t, err)
	if got := dkim.Summary(vs); got != dkim.Fail {
		t.Fatalf("DKIM after the list = %s, want fail (the footer changed the body)", got)
	}
	v := Validate(context.Background(), z, fwd)
	if v.Result != Pass || v.Instances != 1 {
		t.Fatalf("ARC = %s (%s), instances %d; want pass, 1", v.Result, v.Reason, v.Instances)
	}
	aar := v.Sets[0].AuthResults
	if aar.AuthServID != "list.example" || !strings.Contains(aar.Payload, "dkim=pass header.d=author.example") {
		t.Fatalf("AAR = %+v, want the list's record of dkim=pass", aar)
	}
}

func TestChainOfThreeHopsWithMixedAlgorithms(t *testing.T) {
	z := testZone(t)
	msg := forwardThroughList(t, z, signedByAuthor(t))
	for i, s := range []*Sealer{relaySealer(), listSealer()} {
		v := Validate(context.Background(), z, msg)
		if v.Result != Pass {
			t.Fatalf("hop %d received cv=%s (%s)", i+2, v.Result, v.Reason)
		}
		var err error
		msg, err = s.Seal(msg, Pass, "arc=pass")
		authtest.NoErr(t, err)
	}
	v := Validate(context.Background(), z, msg)
	if v.Result != Pass || v.Instances != 3 || len(v.Sets) != 3 {
		t.Fatalf("got %s (%s) with %d instances, want pass with 3", v.Result, v.Reason, v.Instances)
	}
	for i, s := range v.Sets {
		if s.Instance != i+1 || s.Seal.Instance != i+1 || s.MessageSignature.Instance != i+1 {
			t.Fatalf("set %d out of order: %+v", i, s)
		}
	}
	if v.Sets[1].Seal.Algorithm != "rsa-sha256" || v.Sets[2].Seal.Algorithm != "ed25519-sha256" {
		t.Fatalf("algorithms %s, %s", v.Sets[1].Seal.Algorithm, v.Sets[2].Seal.Algorithm)
	}
}

// mutate applies f to the message text and revalidates.
func mutate(t *testing.T, z resolve.Resolver, msg []byte, f func(string) string) Validation {
	t.Helper()
	s := f(string(msg))
	if s == string(msg) {
		t.Fatal("mutation changed nothing")
	}
	return Validate(context.Background(), z, []byte(s))
}

func TestBrokenChainsNameTheInstanceAndCause(t *testing.T) {
	z := testZone(t)
	two, err := relaySealer().Seal(forwardThroughList(t, z, signedByAuthor(t)), Pass, "arc=pass")
	authtest.NoErr(t, err)
	cases := []struct {
		name     string
		f        func(string) string
		instance int
		err      error
	}{
		{"a body changed after the last hop fails the newest AMS", func(s string) string { return s + "tracking pixel\r\n" }, 2, ErrBodyHash},
		{"a signed header changed after the last hop fails the newest AMS", func(s string) string {
			return strings.Replace(s, "Subject: [list]", "Subject: [relay]", 1)
		}, 2, ErrSignature},
		{"an earlier hop's results rewritten fail the newest seal", func(s string) string {
			return strings.Replace(s, "i=1; list.example; dkim=pass", "i=1; list.example; dkim=fail", 1)
		}, 2, ErrSignature},
		{"a missing middle set is a structure failure", func(s string) string {
			return dropFields(s, "i=1")
		}, 1, ErrStructure},
		{"a duplicated seal is a structure failure", func(s string) string {
			as := fieldLine(s, FieldSeal, "i=2")
			return as + s
		}, 2, ErrStructure},
		{"cv=pass on the first set contradicts its position", func(s string) string {
			return strings.Replace(s, "cv=none", "cv=pass", 1)
		}, 1, ErrStructure},
		{"a newest seal of cv=fail ends the chain", func(s string) string {
			return strings.Replace(s, "cv=pass; d=relay.example", "cv=fail; d=relay.example", 1)
		}, 2, ErrSealedFail},
		{"an instance above 50 does not parse", func(s string) string {
			return strings.Replace(s, "i=2; relay.example", "i=51; relay.example", 1)
		}, 0, ErrSyntax},
		{"a seal with h= does not parse", func(s string) string {
			return strings.Replace(s, "cv=pass;", "cv=pass; h=from;", 1)
		}, 2, ErrSyntax},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v := mutate(t, z, two, c.f)
			if v.Result != Fail {
				t.Fatalf("cv=%s, want fail", v.Result)
			}
			if v.FailedInstance != c.instance {
				t.Errorf("failed instance %d, want %d (%s)", v.FailedInstance, c.instance, v.Reason)
			}
			if !errors.Is(v.Err, c.err) {
				t.Errorf("error %v is not %v", v.Err, c.err)
			}
			var ce *ChainError
			if !errors.As(v.Err, &ce) || v.Reason == "" {
				t.Errorf("no *ChainError with a reason: %v", v.Err)
			}
		})
	}
}

// fieldLine returns the unfolded-as-written field of name whose value
// contains marker, CRLF included.
func fieldLine(s, name, marker string) string {
	m := dkim.SplitMessage([]byte(s))
	for _, h := range m.Headers {
		if strings.EqualFold(h.Name, name) && strings.Contains(h.Value(), marker) {
			return string(h.Raw)
		}
	}
	return ""
}

// dropFields removes the three ARC fields of one instance.
func dropFields(s, marker string) string {
	for _, n := range []string{FieldSeal, FieldMessageSignature, FieldAuthResults} {
		s = strings.Replace(s, fieldLine(s, n, marker), "", 1)
	}
	return s
}

func TestTemporaryKeyFailureIsFailMarkedTemporary(t *testing.T) {
	z := testZone(t)
	msg := forwardThroughList(t, z, signedByAuthor(t))
	z2, err := resolve.NewStatic("")
	authtest.NoErr(t, err)
	z2.SetError("ed._domainkey.list.example", resolve.ErrTimeout)
	v := Validate(context.Background(), z2, msg)
	if v.Result != Fail || !v.Temporary || !errors.Is(v.Err, resolve.ErrTimeout) {
		t.Fatalf("got %s temporary=%v err=%v; want a temporary fail wrapping ErrTimeout", v.Result, v.Temporary, v.Err)
	}
	missing, _ := resolve.NewStatic("")
	v = Validate(context.Background(), missing, msg)
	if v.Result != Fail || v.Temporary || !errors.Is(v.Err, ErrKey) {
		t.Fatalf("missing key: %s temporary=%v err=%v; want a permanent fail wrapping ErrKey", v.Result, v.Temporary, v.Err)
	}
}

func TestWeakAndExpiredKeysFail(t *testing.T) {
	z := testZone(t)
	s := relaySealer()
	s.Selector, s.Key = "old", authtest.RSA1024
	msg, err := s.Seal([]byte(authtest.Message), None, "")
	authtest.NoErr(t, err)
	if v := Validate(context.Background(), z, msg); v.Result != Pass {
		t.Fatalf("1024-bit key: %s (%s); RFC 8301 §3.2 allows 1024 bits", v.Result, v.Reason)
	}
	ams := fieldLine(string(msg), FieldMessageSignature, "i=1")
	exp := strings.Replace(string(msg), ams, strings.Replace(ams, "; t=1700000200", "; t=1700000200; x=1700000300", 1), 1)
	v := (&Validator{Resolver: z, Now: func() time.Time { return time.Unix(1800000000, 0) }}).Validate(context.Background(), []byte(exp))
	if v.Result != Fail || !errors.Is(v.Err, ErrExpired) {
		t.Fatalf("expired AMS: %s %v", v.Result, v.Err)
	}
}

func TestNoARCIsNone(t *testing.T) {
	for _, msg := range []string{"", "\r\n", "Subject: x\r\n\r\nbody\r\n", authtest.Message} {
		if v := Validate(context.Background(), resolve.OrFail(nil), []byte(msg)); v.Result != None || v.Err != nil {
			t.Errorf("%q: %s %v, want none", msg, v.Result, v.Err)
		}
	}
}

func TestTooManySetsFailWithoutLookups(t *testing.T) {
	var b strings.Builder
	for i := 0; i < 3*MaxInstance+1; i++ {
		b.WriteString("ARC-Authentication-Results: i=1; x.example; none\r\n")
	}
	b.WriteString("\r\nbody\r\n")
	v := Validate(context.Background(), resolve.OrFail(nil), []byte(b.String()))
	if v.Result != Fail || !errors.Is(v.Err, ErrStructure) {
		t.Fatalf("got %s %v", v.Result, v.Err)
	}
}

func TestSealRefusesWhatRFC8617Forbids(t *testing.T) {
	authtest.Keys(t)
	s := listSealer()
	if _, err := s.Seal([]byte(authtest.Message), Pass, ""); err == nil {
		t.Error("first set sealed with cv=pass")
	}
	one, err := s.Seal([]byte(authtest.Message), None, "")
	authtest.NoErr(t, err)
	if _, err := s.Seal(one, None, ""); err == nil {
		t.Error("second set sealed with cv=none")
	}
	failed, err := s.Seal(one, Fail, "arc=fail")
	authtest.NoErr(t, err)
	if _, err := s.Seal(failed, Pass, ""); !errors.Is(err, ErrSealedFail) {
		t.Errorf("sealing over cv=fail: %v", err)
	}
	bad := *s
	bad.Headers = []string{"from", "arc-seal"}
	if _, err := bad.Seal([]byte(authtest.Message), None, ""); err == nil {
		t.Error("AMS signing ARC-Seal accepted")
	}
	msg := []byte(authtest.Message)
	for i := 0; i < MaxInstance; i++ {
		cv := Pass
		if i == 0 {
			cv = None
		}
		if msg, err = s.Seal(msg, cv, "arc=pass"); err != nil {
			t.Fatalf("set %d: %v", i+1, err)
		}
	}
	if v := Validate(context.Background(), testZone(t), msg); v.Result != Pass || v.Instances != MaxInstance {
		t.Fatalf("a full chain of %d: %s (%s)", MaxInstance, v.Result, v.Reason)
	}
	if _, err := s.Seal(msg, Pass, ""); !errors.Is(err, ErrChainFull) {
		t.Fatalf("set 51: %v", err)
	}
}

func TestConsolidateKeepsOnlyThisADMD(t *testing.T) {
	m := dkim.SplitMessage([]byte("Authentication-Results: mx.example; spf=pass smtp.mailfrom=a.example;\r\n dkim=pass (good; key) header.d=a.example\r\n" +
		"Authentication-Results: other.example; dkim=fail\r\n" +
		"Authentication-Results: mx.example; dmarc=pass header.from=a.example\r\n\r\n"))
	got := consolidate(m, "mx.example")
	want := "spf=pass smtp.mailfrom=a.example; dkim=pass (good; key) header.d=a.example; dmarc=pass header.from=a.example"
	if got != want {
		t.Fatalf("got  %q\nwant %q", got, want)
	}
	if got := consolidate(m, "nobody.example"); got != "none" {
		t.Fatalf("no results: %q", got)
	}
}

func TestParseHeaderFields(t *testing.T) {
	cases := []struct {
		name, field, value string
		ok                 bool
	}{
		{"a complete seal", FieldSeal, "i=1; a=rsa-sha256; cv=none; d=x.example; s=s; t=1; b=AAAA", true},
		{"a seal without t=", FieldSeal, "i=1; a=rsa-sha256; cv=none; d=x.example; s=s; b=AAAA", true},
		{"a seal missing cv=", FieldSeal, "i=1; a=rsa-sha256; d=x.example; s=s; b=AAAA", false},
		{"a seal with cv in capitals", FieldSeal, "i=1; a=rsa-sha256; cv=None; d=x.example; s=s; b=AAAA", false},
		{"a seal with rsa-sha1", FieldSeal, "i=1; a=rsa-sha1; cv=none; d=x.example; s=s; b=AAAA", false},
		{"a seal with i=0", FieldSeal, "i=0; a=rsa-sha256; cv=none; d=x.example; s=s; b=AAAA", false},
		{"a seal with a tag twice", FieldSeal, "i=1; i=1; a=rsa-sha256; cv=none; d=x.example; s=s; b=AAAA", false},
		{"an AMS with an empty h=", FieldMessageSignature, "i=1; a=rsa-sha256; d=x.example; s=s; h=; bh=AAAA; b=AAAA", true},
		{"an AMS without h=", FieldMessageSignature, "i=1; a=rsa-sha256; d=x.example; s=s; bh=AAAA; b=AAAA", false},
		{"an AMS with a bad c=", FieldMessageSignature, "i=1; a=rsa-sha256; c=loose; d=x.example; s=s; h=from; bh=AAAA; b=AAAA", false},
		{"an AMS with b= not base64", FieldMessageSignature, "i=1; a=rsa-sha256; d=x.example; s=s; h=from; bh=AAAA; b=!!", false},
		{"an AAR", FieldAuthResults, "i=3; mx.example; spf=pass", true},
		{"an AAR with i= not first", FieldAuthResults, "mx.example; i=3; spf=pass", false},
		{"an AAR with no ';' after i=", FieldAuthResults, "i=3 mx.example; spf=pass", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var err error
			switch c.field {
			case FieldSeal:
				_, err = ParseSeal(c.value)
			case FieldMessageSignature:
				_, err = ParseMessageSignature(c.value)
			default:
				_, err = ParseAuthResults(c.value)
			}
			if (err == nil) != c.ok {
				t.Fatalf("err = %v, want ok=%v", err, c.ok)
			}
			if err != nil && !errors.Is(err, ErrSyntax) {
				t.Fatalf("error %v does not wrap ErrSyntax", err)
			}
		})
	}
}

func TestResultText(t *testing.T) {
	for _, r := range []Result{None, Pass, Fail} {
		b, _ := r.MarshalText()
		var back Result
		authtest.NoErr(t, back.UnmarshalText(b))
		authtest.Eq(t, back, r)
	}
	var r Result
	if r.UnmarshalText([]byte("temperror")) == nil {
		t.Fatal("temperror accepted as a cv")
	}
}
