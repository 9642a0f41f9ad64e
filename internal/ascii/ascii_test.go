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
