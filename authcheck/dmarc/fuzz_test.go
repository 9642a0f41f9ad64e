package dmarc

import (
	"reflect"
	"testing"
)

func FuzzParseDMARC(f *testing.F) {
	for _, s := range []string{
		"v=DMARC1; p=reject; sp=none; np=quarantine; pct=50; rua=mailto:a@example.com!10m; ruf=mailto:b@example.com; adkim=s; aspf=r; fo=1:d; rf=afrf; ri=3600; psd=n; t=y",
		"v=DMARC1; p=none", "v=DMARC1", "v=DMARC1; p=bogus; pct=101", "v=spf1 -all", "v=DMARC1;;",
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
		switch a.Policy {
		case PolicyNone, PolicyQuarantine, PolicyReject:
		default:
			t.Fatalf("%q: effective policy %q", s, a.Policy)
		}
		if a.Percent < 0 || a.Percent > 100 {
			t.Fatalf("%q: pct %d", s, a.Percent)
		}
		if a.ADKIM != Relaxed && a.ADKIM != Strict || a.ASPF != Relaxed && a.ASPF != Strict {
			t.Fatalf("%q: alignment %q/%q", s, a.ADKIM, a.ASPF)
		}
		// Round trip: the formatted record parses to the same values.
		c, err := Parse(a.String())
		if err != nil {
			t.Fatalf("%q formatted as %q which does not parse: %v", s, a.String(), err)
		}
		c.Raw, c.Issues = a.Raw, a.Issues
		if !reflect.DeepEqual(a, c) {
			t.Fatalf("round trip of %q via %q:\n%+v\n%+v", s, a.String(), a, c)
		}
	})
}
