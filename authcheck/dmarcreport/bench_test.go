package dmarcreport

import (
	"fmt"
	"testing"
)

// bigDoc is a report of n records from distinct sources, the size a large
// receiver sends a busy domain in a day.
func bigDoc(n int) doc {
	d := googleDoc()
	d.rows = nil
	for i := 0; i < n; i++ {
		r := googleDoc().rows[i%3]
		r.ip = fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255)
		r.count = 1 + i%50
		d.rows = append(d.rows, r)
	}
	return d
}

func BenchmarkParse2000Records(b *testing.B) {
	x := bigDoc(2000).xml()
	b.SetBytes(int64(len(x)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(x); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRead2000RecordsGzipEmail(b *testing.B) {
	x := bigDoc(2000).xml()
	msg := reportEmail("noreply-dmarc-support@google.com", "application/gzip", "r.xml.gz", gz(x))
	var rd Reader
	b.SetBytes(int64(len(msg)))
	b.ReportAllocs()
	for b.Loop() {
		for r := range rd.ReadBytes("r.eml", msg) {
			if r.Err != nil {
				b.Fatal(r.Err)
			}
		}
	}
}

// Benchmark10000Reports reads and aggregates 10,000 small gzip reports
// (per op: all 10,000), each of 5 records over 50 domains.
func Benchmark10000Reports(b *testing.B) {
	var files [][]byte
	for i := 0; i < 10000; i++ {
		d := bigDoc(5)
		d.id = fmt.Sprint(i)
		d.policy = fmt.Sprintf("<domain>d%d.example</domain><p>none</p>", i%50)
		for j := range d.rows {
			d.rows[j].headerFrom = fmt.Sprintf("d%d.example", i%50)
		}
		files = append(files, gz(d.xml()))
	}
	var rd Reader
	b.ReportAllocs()
	for b.Loop() {
		a := NewAggregate(AggregateOptions{})
		for _, f := range files {
			for r := range rd.ReadBytes("", f) {
				a.Add(r.Report)
			}
		}
		if a.Reports() != 10000 {
			b.Fatal(a.Reports())
		}
		_ = a.Summaries()
	}
}

func BenchmarkAggregateAdd2000Records(b *testing.B) {
	rep := mustParse(b, bigDoc(2000))
	b.ReportAllocs()
	for b.Loop() {
		a := NewAggregate(AggregateOptions{})
		a.Add(rep)
	}
}
