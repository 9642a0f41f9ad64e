package bimi

import (
	"errors"
	"reflect"
	"testing"
)

func FuzzParseBIMI(f *testing.F) {
	f.Add("v=BIMI1; l=https://example.com/logo.svg; a=https://example.com/vmc.pem")
	f.Add("v=BIMI1; l=; a=;")
	f.Add("v=BIMI1; l=http://x")
	f.Fuzz(func(t *testing.T, s string) {
		r1, e1 := ParseRecord(s)
		r2, e2 := ParseRecord(s)
		if !reflect.DeepEqual(r1, r2) || (e1 == nil) != (e2 == nil) {
			t.Fatalf("not deterministic on %q", s)
		}
		if e1 != nil {
			if !errors.Is(e1, ErrSyntax) {
				t.Fatalf("error %v does not wrap ErrBIMISyntax", e1)
			}
			return
		}
		if r1.Declined != (r1.Logo == "" && r1.Evidence == "") {
			t.Fatalf("%q: declined %v with logo %q evidence %q", s, r1.Declined, r1.Logo, r1.Evidence)
		}
	})
}
