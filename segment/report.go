package segment

import (
	"context"
	"errors"
	"iter"
	"slices"
	"strings"
	"time"

	"github.com/bouncekit/bouncekit/classify"
)

// ReportOptions configure BuildReport and NewReport. The zero value works.
type ReportOptions struct {
	Aggregate Options
	Diagnose  DiagnoseOptions
	// Progress, when set, is called every ProgressEvery events and once at
	// the end (Done set), from the goroutine reading the events.
	Progress      func(Progress)
	ProgressEvery int64 // 0 means 250,000
	// MaxErrors is how many row errors the report keeps (all are counted);
	// 0 means 20.
	MaxErrors int
	// TopFindings caps the findings listed per provider; 0 means 5.
	TopFindings int
	// Suppressions makes BuildReport list the addresses to suppress and
	// to keep (Report.Suppress), at most MaxSuppressions distinct
	// addresses (0 means DefaultMaxSuppressions). Without it only their
	// numbers are counted (Report.AddressCounts), in far less memory.
	Suppressions    bool
	MaxSuppressions int
	// Attempts counts every event as read. By default the events of one
	// message and recipient fold into one outcome (Dedup, KeyState).
	Attempts bool
	// MaxOpenKeys is Dedup.MaxOpenKeys.
	MaxOpenKeys int
	// Filter selects the outcomes counted; Report.Filtered counts the rest.
	Filter Filter
}

// Progress reports how far BuildReport has read.
type Progress struct {
	Events  int64
	Skipped int64
	Elapsed time.Duration
	Done    bool
}

// Report is the triage of one set of events. It is not changed after it is
// built, so several goroutines may read and render it at once.
type Report struct {
	Total      Counts
	TotalRate  Rate
	TotalLevel Level
	Providers  []ProviderStats
	// Findings are the significant findings of the diagnosed providers.
	Findings  []ProviderFinding
	Diagnoses []Diagnosis
	Trends    []Trend
	Brakes    []Brake
	// Skipped counts rows that could not be read; Errors keeps the first.
	Skipped int64
	Errors  []error
	Stats   AggregateStats
	// Suppress holds the address lists when ReportOptions.Suppressions
	// was set; nil otherwise. AddressCounts are their sizes, counted
	// either way (by BuildReport).
	Suppress      *Suppressions
	AddressCounts AddressCounts
	// TagMeanings say what each provider tag of the report means (set by
	// BuildReport), by provider and tag.
	TagMeanings []TagMeaning
	// Outcomes are the counts of the folding of attempts into outcomes
	// (zero with ReportOptions.Attempts).
	Outcomes DedupStats
	// Filtered counts the outcomes ReportOptions.Filter left out.
	Filtered int64
	// NotSends are the delivery lines the readers left out as not sends,
	// by reason (ReadStats.NotSends; the caller that ran the readers sets
	// it, summed with AddNotSends, before rendering).
	NotSends []NotSendCount
	// TotalComplaintLevel is the whole send's complaint level; Attempts
	// and TimeToDelivery its attempts per outcome and delays.
	TotalComplaintLevel Level
	Attempts            Attempts
	TimeToDelivery      DelayStats

	policy Policy
	agg    *Aggregate
}

// ProviderFinding is a Finding with the provider and focus it belongs to.
type ProviderFinding struct {
	Provider classify.Provider
	Focus    string
	Finding
}

// BuildReport reads events into an Aggregate and builds the report. Row
// errors are counted and kept (see ReportOptions.MaxErrors) and the reading
// goes on; any other error stops the reading and is returned with the
// report of what was read. The trend clock defaults to the last event's
// time.
func BuildReport(ctx context.Context, events iter.Seq2[Event, error], opt ReportOptions) (*Report, error) {
	a := NewAggregate(opt.Aggregate)
	every := opt.ProgressEvery
	if every <= 0 {
		every = 250000
	}
	maxErr := opt.MaxErrors
	if maxErr <= 0 {
		maxErr = 20
	}
	// Bounces are classified a second time here (once per distinct reply
	// and provider) for what the aggregate does not keep: the meaning of
	// each tag and, when asked, the address lists.
	sup := NewAddressCollector(opt)
	start := time.Now()
	var dd *Dedup
	if !opt.Attempts {
		dd = &Dedup{MaxOpenKeys: opt.MaxOpenKeys}
		events = dd.Events(events)
	}
	var filtered int64
	filter := opt.Filter
	var n, skipped int64
	var errs []error
	var last time.Time
	var fatal error
	// Reading (and parsing) runs in its own goroutine, counting in this
	// one: the two halves cost about the same, so a large input takes half
	// the time on two cores.
	for b := range readBatches(ctx, events) {
		for i := range b.items {
			it := &b.items[i]
			if it.err != nil {
				if isFatal(it.err) {
					fatal = it.err
					break
				}
				skipped++
				if len(errs) < maxErr {
					errs = append(errs, it.err)
				}
				continue
			}
			if !filter.IsZero() && !filter.Match(&it.ev, func() classify.Provider { return a.providerOf(it.ev.Domain()) }) {
				filtered++
				continue
			}
			a.Add(&it.ev)
			sup.Add(a, &it.ev)
			if it.ev.Time.After(last) {
				last = it.ev.Time
			}
			n++
			if n%every == 0 && opt.Progress != nil {
				opt.Progress(Progress{Events: n, Skipped: skipped, Elapsed: time.Since(start)})
			}
		}
		b.release()
		if fatal != nil {
			break
		}
	}
	if fatal == nil && ctx.Err() != nil {
		fatal = ctx.Err()
	}
	if opt.Progress != nil {
		opt.Progress(Progress{Events: n, Skipped: skipped, Elapsed: time.Since(start), Done: true})
	}
	if opt.Diagnose.Trend.Now == nil && !last.IsZero() {
		opt.Diagnose.Trend.Now = func() time.Time { return last }
	}
	r := NewReport(a, opt)
	r.Skipped, r.Errors, r.Filtered = skipped, errs, filtered
	if dd != nil {
		r.Outcomes = dd.Stats
	}
	sup.Finish(r)
	return r, fatal
}

