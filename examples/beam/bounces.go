package main

// This file is the bounce-mailbox pipeline: mbox files or Maildir message
// files -> bounce's parser -> classify -> the suppression list and counts
// per category and provider.

import (
	"bufio"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/io/fileio"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"

	"github.com/bouncekit/bouncekit/bounce"
	"github.com/bouncekit/bouncekit/classify"
)

func init() {
	register.DoFn3x1[context.Context, fileio.ReadableFile, func(bounceRecord), error](&readBouncesFn{})
	register.Emitter1[bounceRecord]()
	register.Combiner3[*bounceSummary, bounceRecord, string](&summariseFn{})
}

// bounceRecord is one classified record of a bounce message.
type bounceRecord struct {
	File      string `json:"file"`
	Message   int    `json:"message"`
	Recipient string `json:"recipient"`
	Status    string `json:"status,omitempty"`
	Category  string `json:"category"`
	Provider  string `json:"provider,omitempty"`
	Rule      string `json:"rule"`
	Suppress  bool   `json:"suppress"`
	// Error is set, and the rest empty, for a message that could not be read.
	Error string `json:"error,omitempty"`
}

// readBouncesFn reads one file: an mbox when it starts with a "From " line,
// else one message (a Maildir entry).
type readBouncesFn struct{}

func (fn *readBouncesFn) ProcessElement(ctx context.Context, file fileio.ReadableFile, emit func(bounceRecord)) error {
	rc, err := file.Open(ctx)
	if err != nil {
		return err
	}
	defer rc.Close()
	br := bufio.NewReader(rc)
	head, _ := br.Peek(5)
	path := file.Metadata.Path
	var p bounce.Parser
	if string(head) == "From " {
		for m, err := range p.Mbox(br) {
			emitRecords(path, m.Index, m.Report, err, emit)
		}
		return nil
	}
	rep, err := p.Parse(io.Reader(br))
	emitRecords(path, 0, rep, err, emit)
	return nil
}

func emitRecords(path string, index int, rep *bounce.Report, err error, emit func(bounceRecord)) {
	if err != nil && rep == nil {
		emit(bounceRecord{File: path, Message: index, Error: err.Error()})
		return
	}
	if rep == nil {
		return
	}
	for i := range rep.Records {
		r := &rep.Records[i]
		v := classify.Default().ClassifyRecord(rep, r)
		br := bounceRecord{File: path, Message: index, Recipient: r.Recipient, Category: string(v.Category),
			Provider: string(v.Provider), Rule: v.Rule, Suppress: v.Suppress}
		if r.Status.IsValid() {
			br.Status = r.Status.String()
		}
		emit(br)
	}
}

// bounceSummary is the accumulator and, marshalled, the output of the
// bounce-mailbox pipeline.
type bounceSummary struct {
	Records    int64          `json:"records"`
	Errors     int64          `json:"errors"`
	Suppress   []bounceRecord `json:"suppress"`
	ByCategory []keyCount     `json:"by_category"`
	ByProvider []keyCount     `json:"by_provider"`
}

type keyCount struct {
	Key   string `json:"key"`
	Count int64  `json:"count"`
}

type summariseFn struct{}

func (fn *summariseFn) CreateAccumulator() *bounceSummary { return &bounceSummary{} }

func (fn *summariseFn) AddInput(a *bounceSummary, r bounceRecord) *bounceSummary {
	if r.Error != "" {
		a.Errors++
		return a
	}
	a.Records++
	if r.Suppress {
		a.Suppress = append(a.Suppress, r)
	}
	a.ByCategory = addKey(a.ByCategory, r.Category, 1)
	a.ByProvider = addKey(a.ByProvider, cmp.Or(r.Provider, "other"), 1)
	return a
}

func (fn *summariseFn) MergeAccumulators(a, b *bounceSummary) *bounceSummary {
	a.Records += b.Records
	a.Errors += b.Errors
	a.Suppress = append(a.Suppress, b.Suppress...)
	for _, k := range b.ByCategory {
		a.ByCategory = addKey(a.ByCategory, k.Key, k.Count)
	}
	for _, k := range b.ByProvider {
		a.ByProvider = addKey(a.ByProvider, k.Key, k.Count)
	}
	return a
}

func (fn *summariseFn) ExtractOutput(a *bounceSummary) string {
	slices.SortFunc(a.Suppress, func(x, y bounceRecord) int {
		return cmp.Or(cmp.Compare(x.Recipient, y.Recipient), cmp.Compare(x.File, y.File), cmp.Compare(x.Message, y.Message))
	})
	byCount := func(x, y keyCount) int { return cmp.Or(cmp.Compare(y.Count, x.Count), cmp.Compare(x.Key, y.Key)) }
	slices.SortFunc(a.ByCategory, byCount)
	slices.SortFunc(a.ByProvider, byCount)
	if a.Suppress == nil {
		a.Suppress = []bounceRecord{}
	}
	b, err := json.Marshal(a)
	if err != nil {
		return fmt.Sprintf(`{"error":%q}`, err)
	}
	return string(b)
}

func addKey(s []keyCount, k string, n int64) []keyCount {
	for i := range s {
		if s[i].Key == k {
			s[i].Count += n
			return s
		}
	}
	return append(s, keyCount{k, n})
}

// Bounces adds the bounce-mailbox pipeline to s: a PCollection of one
// string, the summary JSON.
func Bounces(s beam.Scope, glob string) beam.PCollection {
	s = s.Scope("bouncekit.Bounces")
	files := fileio.ReadMatches(s, fileio.MatchFiles(s, glob))
	recs := beam.ParDo(s, &readBouncesFn{}, files)
	return beam.Combine(s, &summariseFn{}, recs)
}
