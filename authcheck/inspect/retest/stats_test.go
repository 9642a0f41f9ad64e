package retest

import "testing"

func TestSampleSizeGrowsAsTheRateNearsTheWatchLevel(t *testing.T) {
	prev := 0
	for _, p1 := range []float64{0.05, 0.03, 0.02, 0.01, 0.007} {
		n := sampleSize(0.005, p1, 0.95, 0.8)
		if n <= prev {
			t.Fatalf("n(%v)=%d not above n of a larger rate (%d)", p1, n, prev)
		}
		prev = n
	}
	// Worked by hand: p0=0.5%, p1=2%, z=1.645 and 0.842 give 243.
	if n := sampleSize(0.005, 0.02, 0.95, 0.8); n < 240 || n > 246 {
		t.Fatalf("n(2%%) = %d, want about 243", n)
	}
	if n := sampleSize(0.005, 0.004, 0.95, 0.8); n != 0 {
		t.Fatalf("a rate under the watch level needs no test, got %d", n)
	}
}

func TestCriticalCountBoundsTheFalseAlarmRate(t *testing.T) {
	for _, n := range []int{50, 243, 1000, 10000} {
		c := criticalCount(n, 0.005, 0.95)
		if c < 1 || float64(c) < 0.005*float64(n) {
			t.Fatalf("n=%d: c=%d below the expected count", n, c)
		}
		// c-1 must not already be significant.
		if c2 := criticalCount(n, 0.005, 0.90); c2 > c {
			t.Fatalf("n=%d: a lower confidence needs more failures (%d > %d)", n, c2, c)
		}
	}
	if c := criticalCount(243, 0.005, 0.95); c != 4 {
		t.Fatalf("n=243: c=%d, want 4 (P(X≥4)=0.034, P(X≥3)=0.12)", c)
	}
}
