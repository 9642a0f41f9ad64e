package bounce

// This file finds which of a fixed list of phrases a text contains, in one
// pass over the text. The readers ask that question of every notice (which
// MTA wrote it, is it a delay warning, which SMTP stage its wrapper names);
// one strings.Contains per phrase read the same bytes dozens of times.

import "math/bits"

// phraseSet is a list of at most 64 lower-case ASCII phrases of two bytes
// or more. Bit k of first[c] (of second[c]) is set when phrase k starts
// with byte c (has c second), so a position of the text is compared only
// with the phrases whose two first bytes it has: about two table loads a
// byte. Immutable once built; safe for concurrent use.
type phraseSet struct {
	first, second [256]uint64
	phrases       []string
	words         bool // a phrase counts only with no letter or digit just before or after it (isWordByte)
}

// newPhraseSet builds the set of phrases, bit k for phrases[k]. It panics
// on more than 64 phrases or one shorter than two bytes: the lists are the
// package's own data.
func newPhraseSet(phrases []string, words bool) *phraseSet {
	if len(phrases) > 64 {
		panic("bounce: more than 64 phrases in a set")
	}
	ps := &phraseSet{phrases: phrases, words: words}
	for k, p := range phrases {
		if len(p) < 2 {
			panic("bounce: phrase shorter than two bytes: " + p)
		}
		ps.first[p[0]] |= 1 << k
		ps.second[p[1]] |= 1 << k
	}
	return ps
}

// findPhrases returns the bits of the phrases of ps found in low (lower
// case). Time is linear in len(low): at a position at most the 64 phrases
// are compared, each over its own length, and usually none or one is.
func findPhrases[T ~string | ~[]byte](ps *phraseSet, low T) uint64 {
	var found uint64
	for i := 0; i+1 < len(low); i++ {
		cand := ps.first[low[i]] & ps.second[low[i+1]] &^ found
		for cand != 0 {
			k := bits.TrailingZeros64(cand)
			cand &= cand - 1
			p := ps.phrases[k]
			j := i + len(p)
			if j > len(low) || string(low[i:j]) != p {
				continue
			}
			if ps.words && (i > 0 && isWordByte(low[i-1]) || j < len(low) && isWordByte(low[j])) {
				continue
			}
			found |= 1 << k
		}
	}
	return found
}

// firstPhrase is the index of the first phrase of ps (in list order) that
// low contains, -1 for none.
func firstPhrase[T ~string | ~[]byte](ps *phraseSet, low T) int {
	if f := findPhrases(ps, low); f != 0 {
		return bits.TrailingZeros64(f)
	}
	return -1
}
