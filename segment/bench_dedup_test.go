package segment

import (
	"io"
	"os"
	"runtime"
	"strconv"
	"testing"
	"time"
)

// postfixGen writes a Postfix log on the fly: per message a qmgr line, for
// one recipient in three one to three deferrals, then a sent (or, one in
// fifty, a bounced) line; one in a hundred messages is a null-sender notice
// delivered locally. It stops after n lines.
type postfixGen struct {
	n, lines int
	msg      int
	buf      []byte
	t        time.Time
	sec      int64
	stamp    []byte
	qid      []byte
	rcpt     []byte
}

func (g *postfixGen) Read(p []byte) (int, error) {
	for len(g.buf) < len(p) && g.lines < g.n {
		g.message()
	}
	if len(g.buf) == 0 {
		return 0, io.EOF
	}
	n := copy(p, g.buf)
	g.buf = g.buf[:copy(g.buf, g.buf[n:])]
	return n, nil
}

var benchDomains = []string{"gmail.com", "icloud.com", "yahoo.com", "outlook.com", "example.org", "me.com"}

// line appends one log line; parts are written one after the other, so
// that the generator allocates nothing of its own per line.
func (g *postfixGen) line(prog string, parts ...[]byte) {
	if g.lines >= g.n {
		return
	}
	g.lines++
	g.t = g.t.Add(3 * time.Millisecond)
	if s := g.t.Unix(); s != g.sec {
		g.sec, g.stamp = s, g.t.AppendFormat(g.stamp[:0], time.Stamp)
	}
	g.buf = append(g.buf, g.stamp...)
	g.buf = append(g.buf, " mx1 postfix/"...)
	g.buf = append(g.buf, prog...)
	g.buf = append(g.buf, "[2211]: "...)
	g.buf = append(g.buf, g.qid...)
	g.buf = append(g.buf, ": "...)
	for _, p := range parts {
		g.buf = append(g.buf, p...)
	}
	g.buf = append(g.buf, '\n')
}

var (
	genQueued   = []byte("from=<news@shop.example>, size=12000, nrcpt=1 (queue active)")
	genNotice   = []byte("from=<>, size=3000, nrcpt=1 (queue active)")
	genLocal    = []byte("to=<news@shop.example>, relay=local, delay=0.1, delays=0/0/0/0.1, dsn=2.0.0, status=sent (delivered to mailbox)")
	genRemoved  = []byte("removed")
	genTo       = []byte("to=<")
	genRelay    = []byte(">, relay=mx.provider.example[192.0.2.10]:25, delay=1.2, delays=0.1/0/0.5/0.6, ")
	genDeferred = []byte("dsn=4.7.0, status=deferred (host mx.provider.example[192.0.2.10] said: 421 4.7.0 [TSS04] Messages from 192.0.2.1 temporarily deferred due to unexpected volume (in reply to end of DATA command))")
	genBounced  = []byte("dsn=5.1.1, status=bounced (host mx.provider.example[192.0.2.10] said: 550 5.1.1 user unknown (in reply to RCPT TO command))")
	genSent     = []byte("dsn=2.0.0, status=sent (250 2.0.0 OK 1700000000 x1-2 - gsmtp)")
)

func (g *postfixGen) message() {
	g.msg++
	g.qid = strconv.AppendInt(append(g.qid[:0], '4'), int64(g.msg)*7919, 16)
	g.rcpt = append(strconv.AppendInt(append(g.rcpt[:0], "user"...), int64(g.msg), 10), '@')
	g.rcpt = append(g.rcpt, benchDomains[g.msg%len(benchDomains)]...)
	if g.msg%100 == 0 {
		g.line("qmgr", genNotice)
		g.line("local", genLocal)
		g.line("qmgr", genRemoved)
		return
	}
	g.line("qmgr", genQueued)
	if g.msg%3 == 0 {
		for i := 0; i <= g.msg%9/3; i++ {
			g.line("smtp", genTo, g.rcpt, genRelay, genDeferred)
		}
	}
	if g.msg%50 == 0 {
		g.line("smtp", genTo, g.rcpt, genRelay, genBounced)
	} else {
		g.line("smtp", genTo, g.rcpt, genRelay, genSent)
	}
	g.line("qmgr", genRemoved)
}

// BenchmarkPostfixDedup reads a generated Postfix log with retries and
// notices through the reader and the dedup (not the aggregate).
// SEGMENT_BENCH_LINES sets the lines per run (default 1,000,000; the figure
// in docs/bench-segment.md is 10,000,000).
func BenchmarkPostfixDedup(b *testing.B) {
	n := 1_000_000
	if s := os.Getenv("SEGMENT_BENCH_LINES"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	b.ReportAllocs()
	cpu := cpuTime()
	var outcomes int64
	var peak uint64
	var live []uint64
	// Outcomes are about a quarter of the lines.
	checkAt := [2]int{n / 4 / 10, n / 4 * 9 / 10}
	for b.Loop() {
		g := &postfixGen{n: n, t: time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)}
		rd := &Reader{Format: FormatPostfix, Now: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)}
		dd := &Dedup{}
		i := 0
		for _, err := range dd.Events(rd.Events(g)) {
			if err != nil {
				b.Fatal(err)
			}
			i++
			if i%(1<<18) == 0 {
				var ms runtime.MemStats
				runtime.ReadMemStats(&ms)
				peak = max(peak, ms.HeapInuse)
			}
			if i == checkAt[0] || i == checkAt[1] {
				// The live heap after a collection, early and late in the
				// run: flat memory means the two are alike.
				runtime.GC()
				var ms runtime.MemStats
				runtime.ReadMemStats(&ms)
				live = append(live, ms.HeapAlloc)
			}
		}
		outcomes = dd.Stats.Outcomes
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "lines/s")
	if c := cpuTime() - cpu; c > 0 {
		b.ReportMetric(float64(n)*float64(b.N)/c.Seconds(), "lines/cpu-s")
	}
	b.ReportMetric(float64(outcomes), "outcomes")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
	if len(live) >= 2 {
		b.ReportMetric(float64(live[0])/(1<<20), "live-MB-at-10%")
		b.ReportMetric(float64(live[1])/(1<<20), "live-MB-at-90%")
	}
}
