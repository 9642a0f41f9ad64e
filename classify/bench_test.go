package classify_test

import (
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/bouncekit/bouncekit/bounce"
	"github.com/bouncekit/bouncekit/classify"
	"github.com/bouncekit/bouncekit/classify/classifytest"
)

type benchCase struct {
	reply string
	in    classify.Context
}

func loadBench(b *testing.B) []benchCase {
	b.Helper()
	cases, err := classifytest.ReadFile(repliesFile)
	if err != nil {
		b.Fatal(err)
	}
	out := make([]benchCase, len(cases))
	for i, tc := range cases {
		out[i] = benchCase{tc.Reply, tc.Context()}
	}
	return out
}

var benchSink classify.Verdict

// benchParseClassify is the queue's hot path: parse one reply and classify
// it, cycling through the ~700 replies of testdata/replies.jsonl.
func benchParseClassify(b *testing.B, c *classify.Classifier) {
	cases := loadBench(b)
	b.ReportAllocs()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	cpu0, cpuOK := threadCPU()
	i, n := 0, 0
	for b.Loop() {
		bc := &cases[i]
		if i++; i == len(cases) {
			i = 0
		}
		r, _ := bounce.ParseReply(bc.reply)
		benchSink = c.Classify(&r, bc.in)
		n++
	}
	reportCPU(b, cpu0, cpuOK, n)
}

// reportCPU adds cpu-ns/op: the thread's CPU time per op, which unlike
// ns/op does not include time the thread waited for a CPU.
func reportCPU(b *testing.B, cpu0 time.Duration, ok bool, n int) {
	if cpu1, ok1 := threadCPU(); ok && ok1 && n > 0 {
		b.ReportMetric(float64(cpu1-cpu0)/float64(n), "cpu-ns/op")
	}
}

// BenchmarkClassify: parse + classify per op, built-in rules.
func BenchmarkClassify(b *testing.B) { benchParseClassify(b, classify.Default()) }

// BenchmarkClassify10xRules: the same with ten times the rules: nine
// mutated copies of every built-in rule ahead of the built-ins (the worst
// place for them). Text patterns get a distinct prefix, so the automaton
// grows tenfold; code-only copies are scoped to a provider that never
// answers, so they are candidates for every reply but never match.
func BenchmarkClassify10xRules(b *testing.B) {
	builtin := classify.BuiltinRules()
	var extra []classify.Rule
	for k := 1; k <= 9; k++ {
		for _, r := range builtin {
			r.ID = fmt.Sprintf("%s-copy%d", r.ID, k)
			mut := func(ps []string) []string {
				out := make([]string, len(ps))
				for i, p := range ps {
					out[i] = fmt.Sprintf("zq%d %s", k, p)
				}
				return out
			}
			r.Any, r.All, r.None = mut(r.Any), mut(r.All), mut(r.None)
			if len(r.Any)+len(r.All) == 0 {
				r.Provider = classify.Provider(fmt.Sprintf("bench-%d", k))
			}
			extra = append(extra, r)
		}
	}
	c, err := classify.New(classify.Options{Before: extra})
	if err != nil {
		b.Fatal(err)
	}
	if n := len(c.Rules()); n < 10*len(builtin) {
		b.Fatalf("%d rules, want %d", n, 10*len(builtin))
	}
	benchParseClassify(b, c)
}

// BenchmarkClassifyOnly measures Classify alone on pre-parsed replies.
func BenchmarkClassifyOnly(b *testing.B) {
	cases := loadBench(b)
	rs := make([]bounce.Reply, len(cases))
	for i := range cases {
		rs[i], _ = bounce.ParseReply(cases[i].reply)
	}
	c := classify.Default()
	b.ReportAllocs()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	cpu0, cpuOK := threadCPU()
	i, n := 0, 0
	for b.Loop() {
		benchSink = c.Classify(&rs[i], cases[i].in)
		if i++; i == len(rs) {
			i = 0
		}
		n++
	}
	reportCPU(b, cpu0, cpuOK, n)
}

var parseSink bounce.Reply

// BenchmarkParseOnly is the ParseReply share of BenchmarkClassify, for
// reference (same replies, same loop).
func BenchmarkParseOnly(b *testing.B) {
	cases := loadBench(b)
	b.ReportAllocs()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	cpu0, cpuOK := threadCPU()
	i, n := 0, 0
	for b.Loop() {
		parseSink, _ = bounce.ParseReply(cases[i].reply)
		if i++; i == len(cases) {
			i = 0
		}
		n++
	}
	reportCPU(b, cpu0, cpuOK, n)
}

// BenchmarkNew measures building a classifier with the built-in rules.
func BenchmarkNew(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := classify.New(classify.Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkClassifyNoMeaning is BenchmarkClassify with the meaning layer
// left out: the path before it, for comparison.
func BenchmarkClassifyNoMeaning(b *testing.B) {
	c, err := classify.New(classify.Options{NoMeaning: true})
	if err != nil {
		b.Fatal(err)
	}
	benchParseClassify(b, c)
}

// meaningBenchReplies are the replies of the meaning tables (meaning_test.go):
// every one reaches the meaning layer, the worst case for its cost.
func meaningBenchReplies(b *testing.B) []bounce.Reply {
	var out []bounce.Reply
	for _, g := range meaningGroups {
		for _, w := range g.wordings {
			for _, code := range g.codes {
				r, err := bounce.ParseReply(code + " " + w)
				if err != nil {
					b.Fatal(err)
				}
				out = append(out, r)
			}
		}
	}
	return out
}

func benchClassifyReplies(b *testing.B, c *classify.Classifier, rs []bounce.Reply) {
	b.ReportAllocs()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	cpu0, cpuOK := threadCPU()
	i, n := 0, 0
	for b.Loop() {
		benchSink = c.Classify(&rs[i], classify.Context{})
		if i++; i == len(rs) {
			i = 0
		}
		n++
	}
	reportCPU(b, cpu0, cpuOK, n)
}

// BenchmarkClassifyMeaningPath classifies (pre-parsed) replies that all
// reach the meaning layer; BenchmarkClassifyMeaningPathOff the same
// replies without it.
func BenchmarkClassifyMeaningPath(b *testing.B) {
	benchClassifyReplies(b, classify.Default(), meaningBenchReplies(b))
}

func BenchmarkClassifyMeaningPathOff(b *testing.B) {
	c, err := classify.New(classify.Options{NoMeaning: true})
	if err != nil {
		b.Fatal(err)
	}
	benchClassifyReplies(b, c, meaningBenchReplies(b))
}

var meaningSink classify.Meaning

// BenchmarkReadMeaning is the vocabulary's reading alone, over the texts
// of the meaning tables.
func BenchmarkReadMeaning(b *testing.B) {
	rs := meaningBenchReplies(b)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		meaningSink = classify.ReadMeaning(rs[i].Text)
		if i++; i == len(rs) {
			i = 0
		}
	}
}

// BenchmarkClassifyOnlyNoMeaning is BenchmarkClassifyOnly without the
// meaning layer.
func BenchmarkClassifyOnlyNoMeaning(b *testing.B) {
	cases := loadBench(b)
	rs := make([]bounce.Reply, len(cases))
	for i := range cases {
		rs[i], _ = bounce.ParseReply(cases[i].reply)
	}
	c, err := classify.New(classify.Options{NoMeaning: true})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	cpu0, cpuOK := threadCPU()
	i, n := 0, 0
	for b.Loop() {
		benchSink = c.Classify(&rs[i], cases[i].in)
		if i++; i == len(rs) {
			i = 0
		}
		n++
	}
	reportCPU(b, cpu0, cpuOK, n)
}
