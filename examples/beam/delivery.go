package main

// This file is the delivery pipeline: event files -> segment's readers (the
// source detected per file) -> one outcome per message and recipient,
// grouped by key across workers -> segment.Aggregate as a CombineFn -> the
// report JSON that `bouncekit report --format json` writes for the same
// input.

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/io/fileio"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"

	"github.com/bouncekit/bouncekit/segment"
)

func init() {
	register.Emitter2[string, []byte]()
	register.Emitter1[string]()
	register.DoFn5x1[context.Context, fileio.ReadableFile, func(string, []byte), func(string), func(string), error](&readEventsFn{})
	register.Function4x1[string, func(*[]byte) bool, func([]byte), func(foldStats), error](foldKey)
	register.Emitter1[[]byte]()
	register.Emitter1[foldStats]()
	register.Function2x1[[]byte, func([]byte), error](keepBounced)
	register.Combiner1[foldStats](&foldStatsFn{})
	register.Combiner1[string](&notSendsFn{})
	register.Iter1[foldStats]()
	register.Iter1[string]()
	register.Iter1[[]byte]()
	register.Combiner3[*aggAccum, []byte, *aggAccum](&aggregateFn{})
	register.Combiner3[*errAccum, string, errAccum](&rowErrorsFn{})
	register.DoFn6x1[*aggAccum, func(*errAccum) bool, func(*foldStats) bool, func(*string) bool, func(*[]byte) bool, func(string), error](&reportFn{})
	register.Iter1[errAccum]()
	beam.RegisterCoder(reflect.TypeOf((*aggAccum)(nil)), encodeAggAccum, decodeAggAccum)
	beam.RegisterCoder(reflect.TypeOf((*errAccum)(nil)), encodeErrAccum, decodeErrAccum)
}

// Config is what the delivery pipeline reads and how.
type Config struct {
	// Events is a file glob of event logs ("logs/*.log.gz"): any filesystem
	// Beam knows (local, gs://, s3:// with their packages imported).
	Events string
	// Input names the format of every file ("auto" detects it per file).
	Input string
	// MaxErrors is how many row errors the report keeps; 0 means 20, as
	// segment.ReportOptions.
	MaxErrors int
}

// Result holds what the delivery pipeline gives.
type Result struct {
	// Report is a PCollection of one string: the report JSON.
	Report beam.PCollection
	// Outcomes are the events that count, one per message and recipient,
	// each as segment.Event JSON.
	Outcomes beam.PCollection
}

// Delivery adds the delivery pipeline to s.
func Delivery(s beam.Scope, cfg Config) (Result, error) {
	if _, err := segment.ParseFormat(cfg.Input); err != nil {
		return Result{}, err
	}
	s = s.Scope("bouncekit.Delivery")
	files := fileio.ReadMatches(s, fileio.MatchFiles(s, cfg.Events), fileio.ReadUncompressed())
	keyed, rowErrs, notSends := beam.ParDo3(s, &readEventsFn{Input: cfg.Input}, files)
	outcomes, foldStats := beam.ParDo2(s, foldKey, beam.GroupByKey(s, keyed))
	agg := beam.Combine(s, &aggregateFn{}, outcomes)
	errs := beam.Combine(s, &rowErrorsFn{Max: cfg.MaxErrors}, rowErrs)
	stats := beam.Combine(s, &foldStatsFn{}, foldStats)
	ns := beam.Combine(s, &notSendsFn{}, notSends)
	bounced := beam.ParDo(s, keepBounced, outcomes)
	rep := beam.ParDo(s, &reportFn{MaxErrors: cfg.MaxErrors}, agg,
		beam.SideInput{Input: errs}, beam.SideInput{Input: stats}, beam.SideInput{Input: ns}, beam.SideInput{Input: bounced})
	return Result{Report: rep, Outcomes: outcomes}, nil
}

// readEventsFn reads one event file with segment's readers (the format and
// the compression detected from its first bytes, as `bouncekit report`
// does) and emits each event under its outcome key, each unreadable row as
// a row error, and the file's not-send counts.
type readEventsFn struct {
	Input string
}

// seqEvent is an event with its place in the input: the file's path (files
// are read in path order, as the binary reads a glob) and the event's
// position in it.
type seqEvent struct {
	Path string        `json:"path"`
	N    int           `json:"n"`
	Ev   segment.Event `json:"ev"`
}

