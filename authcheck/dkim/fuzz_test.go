package dkim

import (
	"context"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/bouncekit/bouncekit/authcheck/internal/authtest"
)

func FuzzParseDKIMKey(f *testing.F) {
	for _, s := range []string{
		"v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDwIRP/UC3SBsEmGqZ9ZJW3/DkMoGeLnQg1fWn7/zYtIxN2SnFCjxOCKG9v3b4jYfcTNh5ijSsq631uBItLa7od+v/RtdC2UzJ1lWT947qR+Rcac2gbto/NMqJ0fzfVjH4OuKhitdY9tf6mcwGjaNBcWToIMmPSPDdQPNUYckcQ2QIDAQAB",
		"v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=",
		"v=DKIM1; p=", "k=rsa; t=y:s; h=sha256; s=email; p=AAAA", "p", "v=DKIM1;;p=",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, errA := ParseKey(s)
		b, errB := ParseKey(s)
		if !reflect.DeepEqual(a, b) || (errA == nil) != (errB == nil) {
			t.Fatalf("not deterministic on %q", s)
		}
		if errA == nil && a.Revoked != (a.PublicKey == nil) {
			t.Fatalf("%q: revoked=%v but key %T", s, a.Revoked, a.PublicKey)
		}
	})
}

func FuzzParseDKIMSignature(f *testing.F) {
	f.Add("v=1; a=rsa-sha256; c=relaxed/simple; d=example.com; s=sel; t=1; x=2; l=10; i=a@b.example.com; h=from:to; bh=AAAA; b=AA AA")
	f.Add("v=1; a=ed25519-sha256; d=x; s=y; h=From; bh=; b=")
	f.Fuzz(func(t *testing.T, s string) {
		a, errA := ParseSignature(s)
		b, errB := ParseSignature(s)
		if !reflect.DeepEqual(a, b) || (errA == nil) != (errB == nil) {
			t.Fatalf("not deterministic on %q", s)
		}
		if errA != nil {
			return
		}
		if !tagContainsFold(a.Headers, "from") || a.Domain == "" || a.Selector == "" {
			t.Fatalf("%q accepted without From, d= or s=", s)
		}
		if !strings.Contains(a.Identity, "@") {
			t.Fatalf("%q: identity %q", s, a.Identity)
		}
	})
}

// FuzzDKIMCanonicalisation checks that relaxed canonicalisation is
// idempotent, which a verifier relies on when a message is re-signed.
func FuzzDKIMCanonicalisation(f *testing.F) {
	f.Add([]byte("A: X\r\nB : Y\t\r\n\tZ  \r\n\r\n C \r\nD \t E\r\n\r\n\r\n"))
	f.Fuzz(func(t *testing.T, msg []byte) {
		m := SplitMessage(msg)
		once := canonBody(m.Body, CanonRelaxed)
		twice := canonBody(once, CanonRelaxed)
		if string(once) != string(twice) {
			t.Fatalf("relaxed body canonicalisation not idempotent: %q then %q", once, twice)
		}
		s1 := canonBody(m.Body, CanonSimple)
		if string(canonBody(s1, CanonSimple)) != string(s1) {
			t.Fatalf("simple body canonicalisation not idempotent")
		}
		// The streaming code against a plain reading of RFC 6376 §3.4.3-4.
		if want := refRelaxedBody(string(m.Body)); string(once) != want {
			t.Fatalf("relaxed body of %q: got %q, reference %q", m.Body, once, want)
		}
		if want := refSimpleBody(string(m.Body)); string(s1) != want {
			t.Fatalf("simple body of %q: got %q, reference %q", m.Body, s1, want)
		}
		var n prefixCount
		for _, c := range []Canon{CanonSimple, CanonRelaxed} {
			n = 0
			if got := writeCanonBody(&n, m.Body, c); got != int64(n) {
				t.Fatalf("writeCanonBody reports %d bytes, wrote %d", got, n)
			}
		}
	})
}

// FuzzDKIMVerify feeds whole messages to the verifier: it must never panic,
// must give one result per signature up to the cap, and must not pass a
// message unless the fuzzer found a valid signature (it cannot: the key's
// private half is not in the corpus).
func FuzzDKIMVerify(f *testing.F) {
	f.Add(rfc8463Message)
	f.Add("DKIM-Signature: v=1; a=rsa-sha256; d=example.com; s=s; h=from; bh=; b=\r\nFrom: a@example.com\r\n\r\n")
	f.Add("From: a\n\nbody")
	z := authtest.NewFakeZone()
	z.TXT["s._domainkey.example.com"] = []string{"v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="}
	z.TXT["brisbane._domainkey.football.example.com"] = z.TXT["s._domainkey.example.com"]
	v := &Verifier{Resolver: z, MaxSignatures: 3}
	f.Fuzz(func(t *testing.T, msg string) {
		res, err := v.Verify(context.Background(), strings.NewReader(msg))
		if err != nil {
			t.Fatal(err)
		}
		if len(res) > 4 {
			t.Fatalf("%d results with a cap of 3", len(res))
		}
		for _, r := range res {
			if r.Result == "" || r.Result != Pass && r.Reason == "" {
				t.Fatalf("result %+v without a token or reason", r)
			}
		}
	})
}

type prefixCount int

func (p *prefixCount) Write(b []byte) (int, error) { *p += prefixCount(len(b)); return len(b), nil }

var wspRun = regexp.MustCompile(`[ \t]+`)

// refRelaxedBody is RFC 6376 §3.4.4 read literally, with regexps.
func refRelaxedBody(body string) string {
	lines := strings.Split(body, "\r\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(strings.TrimRight(wspRun.ReplaceAllString(l, " "), " ") + "\r\n")
	}
	out := b.String()
	for strings.HasSuffix(out, "\r\n") {
		out = strings.TrimSuffix(out, "\r\n")
	}
	if out != "" {
		out += "\r\n"
	}
	return out
}

// refSimpleBody is RFC 6376 §3.4.3 read literally.
func refSimpleBody(body string) string {
	for strings.HasSuffix(body, "\r\n") {
		body = strings.TrimSuffix(body, "\r\n")
	}
	return body + "\r\n"
}
