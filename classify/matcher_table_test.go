package classify

import (
	"bytes"
	"encoding/binary"
	"flag"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/bouncekit/bouncekit/bounce"
)

var updateMatcherTable = flag.Bool("update-matcher-table", false, "rewrite matcher_default.bin and vocab_default.bin from the built-in rules and vocabulary (go generate)")

// builtinPatterns is the phrase list of the built-in rules, as compile
// makes it.
func builtinPatterns(t testing.TB) []string {
	t.Helper()
	c, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	return c.patterns
}

// The embedded table is the matcher newMatcher builds from the built-in
// rules' phrases, byte for byte; go generate ./classify rewrites it.
func TestMatcherTableIsCurrent(t *testing.T) {
	pats := builtinPatterns(t)
	m, err := newMatcher(pats)
	if err != nil {
		t.Fatal(err)
	}
	want := appendTable(nil, m, nil, m.outThreshold, patternsSum(pats))
	if *updateMatcherTable {
		if err := os.WriteFile("matcher_default.bin", want, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if !bytes.Equal([]byte(defaultMatcherTable), want) {
		t.Fatal("matcher_default.bin is not the built-in rules' matcher: run go generate ./classify")
	}
	got := tableMatcher(defaultMatcherTable, pats)
	if got == nil {
		t.Fatal("the embedded table was not taken for the built-in phrases")
	}
	if !reflect.DeepEqual(got, m) {
		t.Fatal("the table read back differs from the matcher it was written from")
	}
	if Default().ac.delta == nil || &Default().ac.delta[0] != &got.delta[0] && littleEndian {
		t.Error("Default does not use the embedded table")
	}
}

// The embedded vocabulary table is the automaton compileVocab builds from
// the built-in vocabulary, and the built-in vocabulary uses it.
func TestVocabTableIsCurrent(t *testing.T) {
	terms := vocabulary()
	pats := vocabPatterns(terms)
	v := compileVocab(terms, pats)
	want := appendTable(nil, v.m, v.delta, uint32(v.thr), patternsSum(pats))
	if *updateMatcherTable {
		if err := os.WriteFile("vocab_default.bin", want, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if !bytes.Equal([]byte(defaultVocabTable), want) {
		t.Fatal("vocab_default.bin is not the built-in vocabulary's automaton: run go generate ./classify")
	}
	got := newVocab(terms)
	if !reflect.DeepEqual(got, v) {
		t.Fatal("the vocabulary read from the table differs from the one compiled")
	}
	if littleEndian && &builtinVocab().delta[0] != &got.delta[0] {
		t.Error("the built-in vocabulary does not use the embedded table")
	}
	if tableMatcher(defaultVocabTable, pats) != nil {
		t.Error("the vocabulary's uint16 table was taken as a phrase matcher")
	}
}

// The table serves only the phrase list it was built from, and a cut or
// damaged one is refused (the matcher is then built).
func TestMatcherTableRefusesOtherPhrasesAndDamage(t *testing.T) {
	pats := builtinPatterns(t)
	other := append([]string{"a phrase of my own"}, pats...)
	if tableMatcher(defaultMatcherTable, other) != nil {
		t.Error("the table was taken for another phrase list")
	}
	if tableMatcher(defaultMatcherTable, pats[1:]) != nil {
		t.Error("the table was taken for a shorter phrase list")
	}
	c, err := New(Options{Before: []Rule{{ID: "mine", Any: []string{"frobnicated"}, Category: CategoryUnknown}}})
	if err != nil {
		t.Fatal(err)
	}
	if c.ac == Default().ac || len(c.ac.delta) > 0 && &c.ac.delta[0] == &Default().ac.delta[0] {
		t.Error("a Classifier with a rule of its own shares the built-in table")
	}
	r, err := bounce.ParseReply("550 mailbox frobnicated")
	if err != nil {
		t.Fatal(err)
	}
	if v := c.Classify(&r, Context{}); v.Rule != "mine" {
		t.Errorf("own rule with its own matcher: rule %q", v.Rule)
	}
	b := []byte(defaultMatcherTable)
	for _, cut := range []int{0, 7, tableHeader, tableHeader + 256, len(b) - 1} {
		if tableMatcher(string(b[:cut]), pats) != nil {
			t.Errorf("a table cut at %d was taken", cut)
		}
	}
	// An output past the patterns.
	d := bytes.Clone(b)
	for i := len(d) - 4; i < len(d); i++ {
		d[i] = 0xff
	}
	if tableMatcher(string(d), pats) != nil {
		t.Error("a table whose last output names no pattern was taken")
	}
}

// The arrays read the same at every alignment: of four offsets into one
// string, at least three are unaligned for uint32 and two for uint16, so
// both the in-place and the copying path are taken and checked against
// encoding/binary.
func TestTableArrayReadsEveryAlignment(t *testing.T) {
	s := strings.Repeat("\x01\x02\x03\x04\x05", 4)
	for k := 0; k < 4; k++ {
		got32 := tableArray[uint32](s[k : k+8])
		want32 := []uint32{binary.LittleEndian.Uint32([]byte(s[k : k+4])), binary.LittleEndian.Uint32([]byte(s[k+4 : k+8]))}
		if !reflect.DeepEqual(got32, want32) {
			t.Errorf("offset %d: tableArray[uint32] = %x, want %x", k, got32, want32)
		}
		got16 := tableArray[uint16](s[k : k+4])
		want16 := []uint16{binary.LittleEndian.Uint16([]byte(s[k : k+2])), binary.LittleEndian.Uint16([]byte(s[k+2 : k+4]))}
		if !reflect.DeepEqual(got16, want16) {
			t.Errorf("offset %d: tableArray[uint16] = %x, want %x", k, got16, want16)
		}
	}
}

// Lists that join to the same bytes hash differently.
func TestPatternsSumTellsListsApart(t *testing.T) {
	lists := [][]string{{"a\x00b"}, {"a", "b"}, {"ab"}, {"a", "", "b"}, {"", "ab"}, {}}
	for i := range lists {
		for j := i + 1; j < len(lists); j++ {
			if patternsSum(lists[i]) == patternsSum(lists[j]) {
				t.Errorf("%q and %q have the same sum", lists[i], lists[j])
			}
		}
	}
}
