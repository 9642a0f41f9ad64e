package segment

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

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

// reportJSON is the report's JSON shape.
type reportJSON struct {
	Providers []providerJSON  `json:"providers"`
	Findings  []findingJSON   `json:"findings"`
	Diagnosis []diagnosisJSON `json:"diagnosis"`
	// Total is the whole send, the figure the per-provider rates are read
	// against; Brakes the providers whose recipient-level failures must
	// not be suppressed yet; Skipped the rows that could not be read, and
	// Errors the first of them.
	Total   countsJSON  `json:"total"`
	Brakes  []brakeJSON `json:"brakes"`
	Skipped int64       `json:"skipped"`
	Errors  []string    `json:"errors"`
	// Outcomes: how attempts folded into outcomes; Filtered the outcomes
	// the filters left out.
	Outcomes outcomesJSON `json:"outcomes"`
	Filtered int64        `json:"filtered"`
	// NotSends: lines left out as not sends, by reason.
	NotSends []NotSendCount `json:"not_sends"`
}

type outcomesJSON struct {
	Events   int64 `json:"events"`
	Outcomes int64 `json:"outcomes"`
	Folded   int64 `json:"folded"`
	Unkeyed  int64 `json:"unkeyed"`
	Early    int64 `json:"early"`
	Late     int64 `json:"late"`
}

// countsJSON is a segment's counts, rate and level: the whole send, a
// provider, a domain.
type countsJSON struct {
	Sent        int64   `json:"sent"`
	Delivered   int64   `json:"delivered"`
	Bounced     int64   `json:"bounced"`
	Deferred    int64   `json:"deferred"`
	FailureRate float64 `json:"failure_rate"`
	Level       Level   `json:"level"`
	// Complaints over delivered with the providers' published levels, and
	// deferred over sent.
	Complained     int64   `json:"complained"`
	ComplaintRate  float64 `json:"complaint_rate"`
	ComplaintLevel Level   `json:"complaint_level"`
	DeferralRate   float64 `json:"deferral_rate"`
}

type brakeJSON struct {
	Provider classify.Provider `json:"provider"`
	Reason   string            `json:"reason"`
}

type providerJSON struct {
	Provider classify.Provider `json:"provider"`
	countsJSON
	Domains []domainJSON `json:"domains"`
	// Tags and Categories: the provider's bounces per provider tag (CS01,
	// TSS04...) and per classify category, each over the provider's whole
	// denominator, with the level under the provider+tag thresholds.
	Tags       []shareJSON `json:"tags"`
	Categories []shareJSON `json:"categories"`
	// Attempts per outcome and time to delivery (figures.go).
	Attempts       Attempts   `json:"attempts"`
	TimeToDelivery DelayStats `json:"time_to_delivery"`
}

type shareJSON struct {
	Key         string  `json:"key"`
	Bounced     int64   `json:"bounced"`
	FailureRate float64 `json:"failure_rate"`
	Level       Level   `json:"level"`
}

type domainJSON struct {
	Domain string `json:"domain"`
	countsJSON
}

func countsOf(c Counts, r Rate, l Level) countsJSON {
	return countsJSON{c.Sent(), c.Delivered, c.Bounced, c.Deferred, r.Rate, l, c.Complained, c.ComplaintRate(), ComplaintLevel(c), c.DeferralRate()}
}

type findingJSON struct {
	Provider  classify.Provider `json:"provider"`
	Attribute string            `json:"attribute"`
	Value     string            `json:"value"`
	Failed    int64             `json:"failed"`
	Delivered int64             `json:"delivered"`
	Lift      float64           `json:"lift"`
	PValue    float64           `json:"p_value"`
}

type diagnosisJSON struct {
	Provider classify.Provider `json:"provider"`
	Pattern  Pattern           `json:"pattern"`
	Evidence []string          `json:"evidence"`
	NextStep string            `json:"next_step"`
}

