package bounce_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/bouncekit/bouncekit/bounce"
	"github.com/bouncekit/bouncekit/internal/costcheck"
)

// FuzzParseMessage checks that no input panics or hangs, that output is
// deterministic (parsing twice gives the same report), that CRLF and CR
// line ends give the same records as LF, and that no input costs more than
// costcheck.Default (50 ms + 5 µs a byte of CPU). The seeds are the small
// test messages (under 3 KiB each), so that minimising an input the fuzzer
// finds fits in CI's few seconds.
func FuzzParseMessage(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "messages", "*.eml"))
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("Content-Type: multipart/report; boundary=x\n\n--x\nContent-Type: message/delivery-status\n\nFinal-Recipient: rfc822; a@b.c\nStatus: 5.1.1\n"))
	f.Add([]byte("From: MAILER-DAEMON\nSubject: failure notice\n\n<a@b.example>:\n550 5.1.1 no\n"))
	f.Add([]byte("Content-Type: message/rfc822\n\nContent-Type: message/rfc822\n\n"))
	f.Add([]byte("Content-TYpe:messAge/feedBACk-report\n\nSourCe-IP:")) // found by fuzzing: empty Source-IP
	f.Add([]byte("From:MAil-DAemon@0.0@0.0"))                           // found by fuzzing: addresses sharing characters
	p := bounce.Parser{Limits: bounce.Limits{MaxMessageBytes: 1 << 20}}
	f.Fuzz(func(t *testing.T, b []byte) {
		var r1 *bounce.Report
		var err1 error
		costcheck.Check(t, len(b), func() { r1, err1 = p.ParseBytes(b) })
		r2, err2 := p.ParseBytes(b)
		if r1 == nil || r2 == nil {
			t.Fatal("nil report")
		}
		if s1, s2 := fuzzSummary(r1, err1), fuzzSummary(r2, err2); s1 != s2 {
			t.Fatalf("not deterministic:\n%s\n%s", s1, s2)
		}
		if bytes.IndexByte(b, '\r') < 0 {
			r3, _ := p.ParseBytes(bytes.ReplaceAll(b, []byte("\n"), []byte("\r\n")))
			if s1, s3 := recordSummary(r1), recordSummary(r3); s1 != s3 {
				t.Fatalf("CRLF differs from LF:\n%s\n%s", s1, s3)
			}
		}
	})
}

func recordSummary(rep *bounce.Report) string {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s/%s", rep.Kind, rep.Format)
	for _, r := range rep.Records {
		fmt.Fprintf(&b, " [%s %s %s %d %q]", r.Recipient, r.Action, r.Status, r.Reply.Code, r.Diagnostic)
	}
	return b.String()
}

func fuzzSummary(rep *bounce.Report, err error) string {
	s := recordSummary(rep) + fmt.Sprintf(" err=%v fields=%d", err, len(rep.Fields))
	if rep.Original != nil {
		s += fmt.Sprintf(" orig=%q %v", rep.Original.MessageID, rep.Original.Domains)
	}
	return s
}

// FuzzReadMbox checks that no mbox input panics or hangs, that splitting is
// deterministic, that message indexes count up from 0, and that every
// message yielded without a read error carries a report.
func FuzzReadMbox(f *testing.F) {
	f.Add([]byte("From a Mon Mar  3 10:00:00 2025\nSubject: a\n\nx\n\nFrom b Mon Mar  3 10:00:01 2025\nSubject: b\n\n>From y\n"))
	f.Add([]byte("Subject: one\n\nFrom here on\n--b--\nFrom c@d  Thu Jul  2 12:05:05 2020\nSubject: c\n\n"))
	f.Add([]byte("From \nFrom x Sun Jan 1 00:00:00 9999\r\n\r\n"))
	p := bounce.Parser{Limits: bounce.Limits{MaxMessageBytes: 4 << 10}}
	split := func(b []byte) string {
		var s bytes.Buffer
		i := 0
		for m, err := range p.Mbox(bytes.NewReader(b)) {
			if m.Index != i {
				panic(fmt.Sprintf("index %d, want %d", m.Index, i))
			}
			i++
			if m.Report == nil {
				panic(fmt.Sprintf("message %d without a report (err %v)", m.Index, err))
			}
			fmt.Fprintf(&s, "%d %v %s\n", m.Index, err, recordSummary(m.Report))
		}
		return s.String()
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var s1 string
		costcheck.Check(t, len(b), func() { s1 = split(b) })
		if s2 := split(b); s1 != s2 {
			t.Fatalf("not deterministic:\n%s\n%s", s1, s2)
		}
	})
}
