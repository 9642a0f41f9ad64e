package segment

// This file holds the figures beside the failure rate: complaint and
// deferral rates, attempts per outcome and time to delivery.

import (
	"time"
)

// ComplaintRate is Complained / Delivered, 0 when nothing was delivered:
// the figure mailbox providers hold bulk senders to (complaints are about
// delivered mail, so delivered is the denominator).
func (c Counts) ComplaintRate() float64 {
	if c.Delivered > 0 {
		return float64(c.Complained) / float64(c.Delivered)
	}
	return 0
}

// DeferralRate is Deferred / Sent: the share of outcomes still temporary
// failures at the end of the input, a figure of its own beside the failure
// rate (a provider throttling a stream defers before it bounces).
func (c Counts) DeferralRate() float64 {
	if n := c.Sent(); n > 0 {
		return float64(c.Deferred) / float64(n)
	}
	return 0
}

// Complaint-rate levels from the mailbox providers' bulk-sender rules:
// Google (https://support.google.com/a/answer/81126, "Keep spam rates
// reported in Postmaster Tools below 0.1% and never reach 0.3% or higher")
// and Yahoo (https://senders.yahooinc.com/best-practices/, the same 0.3%
// ceiling).
const (
	ComplaintInvestigate = 0.001
	ComplaintPause       = 0.003
	// ComplaintMinSample is the fewest deliveries that get a complaint level.
	ComplaintMinSample = 1000
)

// ComplaintLevel is the level of a complaint rate: watch under 0.1%,
// investigate from 0.1%, pause from 0.3%, insufficient_data under
// ComplaintMinSample deliveries.
func ComplaintLevel(c Counts) Level {
	r := c.ComplaintRate()
	switch {
	case c.Delivered < ComplaintMinSample:
		return LevelInsufficient
	case r >= ComplaintPause:
		return LevelPause
	case r >= ComplaintInvestigate:
		return LevelInvestigate
	}
	return LevelWatch
}

// delayBounds are the upper bounds of the time-to-delivery histogram.
var delayBounds = [...]time.Duration{
	time.Second, 10 * time.Second, time.Minute, 10 * time.Minute, time.Hour,
	6 * time.Hour, 24 * time.Hour, 5 * 24 * time.Hour,
}

const numDelayBuckets = len(delayBounds) + 1

// outcomeFigures are one provider's attempts per outcome and time to
// delivery; they add and merge like counts.
type outcomeFigures struct {
	Attempts [3]int64               `json:"attempts"` // delivered, bounced, deferred
	Delays   [numDelayBuckets]int64 `json:"delays"`   // delivered outcomes by Delay bucket
	DelaySum int64                  `json:"delay_sum_ns"`
}

func (f *outcomeFigures) add(o outcomeIdx, ev *Event) {
	n := int64(max(ev.Attempts, 1))
	switch o {
	case oDelivered:
		f.Attempts[0] += n
		if ev.Delay <= 0 {
			break // not known: a source without delays, a single unfolded event
		}
		i := 0
		for i < len(delayBounds) && ev.Delay > delayBounds[i] {
			i++
		}
		f.Delays[i]++
		f.DelaySum += int64(ev.Delay)
	case oBounced:
		f.Attempts[1] += n
	case oDeferred:
		f.Attempts[2] += n
	}
}

func (f *outcomeFigures) merge(o outcomeFigures) {
	for i := range f.Attempts {
		f.Attempts[i] += o.Attempts[i]
	}
	for i := range f.Delays {
		f.Delays[i] += o.Delays[i]
	}
	f.DelaySum += o.DelaySum
}

// Attempts are the delivery attempts per outcome: how many tries, on
// average, a delivered, bounced or deferred outcome took (1 when every
// outcome was one attempt, or the events were not folded).
type Attempts struct {
	Delivered float64 `json:"delivered"`
	Bounced   float64 `json:"bounced"`
	Deferred  float64 `json:"deferred"`
}

// DelayStats are the time to delivery of the delivered outcomes whose Delay
// is known (Delivered counts them): the mean, and
// the median and 90th percentile as the upper bound of the histogram bucket
// they fall in (1s, 10s, 1m, 10m, 1h, 6h, 1d, 5d; "longer" is -1).
type DelayStats struct {
	Delivered int64         `json:"delivered"`
	Mean      time.Duration `json:"mean_ns"`
	P50       time.Duration `json:"p50_ns"`
	P90       time.Duration `json:"p90_ns"`
}

func (f *outcomeFigures) attempts(c Counts) Attempts {
	avg := func(n, d int64) float64 {
		if d == 0 {
			return 0
		}
		return float64(n) / float64(d)
	}
	return Attempts{avg(f.Attempts[0], c.Delivered), avg(f.Attempts[1], c.Bounced), avg(f.Attempts[2], c.Deferred)}
}

func (f *outcomeFigures) delays() DelayStats {
	var n int64
	for _, c := range f.Delays {
		n += c
	}
	s := DelayStats{Delivered: n}
	if n == 0 {
		return s
	}
	s.Mean = time.Duration(f.DelaySum / n)
	q := func(p float64) time.Duration {
		want := int64(p * float64(n))
		var acc int64
		for i, c := range f.Delays {
			acc += c
			if acc > want || acc == n {
				if i < len(delayBounds) {
					return delayBounds[i]
				}
				return -1
			}
		}
		return -1
	}
	s.P50, s.P90 = q(0.5), q(0.9)
	return s
}
