package syntax

import (
	"slices"
	"strings"
	"testing"
)

func TestTopLabel(t *testing.T) {
	for l, want := range map[string]bool{"com": true, "x1": true, "1x": true, "a-1": true, "123": false, "": false, "-ab": false, "ab-": false, "a_b": false} {
		if got := TopLabel(l); got != want {
			t.Errorf("TopLabel(%q) = %v, want %v", l, got, want)
		}
	}
}

func TestSmallHelpers(t *testing.T) {
	if !AllDigits("0123") || AllDigits("") || AllDigits("12a") {
		t.Error("AllDigits")
	}
	if !Alpha('a') || !Alpha('Z') || Alpha('1') || Alpha('_') {
		t.Error("Alpha")
	}
	if got := StripFWS(" ab\r\n\tc d "); got != "abcd" {
		t.Errorf("StripFWS = %q", got)
	}
	if got := SplitColonList(" sha256 : :sha1:"); !slices.Equal(got, []string{"sha256", "sha1"}) {
		t.Errorf("SplitColonList = %q", got)
	}
	if !IsSubdomainOrSame("Mail.Example.COM.", "example.com") || !IsSubdomainOrSame("example.com", "example.com") || IsSubdomainOrSame("badexample.com", "example.com") {
		t.Error("IsSubdomainOrSame")
	}
	long := strings.Repeat("x", 200)
	if got := Trunc(long); len(got) != 131 || !strings.HasSuffix(got, "...") {
		t.Errorf("Trunc gave %d bytes", len(got))
	}
	if Trunc("short") != "short" {
		t.Error("Trunc changed a short string")
	}
}
