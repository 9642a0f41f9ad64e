package contentfilter

import (
	"cmp"
	"math"
	"slices"
	"strings"
)

// sortSymbols orders symbols by score, highest first, then by name, so a
// result never depends on the order a filter (or a JSON map) gave them.
func sortSymbols(s []Symbol) {
	slices.SortFunc(s, func(a, b Symbol) int {
		if c := cmp.Compare(math.Abs(b.Score), math.Abs(a.Score)); c != 0 {
			return c
		}
		if c := cmp.Compare(b.Score, a.Score); c != 0 {
			return c
		}
		return strings.Compare(a.Name, b.Name)
	})
}
