package classify

import (
	"strings"
	"testing"
)

// ProviderForHost stops at the shortest matching suffix; that is only
// right while no key is a label-suffix of another key naming a different
// provider.
func TestHostSuffixesAreConsistent(t *testing.T) {
	for k, p := range hostProviders {
		for k2, p2 := range hostProviders {
			if k != k2 && strings.HasSuffix(k, "."+k2) && p != p2 {
				t.Errorf("%s -> %s but its suffix %s -> %s", k, p, k2, p2)
			}
		}
	}
}

func TestMatcherFindsOverlappingPatternsIgnoringCase(t *testing.T) {
	pats := []string{"he", "she", "his", "hers", "user unknown", "[cs01]", "\xc3\xa9t\xc3\xa9"}
	m, err := newMatcher(pats)
	if err != nil {
		t.Fatal(err)
	}
	var ml matchList
	m.scan("uSHErs: USER Unknown [CS01] \xc3\xa9t\xc3\xa9", &ml)
	want := map[uint32]bool{0: true, 1: true, 3: true, 4: true, 5: true, 6: true}
	if ml.n != len(want) {
		t.Fatalf("found %v, want ids %v", ml.ids[:ml.n], want)
	}
	for _, id := range ml.ids[:ml.n] {
		if !want[id] {
			t.Errorf("unexpected pattern %q", pats[id])
		}
	}
	if !ml.has(4) || ml.has(2) {
		t.Error("has() disagrees with the scan")
	}
}

func TestMatchListKeepsAtMostMaxMatches(t *testing.T) {
	var ml matchList
	for i := range uint32(maxMatches + 10) {
		ml.add(i)
		ml.add(i) // duplicates are ignored
	}
	if ml.n != maxMatches {
		t.Errorf("n = %d, want %d", ml.n, maxMatches)
	}
}

// The built-in rules leave room under the compile limits for users' rules:
// at most a quarter of each is used.
func TestBuiltinRulesLeaveRoomUnderTheLimits(t *testing.T) {
	c := Default()
	bytes := 0
	for _, p := range c.patterns {
		bytes += len(p)
	}
	cells := c.ac.states() * c.ac.nclass
	if bytes > MaxPatternBytes/4 || cells > MaxMatcherCells/4 || len(c.ac.out) > MaxMatcherOutputs/4 {
		t.Errorf("built-in rules use %d pattern bytes, %d cells (%d states x %d classes), %d outputs: over a quarter of a limit",
			bytes, cells, c.ac.states(), c.ac.nclass, len(c.ac.out))
	}
}