// MarshalJSON writes the report as {"providers": [...], "findings": [...],
// "diagnosis": [...], "total": {...}, "brakes": [...], "skipped": n,
// "errors": [...]}. Findings are the significant ones only (after the
// Benjamini-Hochberg correction); p_value is the finding's own Fisher exact
// p-value.
func (r *Report) MarshalJSON() ([]byte, error) {
	j := reportJSON{Providers: []providerJSON{}, Findings: []findingJSON{}, Diagnosis: []diagnosisJSON{},
		Total:  countsOf(r.Total, r.TotalRate, r.TotalLevel),
		Brakes: []brakeJSON{}, Skipped: r.Skipped, Errors: []string{}, Filtered: r.Filtered,
		Outcomes: outcomesJSON{r.Outcomes.Events, r.Outcomes.Outcomes, r.Outcomes.Folded, r.Outcomes.Unkeyed, r.Outcomes.Early, r.Outcomes.Late},
		NotSends: append([]NotSendCount{}, r.NotSends...)}
	for _, b := range r.Brakes {
		if b.Hold {
			j.Brakes = append(j.Brakes, brakeJSON{b.Provider, b.Reason})
		}
	}
	for _, e := range r.Errors {
		j.Errors = append(j.Errors, e.Error())
	}
	for _, p := range r.Providers {
		pj := providerJSON{p.Provider, countsOf(p.Counts, p.Rate, p.Level), []domainJSON{}, []shareJSON{}, []shareJSON{}, p.Attempts, p.TimeToDelivery}
		for _, d := range p.Domains {
			pj.Domains = append(pj.Domains, domainJSON{d.Key, countsOf(d.Counts, d.Rate, d.Level)})
		}
		for _, t := range p.Tags {
			pj.Tags = append(pj.Tags, shareJSON{t.Key, t.Bounced, t.Rate.Rate, t.Level})
		}
		for _, c := range p.Categories {
			pj.Categories = append(pj.Categories, shareJSON{c.Key, c.Bounced, c.Rate.Rate, c.Level})
		}
		j.Providers = append(j.Providers, pj)
	}
	for _, f := range r.Findings {
		j.Findings = append(j.Findings, findingJSON{f.Provider, f.Attribute, f.Value, f.Failed, f.Delivered, f.Lift, f.P})
	}
	for _, d := range r.Diagnoses {
		j.Diagnosis = append(j.Diagnosis, diagnosisJSON{d.Provider, d.Pattern, d.Evidence, d.NextStep})
	}
	return json.Marshal(j)
}

// WriteJSON writes the report's JSON, indented, with a final newline.
func (r *Report) WriteJSON(w io.Writer) error {
	b, err := r.MarshalJSON()
	if err != nil {
		return err
	}
	var out strings.Builder
	out.Grow(len(b) * 2)
	enc := json.NewEncoder(&out)
	enc.SetIndent("", "  ")
	if err := enc.Encode(json.RawMessage(b)); err != nil {
		return err
	}
	_, err = io.WriteString(w, out.String())
	return err
}

