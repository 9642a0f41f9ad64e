package costcheck

import (
	"strings"
	"testing"
	"time"
)

func TestGrowRepeatsTheUnit(t *testing.T) {
	if got := Grow("550 ", "<", 3, "x"); got != "550 <<<x" {
		t.Fatalf("Grow = %q", got)
	}
}

// A quadratic function of its input goes over the budget that a linear one
// stays under: the check can fail.
func TestCheckTellsQuadraticFromLinear(t *testing.T) {
	in := strings.Repeat("<", 4<<10)
	b := Budget{Base: time.Millisecond, PerByte: 100 * time.Nanosecond}
	quadratic := func() {
		n := 0
		for i := range in {
			for j := i; j < len(in); j++ {
				if in[j] == '>' {
					n++
				}
			}
			// Repeat the inner loop so the quadratic cost is far above the
			// budget even on a fast machine.
			for range 20 {
				n += strings.Count(in[i:], ">")
			}
		}
		_ = n
	}
	ft := &fakeT{TB: t}
	b.Check(ft, len(in), quadratic)
	if !ft.failed {
		t.Fatal("a quadratic scan of 4 KiB passed a budget of 1 ms + 100 ns a byte")
	}
	ft = &fakeT{TB: t}
	b.Check(ft, len(in), func() { _ = strings.Count(in, ">") })
	if ft.failed {
		t.Fatal("a linear scan failed its budget")
	}
}

type fakeT struct {
	testing.TB
	failed bool
}

func (f *fakeT) Helper()               {}
func (f *fakeT) Fatalf(string, ...any) { f.failed = true }
