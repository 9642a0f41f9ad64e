package bounce

import (
	"bytes"
	"strings"
	"testing"
)

// containsWord is the plain reading of a whole-word phrase: some
// occurrence of word in s has no letter or digit directly before or after.
func containsWord(s []byte, word string) bool {
	for off := 0; off < len(s); {
		i := bytes.Index(s[off:], []byte(word))
		if i < 0 {
			return false
		}
		i += off
		j := i + len(word)
		if (i == 0 || !isWordByte(s[i-1])) && (j == len(s) || !isWordByte(s[j])) {
			return true
		}
		off = i + 1
	}
	return false
}

// plainPhrases is what findPhrases must return: one search per phrase.
func plainPhrases(ps *phraseSet, low string) uint64 {
	var found uint64
	for k, p := range ps.phrases {
		if ps.words && containsWord([]byte(low), p) || !ps.words && strings.Contains(low, p) {
			found |= 1 << k
		}
	}
	return found
}

// Every set the readers use, on texts made of their own phrases.
var phraseSetsUnderTest = []*phraseSet{formatNotice.set, stageHintSet, failureSentenceSet, delaySentenceSet, failureOpeningSet}

func TestFindPhrasesAgreesWithOneSearchPerPhrase(t *testing.T) {
	for _, ps := range phraseSetsUnderTest {
		for _, p := range ps.phrases {
			for _, text := range []string{
				p, "x" + p, p + "x", "(" + p + ")", p[:len(p)-1], p + " " + p,
				"mailbox " + p + " and " + ps.phrases[0], "xx" + p + "x " + p,
			} {
				if got, want := findPhrases(ps, text), plainPhrases(ps, text); got != want {
					t.Errorf("%q: findPhrases %b, one search per phrase %b", text, got, want)
				}
				if got, want := findPhrases(ps, []byte(text)), findPhrases(ps, text); got != want {
					t.Errorf("%q: []byte %b, string %b", text, got, want)
				}
			}
		}
	}
}

// A whole-word set skips an occurrence inside a word and takes a later
// free one; firstPhrase is the first in list order, not in the text.
func TestPhraseSetWordsAndOrder(t *testing.T) {
	ps := newPhraseSet([]string{"mail from", "helo"}, true)
	if f := findPhrases(ps, "email from x"); f != 0 {
		t.Errorf("email from: %b", f)
	}
	if f := findPhrases(ps, "email from x, then mail from"); f != 1 {
		t.Errorf("a later whole word: %b", f)
	}
	if k := firstPhrase(ps, "helo then mail from"); k != 0 {
		t.Errorf("firstPhrase = %d, want 0 (list order)", k)
	}
	if k := firstPhrase(ps, "nothing"); k != -1 {
		t.Errorf("firstPhrase = %d, want -1", k)
	}
}

func TestFindPhrasesAllocatesNothing(t *testing.T) {
	text := []byte(strings.Repeat("this is the mail system at host x; will retry for 4 days. ", 20))
	head := string(text[:100])
	if n := testing.AllocsPerRun(100, func() {
		findPhrases(delaySentenceSet, text)
		findPhrases(formatNotice.set, head)
	}); n != 0 {
		t.Errorf("%v allocations", n)
	}
}

func FuzzFindPhrases(f *testing.F) {
	f.Add("in reply to rcpt to command; email from mail from")
	f.Add("this is a warning only. will retry for 3 days; gave up")
	f.Fuzz(func(t *testing.T, s string) {
		low := strings.ToLower(s)
		for _, ps := range phraseSetsUnderTest {
			if got, want := findPhrases(ps, low), plainPhrases(ps, low); got != want {
				t.Fatalf("%q: findPhrases %b, one search per phrase %b", low, got, want)
			}
		}
	})
}