// WriteText writes the report for a person: the per-provider table, the
// detail of each provider that needs attention (and Apple's, always) by
// domain and tag, the top differences between failed and delivered rows,
// and the diagnosis with next steps.
func (r *Report) WriteText(w io.Writer) error {
	ew := &errWriter{w: w}
	t := r.Total
	ew.printf("bouncekit triage: %s messages (%s delivered, %s bounced, %s deferred; %s complaints)\n",
		num(t.Sent()), num(t.Delivered), num(t.Bounced), num(t.Deferred), num(t.Complained))
	ew.printf("Whole send: failure rate %s, level %s\n", r.TotalRate, r.TotalLevel)
	ew.printf("Complaints: %s of delivered (level %s; providers ask for under 0.10%%, never 0.30%%); deferred at the end: %s of sent\n",
		pct(t.ComplaintRate()), r.TotalComplaintLevel, pct(t.DeferralRate()))
	if o := r.Outcomes; o.Folded > 0 || o.Late > 0 {
		ew.printf("Outcomes: %s events folded into %s outcomes, one per message and recipient (%s retries folded, %s late events dropped); attempts per delivered %.2f, bounced %.2f\n",
			num(o.Events), num(o.Outcomes), num(o.Folded), num(o.Late), r.Attempts.Delivered, r.Attempts.Bounced)
	}
	if r.Filtered > 0 {
		ew.printf("Filters left out %s outcomes\n", num(r.Filtered))
	}
	if len(r.NotSends) > 0 {
		var parts []string
		for _, n := range r.NotSends {
			parts = append(parts, num(n.Lines)+" "+string(n.Reason))
		}
		ew.printf("Not sends, left out: %s\n", strings.Join(parts, ", "))
	}
	if r.Skipped > 0 {
		ew.printf("Skipped %s unreadable rows (first: %v)\n", num(r.Skipped), r.Errors[0])
	}
	for _, f := range r.Stats.Folded {
		ew.printf("Note: %s rows had more distinct %s values than the limit and are counted under %q.\n", num(f.Rows), f.Attr, OtherValue)
	}
	ew.printf("\nPer provider, each on its own denominator (sent = delivered + bounced + deferred):\n")
	rows := [][]string{{"provider", "sent", "delivered", "bounced", "deferred", "failure rate", "95% interval", "level"}}
	for _, p := range r.Providers {
		rows = append(rows, []string{string(p.Provider), num(p.Sent()), num(p.Delivered), num(p.Bounced), num(p.Deferred),
			pct(p.Rate.Rate), interval(p.Rate), string(p.Level)})
	}
	writeTable(ew, "  ", rows)
	ew.printf("\nComplaints over delivered (keep under 0.10%%, never reach 0.30%%), deferrals over sent, and attempts per outcome:\n")
	rows = [][]string{{"provider", "complaints", "complaint rate", "complaint level", "deferral rate", "attempts delivered / bounced", "median to delivery"}}
	for _, p := range r.Providers {
		rows = append(rows, []string{string(p.Provider), num(p.Complained), pct(p.ComplaintRate()), string(p.ComplaintLevel), pct(p.DeferralRate()),
			fmt.Sprintf("%.2f / %.2f", p.Attempts.Delivered, p.Attempts.Bounced), delayText(p.TimeToDelivery.P50)})
	}
	writeTable(ew, "  ", rows)

	// Why the whole-send rate misleads.
	var misled []string
	for _, p := range r.Providers {
		lv := p.Level
		rate := p.Rate
		for _, tg := range p.Tags {
			if tg.Level.rank() > lv.rank() {
				lv, rate = tg.Level, tg.Rate
			}
		}
		if lv.rank() > r.TotalLevel.rank() {
			misled = append(misled, fmt.Sprintf("%s at %s (%s)", p.Provider, pct(rate.Rate), lv))
		}
	}
	if len(misled) > 0 {
		ew.printf("\nThe whole-send rate (%s, %s) understates: %s. Each provider filters on its own, so judge each on its own rate.\n",
			pct(r.TotalRate.Rate), r.TotalLevel, strings.Join(misled, ", "))
	}

	diagnosed := map[classify.Provider]bool{}
	for _, d := range r.Diagnoses {
		diagnosed[d.Provider] = true
	}
	for _, p := range r.Providers {
		if !diagnosed[p.Provider] && p.Provider != "apple" {
			continue
		}
		ew.printf("\n%s by domain:\n", p.Provider)
		rows := [][]string{{"domain", "sent", "delivered", "bounced", "deferred", "failure rate", "95% interval", "level"}}
		for _, d := range p.Domains {
			rows = append(rows, []string{d.Key, num(d.Sent()), num(d.Delivered), num(d.Bounced), num(d.Deferred), pct(d.Rate.Rate), interval(d.Rate), string(d.Level)})
		}
		writeTable(ew, "  ", rows)
		if len(p.Tags) > 0 {
			ew.printf("%s by tag (bounces with the tag over all %s messages):\n", p.Provider, p.Provider)
			rows := [][]string{{"tag", "bounced", "deferred", "rate", "95% interval", "level"}}
			for _, tg := range p.Tags {
				rows = append(rows, []string{tg.Key, num(tg.Bounced), num(tg.Deferred), pct(tg.Rate.Rate), interval(tg.Rate), string(tg.Level)})
			}
			writeTable(ew, "  ", rows)
		}
	}

	ew.printf("\nTop differences between failed and delivered rows (significant after a Benjamini-Hochberg correction):\n")
	if len(r.Findings) == 0 {
		ew.printf("  none: no attribute value sets the failures apart.\n")
	} else {
		rows := [][]string{{"provider", "failures", "attribute = value", "failed", "delivered", "fail rate with / without", "p", "q"}}
		for _, f := range r.Findings {
			only := ""
			if f.OnlyOnFailures {
				only = " (only on failures)"
			}
			rows = append(rows, []string{string(f.Provider), f.Focus, f.Attribute + " = " + f.Value + only,
				num(f.Failed), num(f.Delivered), pct(f.FailRate) + " / " + pct(f.RestRate), fmt.Sprintf("%.2g", f.P), fmt.Sprintf("%.2g", f.Q)})
		}
		writeTable(ew, "  ", rows)
	}

	ew.printf("\nDiagnosis:\n")
	if len(r.Diagnoses) == 0 {
		ew.printf("  No provider with enough messages to judge is at the investigate level or above; keep watching.\n")
	}
	for _, d := range r.Diagnoses {
		ew.printf("\n%s: %s (%s, %s, level %s)\n", d.Provider, d.Pattern, d.Focus, pct(d.Rate.Rate), d.Level)
		if d.Cause != nil {
			ew.printf("  Cause: %s = %s\n", d.Cause.Attribute, d.Cause.Value)
		}
		for _, e := range d.Evidence {
			ew.printf("  - %s\n", e)
		}
		ew.printf("  Next step: %s\n", d.NextStep)
	}
	for _, b := range r.Brakes {
		if !diagnosed[b.Provider] {
			ew.printf("\nSuppression brake: %s.\n", b.Reason)
		}
	}
	return ew.err
}

