package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
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
			// segment's readers detect gzip themselves.
			rd := &segment.Reader{}
			for ev, err := range rd.Events(bytes.NewReader(b)) {
				if !yield(ev, err) {
					return
				}
			}
		}
	}
	rep, err := segment.BuildReport(context.Background(), events, segment.ReportOptions{Suppressions: true})
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
	bin := buildBouncekit(t)
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

// buildBouncekit builds the bouncekit binary of this checkout.
func buildBouncekit(t testing.TB) string {
	t.Helper()
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
	return bin
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

// writeRetryLogs writes a Postfix log of n messages spread over three
// files: each recipient deferred once or twice in the first files, then
// delivered or bounced in a later one, so the attempts of one message meet
// only in the GroupByKey. It returns the files in order.
func writeRetryLogs(t testing.TB, dir string, n int) []string {
	t.Helper()
	hosts := []string{"icloud.com", "gmail.com", "yahoo.com", "outlook.com"}
	var files [3]strings.Builder
	for i := range n {
		qid := fmt.Sprintf("4Q%06X", i)
		dom := hosts[i%len(hosts)]
		rcpt := fmt.Sprintf("u%d@%s", i, dom)
		ts := func(min int) string { return fmt.Sprintf("May 12 %02d:%02d:%02d", 10+min/60, min%60, i%60) }
		fmt.Fprintf(&files[0], "%s mx1 postfix/qmgr[811]: %s: from=<news@shop.example>, size=20311, nrcpt=1 (queue active)\n", ts(0), qid)
		fmt.Fprintf(&files[0], "%s mx1 postfix/smtp[912]: %s: to=<%s>, relay=mx.%s[192.0.2.%d]:25, delay=1, delays=0.1/0/0.5/0.4, dsn=4.7.0, status=deferred (host mx.%s[192.0.2.%d] said: 421 4.7.0 Try again later (in reply to RCPT TO command))\n",
			ts(1), qid, rcpt, dom, i%250+1, dom, i%250+1)
		if i%3 == 0 {
			fmt.Fprintf(&files[1], "%s mx1 postfix/smtp[913]: %s: to=<%s>, relay=mx.%s[192.0.2.%d]:25, delay=600, delays=0.1/0/0.5/0.4, dsn=4.7.0, status=deferred (host mx.%s[192.0.2.%d] said: 421 4.7.0 Try again later (in reply to RCPT TO command))\n",
				ts(70), qid, rcpt, dom, i%250+1, dom, i%250+1)
		}
		switch {
		case i%10 == 7:
			fmt.Fprintf(&files[2], "%s mx1 postfix/smtp[914]: %s: to=<%s>, relay=mx.%s[192.0.2.%d]:25, delay=900, delays=0.1/0/0.5/0.4, dsn=5.1.1, status=bounced (host mx.%s[192.0.2.%d] said: 550 5.1.1 <%s>: Recipient address rejected: User unknown (in reply to RCPT TO command))\n",
				ts(130), qid, rcpt, dom, i%250+1, dom, i%250+1, rcpt)
		case i%10 == 8 && dom == "icloud.com":
			fmt.Fprintf(&files[2], "%s mx1 postfix/smtp[914]: %s: to=<%s>, relay=mx.%s[17.57.154.6]:25, delay=900, delays=0.1/0/0.5/0.4, dsn=5.7.1, status=bounced (host mx.%s[17.57.154.6] said: 554 5.7.1 [CS01] Message rejected due to local policy (in reply to end of DATA command))\n",
				ts(130), qid, rcpt, dom, dom)
		case i%10 == 9:
			// Still deferred at the end of the logs.
		default:
			fmt.Fprintf(&files[2], "%s mx1 postfix/smtp[914]: %s: to=<%s>, relay=mx.%s[192.0.2.%d]:25, delay=900, delays=0.1/0/0.5/0.4, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as X%d)\n",
				ts(130), qid, rcpt, dom, i%250+1, i)
		}
	}
	var names []string
	for i := range files {
		name := filepath.Join(dir, fmt.Sprintf("maillog.%d", i))
		if err := os.WriteFile(name, []byte(files[i].String()), 0o644); err != nil {
			t.Fatal(err)
		}
		names = append(names, name)
	}
	return names
}

// Retries spread across files fold into one outcome per message and
// recipient on the pipeline as in one pass of `bouncekit report` over the
// same files.
func TestDeliveryRetriesAcrossFilesEqualBouncekitReport(t *testing.T) {
	dir := t.TempDir()
	files := writeRetryLogs(t, dir, 600)
	got := runDelivery(t, filepath.Join(dir, "maillog.*"))
	bin := buildBouncekit(t)
	want, err := exec.Command(bin, append([]string{"report", "--format", "json"}, files...)...).Output()
	if err != nil {
		t.Fatalf("bouncekit report: %v", err)
	}
	if got != string(want) {
		t.Errorf("pipeline report differs from bouncekit report:\n got %.600s\nwant %.600s", got, want)
	}
	var rep struct {
		Total    struct{ Sent, Delivered, Bounced, Deferred int64 }
		Outcomes struct{ Events, Outcomes, Folded int64 }
	}
	if err := json.Unmarshal([]byte(got), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Total.Sent != 600 || rep.Outcomes.Outcomes != 600 || rep.Outcomes.Folded == 0 || rep.Total.Deferred != 60 {
		t.Errorf("want 600 outcomes (60 still deferred) from the folded attempts, got %+v", rep)
	}
}
