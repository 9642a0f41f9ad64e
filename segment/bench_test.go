package segment

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// benchEvents are 100,000 events of a realistic mix, failures included, the
// replies read and classified once up front (as a queue that already holds
// its verdicts passes them on).
func benchEvents(b *testing.B) []Event {
	b.Helper()
	return mixedPlan().events()[:30000]
}

func BenchmarkAggregate(b *testing.B) {
	evs := benchEvents(b)
	a := NewAggregate(Options{})
	for i := range evs {
		a.Add(&evs[i]) // warm the interning tables, as a long run would be
	}
	b.ReportAllocs()
	n := 0
	start, cpu := time.Now(), cpuTime()
	for b.Loop() {
		a.Add(&evs[n%len(evs)])
		n++
	}
	reportRates(b, n, start, cpu)
}

// reportRates reports events per wall-clock second and per CPU second of
// the process; on a shared machine the second is the per-core figure.
func reportRates(b *testing.B, n int, start time.Time, cpu time.Duration) {
	b.ReportMetric(float64(n)/time.Since(start).Seconds(), "events/s")
	if c := cpuTime() - cpu; c > 0 {
		b.ReportMetric(float64(n)/c.Seconds(), "events/cpu-s")
	}
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkAggregateUniqueRecipients sends every event to a new address,
// as a large log does: the suppression brake's recipient memory grows to
// its cap (DefaultMaxRecipients) and stays there.
func BenchmarkAggregateUniqueRecipients(b *testing.B) {
	base := benchEvents(b)
	evs := make([]Event, 1<<21)
	for i := range evs {
		evs[i] = base[i%len(base)]
		evs[i].Recipient = "u" + strconv.Itoa(i) + "@" + base[i%len(base)].Domain()
	}
	a := NewAggregate(Options{})
	b.ReportAllocs()
	n := 0
	start, cpu := time.Now(), cpuTime()
	for b.Loop() {
		a.Add(&evs[n%len(evs)])
		n++
	}
	reportRates(b, n, start, cpu)
}

// BenchmarkAggregateCold starts from an empty Aggregate each time: the cost
// including building the tables.
func BenchmarkAggregateCold(b *testing.B) {
	evs := benchEvents(b)
	b.ReportAllocs()
	n := 0
	start, cpu := time.Now(), cpuTime()
	for b.Loop() {
		a := NewAggregate(Options{})
		for i := range evs {
			a.Add(&evs[i])
		}
		n += len(evs)
	}
	reportRates(b, n, start, cpu)
}

func BenchmarkCompare(b *testing.B) {
	a := aggregate(mixedPlan().events(), Options{})
	b.ReportAllocs()
	for b.Loop() {
		c := a.Compare(Query{Provider: "apple", Tag: "CS01"})
		if c.Failed == 0 {
			b.Fatal("nothing compared")
		}
	}
}

func BenchmarkDiagnose(b *testing.B) {
	a := aggregate(mixedPlan().events(), Options{})
	b.ReportAllocs()
	for b.Loop() {
		if len(a.Diagnose(DiagnoseOptions{})) == 0 {
			b.Fatal("no diagnosis")
		}
	}
}

// writeBenchCSV writes n events in the plain CSV format.
func writeBenchCSV(w io.Writer, n int, seed uint64) {
	rng := rand.New(rand.NewPCG(seed, 1))
	doms := []string{"gmail.com", "gmail.com", "gmail.com", "icloud.com", "outlook.com", "yahoo.com", "me.com", "privaterelay.appleid.com", "hotmail.com", "comcast.net"}
	fmt.Fprintln(w, "time,recipient,outcome,reply,campaign,template,sending_ip,message_id,transactional,subject,link_host,product_block")
	t := time.Date(2026, 5, 12, 14, 0, 0, 0, time.UTC).Unix()
	buf := make([]byte, 0, 512)
	for i := range n {
		d := doms[rng.IntN(len(doms))]
		outcome, reply := "delivered", "250 2.0.0 OK"
		if x := rng.Float64(); x < 0.01 {
			outcome, reply = "bounced", `"554 5.7.1 [CS01] Message rejected due to local policy. Please visit https://support.apple.com/en-us/HT204137"`
		} else if x < 0.015 {
			outcome, reply = "deferred", `"421 4.7.0 [TSS04] Messages from 192.0.2.11 temporarily deferred due to unexpected volume or user complaints - 4.16.55.1; see https://postmaster.yahooinc.com/error-codes"`
		}
		buf = buf[:0]
		buf = time.Unix(t+int64(i/100), 0).UTC().AppendFormat(buf, time.RFC3339)
		buf = append(buf, ",u"...)
		buf = strconv.AppendInt(buf, int64(i), 10)
		buf = append(buf, '@')
		buf = append(buf, d...)
		buf = append(buf, ',')
		buf = append(buf, outcome...)
		buf = append(buf, ',')
		buf = append(buf, reply...)
		buf = append(buf, ",2026-05-spring-sale,spring-sale-v3,192.0.2.1"...)
		buf = strconv.AppendInt(buf, int64(rng.IntN(4)), 10)
		buf = append(buf, ",<"...)
		buf = strconv.AppendInt(buf, int64(i), 10)
		buf = append(buf, "@mail.shop.example>,false,Spring sale "...)
		buf = strconv.AppendInt(buf, int64(rng.IntN(3)), 10)
		buf = append(buf, ",www.shop.example,block-"...)
		buf = strconv.AppendInt(buf, int64(rng.IntN(5)), 10)
		buf = append(buf, '\n')
		w.Write(buf)
	}
}

func BenchmarkReadCSV(b *testing.B) {
	var data bytes.Buffer
	writeBenchCSV(&data, 100000, 1)
	b.SetBytes(int64(data.Len()))
	b.ReportAllocs()
	cpu := cpuTime()
	runs := 0
	// MB/s is per wall-clock second; MB/cpu-s per CPU second of the
	// process, the per-core figure on a shared machine.
	defer func() {
		if c := cpuTime() - cpu; c > 0 && runs > 0 {
			b.ReportMetric(float64(runs)*float64(data.Len())/1e6/c.Seconds(), "MB/cpu-s")
		}
	}()
	for b.Loop() {
		runs++
		n := 0
		for _, err := range ReadCSV(bytes.NewReader(data.Bytes())) {
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
		if n != 100000 {
			b.Fatal(n)
		}
	}
}

// BenchmarkEndToEnd reads, aggregates and reports a CSV file: the file
// named by $SEGMENT_BENCH_FILE (see docs/bench-segment.md for the
// 10-million-event run), else 1,000,000 generated events in memory.
func BenchmarkEndToEnd(b *testing.B) {
	var open func() io.Reader
	var size int64
	if path := os.Getenv("SEGMENT_BENCH_FILE"); path != "" {
		st, err := os.Stat(path)
		if err != nil {
			b.Fatal(err)
		}
		size = st.Size()
		open = func() io.Reader {
			f, err := os.Open(path)
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { f.Close() })
			return f
		}
	} else {
		var data bytes.Buffer
		writeBenchCSV(&data, 1000000, 2)
		size = int64(data.Len())
		open = func() io.Reader { return bytes.NewReader(data.Bytes()) }
	}
	b.SetBytes(size)
	b.ReportAllocs()
	var events int64
	start, cpu := time.Now(), cpuTime()
	for b.Loop() {
		r, err := BuildReport(b.Context(), ReadCSV(open()), ReportOptions{})
		if err != nil || r.Skipped != 0 {
			b.Fatal(err, r.Skipped)
		}
		events += r.Total.Sent() + r.Total.Complained
		if err := r.WriteText(io.Discard); err != nil {
			b.Fatal(err)
		}
	}
	reportRates(b, int(events), start, cpu)
}
