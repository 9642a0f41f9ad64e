package main

// This file gives per-provider rates per event-time window: fixed windows
// of the outcomes' event time, and a sum of counts per provider in each.
//
// The window is computed from each outcome's own time and made part of the
// key, not assigned with beam.WindowInto: the outcomes come out of the
// GroupByKey that folds retries, and in a batch pipeline that output carries
// the end of the global window as its timestamp. Re-stamping it with an
// earlier event time makes it late data, which the runner drops (tried on
// prism). Keying by window gives the same figures on any runner.

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"

	"github.com/bouncekit/bouncekit/classify"
	"github.com/bouncekit/bouncekit/segment"
)

func init() {
	register.DoFn2x1[[]byte, func(string, windowCounts), error](&stampOutcomeFn{})
	register.Emitter2[string, windowCounts]()
	register.Function2x1[windowCounts, windowCounts, windowCounts](addCounts)
	register.Function3x1[string, windowCounts, func(string), error](formatWindow)
	register.Combiner3[[]string, string, string](&joinSortedFn{})
}

// windowCounts are one provider's outcomes in one window.
type windowCounts struct {
	Sent, Delivered, Bounced, Deferred, Complained int64
}

// stampOutcomeFn keys an outcome by its window and provider. Events without
// a time are left out of the windows (they are in the report).
type stampOutcomeFn struct {
	Size time.Duration
}

func (fn *stampOutcomeFn) ProcessElement(b []byte, emit func(string, windowCounts)) error {
	var o orderedOutcome
	if err := json.Unmarshal(b, &o); err != nil {
		return err
	}
	ev := o.Ev
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
	// Fixed windows aligned on the Unix epoch, as Beam's FixedWindows.
	ns := ev.Time.UnixNano()
	start := ns - ns%int64(fn.Size)
	if ns < 0 && ns%int64(fn.Size) != 0 {
		start -= int64(fn.Size)
	}
	emit(strconv.FormatInt(start, 10)+"\x00"+strconv.FormatInt(int64(fn.Size), 10)+"\x00"+string(prov), c)
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

func formatWindow(key string, c windowCounts, emit func(string)) error {
	f := strings.SplitN(key, "\x00", 3)
	if len(f) != 3 {
		return fmt.Errorf("bad window key %q", key)
	}
	start, err1 := strconv.ParseInt(f[0], 10, 64)
	size, err2 := strconv.ParseInt(f[1], 10, 64)
	if err1 != nil || err2 != nil {
		return fmt.Errorf("bad window key %q", key)
	}
	l := windowLine{Start: time.Unix(0, start).UTC(), End: time.Unix(0, start+size).UTC(), Provider: f[2],
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
// d must be positive.
func Windows(s beam.Scope, outcomes beam.PCollection, d time.Duration) beam.PCollection {
	if d <= 0 {
		panic("bouncekit: window size must be positive")
	}
	s = s.Scope("bouncekit.Windows")
	keyed := beam.ParDo(s, &stampOutcomeFn{Size: d}, outcomes)
	sums := beam.CombinePerKey(s, addCounts, keyed)
	lines := beam.ParDo(s, formatWindow, sums)
	return beam.Combine(s, &joinSortedFn{}, lines)
}