func (fn *readEventsFn) ProcessElement(ctx context.Context, file fileio.ReadableFile, emit func(string, []byte), emitErr func(string), emitNS func(string)) error {
	rc, err := file.Open(ctx)
	if err != nil {
		return err
	}
	defer rc.Close()
	f, _ := segment.ParseFormat(fn.Input)
	rd := &segment.Reader{Format: f}
	path := file.Metadata.Path
	n := 0
	for ev, err := range rd.Events(io.Reader(rc)) {
		if err != nil {
			if re, ok := errors.AsType[*segment.RowError](err); ok {
				emitErr(rowErrorKey(path, re.Line, err))
				continue
			}
			return fmt.Errorf("%s: %w", path, err)
		}
		b, err := json.Marshal(seqEvent{path, n, ev})
		if err != nil {
			return err
		}
		emit(outcomeKey(&ev, path, n), b)
		n++
	}
	if len(rd.Stats.NotSends) > 0 {
		b, err := json.Marshal(rd.Stats.NotSends)
		if err != nil {
			return err
		}
		emitNS(string(b))
	}
	return nil
}

// outcomeKey is the key the events of one outcome share: segment.KeyOf
// (message ID and recipient), or, for an event without one, a key of its
// own, as segment.Dedup passes such events through.
func outcomeKey(ev *segment.Event, path string, n int) string {
	if k, ok := segment.KeyOf(ev); ok {
		return "k\x00" + k.MessageID + "\x00" + k.Recipient
	}
	return "u\x00" + path + "\x00" + strconv.Itoa(n)
}

// orderedOutcome is an outcome with the place segment.Dedup would yield it
// at: events without a key as they are read (class 0), then at the end of
// the input the keys still deferred in the order first seen (class 1), then
// the final ones in the order they became final (class 2). The aggregate
// does not depend on it; the address lists (the latest bounce of each
// address) do.
type orderedOutcome struct {
	Class int           `json:"class"`
	Path  string        `json:"path"`
	N     int           `json:"n"`
	Sub   int           `json:"sub"`
	Ev    segment.Event `json:"ev"`
}

func (o *orderedOutcome) less(p *orderedOutcome) int {
	return cmp.Or(cmp.Compare(o.Class, p.Class), cmp.Compare(o.Path, p.Path), cmp.Compare(o.N, p.N), cmp.Compare(o.Sub, p.Sub))
}

// foldStats are the folding's counts (segment.DedupStats).
type foldStats struct {
	Events, Outcomes, Folded, Unkeyed int64
}

// foldKey folds the events of one key into its outcome with
// segment.KeyState, in reading order, and emits the outcomes with their
// order and the key's counts.
func foldKey(key string, values func(*[]byte) bool, emit func([]byte), emitStats func(foldStats)) error {
	var evs []seqEvent
	var b []byte
	for values(&b) {
		var e seqEvent
		if err := json.Unmarshal(b, &e); err != nil {
			return err
		}
		evs = append(evs, e)
	}
	slices.SortFunc(evs, func(x, y seqEvent) int { return cmp.Or(cmp.Compare(x.Path, y.Path), cmp.Compare(x.N, y.N)) })
	if len(evs) == 0 {
		return nil
	}
	st := foldStats{Events: int64(len(evs))}
	var outs []orderedOutcome
	if strings.HasPrefix(key, "u\x00") {
		st.Unkeyed = int64(len(evs))
		for _, e := range evs {
			outs = append(outs, orderedOutcome{0, e.Path, e.N, 0, e.Ev})
		}
	} else {
		var ks segment.KeyState
		closed := -1
		for i := range evs {
			was := ks.Final()
			ks.Add(&evs[i].Ev)
			if !was && ks.Final() {
				closed = i
			}
		}
		st.Folded = int64(len(evs) - 1)
		class, at := 1, evs[0]
		if closed >= 0 {
			class, at = 2, evs[closed]
		}
		for j, o := range ks.Outcomes() {
			outs = append(outs, orderedOutcome{class, at.Path, at.N, j, o})
		}
	}
	for _, o := range outs {
		b, err := json.Marshal(o)
		if err != nil {
			return err
		}
		emit(b)
	}
	st.Outcomes = int64(len(outs))
	emitStats(st)
	return nil
}