type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	e.err = err
	return n, err
}

func (e *errWriter) printf(format string, args ...any) { fmt.Fprintf(e, format, args...) }

func pct(r float64) string { return strconv.FormatFloat(100*r, 'f', 2, 64) + "%" }

func interval(r Rate) string {
	if r.Sent == 0 {
		return "-"
	}
	return fmt.Sprintf("%.2f-%.2f%%", 100*r.Low, 100*r.High)
}

// num formats n with thousands separators.
func num(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// writeTable writes rows as columns: the first column and any column whose
// header is "failures" or "attribute = value" left-aligned, the rest (numbers)
// right-aligned, two spaces apart.
func writeTable(w io.Writer, indent string, rows [][]string) {
	if len(rows) == 0 {
		return
	}
	width := make([]int, len(rows[0]))
	for _, r := range rows {
		for i, c := range r {
			width[i] = max(width[i], utf8.RuneCountInString(c))
		}
	}
	var b strings.Builder
	for _, r := range rows {
		b.WriteString(indent)
		for i, c := range r {
			pad := strings.Repeat(" ", width[i]-utf8.RuneCountInString(c))
			if i > 0 {
				b.WriteString("  ")
			}
			left := i == 0 || rows[0][i] == "failures" || rows[0][i] == "attribute = value" || rows[0][i] == "level"
			if left {
				b.WriteString(c)
				if i < len(r)-1 {
					b.WriteString(pad)
				}
			} else {
				b.WriteString(pad + c)
			}
		}
		b.WriteString("\n")
	}
	io.WriteString(w, b.String())
}

func delayText(d time.Duration) string {
	switch {
	case d < 0:
		return "over 5d"
	case d == 0:
		return "-"
	case d >= 24*time.Hour:
		return fmt.Sprintf("under %dd", d/(24*time.Hour))
	}
	return "under " + d.String()
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
