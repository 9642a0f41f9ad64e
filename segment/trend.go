package segment

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/bouncekit/bouncekit/classify"
)

// TrendOptions configure Trend.
type TrendOptions struct {
	// Now is the clock; windows that start after Now are left out. nil
	// means time.Now. Reports built from logs set it to the last event's
	// time so that a replayed log reads as it did then.
	Now func() time.Time
	// Windows is how many of the Aggregate's windows back from Now to look
	// at; 0 means all.
	Windows int
	// MinSample is the smallest window (and baseline) denominator that
	// counts; 0 means 50.
	MinSample int64
}

// TrendPoint is one provider's counts in one window.
type TrendPoint struct {
	Start  time.Time    `json:"start"`
	Counts WindowCounts `json:"counts"`
	Rate   Rate         `json:"rate"`
}

// Trend is one provider's failure rate over time.
type Trend struct {
	Provider classify.Provider `json:"provider"`
	Points   []TrendPoint      `json:"points"`
	// Rising is set when the latest window's rate is above the earlier
	// windows' rate beyond both 95% intervals (the latest's lower bound
	// over the baseline's upper bound).
	Rising bool   `json:"rising"`
	Reason string `json:"reason,omitempty"`
}

// Trend is Aggregate.Trend on the view.
func (a *view) Trend(opt TrendOptions) []Trend {
	now := time.Now
	if opt.Now != nil {
		now = opt.Now
	}
	if opt.MinSample <= 0 {
		opt.MinSample = 50
	}
	w := int64(a.window)
	nowK := now().UnixNano() / w
	var out []Trend
	for _, p := range a.provs {
		tr := Trend{Provider: p.name}
		keys := make([]int64, 0, len(p.win))
		for k := range p.win {
			if k <= nowK && (opt.Windows <= 0 || k > nowK-int64(opt.Windows)) {
				keys = append(keys, k)
			}
		}
		slices.Sort(keys)
		for _, k := range keys {
			c := *p.win[k]
			tr.Points = append(tr.Points, TrendPoint{Start: time.Unix(0, k*w).UTC(), Counts: c, Rate: NewRate(c.Bounced, c.Sent())})
		}
		if n := len(tr.Points); n >= 2 {
			last := tr.Points[n-1].Rate
			var base Counts
			for _, pt := range tr.Points[:n-1] {
				base.add(pt.Counts.Counts)
			}
			br := NewRate(base.Bounced, base.Sent())
			if last.Sent >= opt.MinSample && br.Sent >= opt.MinSample && last.Low > br.High {
				tr.Rising = true
				tr.Reason = fmt.Sprintf("failure rate %s in the window from %s, up from %s before",
					last, tr.Points[n-1].Start.Format(time.RFC3339), br)
			}
		}
		out = append(out, tr)
	}
	slices.SortFunc(out, func(x, y Trend) int { return strings.Compare(string(x.Provider), string(y.Provider)) })
	return out
}

// BrakeOptions configure SuppressionBrake.
type BrakeOptions struct {
	// Share of messages to previously delivered addresses that come back as
	// recipient-level failures (unknown, inactive) from which to hold
	// suppression; 0 means 0.10. Real address churn between two sends is
	// far below 1%.
	Share float64
	// MinFailures is the fewest such failures in one window; 0 means 20.
	MinFailures int64
}

// Brake is the suppression-brake verdict for one provider.
type Brake struct {
	Provider classify.Provider `json:"provider"`
	// Hold: do not suppress this provider's recipient-level failures until
	// the provider's behaviour is understood.
	Hold   bool      `json:"hold"`
	Window time.Time `json:"window"`
	// Returning messages went to addresses delivered to before;
	// ReturningFailures of them bounced as unknown or inactive.
	Returning         int64   `json:"returning"`
	ReturningFailures int64   `json:"returning_failures"`
	Share             float64 `json:"share"`
	Reason            string  `json:"reason"`
}

// SuppressionBrake is Aggregate.SuppressionBrake on the view.
func (a *view) SuppressionBrake(opt BrakeOptions) []Brake {
	if opt.Share <= 0 {
		opt.Share = 0.10
	}
	if opt.MinFailures <= 0 {
		opt.MinFailures = 20
	}
	var out []Brake
	for _, p := range a.provs {
		var best Brake
		keys := make([]int64, 0, len(p.win))
		for k := range p.win {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			c := p.win[k]
			if c.Returning == 0 || c.ReturningFailures < opt.MinFailures {
				continue
			}
			share := float64(c.ReturningFailures) / float64(c.Returning)
			if share >= opt.Share && share > best.Share {
				best = Brake{Provider: p.name, Hold: true, Window: time.Unix(0, k*int64(a.window)).UTC(),
					Returning: c.Returning, ReturningFailures: c.ReturningFailures, Share: share}
			}
		}
		if best.Hold {
			best.Reason = fmt.Sprintf("%s returned recipient-level failures for %d of %d addresses it had accepted mail for before (%.1f%%) in the window from %s; hold suppression of %s failures until the cause is known",
				p.name, best.ReturningFailures, best.Returning, 100*best.Share, best.Window.Format(time.RFC3339), p.name)
			out = append(out, best)
		}
	}
	slices.SortFunc(out, func(x, y Brake) int {
		return cmp.Or(cmp.Compare(y.Share, x.Share), strings.Compare(string(x.Provider), string(y.Provider)))
	})
	return out
}