// keepBounced passes on the bounced outcomes: the address lists and tag
// meanings are read from them.
func keepBounced(b []byte, emit func([]byte)) error {
	var o orderedOutcome
	if err := json.Unmarshal(b, &o); err != nil {
		return err
	}
	if o.Ev.Outcome == segment.OutcomeBounced {
		emit(b)
	}
	return nil
}

type foldStatsFn struct{}

func (fn *foldStatsFn) CreateAccumulator() foldStats { return foldStats{} }
func (fn *foldStatsFn) AddInput(a, b foldStats) foldStats {
	return foldStats{a.Events + b.Events, a.Outcomes + b.Outcomes, a.Folded + b.Folded, a.Unkeyed + b.Unkeyed}
}
func (fn *foldStatsFn) MergeAccumulators(a, b foldStats) foldStats { return fn.AddInput(a, b) }
func (fn *foldStatsFn) ExtractOutput(a foldStats) foldStats        { return a }

// notSendsFn sums the files' not-send counts (JSON of
// []segment.NotSendCount), as the binary sums its readers'.
type notSendsFn struct{}

func (fn *notSendsFn) CreateAccumulator() string { return "[]" }
func (fn *notSendsFn) AddInput(a, b string) string {
	var x, y []segment.NotSendCount
	_ = json.Unmarshal([]byte(a), &x)
	_ = json.Unmarshal([]byte(b), &y)
	var r segment.Report
	r.AddNotSends(x)
	r.AddNotSends(y)
	out, _ := json.Marshal(r.NotSends)
	if r.NotSends == nil {
		return "[]"
	}
	return string(out)
}
func (fn *notSendsFn) MergeAccumulators(a, b string) string { return fn.AddInput(a, b) }
func (fn *notSendsFn) ExtractOutput(a string) string        { return a }

// aggAccum is the CombineFn's accumulator: a segment.Aggregate and the
// newest event time (the trend clock of the single-process report).
type aggAccum struct {
	Agg  *segment.Aggregate
	Last time.Time // the newest event's time; zero when none
}

// aggregateFn is segment.Aggregate as a Beam CombineFn. Its accumulator's
// coder is the Aggregate's own JSON (segment's mergeable form), so partial
// aggregates travel between workers and merge exactly.
type aggregateFn struct{}

func (fn *aggregateFn) CreateAccumulator() *aggAccum {
	return &aggAccum{Agg: segment.NewAggregate(segment.Options{})}
}

func (fn *aggregateFn) AddInput(a *aggAccum, b []byte) *aggAccum {
	var o orderedOutcome
	if err := json.Unmarshal(b, &o); err != nil {
		panic(fmt.Sprintf("bouncekit: decoding an outcome: %v", err)) // our own encoding: a bug
	}
	ev := o.Ev
	a.Agg.Add(&ev)
	if ev.Time.After(a.Last) {
		a.Last = ev.Time
	}
	return a
}

func (fn *aggregateFn) MergeAccumulators(a, b *aggAccum) *aggAccum {
	if err := a.Agg.Merge(b.Agg); err != nil {
		panic(fmt.Sprintf("bouncekit: merging aggregates: %v", err))
	}
	if b.Last.After(a.Last) {
		a.Last = b.Last
	}
	return a
}

func (fn *aggregateFn) ExtractOutput(a *aggAccum) *aggAccum { return a }

type aggAccumJSON struct {
	Agg  json.RawMessage `json:"agg"`
	Last time.Time       `json:"last"`
}

func encodeAggAccum(a *aggAccum) ([]byte, error) {
	b, err := a.Agg.MarshalJSON()
	if err != nil {
		return nil, err
	}
	return json.Marshal(aggAccumJSON{Agg: b, Last: a.Last})
}

func decodeAggAccum(b []byte) (*aggAccum, error) {
	var j aggAccumJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return nil, err
	}
	a := &aggAccum{Agg: segment.NewAggregate(segment.Options{}), Last: j.Last}
	if err := a.Agg.UnmarshalJSON(j.Agg); err != nil {
		return nil, err
	}
	return a, nil
}

// rowErrorKey orders row errors as one pass would meet them: by file, then
// line.
func rowErrorKey(path string, line int, err error) string {
	return fmt.Sprintf("%s\x00%012d\x00%s", path, line, err.Error())
}

