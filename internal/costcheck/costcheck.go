// Package costcheck bounds what one call of a parser may cost, for the
// time-bounded fuzz targets and the worst-case benchmarks of bouncekit's
// parsers (docs/reliability.md): a parser that reads hostile input must stay
// linear, so an input that costs more than a few microseconds per byte is a
// bug, found by the fuzzer like a panic is.
//
// Costs are measured as the CPU time of the calling OS thread where the
// system gives it (Linux), so a busy machine does not make a fast call look
// slow; elsewhere wall time is used.
package costcheck

import (
	"runtime"
	"strings"
	"testing"
	"time"
)

// Budget is the time one call may take on an input of n bytes:
// Base + PerByte*n.
type Budget struct {
	Base    time.Duration
	PerByte time.Duration
}

// Default is the budget of the fuzz targets: 50 ms plus 5 µs a byte. A
// linear parser spends well under 1 µs a byte; the quadratic paths fixed
// for issue 13 spent 4 to 100 µs a byte on 16 KiB inputs, and more on larger
// ones.
var Default = Budget{Base: 50 * time.Millisecond, PerByte: 5 * time.Microsecond}

// For returns the time allowed for an input of n bytes.
func (b Budget) For(n int) time.Duration { return b.Base + time.Duration(n)*b.PerByte }

// Check runs f, an operation on an input of n bytes, and fails t when it
// costs more than b allows. A call over budget is measured twice more and
// the cheapest run counts, so that one garbage collection or preemption does
// not fail a linear input.
func (b Budget) Check(t testing.TB, n int, f func()) {
	t.Helper()
	limit := b.For(n)
	best := time.Duration(1<<63 - 1)
	for range 3 {
		d := Measure(f)
		best = min(best, d)
		if best <= limit {
			return
		}
	}
	t.Fatalf("an input of %d bytes cost %v (budget %v: %v + %v a byte): not linear", n, best, limit, b.Base, b.PerByte)
}

// Check is Default.Check.
func Check(t testing.TB, n int, f func()) {
	t.Helper()
	Default.Check(t, n, f)
}

// Measure returns the cost of one call of f: the CPU time of the OS thread
// it ran on, or the wall time where that is not available.
func Measure(f func()) time.Duration {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	c0, ok0 := threadCPU()
	w0 := time.Now()
	f()
	w := time.Since(w0)
	if c1, ok1 := threadCPU(); ok0 && ok1 {
		return c1 - c0
	}
	return w
}

// Grow returns head, then unit repeated n times, then tail: the shape of the
// adversarial inputs of the worst-case benchmarks, which grow the repeated
// part 4x and 16x to show that the cost grows in proportion.
func Grow(head, unit string, n int, tail string) string {
	var b strings.Builder
	b.Grow(len(head) + len(unit)*n + len(tail))
	b.WriteString(head)
	for range n {
		b.WriteString(unit)
	}
	b.WriteString(tail)
	return b.String()
}

// Bench runs f in b's loop on one locked OS thread and reports, beside
// ns/op, the thread's CPU time per call (cpu-ns/op) and per input byte
// (cpu-ns/B) for an input of n bytes: figures that do not grow when other
// work shares the machine, so that the ratios between an input and the same
// input grown 4x and 16x show the parser's complexity.
func Bench(b *testing.B, n int, f func()) {
	b.Helper()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	b.ReportAllocs()
	b.SetBytes(int64(n))
	c0, ok0 := threadCPU()
	calls := 0
	for b.Loop() {
		f()
		calls++
	}
	if c1, ok1 := threadCPU(); ok0 && ok1 && calls > 0 {
		per := float64(c1-c0) / float64(calls)
		b.ReportMetric(per, "cpu-ns/op")
		if n > 0 {
			b.ReportMetric(per/float64(n), "cpu-ns/B")
		}
	}
}
