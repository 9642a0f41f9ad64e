package bounce

import (
	"strings"
	"testing"
)

// noticeSignsIn is the plain reading of the notice signs: one
// strings.Contains per sign.
func noticeSignsIn(low string) uint64 {
	var found uint64
	for i, s := range formatSigns {
		if k := formatNotice.bit[i]; k >= 0 && strings.Contains(low, s.text) {
			found |= 1 << k
		}
	}
	return found
}

func TestNoticeScanFindsEverySign(t *testing.T) {
	n := 0
	for i, s := range formatSigns {
		if s.field != "" {
			continue
		}
		n++
		if formatNotice.bit[i] < 0 {
			t.Errorf("sign %q has no bit", s.text)
			continue
		}
		for _, text := range []string{s.text, "x" + s.text, "Dear user,\n" + strings.ToUpper(s.text) + ".\n", s.text[:len(s.text)-1]} {
			low := strings.ToLower(text)
			if got, want := findPhrases(formatNotice.set, low), noticeSignsIn(low); got != want {
				t.Errorf("%q: scan %b, strings.Contains %b", text, got, want)
			}
		}
	}
	if n == 0 || len(formatNotice.set.phrases) != n {
		t.Errorf("%d notice signs, %d indexed", n, len(formatNotice.set.phrases))
	}
}

// The first sign in order names the format, as it did with one
// strings.Contains per sign: an Exim notice that quotes a Postfix one is
// Postfix's, because Postfix's sign comes first.
func TestDetectFormatKeepsSignOrder(t *testing.T) {
	rep := &Report{}
	notice := "This message was created automatically by mail delivery software.\n" +
		"This is the mail system at host mx.example.\n"
	if got := detectFormat(rep, notice); got != "postfix" {
		t.Errorf("format %q, want postfix", got)
	}
	if got := detectFormat(rep, "THIS IS THE QMAIL-SEND PROGRAM at a.example"); got != "qmail" {
		t.Errorf("format %q, want qmail", got)
	}
	if got := detectFormat(rep, strings.Repeat("x", 1<<10)+"this is the qmail-send program"); got != "text" {
		t.Errorf("a sign past the first KiB named %q", got)
	}
}
