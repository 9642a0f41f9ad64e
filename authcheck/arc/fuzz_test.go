package arc

import (
	"context"
	"errors"
	"testing"

	"github.com/bouncekit/bouncekit/authcheck/resolve"
)

// FuzzParseHeaders feeds one value to the three ARC header parsers: none
// may panic, errors wrap ErrSyntax, and what parses is in range.
func FuzzParseHeaders(f *testing.F) {
	for _, s := range []string{
		"i=1; a=rsa-sha256; cv=none; d=x.example; s=s; t=1; b=AAAA",
		"i=2; a=ed25519-sha256; c=relaxed; d=x.example; s=s; h=from:to; l=3; bh=AAAA; b=AAAA",
		"i=3; mx.example; spf=pass",
		"i=; ;;", "i=99", "h=arc-seal", "i=1 mx", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		if s, err := ParseSeal(v); err == nil {
			if s.Instance < 1 || s.Instance > MaxInstance || (s.CV != None && s.CV != Pass && s.CV != Fail) {
				t.Fatalf("seal out of range: %+v", s)
			}
		} else if !errors.Is(err, ErrSyntax) {
			t.Fatalf("seal error %v does not wrap ErrSyntax", err)
		}
		if s, err := ParseMessageSignature(v); err == nil {
			if s.Instance < 1 || s.Instance > MaxInstance || len(s.BodyHash) == 0 {
				t.Fatalf("AMS out of range: %+v", s)
			}
		} else if !errors.Is(err, ErrSyntax) {
			t.Fatalf("AMS error %v does not wrap ErrSyntax", err)
		}
		if a, err := ParseAuthResults(v); err == nil {
			if a.Instance < 1 || a.Instance > MaxInstance || a.AuthServID == "" {
				t.Fatalf("AAR out of range: %+v", a)
			}
		} else if !errors.Is(err, ErrSyntax) {
			t.Fatalf("AAR error %v does not wrap ErrSyntax", err)
		}
	})
}

// FuzzValidate validates arbitrary messages against an empty zone: no
// panic, a status of none, pass or fail, and a reason and error on fail.
func FuzzValidate(f *testing.F) {
	f.Add([]byte("ARC-Seal: i=1; a=rsa-sha256; cv=none; d=x.example; s=s; b=AAAA\r\n" +
		"ARC-Message-Signature: i=1; a=rsa-sha256; d=x.example; s=s; h=from; bh=AAAA; b=AAAA\r\n" +
		"ARC-Authentication-Results: i=1; x.example; none\r\nFrom: a@x.example\r\n\r\nbody\r\n"))
	f.Add([]byte("arc-seal: i=2; cv=fail\r\n\r\n"))
	f.Add([]byte("From: a@b\n\nbody\n"))
	zone, _ := resolve.NewStatic("")
	f.Fuzz(func(t *testing.T, msg []byte) {
		v := Validate(context.Background(), zone, msg)
		switch v.Result {
		case None, Pass:
		case Fail:
			if v.Reason == "" || v.Err == nil {
				t.Fatalf("fail without reason: %+v", v)
			}
		default:
			t.Fatalf("status %q", v.Result)
		}
		if v.Result == Pass {
			t.Fatal("a chain passed against an empty zone")
		}
	})
}
