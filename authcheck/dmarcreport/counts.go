package dmarcreport

// This file holds the message counts every aggregate level keeps, and the
// spreading of a report's counts over the days of its window.

import (
	"math/bits"
	"time"
)

// Counts are message counts of a set of report rows.
type Counts struct {
	Messages int64 `json:"messages"`
	// DMARCPass counts messages whose evaluated DKIM or SPF passed
	// (RFC 7489 §4.2); DMARCFail the others.
	DMARCPass int64 `json:"dmarc_pass"`
	DMARCFail int64 `json:"dmarc_fail"`
	// DKIMAligned and SPFAligned count the evaluated (aligned) passes.
	DKIMAligned int64 `json:"dkim_aligned"`
	SPFAligned  int64 `json:"spf_aligned"`
	// DKIMPass and SPFPass count messages with any passing raw result,
	// aligned or not.
	DKIMPass int64 `json:"dkim_pass"`
	SPFPass  int64 `json:"spf_pass"`
	// Dispositions the receivers applied.
	None       int64 `json:"none"`
	Quarantine int64 `json:"quarantine"`
	Reject     int64 `json:"reject"`
	// Passed counts RFC 9990's "pass" disposition.
	Passed int64 `json:"pass"`
}

const nCounts = 11

func (c *Counts) vec() [nCounts]*int64 {
	return [nCounts]*int64{&c.Messages, &c.DMARCPass, &c.DMARCFail, &c.DKIMAligned, &c.SPFAligned,
		&c.DKIMPass, &c.SPFPass, &c.None, &c.Quarantine, &c.Reject, &c.Passed}
}

// Add adds o to c.
func (c *Counts) Add(o Counts) {
	cv, ov := c.vec(), o.vec()
	for i := range cv {
		*cv[i] = addSat(*cv[i], *ov[i])
	}
}

// PassRate is DMARCPass over Messages, 0 with no messages.
func (c Counts) PassRate() float64 {
	if c.Messages == 0 {
		return 0
	}
	return float64(c.DMARCPass) / float64(c.Messages)
}

// ByDisposition gives the disposition counts keyed by their tokens, the
// zero ones left out.
func (c Counts) ByDisposition() map[Disposition]int64 {
	m := map[Disposition]int64{}
	for d, n := range map[Disposition]int64{DispositionNone: c.None, DispositionQuarantine: c.Quarantine, DispositionReject: c.Reject, DispositionPass: c.Passed} {
		if n > 0 {
			m[d] = n
		}
	}
	return m
}

// countsOf gives the counts of one record.
func countsOf(r *Record) Counts {
	n := r.Count
	c := Counts{Messages: n}
	if r.DMARCPass() {
		c.DMARCPass = n
	} else {
		c.DMARCFail = n
	}
	if r.DKIM == ResultPass {
		c.DKIMAligned = n
	}
	if r.SPF == ResultPass {
		c.SPFAligned = n
	}
	for _, d := range r.DKIMResults {
		if d.Result == DKIMPass {
			c.DKIMPass = n
			break
		}
	}
	for _, s := range r.SPFResults {
		if s.Result == SPFPass {
			c.SPFPass = n
			break
		}
	}
	switch r.Disposition {
	case DispositionQuarantine:
		c.Quarantine = n
	case DispositionReject:
		c.Reject = n
	case DispositionPass:
		c.Passed = n
	default:
		c.None = n
	}
	return c
}

// Counts gives the counts of the whole report.
func (r *Report) Counts() Counts {
	var c Counts
	for i := range r.Records {
		c.Add(countsOf(&r.Records[i]))
	}
	return c
}

// maxSpreadDays bounds the days one report is spread over; a window longer
// than that (a broken or hostile report) counts on its last day only.
const maxSpreadDays = 31

// dayShare is the part of a report's window that falls on one UTC day.
type dayShare struct {
	day    int64 // days since 1970-01-01
	weight uint64
}

// spreadDays gives the UTC days a window covers, weighted by the seconds
// on each. RFC 7489 §7.2 windows are usually one day, midnight to 23:59:59
// or midnight to midnight; End is taken as exclusive.
func spreadDays(begin, end time.Time) []dayShare {
	if end.IsZero() {
		end = begin
	}
	if end.IsZero() {
		return nil
	}
	b, e := begin.Unix(), end.Unix()
	if begin.IsZero() || e <= b {
		return []dayShare{{day: floorDiv(e, 86400), weight: 1}}
	}
	first, last := floorDiv(b, 86400), floorDiv(e-1, 86400)
	if last-first >= maxSpreadDays {
		return []dayShare{{day: last, weight: 1}}
	}
	var out []dayShare
	for d := first; d <= last; d++ {
		lo, hi := max(b, d*86400), min(e, (d+1)*86400)
		if hi > lo {
			out = append(out, dayShare{day: d, weight: uint64(hi - lo)})
		}
	}
	return out
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && a < 0 {
		q--
	}
	return q
}

// spread splits c over shares so that each field sums back exactly:
// share i gets floor(v*W_i/T) - floor(v*W_(i-1)/T), W the running weight.
func spread(c Counts, shares []dayShare, add func(day int64, c Counts)) {
	var total uint64
	for _, s := range shares {
		total += s.weight
	}
	var prev [nCounts]uint64
	var run uint64
	for _, s := range shares {
		run += s.weight
		var part Counts
		pv, cv := part.vec(), c.vec()
		for i := range cv {
			hi, lo := bits.Mul64(uint64(*cv[i]), run)
			q, _ := bits.Div64(hi, lo, total)
			*pv[i] = int64(q - prev[i])
			prev[i] = q
		}
		add(s.day, part)
	}
}
