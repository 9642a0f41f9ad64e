package ascii

import "testing"

func TestLower(t *testing.T) {
	for in, want := range map[string]string{
		"":                 "",
		"already lower":    "already lower",
		"Mixed CASE 5.7.1": "mixed case 5.7.1",
		"ÄÖÜ Straße":       "ÄÖÜ straße", // only ASCII letters fold
		"X-Postfix":        "x-postfix",
	} {
		if got := Lower(in); got != want {
			t.Errorf("Lower(%q) = %q, want %q", in, got, want)
		}
	}
	if n := testing.AllocsPerRun(10, func() { _ = Lower("no upper case here") }); n != 0 {
		t.Errorf("Lower allocates %v times on lower-case input", n)
	}
}

func TestEqualFold(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{"", "", true},
		{"Content-Type", "content-type", true},
		{"X-Failed-Recipients", "X-FAILED-RECIPIENTS", true},
		{"From", "Fro", false},
		{"From", "Frop", false},
		{"a[", "A{", false},    // '[' and '{' are 0x20 apart but not letters
		{"\u212a", "k", false}, // KELVIN SIGN folds to k in Unicode, not in ASCII
		{"é", "É", false},
	} {
		if got := EqualFold(tc.a, tc.b); got != tc.want {
			t.Errorf("EqualFold(%q, %q) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}
