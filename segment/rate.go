package segment

import (
	"fmt"
	"math"
)

// Counts are the outcomes counted for one segment.
type Counts struct {
	Delivered  int64 `json:"delivered"`
	Bounced    int64 `json:"bounced"`
	Deferred   int64 `json:"deferred"`
	Complained int64 `json:"complained"`
}

// Sent is the denominator of every rate: delivered + bounced + deferred.
// Complaints are reports about mail already delivered, so they are not
// counted again.
func (c Counts) Sent() int64 { return c.Delivered + c.Bounced + c.Deferred }

// FailureRate is Bounced / Sent, 0 when nothing was sent.
func (c Counts) FailureRate() float64 {
	if n := c.Sent(); n > 0 {
		return float64(c.Bounced) / float64(n)
	}
	return 0
}

func (c *Counts) add(o Counts) {
	c.Delivered += o.Delivered
	c.Bounced += o.Bounced
	c.Deferred += o.Deferred
	c.Complained += o.Complained
}

func (c *Counts) inc(o outcomeIdx) {
	switch o {
	case oDelivered:
		c.Delivered++
	case oBounced:
		c.Bounced++
	case oDeferred:
		c.Deferred++
	case oComplained:
		c.Complained++
	}
}

// Rate is a proportion with its 95% Wilson score interval.
type Rate struct {
	Failed int64   `json:"failed"`
	Sent   int64   `json:"sent"`
	Rate   float64 `json:"rate"`
	Low    float64 `json:"low"`
	High   float64 `json:"high"`
}

// NewRate returns failed/sent with its 95% Wilson score interval (Wilson
// 1927), which stays inside [0,1] and behaves at small counts and rates near
// zero, where the normal approximation does not.
func NewRate(failed, sent int64) Rate {
	r := Rate{Failed: failed, Sent: sent}
	if sent <= 0 {
		return r
	}
	const z = 1.959963984540054
	n := float64(sent)
	p := float64(failed) / n
	d := 1 + z*z/n
	c := (p + z*z/(2*n)) / d
	h := z * math.Sqrt(p*(1-p)/n+z*z/(4*n*n)) / d
	r.Rate, r.Low, r.High = p, math.Max(0, c-h), math.Min(1, c+h)
	return r
}

// String formats the rate as "2.50% (2.10-2.97%)".
func (r Rate) String() string {
	return fmt.Sprintf("%.2f%% (%.2f-%.2f%%)", 100*r.Rate, 100*r.Low, 100*r.High)
}

// Level is the urgency a failure rate calls for. Values are the wire tokens.
type Level string

// Levels.
const (
	// LevelWatch: under the investigate threshold; track the pattern.
	LevelWatch Level = "watch"
	// LevelInvestigate: run content, link and authentication checks before
	// the next large send.
	LevelInvestigate Level = "investigate"
	// LevelPause: hold volume to this provider until the trigger is found.
	LevelPause Level = "pause"
	// LevelInsufficient: fewer messages than Thresholds.MinSample; no level
	// is given so that a handful of messages cannot flip it.
	LevelInsufficient Level = "insufficient_data"
)

func (l Level) rank() int {
	switch l {
	case LevelWatch:
		return 1
	case LevelInvestigate:
		return 2
	case LevelPause:
		return 3
	}
	return 0
}

// Thresholds turn a failure rate into a Level. The zero value means the
// defaults: investigate from 0.5%, pause above 2%, at least 200 messages.
type Thresholds struct {
	// Investigate is the lowest rate at the investigate level.
	Investigate float64 `json:"investigate"`
	// Pause: rates above it are at the pause level.
	Pause float64 `json:"pause"`
	// MinSample is the smallest denominator that gets a level.
	MinSample int64 `json:"min_sample"`
}

// Default thresholds, the ones deliverability teams use for Apple's CS01
// rate and that work as a first cut for any provider.
const (
	DefaultInvestigate = 0.005
	DefaultPause       = 0.02
	DefaultMinSample   = 200
)

func (t Thresholds) withDefaults() Thresholds {
	if t.Investigate <= 0 {
		t.Investigate = DefaultInvestigate
	}
	if t.Pause <= 0 {
		t.Pause = DefaultPause
	}
	if t.MinSample <= 0 {
		t.MinSample = DefaultMinSample
	}
	return t
}

// Level returns the level of r.
func (t Thresholds) Level(r Rate) Level {
	t = t.withDefaults()
	switch {
	case r.Sent < t.MinSample:
		return LevelInsufficient
	case r.Rate > t.Pause:
		return LevelPause
	case r.Rate >= t.Investigate:
		return LevelInvestigate
	}
	return LevelWatch
}

// ThresholdRule overrides the thresholds for one provider, or one provider
// and tag (Provider "apple", Tag "CS01"). An empty field matches anything.
type ThresholdRule struct {
	Provider   string `json:"provider"`
	Tag        string `json:"tag"`
	Thresholds `json:"thresholds"`
}

// Policy chooses thresholds per provider and tag. The zero Policy uses the
// default thresholds everywhere.
type Policy struct {
	Default Thresholds
	// Rules are tried in order; the first match wins.
	Rules []ThresholdRule
}

// For returns the thresholds for a provider's rate (tag "") or for a
// provider and tag.
func (p Policy) For(provider, tag string) Thresholds {
	for _, r := range p.Rules {
		if (r.Provider == "" || r.Provider == provider) && (r.Tag == "" || r.Tag == tag) {
			return r.Thresholds.withDefaults()
		}
	}
	return p.Default.withDefaults()
}
