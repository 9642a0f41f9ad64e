package segment

import (
	"bufio"
	"encoding/csv"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// Records whose quoted fields run over line ends, with escaped quotes
// anywhere (at a line's end or start too), are read as encoding/csv reads
// these RFC 4180 records, now that an open quote is followed line by line.
func TestCSVQuotedFieldsOverLines(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	pieces := []string{"a", "b", ",", "\"\"", "\n", " ", "x,y"}
	for n := range 500 {
		var sb strings.Builder
		for f := range 1 + rng.IntN(4) {
			if f > 0 {
				sb.WriteByte(',')
			}
			var v strings.Builder
			if rng.IntN(2) == 0 {
				for range rng.IntN(6) {
					v.WriteString(pieces[rng.IntN(len(pieces))])
				}
				sb.WriteString("\"" + v.String() + "\"")

			} else {
				v.WriteString([]string{"p", "q1", "zz"}[rng.IntN(3)])
				sb.WriteString(v.String())

			}
		}
		in := sb.String() + "\nnext,row\n"
		want, err := csv.NewReader(strings.NewReader(in)).Read()
		if err != nil {
			t.Fatalf("%q: encoding/csv: %v", in, err)
		}
		c := &csvRecords{s: &lineScanner{br: bufio.NewReader(strings.NewReader(in)), max: 1 << 20}}
		got, _, recErr, err := c.next()
		if err != nil || recErr != nil || !slices.Equal(got, want) {
			t.Fatalf("case %d %q: got %q (%v %v), want %q", n, in, got, recErr, err, want)
		}
		if next, _, _, _ := c.next(); !slices.Equal(next, []string{"next", "row"}) {
			t.Fatalf("case %d %q: the record after it reads %q", n, in, next)
		}
	}
}
