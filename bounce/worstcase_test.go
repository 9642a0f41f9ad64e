package bounce_test

// The adversarial inputs of docs/reliability.md: each shape that made a
// parser rescan its input (issue 13), and its siblings. BenchmarkWorstCase
// grows each one 4x and 16x (the doc shows the ratios of cpu-ns/op);
// TestHostileInputsStayInBudget checks the largest size against the fuzz
// targets' budget, so a parser that turns quadratic again fails a test.

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/bouncekit/bouncekit/bounce"
	"github.com/bouncekit/bouncekit/internal/costcheck"
)

// hostileReply is one adversarial reply shape; make(n) builds it with its
// repeated part n times.
type hostileReply struct {
	name string
	unit int // bytes per repetition, so that n*unit is the input size
	make func(n int) string
}

var hostileReplies = []hostileReply{
	{"run-of-lt", 1, func(n int) string { return costcheck.Grow("", "<", n, "") }},
	{"exim-command-lt", 1, func(n int) string {
		return costcheck.Grow("SMTP error from remote mail server after ", "<", n, "")
	}},
	{"exchange-quoted-lt", 2, func(n int) string { return costcheck.Grow("Remote Server returned '", "'<", n, "") }},
	{"gmx-tag-c=", 2, func(n int) string { return costcheck.Grow("550 ", "c=", n, "") }},
	{"upper-words", 2, func(n int) string { return costcheck.Grow("550 ", "A.", n, "") }},
	{"status-like", 4, func(n int) string { return costcheck.Grow("550 ", "5.1.", n, "") }},
	{"continuation-lines", 12, func(n int) string { return costcheck.Grow("", "550-5.1.1 x\r\n", n, "550 5.1.1 end") }},
	{"sendmail-transcript", 8, func(n int) string { return costcheck.Grow(">>> DATA\n", "<<< 550\n", n, "") }},
	{"postfix-said", 6, func(n int) string { return costcheck.Grow("host ", " said:", n, "") }},
	{"sendmail-stat", 10, func(n int) string { return costcheck.Grow("", "relay=dsn=", n, "stat=x") }},
}

// hostileMessage is one adversarial message shape with n repetitions.
type hostileMessage struct {
	name string
	make func(n int) []byte
}

const hostileHeader = "From: MAILER-DAEMON@mx.example\nTo: sender@s.example\nSubject: Undelivered Mail Returned to Sender\nMIME-Version: 1.0\n"

// dsn is a multipart/report with n recipient groups, each given diag(i)
// as its Diagnostic-Code ("" for none), and notice as its text part.
func dsn(n int, diag func(i int) string, notice string) []byte {
	var b bytes.Buffer
	b.WriteString(hostileHeader + "Content-Type: multipart/report; report-type=delivery-status; boundary=B\n\n--B\nContent-Type: text/plain\n\n")
	b.WriteString(notice)
	b.WriteString("\n--B\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example\n\n")
	for i := range n {
		fmt.Fprintf(&b, "Final-Recipient: rfc822; u%d@r.example\nAction: failed\nStatus: 5.1.1\n", i)
		if d := diag(i); d != "" {
			fmt.Fprintf(&b, "Diagnostic-Code: smtp; %s\n", d)
		}
		b.WriteString("\n")
	}
	b.WriteString("--B--\n")
	return b.Bytes()
}

// lines repeats format (with the index twice) n times.
func lines(n int, format string) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, format, i, i)
	}
	return b.String()
}