// errAccum counts row errors and keeps the first Max of them in reading
// order.
type errAccum struct {
	N     int64    `json:"n"`
	First []string `json:"first"`
}

type rowErrorsFn struct {
	Max int
}

func (fn *rowErrorsFn) max() int {
	if fn.Max <= 0 {
		return 20
	}
	return fn.Max
}

func (fn *rowErrorsFn) CreateAccumulator() *errAccum { return &errAccum{} }

func (fn *rowErrorsFn) AddInput(a *errAccum, e string) *errAccum {
	a.N++
	a.First = keepFirst(append(a.First, e), fn.max())
	return a
}

func (fn *rowErrorsFn) MergeAccumulators(a, b *errAccum) *errAccum {
	a.N += b.N
	a.First = keepFirst(append(a.First, b.First...), fn.max())
	return a
}

func (fn *rowErrorsFn) ExtractOutput(a *errAccum) errAccum { return *a }

func keepFirst(s []string, n int) []string {
	slices.Sort(s)
	if len(s) > n {
		s = s[:n]
	}
	return s
}

func encodeErrAccum(a *errAccum) ([]byte, error) { return json.Marshal(a) }

func decodeErrAccum(b []byte) (*errAccum, error) {
	var a errAccum
	err := json.Unmarshal(b, &a)
	return &a, err
}

// reportFn renders the merged aggregate as the report JSON: what
// segment.BuildReport gives for the same outcomes, as `bouncekit report
// --format json` builds it (the address lists collected).
type reportFn struct {
	MaxErrors int
}

func (fn *reportFn) ProcessElement(a *aggAccum, errs func(*errAccum) bool, stats func(*foldStats) bool,
	notSends func(*string) bool, bounced func(*[]byte) bool, emit func(string)) error {
	// Each side input is the one result of its combine (none when the
	// input had no events at all).
	var e, one errAccum
	for errs(&one) {
		e.N += one.N
		e.First = keepFirst(append(e.First, one.First...), (&rowErrorsFn{Max: fn.MaxErrors}).max())
	}
	var st, s1 foldStats
	for stats(&s1) {
		st = (&foldStatsFn{}).AddInput(st, s1)
	}
	var ns []segment.NotSendCount
	var nsText string
	for notSends(&nsText) {
		var x []segment.NotSendCount
		if err := json.Unmarshal([]byte(nsText), &x); err != nil {
			return err
		}
		ns = append(ns, x...)
	}
	var bs []orderedOutcome
	var b []byte
	for bounced(&b) {
		var o orderedOutcome
		if err := json.Unmarshal(b, &o); err != nil {
			return err
		}
		bs = append(bs, o)
	}
	slices.SortFunc(bs, func(x, y orderedOutcome) int { return x.less(&y) })
	out, err := renderReport(a, &e, st, ns, bs)
	if err != nil {
		return err
	}
	emit(strings.TrimRight(string(out), "\n"))
	return nil
}

// renderReport builds the report the single-process `bouncekit report`
// builds from the same outcomes, and its JSON.
func renderReport(a *aggAccum, e *errAccum, st foldStats, ns []segment.NotSendCount, bounced []orderedOutcome) ([]byte, error) {
	opt := segment.ReportOptions{Suppressions: true}
	if !a.Last.IsZero() {
		last := a.Last
		opt.Diagnose.Trend.Now = func() time.Time { return last }
	}
	rep := segment.NewReport(a.Agg, opt)
	rep.Skipped = e.N
	for _, k := range e.First {
		rep.Errors = append(rep.Errors, rowErrorText(k))
	}
	rep.Outcomes = segment.DedupStats{Events: st.Events, Outcomes: st.Outcomes, Folded: st.Folded, Unkeyed: st.Unkeyed}
	rep.AddNotSends(ns)
	col := segment.NewAddressCollector(opt)
	for i := range bounced {
		col.Add(a.Agg, &bounced[i].Ev)
	}
	col.Finish(rep)
	var sb strings.Builder
	if err := rep.WriteJSON(&sb); err != nil {
		return nil, err
	}
	return []byte(sb.String()), nil
}

// rowErrorText is the message kept in a row error key.
type rowErrorText string

func (e rowErrorText) Error() string {
	s := string(e)
	if i := strings.LastIndexByte(s, 0); i >= 0 {
		return s[i+1:]
	}
	return s
}
