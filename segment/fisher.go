package segment

import (
	"math"
	"slices"
)

// FisherExact returns the two-sided p-value of Fisher's exact test for the
// 2x2 table
//
//	a b
//	c d
//
// summing the hypergeometric probabilities of every table with the same
// margins that is no more likely than the observed one. Probabilities are
// computed from log-factorials for the observed table and by the ratio of
// consecutive terms for the others, walking out from the mode until terms
// no longer matter, so large tables cost little.
func FisherExact(a, b, c, d int64) float64 {
	if a < 0 || b < 0 || c < 0 || d < 0 {
		return math.NaN()
	}
	r1, r2, c1 := a+b, c+d, a+c
	n := r1 + r2
	if n == 0 || r1 == 0 || r2 == 0 || c1 == 0 || c1 == n {
		return 1
	}
	lo, hi := max(0, c1-r2), min(r1, c1)
	logp := func(x int64) float64 {
		return lfact(r1) + lfact(r2) + lfact(c1) + lfact(n-c1) - lfact(n) -
			lfact(x) - lfact(r1-x) - lfact(c1-x) - lfact(r2-c1+x)
	}
	mode := (r1 + 1) * (c1 + 1) / (n + 2)
	mode = min(max(mode, lo), hi)
	lm := logp(mode)
	ra := math.Exp(logp(a) - lm) // observed term relative to the mode's
	const rel = 1 + 1e-7
	limit := 1e-17 * math.Min(1, ra)
	if limit < 1e-300 {
		limit = 1e-300
	}
	total, tail := 1.0, 0.0
	if 1 <= ra*rel {
		tail = 1
	}
	// Walk up: p(x+1)/p(x) = (r1-x)(c1-x) / ((x+1)(r2-c1+x+1)).
	r := 1.0
	for x := mode; x < hi; x++ {
		r *= float64(r1-x) * float64(c1-x) / (float64(x+1) * float64(r2-c1+x+1))
		total += r
		if r <= ra*rel {
			tail += r
		}
		if r < limit && x+1 > a {
			break
		}
	}
	r = 1.0
	for x := mode; x > lo; x-- {
		r *= float64(x) * float64(r2-c1+x) / (float64(r1-x+1) * float64(c1-x+1))
		total += r
		if r <= ra*rel {
			tail += r
		}
		if r < limit && x-1 < a {
			break
		}
	}
	p := tail / total
	return math.Min(1, math.Max(p, 0))
}

func lfact(n int64) float64 {
	if n < int64(len(lfactTable)) {
		return lfactTable[n]
	}
	v, _ := math.Lgamma(float64(n) + 1)
	return v
}

var lfactTable = func() []float64 {
	t := make([]float64, 1024)
	for i := 1; i < len(t); i++ {
		t[i] = t[i-1] + math.Log(float64(i))
	}
	return t
}()

// BenjaminiHochberg returns the false-discovery-rate adjusted p-values (q
// values) of ps, in the same order (Benjamini and Hochberg 1995). A value is
// a discovery at rate alpha when its q is at most alpha. m is the number of
// hypotheses tested; values below len(ps) mean len(ps).
func BenjaminiHochberg(ps []float64, m int) []float64 {
	m = max(m, len(ps))
	idx := make([]int, len(ps))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(x, y int) int {
		switch {
		case ps[x] < ps[y]:
			return -1
		case ps[x] > ps[y]:
			return 1
		}
		return 0
	})
	q := make([]float64, len(ps))
	prev := 1.0
	for k := len(idx) - 1; k >= 0; k-- {
		i := idx[k]
		v := math.Min(prev, ps[i]*float64(m)/float64(k+1))
		q[i] = math.Min(v, 1)
		prev = q[i]
	}
	return q
}
