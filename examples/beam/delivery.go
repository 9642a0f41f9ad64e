package main

// This file is the delivery pipeline: event files -> segment's readers (the
// source detected per file) -> one outcome per message and recipient,
// grouped by key across workers -> segment.Aggregate as a CombineFn -> the
// report JSON that `bouncekit report --format json` writes for the same
// input.

import (
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
	register.DoFn4x1[context.Context, fileio.ReadableFile, func(string, []byte), func(string), error](&readEventsFn{})
	register.Emitter2[string, []byte]()
	register.Emitter1[string]()
	register.Function3x1[string, func(*[]byte) bool, func([]byte), error](foldKey)
	register.Emitter1[[]byte]()
	register.Iter1[[]byte]()
	register.Combiner3[*aggAccum, []byte, *aggAccum](&aggregateFn{})
	register.Combiner3[*errAccum, string, errAccum](&rowErrorsFn{})
	register.DoFn3x1[*aggAccum, func(*errAccum) bool, func(string), error](&reportFn{})
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
	files := fileio.ReadMatches(s, fileio.MatchFiles(s, cfg.Events))
	keyed, rowErrs := beam.ParDo2(s, &readEventsFn{Input: cfg.Input}, files)
	outcomes := beam.ParDo(s, foldKey, beam.GroupByKey(s, keyed))
	agg := beam.Combine(s, &aggregateFn{}, outcomes)
	errs := beam.Combine(s, &rowErrorsFn{Max: cfg.MaxErrors}, rowErrs)
	rep := beam.ParDo(s, &reportFn{MaxErrors: cfg.MaxErrors}, agg, beam.SideInput{Input: errs})
	return Result{Report: rep, Outcomes: outcomes}, nil
}

// readEventsFn reads one event file with segment's readers and emits each
// event under its outcome key, and each unreadable row as a row error.
type readEventsFn struct {
	Input string
}

func (fn *readEventsFn) ProcessElement(ctx context.Context, file fileio.ReadableFile, emit func(string, []byte), emitErr func(string)) error {
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
		b, err := json.Marshal(&ev)
		if err != nil {
			return err
		}
		emit(outcomeKey(&ev, path, n), b)
		n++
	}
	return nil
}

// outcomeKey is the key events of one outcome share.
func outcomeKey(ev *segment.Event, path string, n int) string {
	// Until segment names the key of an outcome, each event is its own.
	return path + "\x00" + strconv.Itoa(n)
}

// foldKey folds the events of one key into its outcome.
func foldKey(key string, events func(*[]byte) bool, emit func([]byte)) error {
	var b []byte
	for events(&b) {
		emit(b)
	}
	return nil
}

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
	var ev segment.Event
	if err := json.Unmarshal(b, &ev); err != nil {
		panic(fmt.Sprintf("bouncekit: decoding an event: %v", err)) // our own encoding: a bug
	}
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

// reportFn renders the merged aggregate as the report JSON.
type reportFn struct {
	MaxErrors int
}

func (fn *reportFn) ProcessElement(a *aggAccum, errs func(*errAccum) bool, emit func(string)) error {
	// errs is the one result of the row-error combine (empty when the
	// input had no events at all).
	var e errAccum
	var one errAccum
	for errs(&one) {
		e.N += one.N
		e.First = keepFirst(append(e.First, one.First...), (&rowErrorsFn{Max: fn.MaxErrors}).max())
	}
	b, err := renderReport(a, &e)
	if err != nil {
		return err
	}
	emit(strings.TrimRight(string(b), "\n"))
	return nil
}

// renderReport builds the report the single-process `bouncekit report`
// builds from the same aggregate, and its JSON.
func renderReport(a *aggAccum, e *errAccum) ([]byte, error) {
	opt := segment.ReportOptions{}
	if !a.Last.IsZero() {
		last := a.Last
		opt.Diagnose.Trend.Now = func() time.Time { return last }
	}
	rep := segment.NewReport(a.Agg, opt)
	rep.Skipped = e.N
	for _, k := range e.First {
		rep.Errors = append(rep.Errors, rowErrorText(k))
	}
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