// isFatal reports whether a reader's error ends the input (an I/O error, a
// header without the required columns) rather than skipping one row.
func isFatal(err error) bool {
	var re *RowError
	return !errors.As(err, &re) || errors.Is(err, ErrMissingColumn)
}

type item struct {
	ev  Event
	err error
}

type batch struct {
	items []item
	free  chan *batch
}

func (b *batch) release() {
	clear(b.items)
	b.items = b.items[:0]
	select {
	case b.free <- b:
	default:
	}
}

// readBatches ranges over events in a goroutine and hands them over in
// batches. It stops at the first non-row error (after passing it on), when
// ctx is done, or when the consumer stops ranging.
func readBatches(ctx context.Context, events iter.Seq2[Event, error]) iter.Seq[*batch] {
	return func(yield func(*batch) bool) {
		const size = 512
		out := make(chan *batch, 4)
		free := make(chan *batch, 8)
		done := make(chan struct{})
		go func() {
			defer close(out)
			get := func() *batch {
				select {
				case b := <-free:
					return b
				default:
					return &batch{items: make([]item, 0, size), free: free}
				}
			}
			send := func(b *batch) bool {
				select {
				case out <- b:
					return true
				case <-done:
					return false
				case <-ctx.Done():
					return false
				}
			}
			b := get()
			for ev, err := range events {
				b.items = append(b.items, item{ev, err})
				fatal := err != nil && isFatal(err)
				if len(b.items) == size || fatal {
					if !send(b) {
						return
					}
					b = get()
				}
				if fatal {
					return
				}
			}
			if len(b.items) > 0 {
				send(b)
			}
		}()
		defer func() {
			close(done)
			for range out {
			}
		}()
		for b := range out {
			if !yield(b) {
				return
			}
		}
	}
}

// NewReport builds the report of an Aggregate.
func NewReport(a *Aggregate, opt ReportOptions) *Report {
	top := opt.TopFindings
	if top <= 0 {
		top = 5
	}
	pol := opt.Diagnose.Policy
	r := &Report{agg: a, policy: pol, Total: a.Total(), Stats: a.Stats()}
	r.TotalRate = NewRate(r.Total.Bounced, r.Total.Sent())
	r.TotalLevel = pol.For("", "").Level(r.TotalRate)
	r.TotalComplaintLevel = ComplaintLevel(r.Total)
	r.Attempts, r.TimeToDelivery = a.Figures()
	r.Providers = a.Providers(pol)
	r.Diagnoses = a.Diagnose(opt.Diagnose)
	for _, d := range r.Diagnoses {
		k := 0
		for _, f := range d.Comparison.Significant() {
			if k == top {
				break
			}
			r.Findings = append(r.Findings, ProviderFinding{d.Provider, d.Focus, f})
			k++
		}
	}
	r.Trends = a.Trend(opt.Diagnose.Trend)
	r.Brakes = a.SuppressionBrake(opt.Diagnose.Brake)
	return r
}

// TagMeaning says what a provider tag seen in the report means, in the
// words of the classifier rule that read it.
type TagMeaning struct {
	Provider classify.Provider `json:"provider"`
	Tag      string            `json:"tag"`
	Meaning  string            `json:"meaning"`
	Rule     string            `json:"rule"`
	// Suppress is the rule's verdict on the address: false for message
	// level refusals such as CS01 (do not suppress these addresses).
	Suppress bool `json:"suppress"`
}

// Thresholds returns the thresholds the report's whole-send level was
// judged by (the policy's default).
func (r *Report) Thresholds() Thresholds { return r.policy.For("", "") }

// AtLeast reports whether l is at level m or above, in the order watch <
// investigate < pause. Insufficient data is below every level.
func (l Level) AtLeast(m Level) bool { return l.rank() > 0 && l.rank() >= m.rank() }

// WorstLevel returns the highest level in the report, of a provider, a
// provider's tag or the whole send, and names it ("apple", "apple tag
// CS01", "whole send"); on a tie the first provider (largest first) wins,
// then its tags, and the whole send only when no provider reaches its
// level. It is the figure an alert compares against a threshold.
func (r *Report) WorstLevel() (Level, string) {
	var lv Level
	var who string
	for _, p := range r.Providers {
		if p.Level.rank() > lv.rank() {
			lv, who = p.Level, string(p.Provider)
		}
		for _, t := range p.Tags {
			if t.Level.rank() > lv.rank() {
				lv, who = t.Level, string(p.Provider)+" tag "+t.Key
			}
		}
	}
	if r.TotalLevel.rank() > lv.rank() || who == "" {
		lv, who = r.TotalLevel, "whole send"
	}
	return lv, who
}

// AddNotSends adds a reader's not-send counts to the report's, keeping them
// sorted by reason.
func (r *Report) AddNotSends(counts []NotSendCount) {
	for _, c := range counts {
		i := slices.IndexFunc(r.NotSends, func(x NotSendCount) bool { return x.Reason == c.Reason })
		if i < 0 {
			r.NotSends = append(r.NotSends, c)
			continue
		}
		r.NotSends[i].Lines += c.Lines
	}
	slices.SortFunc(r.NotSends, func(x, y NotSendCount) int { return strings.Compare(string(x.Reason), string(y.Reason)) })
}
