package bounce

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func hdr(extra string) string {
	return "From: MAILER-DAEMON@mx.example\nTo: sender@s.example\nSubject: Undelivered Mail Returned to Sender\n" + extra + "MIME-Version: 1.0\n"
}

func dsnMsg(n int, diag func(i int) string, notice string) string {
	var b strings.Builder
	b.WriteString(hdr("") + "Content-Type: multipart/report; report-type=delivery-status; boundary=B\n\n--B\nContent-Type: text/plain\n\n")
	b.WriteString(notice)
	b.WriteString("\n--B\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example\n\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "Final-Recipient: rfc822; u%d@r.example\nAction: failed\nStatus: 5.1.1\n", i)
		if d := diag(i); d != "" {
			fmt.Fprintf(&b, "Diagnostic-Code: smtp; %s\n", d)
		}
		b.WriteString("\n")
	}
	b.WriteString("--B--\n")
	return b.String()
}

func probeMsgs(n int) map[string]string {
	rcptLines := func(f string) string {
		var b strings.Builder
		for i := 0; i < n; i++ {
			fmt.Fprintf(&b, f, i, i)
		}
		return b.String()
	}
	var failed strings.Builder
	for i := 0; i < n; i++ {
		if i > 0 {
			failed.WriteString(", ")
		}
		fmt.Fprintf(&failed, "u%d@r.example", i)
	}
	return map[string]string{
		"dsn-nodiag+notice":  dsnMsg(n, func(int) string { return "" }, rcptLines("<u%d@r.example>: host mx said: 550 5.1.1 unknown u%d (in reply to RCPT TO command)\n")),
		"dsn-diag-nostage":   dsnMsg(n, func(int) string { return "550 5.1.1 unknown" }, rcptLines("<u%d@r.example>: host mx said: 550 5.1.1 unknown u%d\n\n")),
		"dsn-transcript":     dsnMsg(n, func(int) string { return "550 5.1.1 unknown" }, ">>> DATA\n"+rcptLines("<<< 550 5.1.1 <u%d@r.example>... unknown %d\n")),
		"dsn-mfilter":        dsnMsg(n, func(int) string { return "550 5.1.1 unknown" }, strings.Repeat("-------SMTP command\nDATA\n", n)),
		"text-rcpts":         hdr("") + "\n" + rcptLines("<u%d@r.example>: 550 5.1.1 unknown %d\n"),
		"text-rcpts-blank":   hdr("") + "\n" + rcptLines("<u%d@r.example>:\n550 5.1.1 unknown %d\n\n"),
		"text-xfailed":       hdr("X-Failed-Recipients: "+failed.String()+"\n") + "\n" + rcptLines("u%d@r.example\n  550 5.1.1 unknown %d\n"),
		"text-summary":       hdr("") + "\nYour message\n" + rcptLines("  To: u%d@r.example\n  Subject: x%d\n") + "did not reach the following recipient(s):\n",
		"text-transcript":    hdr("") + "\n... while talking to mx.r.example.:\n>>> DATA\n" + rcptLines("<<< 550 5.1.1 <u%d@r.example>... unknown %d\n"),
		"text-one-long-line": hdr("") + "\n" + rcptLines("u%d@r.example %d "),
	}
}

func TestZZMsgProbe(t *testing.T) {
	for _, n := range []int{500, 2000} {
		for name, m := range probeMsgs(n) {
			t0 := time.Now()
			rep, err := ParseBytes0([]byte(m))
			d := time.Since(t0)
			t.Logf("n=%d %-20s %7d B %10v recs=%d err=%v", n, name, len(m), d, len(rep.Records), err)
		}
	}
}

func ParseBytes0(b []byte) (*Report, error) { var p Parser; return p.ParseBytes(b) }

func BenchmarkZZ(b *testing.B) {
	for _, name := range []string{"dsn-transcript", "text-rcpts", "dsn-diag-nostage", "text-summary", "text-xfailed"} {
		m := []byte(probeMsgs(4000)[name])
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				ParseBytes0(m)
			}
		})
	}
}
