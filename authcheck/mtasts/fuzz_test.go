package mtasts

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// FuzzParseMTASTS, FuzzParseTLSRPT and FuzzParseBIMI check the small TXT
// record and policy parsers: no panic, deterministic, an error wraps the
// parser's sentinel, and a parsed value keeps the invariants its doc states.

func FuzzParseMTASTS(f *testing.F) {
	f.Add("v=STSv1; id=20240101T000000", "version: STSv1\r\nmode: enforce\r\nmx: mx1.example.com\r\nmx: *.example.net\r\nmax_age: 604800\r\n")
	f.Add("v=STSv1;id=;", "version: STSv1\nmode: none\nmax_age: 0\n")
	f.Add("v=STSv2; id=x", "mode: testing\nmode: enforce\n")
	f.Fuzz(func(t *testing.T, record, policy string) {
		r1, e1 := ParseRecord(record)
		r2, e2 := ParseRecord(record)
		if !reflect.DeepEqual(r1, r2) || (e1 == nil) != (e2 == nil) {
			t.Fatalf("record not deterministic on %q", record)
		}
		if e1 != nil && !errors.Is(e1, ErrSyntax) {
			t.Fatalf("record error %v does not wrap ErrMTASTSSyntax", e1)
		}
		if e1 == nil && (r1.ID == "" || len(r1.ID) > 32) {
			t.Fatalf("record %q parsed with id %q", record, r1.ID)
		}
		p1, e1 := ParsePolicy(policy)
		p2, e2 := ParsePolicy(policy)
		if !reflect.DeepEqual(p1, p2) || (e1 == nil) != (e2 == nil) {
			t.Fatalf("policy not deterministic on %q", policy)
		}
		if e1 != nil {
			if !errors.Is(e1, ErrSyntax) {
				t.Fatalf("policy error %v does not wrap ErrMTASTSSyntax", e1)
			}
			return
		}
		if p1.Version != "STSv1" || p1.MaxAge < 0 || p1.MaxAge > MaxAge || p1.Mode != None && len(p1.MX) == 0 {
			t.Fatalf("policy %q parsed into %+v", policy, p1)
		}
		for _, mx := range p1.MX {
			_ = p1.MatchesMX(mx) // no panic on any pattern
		}
	})
}

func FuzzParseTLSRPT(f *testing.F) {
	f.Add("v=TLSRPTv1; rua=mailto:tlsrpt@example.com,https://report.example.com/v1")
	f.Add("v=TLSRPTv1;rua=")
	f.Add("v=TLSRPTv1; rua=mailto:")
	f.Fuzz(func(t *testing.T, s string) {
		r1, e1 := ParseTLSRPTRecord(s)
		r2, e2 := ParseTLSRPTRecord(s)
		if !reflect.DeepEqual(r1, r2) || (e1 == nil) != (e2 == nil) {
			t.Fatalf("not deterministic on %q", s)
		}
		if e1 != nil {
			if !errors.Is(e1, ErrTLSRPTSyntax) {
				t.Fatalf("error %v does not wrap ErrTLSRPTSyntax", e1)
			}
			return
		}
		if len(r1.RUA) == 0 {
			t.Fatalf("%q parsed without a rua", s)
		}
		for _, u := range r1.RUA {
			if l := strings.ToLower(u); !strings.HasPrefix(l, "mailto:") && !strings.HasPrefix(l, "https:") {
				t.Fatalf("%q parsed a rua %q of another scheme", s, u)
			}
		}
	})
}