var hostileMessages = []hostileMessage{
	{"dsn-diagnostic-lt-runs", func(n int) []byte {
		// The 600 KB DSN: each recipient's Diagnostic-Code a run of '<'.
		return dsn(n, func(int) string { return strings.Repeat("<", 2000) }, "")
	}},
	{"dsn-recipients-named-in-notice", func(n int) []byte {
		return dsn(n, func(int) string { return "550 5.1.1 unknown" }, lines(n, "<u%d@r.example>: host mx said: 550 5.1.1 unknown u%d\n"))
	}},
	{"dsn-no-diagnostic-notice", func(n int) []byte {
		return dsn(n, func(int) string { return "" }, lines(n, "<u%d@r.example>: host mx said: 550 5.1.1 unknown u%d (in reply to RCPT TO command)\n"))
	}},
	{"dsn-pipelined-transcript", func(n int) []byte {
		return dsn(n, func(int) string { return "550 5.1.1 unknown" }, ">>> DATA\n"+lines(n, "<<< 550 5.1.1 <u%d@r.example>... unknown %d\n"))
	}},
	{"dsn-mfilter-blocks", func(n int) []byte {
		return dsn(n, func(int) string { return "550 5.1.1 unknown" }, strings.Repeat("-------SMTP command\nDATA\n", n))
	}},
	{"text-recipients", func(n int) []byte {
		return []byte(hostileHeader + "\n" + lines(n, "<u%d@r.example>: 550 5.1.1 unknown %d\n"))
	}},
	{"text-summary-to-lines", func(n int) []byte {
		return []byte(hostileHeader + "\nYour message\n" + lines(n, "  To: u%d@r.example\n  Subject: x%d\n") + "did not reach the following recipient(s):\n")
	}},
	{"text-x-failed-recipients", func(n int) []byte {
		var failed []string
		for i := range n {
			failed = append(failed, fmt.Sprintf("u%d@r.example", i))
		}
		return []byte(strings.Replace(hostileHeader, "MIME", "X-Failed-Recipients: "+strings.Join(failed, ", ")+"\nMIME", 1) +
			"\n" + lines(n, "u%d@r.example\n  550 5.1.1 unknown %d\n"))
	}},
	{"text-one-line-of-addresses", func(n int) []byte {
		return []byte(hostileHeader + "\n" + lines(n, "u%d@r.example %d "))
	}},
	{"nul-bytes", func(n int) []byte { return append([]byte(hostileHeader+"\n"), make([]byte, n*64)...) }},
	{"deep-multipart", func(n int) []byte {
		var b bytes.Buffer
		b.WriteString(hostileHeader)
		for i := range n {
			fmt.Fprintf(&b, "Content-Type: multipart/mixed; boundary=b%d\n\n--b%d\n", i, i)
		}
		return b.Bytes()
	}},
	{"many-parts", func(n int) []byte {
		return []byte(hostileHeader + "Content-Type: multipart/mixed; boundary=B\n\n" + strings.Repeat("--B\nContent-Type: text/plain\n\nx\n", n) + "--B--\n")
	}},
	{"long-header-line", func(n int) []byte {
		return []byte("Subject: " + strings.Repeat("=?utf-8?q?a?= ", n) + "\n" + hostileHeader + "\nx\n")
	}},
	{"many-header-fields", func(n int) []byte {
		return []byte(strings.Repeat("X-A: b\n", n*4) + hostileHeader + "\nx\n")
	}},
	{"arf-many-original-rcpt-to", func(n int) []byte {
		return []byte("Content-Type: multipart/report; report-type=feedback-report; boundary=B\n\n--B\nContent-Type: message/feedback-report\n\nFeedback-Type: abuse\n" +
			strings.Repeat("Original-Rcpt-To: a@b.example\n", n) + "\n--B--\n")
	}},
	{"addresses-run-together", func(n int) []byte {
		return []byte(hostileHeader + "\n" + strings.Repeat("a@a.", n*4) + "\n")
	}},
	{"many-boundary-lines", func(n int) []byte {
		return []byte(hostileHeader + "Content-Type: multipart/mixed; boundary=B\n\n" + strings.Repeat("--B\n", n*4))
	}},
	{"folded-header", func(n int) []byte {
		return []byte("X-Long: a\n" + strings.Repeat(" b\n", n) + hostileHeader + "\nx\n")
	}},
}

// Reply sizes: 4 KiB, 16 KiB and 64 KiB (MaxReplyLen); message shapes:
// 250, 1000 and 4000 repetitions.
const replyBase, messageBase = 4 << 10, 250

var growth = []int{1, 4, 16}

func BenchmarkWorstCase(b *testing.B) {
	for _, h := range hostileReplies {
		for _, g := range growth {
			in := h.make(replyBase * g / h.unit)
			b.Run(fmt.Sprintf("reply/%s/x%d", h.name, g), func(b *testing.B) {
				costcheck.Bench(b, len(in), func() { _, _ = bounce.ParseReply(in) })
			})
		}
	}
	var p bounce.Parser
	for _, h := range hostileMessages {
		for _, g := range growth {
			in := h.make(messageBase * g)
			b.Run(fmt.Sprintf("message/%s/x%d", h.name, g), func(b *testing.B) {
				costcheck.Bench(b, len(in), func() { _, _ = p.ParseBytes(in) })
			})
		}
	}
}

// TestHostileInputsStayInBudget parses the largest size of each
// adversarial shape within the fuzz targets' budget (CPU time, 50 ms + 5 µs
// a byte): a path that turns quadratic again costs far more.
func TestHostileInputsStayInBudget(t *testing.T) {
	for _, h := range hostileReplies {
		in := h.make(bounce.MaxReplyLen / h.unit)
		t.Run("reply/"+h.name, func(t *testing.T) {
			costcheck.Check(t, len(in), func() { _, _ = bounce.ParseReply(in) })
		})
	}
	var p bounce.Parser
	for _, h := range hostileMessages {
		in := h.make(messageBase * 16)
		t.Run("message/"+h.name, func(t *testing.T) {
			costcheck.Check(t, len(in), func() { _, _ = p.ParseBytes(in) })
		})
	}
}
