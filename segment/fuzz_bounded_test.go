package segment_test

// Time-bounded fuzz targets and worst-case benchmarks for each event
// reader, through segment's exported API only (docs/reliability.md). A fuzz
// input that costs more than costcheck.Default (50 ms + 5 µs a byte of CPU)
// fails its target, as a panic would; the benchmarks grow each adversarial
// input 4x and 16x, and the doc shows the ratios.

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/bouncekit/bouncekit/internal/costcheck"
	"github.com/bouncekit/bouncekit/segment"
)

// readAll reads every event of data in format f and returns how many
// events and row errors it yielded.
func readAll(f segment.Format, data []byte) (events, errs int) {
	rd := &segment.Reader{Format: f, Year: 2026}
	for _, err := range rd.Events(bytes.NewReader(data)) {
		if err != nil {
			errs++
			continue
		}
		events++
	}
	return events, errs
}

// boundedSeeds are one small record per format: seeds stay small so that
// minimising what the fuzzer finds fits in CI's few seconds.
var boundedSeeds = map[segment.Format][]string{
	segment.FormatCSV: {
		"recipient,outcome,reply\na@b.example,bounced,\"550 5.1.1 <a@b.example>... unknown\"\n",
		"recipient,outcome\n\"a@b.c\",\"deliv\"\"ered\n",
	},
	segment.FormatJSONL:   {`{"recipient":"a@b.example","outcome":"bounced","reply":"550 5.1.1 unknown","x":{"y":[1,2]}}` + "\n"},
	segment.FormatPostfix: {"May 12 14:00:01 mx1 postfix/smtp[912]: 4BxyZ1: to=<a@b.example>, relay=mx.b.example[192.0.2.1]:25, dsn=5.1.1, status=bounced (host mx.b.example[192.0.2.1] said: 550 5.1.1 unknown (in reply to RCPT TO command))\n"},
	segment.FormatPMTA:    {"type,rcpt,dsnStatus,dsnDiag\nb,a@b.example,5.1.1,smtp;550 5.1.1 unknown\n"},
	segment.FormatKumo:    {`{"type":"Bounce","id":"m2","recipient":"a@b.example","response":{"code":550,"enhanced_code":{"class":5,"subject":1,"detail":1},"content":"unknown","command":"RCPT TO"},"timestamp":1778594402}` + "\n"},
	segment.FormatSES:     {`{"eventType":"Bounce","bounce":{"bounceType":"Permanent","bouncedRecipients":[{"emailAddress":"a@b.example","status":"5.1.1","diagnosticCode":"smtp; 550 5.1.1 unknown"}],"timestamp":"2026-05-12T14:00:01.000Z"},"mail":{"timestamp":"2026-05-12T14:00:00.000Z","messageId":"m1"}}` + "\n"},
}

func fuzzBounded(f *testing.F, format segment.Format) {
	for _, s := range boundedSeeds[format] {
		f.Add([]byte(s))
	}
	// The first event builds the default classifier (a one-time cost, far
	// over the budget under coverage instrumentation): build it first.
	readAll(format, []byte(boundedSeeds[format][0]))
	f.Fuzz(func(t *testing.T, data []byte) {
		var e1, r1 int
		costcheck.Check(t, len(data), func() { e1, r1 = readAll(format, data) })
		if e2, r2 := readAll(format, data); e1 != e2 || r1 != r2 {
			t.Fatalf("not deterministic: %d events, %d errors, then %d and %d", e1, r1, e2, r2)
		}
	})
}

func FuzzBoundedReadCSV(f *testing.F)     { fuzzBounded(f, segment.FormatCSV) }
func FuzzBoundedReadJSONL(f *testing.F)   { fuzzBounded(f, segment.FormatJSONL) }
func FuzzBoundedReadPostfix(f *testing.F) { fuzzBounded(f, segment.FormatPostfix) }
func FuzzBoundedReadPMTA(f *testing.F)    { fuzzBounded(f, segment.FormatPMTA) }
func FuzzBoundedReadKumo(f *testing.F)    { fuzzBounded(f, segment.FormatKumo) }
func FuzzBoundedReadSES(f *testing.F)     { fuzzBounded(f, segment.FormatSES) }

// hostileInput is one adversarial input shape for a reader, with its
// repeated part n times.
type hostileInput struct {
	name   string
	format segment.Format
	make   func(n int) []byte
}

func csvRows(n int, row string) []byte {
	return []byte("recipient,outcome,reply\n" + strings.Repeat(row, n))
}

