package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/io/textio"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/testing/ptest"

	"github.com/bouncekit/bouncekit/bounce"
	"github.com/bouncekit/bouncekit/classify"
	"github.com/bouncekit/bouncekit/segment"
)

// The tests run every pipeline on Beam's local runner, prism, in process.
func TestMain(m *testing.M) { ptest.MainWithDefault(m, "prism") }

const sampleEvents = "../bouncekit/sample/events.csv"

// runPipeline builds a pipeline with build, runs it on prism and returns
// what it wrote to its one output file.
func runPipeline(t testing.TB, build func(s beam.Scope) beam.PCollection) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "out.json")
	p, s := beam.NewPipelineWithRoot()
	textio.Write(s, out, build(s))
	if err := ptest.Run(p); err != nil {
		t.Fatalf("pipeline: %v", err)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func runDelivery(t testing.TB, glob string) string {
	return runPipeline(t, func(s beam.Scope) beam.PCollection {
		res, err := Delivery(s, Config{Events: glob, Input: "auto"})
		if err != nil {
			t.Fatal(err)
		}
		return res.Report
	})
}

// singlePass is the report one process builds from the same files, read one
// after the other.
func singlePass(t testing.TB, files ...string) string {
	t.Helper()
	var all [][]byte
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, b)
	}
	events := func(yield func(segment.Event, error) bool) {
		for _, b := range all {
			var src io.Reader = bytes.NewReader(b)
			if len(b) > 2 && b[0] == 0x1f && b[1] == 0x8b {
				zr, err := gzip.NewReader(src)
				if err != nil {
					t.Fatal(err)
				}
				src = zr
			}
			rd := &segment.Reader{}
			for ev, err := range rd.Events(src) {
				if !yield(ev, err) {
					return
				}
			}
		}
	}
	rep, err := segment.BuildReport(context.Background(), events, segment.ReportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var sb strings.Builder
	if err := rep.WriteJSON(&sb); err != nil {
		t.Fatal(err)
	}
	return sb.String()
}

// The contract: the pipeline writes exactly what `bouncekit report --format
// json` writes for the same input.
func TestDeliveryEqualsBouncekitReport(t *testing.T) {
	got := runDelivery(t, sampleEvents)
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to build the bouncekit binary")
	}
	bin := filepath.Join(t.TempDir(), "bouncekit")
	build := exec.Command(goBin, "build", "-o", bin, "./examples/bouncekit")
	build.Dir = "../.."
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building bouncekit: %v\n%s", err, out)
	}
	want, err := exec.Command(bin, "report", "--format", "json", "--events", sampleEvents).Output()
	if err != nil {
		t.Fatalf("bouncekit report: %v", err)
	}
	if got != string(want) {
		t.Errorf("pipeline report differs from bouncekit report:\n got %.400s\nwant %.400s", got, want)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(got), &m); err != nil || m["total"] == nil {
		t.Errorf("not a report: %v", err)
	}
}

// The same events split over several files, one of them gzip'ed, read by
// several workers, give the single-pass report.
func TestDeliveryShardsEqualSinglePass(t *testing.T) {
	b, err := os.ReadFile(sampleEvents)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(b), "\n")
	header, rows := lines[0], lines[1:]
	dir := t.TempDir()
	var files []string
	const shards = 4
	for i := range shards {
		var sb strings.Builder
		sb.WriteString(header)
		for j := i; j < len(rows); j += shards {
			sb.WriteString(rows[j])
		}
		name := filepath.Join(dir, "events-"+string(rune('a'+i))+".csv")
		data := []byte(sb.String())
		if i == 0 {
			var zb bytes.Buffer
			zw := gzip.NewWriter(&zb)
			zw.Write(data)
			zw.Close()
			data, name = zb.Bytes(), name+".gz"
		}
		if err := os.WriteFile(name, data, 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, name)
	}
	got := runDelivery(t, filepath.Join(dir, "events-*"))
	if want := singlePass(t, sampleEvents); got != want {
		t.Errorf("sharded pipeline differs from one pass:\n got %.300s\nwant %.300s", got, want)
	}
}

// Windows count each outcome once, in the window of its event time.
func TestWindows(t *testing.T) {
	dir := t.TempDir()
	csv := "time,recipient,outcome,reply\n" +
		"2026-05-12T10:05:00Z,a@icloud.com,delivered,250 ok\n" +
		"2026-05-12T10:10:00Z,b@icloud.com,bounced,554 5.7.1 [CS01] Message rejected due to local policy\n" +
		"2026-05-12T11:01:00Z,c@gmail.com,delivered,250 ok\n" +
		"2026-05-12T11:02:00Z,d@icloud.com,delivered,250 ok\n"
	if err := os.WriteFile(filepath.Join(dir, "e.csv"), []byte(csv), 0o644); err != nil {
		t.Fatal(err)
	}
	got := runPipeline(t, func(s beam.Scope) beam.PCollection {
		res, err := Delivery(s, Config{Events: filepath.Join(dir, "e.csv"), Input: "auto"})
		if err != nil {
			t.Fatal(err)
		}
		return Windows(s, res.Outcomes, time.Hour)
	})
	var lines []windowLine
	for l := range strings.SplitSeq(strings.TrimSpace(got), "\n") {
		var w windowLine
		if err := json.Unmarshal([]byte(l), &w); err != nil {
			t.Fatalf("%q: %v", l, err)
		}
		lines = append(lines, w)
	}
	if len(lines) != 3 {
		t.Fatalf("got %d windows, want 3 (apple 10h, apple 11h, google 11h):\n%s", len(lines), got)
	}
	first := lines[0]
	if first.Provider != string(classify.ProviderApple) || first.Sent != 2 || first.Bounced != 1 || first.FailureRate != 0.5 ||
		!first.Start.Equal(time.Date(2026, 5, 12, 10, 0, 0, 0, time.UTC)) {
		t.Errorf("first window = %+v", first)
	}
	for _, w := range lines[1:] {
		if w.Sent != 1 || w.Delivered != 1 || !w.Start.Equal(time.Date(2026, 5, 12, 11, 0, 0, 0, time.UTC)) {
			t.Errorf("window = %+v", w)
		}
	}
}

// The bounce-mailbox pipeline suppresses and counts what one process does.
func TestBouncesEqualSinglePass(t *testing.T) {
	const mbox = "../bouncebox/testdata/bounces.mbox"
	got := runPipeline(t, func(s beam.Scope) beam.PCollection { return Bounces(s, mbox) })
	var sum bounceSummary
	if err := json.Unmarshal([]byte(got), &sum); err != nil {
		t.Fatalf("%v: %s", err, got)
	}
	f, err := os.Open(mbox)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var records, suppress int64
	for m, err := range bounce.ReadMbox(f) {
		if err != nil && m.Report == nil {
			continue
		}
		for i := range m.Report.Records {
			records++
			if classify.Default().ClassifyRecord(m.Report, &m.Report.Records[i]).Suppress {
				suppress++
			}
		}
	}
	if records == 0 {
		t.Fatal("the sample mailbox gave no records")
	}
	if sum.Records != records || int64(len(sum.Suppress)) != suppress {
		t.Errorf("pipeline: %d records, %d to suppress; one pass: %d, %d", sum.Records, len(sum.Suppress), records, suppress)
	}
	var n int64
	for _, k := range sum.ByCategory {
		n += k.Count
	}
	if n != records {
		t.Errorf("categories count %d records, want %d", n, records)
	}
}
