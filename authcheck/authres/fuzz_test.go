package authres

import (
	"reflect"
	"testing"
)

func FuzzParseAuthResults(f *testing.F) {
	for _, s := range []string{
		"mx.google.com; dkim=pass header.i=@example.com; spf=pass (comment) smtp.mailfrom=a@example.com",
		"example.org 1; none",
		`"q\"id"; dkim/1=fail reason="bad (sig)" header.d=x (a (b) c)`,
		"x; spf=pass smtp.mailfrom=\"a b\"@example.net",
		"((((", "a;;", "a; b=c d.e=\"",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, errA := Parse(s)
		b, errB := Parse(s)
		if !reflect.DeepEqual(a, b) || (errA == nil) != (errB == nil) {
			t.Fatalf("not deterministic on %q", s)
		}
		if errA != nil {
			return
		}
		if a.AuthServID == "" {
			t.Fatalf("%q parsed with an empty authserv-id", s)
		}
		for _, r := range a.Results {
			if r.Method == "" || r.Result == "" {
				t.Fatalf("%q parsed into an empty method or result: %+v", s, r)
			}
		}
		// Round trip: the formatted field parses to the same value.
		c, err := Parse(a.String())
		if err != nil || !reflect.DeepEqual(a, c) {
			t.Fatalf("round trip of %q via %q: %v\n%+v\n%+v", s, a.String(), err, a, c)
		}
	})
}

func FuzzParseReceivedSPF(f *testing.F) {
	f.Add("pass (example.org: domain of a@example.com designates 192.0.2.1 as permitted sender) client-ip=192.0.2.1; envelope-from=\"a@example.com\"")
	f.Add("softfail")
	f.Fuzz(func(t *testing.T, s string) {
		a, errA := ParseReceivedSPF(s)
		b, errB := ParseReceivedSPF(s)
		if !reflect.DeepEqual(a, b) || (errA == nil) != (errB == nil) {
			t.Fatalf("not deterministic on %q", s)
		}
		if errA == nil && a.Result == "" {
			t.Fatalf("%q parsed without a result", s)
		}
	})
}
