package retest

// This file sizes each stage: a one-sided test of a binomial proportion
// against the watch level (normal approximation for the size, the exact
// binomial tail for the failure count that decides).

import (
	"math"
)

// zQuantile is the standard normal quantile of p.
func zQuantile(p float64) float64 { return math.Sqrt2 * math.Erfinv(2*p-1) }

// sampleSize is the sends needed to tell a failure rate p1 from the watch
// level p0 with a one-sided test at the given confidence and power:
// n = ((z_{1-α}·√(p0(1-p0)) + z_{power}·√(p1(1-p1))) / (p1-p0))².
func sampleSize(p0, p1, confidence, power float64) int {
	if p1 <= p0 {
		return 0
	}
	za, zb := zQuantile(confidence), zQuantile(power)
	n := (za*math.Sqrt(p0*(1-p0)) + zb*math.Sqrt(p1*(1-p1))) / (p1 - p0)
	return int(math.Ceil(n * n))
}

// criticalCount is the smallest failure count c with P(X ≥ c) ≤ 1-confidence
// for X ~ Binomial(n, p0): at c failures or more the rate is above the watch
// level at that confidence.
func criticalCount(n int, p0, confidence float64) int {
	alpha := 1 - confidence
	// Upper tail summed from the top in log space, stable for large n.
	tail := 0.0
	lp, lq := math.Log(p0), math.Log1p(-p0)
	lgN, _ := math.Lgamma(float64(n + 1))
	for c := n; c >= 0; c-- {
		lgK, _ := math.Lgamma(float64(c + 1))
		lgNK, _ := math.Lgamma(float64(n - c + 1))
		tail += math.Exp(lgN - lgK - lgNK + float64(c)*lp + float64(n-c)*lq)
		if tail > alpha {
			return c + 1
		}
	}
	return 0
}
