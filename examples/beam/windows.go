package main

// This file gives per-provider rates per event-time window: the outcomes of
// the delivery pipeline stamped with their event time, fixed windows, and a
// sum of counts per provider in each.

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/core/graph/mtime"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/core/graph/window"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"

	"github.com/bouncekit/bouncekit/classify"
	"github.com/bouncekit/bouncekit/segment"
)

func init() {
	register.Function2x1[[]byte, func(beam.EventTime, string, windowCounts), error](stampOutcome)
	register.Emitter3[beam.EventTime, string, windowCounts]()
	register.Function2x1[windowCounts, windowCounts, windowCounts](addCounts)
	register.Function4x1[beam.Window, string, windowCounts, func(string), error](formatWindow)
	register.Combiner3[[]string, string, string](&joinSortedFn{})
}

// windowCounts are one provider's outcomes in one window.
type windowCounts struct {
	Sent, Delivered, Bounced, Deferred, Complained int64
}

// stampOutcome gives an outcome its event time and its provider. Events
// without a time are left out of the windows (they are in the report).
func stampOutcome(b []byte, emit func(beam.EventTime, string, windowCounts)) error {
	var ev segment.Event
	if err := json.Unmarshal(b, &ev); err != nil {
		return err
	}
	if ev.Time.IsZero() {
		return nil
	}
	prov := classify.Default().ProviderForDomain(ev.Domain())
	var c windowCounts
	switch ev.Outcome {
	case segment.OutcomeDelivered:
		c.Sent, c.Delivered = 1, 1
	case segment.OutcomeBounced:
		c.Sent, c.Bounced = 1, 1
	case segment.OutcomeDeferred:
		c.Sent, c.Deferred = 1, 1
	case segment.OutcomeComplained:
		c.Complained = 1
	default:
		return nil
	}
	emit(mtime.FromTime(ev.Time), string(prov), c)
	return nil
}

func addCounts(a, b windowCounts) windowCounts {
	return windowCounts{a.Sent + b.Sent, a.Delivered + b.Delivered, a.Bounced + b.Bounced, a.Deferred + b.Deferred, a.Complained + b.Complained}
}

// windowLine is one line of the --windows output.
type windowLine struct {
	Start       time.Time `json:"start"`
	End         time.Time `json:"end"`
	Provider    string    `json:"provider"`
	Sent        int64     `json:"sent"`
	Delivered   int64     `json:"delivered"`
	Bounced     int64     `json:"bounced"`
	Deferred    int64     `json:"deferred"`
	Complained  int64     `json:"complained"`
	FailureRate float64   `json:"failure_rate"`
}

func formatWindow(w beam.Window, prov string, c windowCounts, emit func(string)) error {
	iw, ok := w.(window.IntervalWindow)
	if !ok {
		return fmt.Errorf("not a fixed window: %v", w)
	}
	l := windowLine{Start: iw.Start.ToTime().UTC(), End: iw.End.ToTime().UTC(), Provider: prov,
		Sent: c.Sent, Delivered: c.Delivered, Bounced: c.Bounced, Deferred: c.Deferred, Complained: c.Complained}
	if c.Sent > 0 {
		l.FailureRate = float64(c.Bounced) / float64(c.Sent)
	}
	b, err := json.Marshal(l)
	if err != nil {
		return err
	}
	emit(string(b))
	return nil
}

// joinSortedFn gathers lines into one text, sorted, so the output does not
// depend on the order workers finish in.
type joinSortedFn struct{}

func (fn *joinSortedFn) CreateAccumulator() []string            { return nil }
func (fn *joinSortedFn) AddInput(a []string, s string) []string { return append(a, s) }
func (fn *joinSortedFn) MergeAccumulators(a, b []string) []string {
	return append(a, b...)
}
func (fn *joinSortedFn) ExtractOutput(a []string) string {
	slices.Sort(a)
	return strings.Join(a, "\n")
}

// Windows gives per-provider counts and failure rates per fixed event-time
// window of size d, as one text of JSON lines sorted by window and provider.
func Windows(s beam.Scope, outcomes beam.PCollection, d time.Duration) beam.PCollection {
	s = s.Scope("bouncekit.Windows")
	stamped := beam.ParDo(s, stampOutcome, outcomes)
	windowed := beam.WindowInto(s, window.NewFixedWindows(d), stamped)
	sums := beam.CombinePerKey(s, addCounts, windowed)
	lines := beam.ParDo(s, formatWindow, sums)
	global := beam.WindowInto(s, window.NewGlobalWindows(), lines)
	return beam.Combine(s, &joinSortedFn{}, global)
}
