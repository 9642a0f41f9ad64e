package dmarcreport

import (
	"reflect"
	"testing"
)

// fuzzLimits keep each input cheap.
var fuzzLimits = Limits{MaxInputBytes: 1 << 20, MaxXMLBytes: 1 << 20, MaxTotalBytes: 4 << 20, MaxRecords: 1000, MaxParts: 50}

// checkResults holds the invariants of any read: every result has a report
// or an error, counts are never negative, reading again gives the same.
func checkResults(t *testing.T, rd *Reader, b []byte) {
	var first []Result
	for r := range rd.ReadBytes("f", b) {
		if r.Report == nil && r.Err == nil {
			t.Fatal("a result with neither report nor error")
		}
		if r.Report != nil {
			for _, rec := range r.Report.Records {
				if rec.Count < 0 {
					t.Fatalf("negative count %d", rec.Count)
				}
			}
			if c := r.Report.Counts(); c.DMARCPass+c.DMARCFail != c.Messages {
				t.Fatalf("pass %d + fail %d != messages %d", c.DMARCPass, c.DMARCFail, c.Messages)
			}
		}
		first = append(first, r)
	}
	var again []Result
	for r := range rd.ReadBytes("f", b) {
		again = append(again, r)
	}
	if len(first) != len(again) {
		t.Fatalf("second read gave %d results, first %d", len(again), len(first))
	}
	for i := range first {
		if !reflect.DeepEqual(first[i].Report, again[i].Report) {
			t.Fatalf("result %d differs between reads", i)
		}
	}
}

func FuzzParseXML(f *testing.F) {
	f.Add(googleDoc().xml())
	f.Add(gmxDoc().xml())
	f.Add(mailruDoc().xml())
	f.Add([]byte("<feedback><record><row><source_ip>::1</source_ip><count>9223372036854775807</count></row></record><record><row><count>9</count>"))
	f.Add([]byte("\xff\xfe<\x00f\x00"))
	rd := Reader{Limits: fuzzLimits}
	f.Fuzz(func(t *testing.T, b []byte) {
		rep, err := rd.ParseXML(b)
		if rep == nil && err == nil {
			t.Fatal("nil report without an error")
		}
		if rep != nil {
			a := NewAggregate(AggregateOptions{})
			a.Add(rep)
			for _, s := range a.Summaries() {
				var n int64
				for _, d := range s.Days {
					n += d.Messages
				}
				if len(s.Days) > 0 && n != s.Messages {
					t.Fatalf("days sum to %d, total %d", n, s.Messages)
				}
				_ = Advise(PolicyFromReport(s.Policy), s, AdviceOptions{})
			}
		}
	})
}

func FuzzReadGzip(f *testing.F) {
	x := googleDoc().xml()
	f.Add(gz(x))
	f.Add(gz(gz(x[:300])))
	f.Add(append(gz(x[:100]), 0x1f, 0x8b, 8, 0))
	rd := Reader{Limits: fuzzLimits}
	f.Fuzz(func(t *testing.T, b []byte) {
		checkResults(t, &rd, append([]byte{0x1f, 0x8b}, b...))
	})
}

func FuzzReadZip(f *testing.F) {
	x := googleDoc().xml()
	f.Add(zipOf("a.xml", x))
	f.Add(zipOf("a.xml.gz", gz(x[:400]), "b.txt", []byte("x")))
	rd := Reader{Limits: fuzzLimits}
	f.Fuzz(func(t *testing.T, b []byte) {
		checkResults(t, &rd, append([]byte("PK\x03\x04"), b...))
	})
}

func FuzzReadZlib(f *testing.F) {
	f.Add(zl(googleDoc().xml())[2:])
	rd := Reader{Limits: fuzzLimits}
	f.Fuzz(func(t *testing.T, b []byte) {
		checkResults(t, &rd, append([]byte{0x78, 0x9c}, b...))
	})
}

func FuzzReadEmail(f *testing.F) {
	x := googleDoc().xml()
	f.Add(reportEmail("a@google.com", "application/zip", "a.zip", zipOf("a.xml", x[:500])))
	f.Add([]byte("From: a@b\r\nContent-Type: multipart/mixed; boundary=q\r\n\r\n--q\r\nContent-Type: message/rfc822\r\n\r\nFrom: c@d\r\nContent-Type: text/xml\r\n\r\n<feedback/>\r\n--q--"))
	f.Add([]byte("From MAILER-DAEMON Mon Nov 30 10:00:00 2026\nFrom: a@b\n\n<feedback></feedback>\n"))
	rd := Reader{Limits: fuzzLimits}
	f.Fuzz(func(t *testing.T, b []byte) {
		checkResults(t, &rd, b)
	})
}