var hostileInputs = []hostileInput{
	{"csv-reply-lt-run", segment.FormatCSV, func(n int) []byte {
		return []byte(costcheck.Grow("recipient,outcome,reply\na@b.example,bounced,\"", "<", n*64, "\"\n"))
	}},
	{"csv-quoted-quotes", segment.FormatCSV, func(n int) []byte {
		return []byte(costcheck.Grow("recipient,outcome,reply\na@b.example,bounced,\"", `""`, n*32, "\"\n"))
	}},
	{"csv-many-columns", segment.FormatCSV, func(n int) []byte {
		return []byte(costcheck.Grow("recipient,outcome", ",x", n*32, "\na@b.example,bounced\n"))
	}},
	{"csv-many-rows", segment.FormatCSV, func(n int) []byte {
		return csvRows(n*4, "a@b.example,bounced,550 5.1.1 <a@b.example>: unknown\n")
	}},
	{"csv-unclosed-quote", segment.FormatCSV, func(n int) []byte {
		return []byte(costcheck.Grow("recipient,outcome,reply\na@b.example,bounced,\"", "x\n", n*32, ""))
	}},
	{"jsonl-reply-lt-run", segment.FormatJSONL, func(n int) []byte {
		return []byte(costcheck.Grow(`{"recipient":"a@b.example","outcome":"bounced","reply":"`, "<", n*64, "\"}\n"))
	}},
	{"jsonl-deep-attribute", segment.FormatJSONL, func(n int) []byte {
		return []byte(`{"recipient":"a@b.example","outcome":"bounced","x":` + strings.Repeat("[", n*8) + strings.Repeat("]", n*8) + "}\n")
	}},
	{"jsonl-many-attributes", segment.FormatJSONL, func(n int) []byte {
		var b strings.Builder
		b.WriteString(`{"recipient":"a@b.example","outcome":"bounced"`)
		for i := range n * 4 {
			fmt.Fprintf(&b, `,"a%d":%d`, i, i)
		}
		b.WriteString("}\n")
		return []byte(b.String())
	}},
	{"postfix-said-lt-run", segment.FormatPostfix, func(n int) []byte {
		return []byte(costcheck.Grow("May 12 14:00:01 mx1 postfix/smtp[912]: 4BxyZ1: to=<a@b.example>, relay=mx[192.0.2.1]:25, dsn=5.1.1, status=bounced (", "<", n*64, ")\n"))
	}},
	{"postfix-many-lines", segment.FormatPostfix, func(n int) []byte {
		return bytes.Repeat([]byte("May 12 14:00:01 mx1 postfix/smtp[912]: 4BxyZ1: to=<a@b.example>, relay=mx[192.0.2.1]:25, dsn=5.1.1, status=bounced (host mx said: 550 5.1.1 unknown)\n"), n)
	}},
	{"pmta-diag-lt-run", segment.FormatPMTA, func(n int) []byte {
		return []byte(costcheck.Grow("type,rcpt,dsnStatus,dsnDiag\nb,a@b.example,5.1.1,\"smtp;", "<", n*64, "\"\n"))
	}},
	{"kumo-content-lt-run", segment.FormatKumo, func(n int) []byte {
		return []byte(costcheck.Grow(`{"type":"Bounce","recipient":"a@b.example","response":{"code":550,"content":"`, "<", n*64, `"},"timestamp":1778594402}`+"\n"))
	}},
	{"ses-many-recipients", segment.FormatSES, func(n int) []byte {
		var b strings.Builder
		b.WriteString(`{"eventType":"Bounce","bounce":{"bounceType":"Permanent","bouncedRecipients":[`)
		for i := range n {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `{"emailAddress":"u%d@b.example","status":"5.1.1","diagnosticCode":"smtp; 550 5.1.1 unknown"}`, i)
		}
		b.WriteString(`],"timestamp":"2026-05-12T14:00:01.000Z"},"mail":{"timestamp":"2026-05-12T14:00:00.000Z","messageId":"m1"}}` + "\n")
		return []byte(b.String())
	}},
	{"ses-diagnostic-lt-run", segment.FormatSES, func(n int) []byte {
		return []byte(costcheck.Grow(`{"eventType":"Bounce","bounce":{"bounceType":"Permanent","bouncedRecipients":[{"emailAddress":"a@b.example","diagnosticCode":"smtp; `,
			"<", n*64, `"}],"timestamp":"2026-05-12T14:00:01.000Z"},"mail":{"timestamp":"2026-05-12T14:00:00.000Z","messageId":"m1"}}`+"\n"))
	}},
}

// Inputs grow from 250 repetitions (16 KiB for the runs of one byte) to
// 4x and 16x that (256 KiB, a quarter of DefaultMaxLineBytes).
const readerBase = 250

func BenchmarkWorstCaseReaders(b *testing.B) {
	readAll(segment.FormatCSV, []byte(boundedSeeds[segment.FormatCSV][0])) // build the classifier
	for _, h := range hostileInputs {
		for _, g := range []int{1, 4, 16} {
			in := h.make(readerBase * g)
			b.Run(fmt.Sprintf("%s/x%d", h.name, g), func(b *testing.B) {
				costcheck.Bench(b, len(in), func() { readAll(h.format, in) })
			})
		}
	}
}

// knownQuadratic lists the shapes a reader is still quadratic on, with
// the reason; each is measured by BenchmarkWorstCaseReaders and reported in
// docs/reliability.md, and its entry goes when the reader is fixed.
var knownQuadratic = map[string]string{}

// TestHostileEventInputsStayInBudget reads the largest size of each shape
// within the fuzz targets' budget, so a reader that turns quadratic fails.
func TestHostileEventInputsStayInBudget(t *testing.T) {
	readAll(segment.FormatCSV, []byte(boundedSeeds[segment.FormatCSV][0]))
	for _, h := range hostileInputs {
		in := h.make(readerBase * 16)
		t.Run(h.name, func(t *testing.T) {
			if why, ok := knownQuadratic[h.name]; ok {
				t.Skipf("known quadratic: %s", why)
			}
			costcheck.Check(t, len(in), func() { readAll(h.format, in) })
		})
	}
}
