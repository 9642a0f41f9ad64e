package bounce_test

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bouncekit/bouncekit/bounce"
)

// BenchmarkParseMessage parses each hand-written test message.
func BenchmarkParseMessage(b *testing.B) {
	files, _ := filepath.Glob(filepath.Join("testdata", "messages", "*.eml"))
	if len(files) == 0 {
		b.Fatal("no test messages")
	}
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(strings.TrimSuffix(filepath.Base(name), ".eml"), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if _, err := bounce.ParseMessage(bytes.NewReader(data)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkParseCorpus parses every file of the shared corpus once per
// iteration, single-threaded, and reports files/s.
func BenchmarkParseCorpus(b *testing.B) {
	c := openCorpus(b)
	names, err := c.Files()
	if err != nil {
		b.Fatal(err)
	}
	var msgs [][]byte
	total := 0
	for _, n := range names {
		data, err := c.Read(n)
		if err != nil {
			b.Fatal(err)
		}
		msgs = append(msgs, data)
		total += len(data)
	}
	var p bounce.Parser
	b.ReportAllocs()
	b.SetBytes(int64(total))
	for b.Loop() {
		for _, m := range msgs {
			p.ParseBytes(m)
		}
	}
	b.ReportMetric(float64(len(msgs))*float64(b.N)/b.Elapsed().Seconds(), "files/s")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(msgs)), "ns/file")
}

// bigBounce builds a DSN whose returned message carries a base64
// attachment of about size bytes.
func bigBounce(size int) []byte {
	var buf bytes.Buffer
	buf.WriteString("From: MAILER-DAEMON@mx.example.org\nTo: a@example.com\nSubject: Undelivered Mail Returned to Sender\n" +
		"Content-Type: multipart/report; report-type=delivery-status; boundary=\"outer\"\n\n--outer\nContent-Type: text/plain\n\n" +
		"<big@example.net>: host mx.example.net[192.0.2.1] said: 552 5.3.4 Message size exceeds fixed limit\n\n" +
		"--outer\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.org\n\n" +
		"Final-Recipient: rfc822; big@example.net\nAction: failed\nStatus: 5.3.4\nDiagnostic-Code: smtp; 552 5.3.4 Message size exceeds fixed limit\n\n" +
		"--outer\nContent-Type: message/rfc822\n\nFrom: a@example.com\nTo: big@example.net\nSubject: photos\n" +
		"Content-Type: multipart/mixed; boundary=\"inner\"\n\n--inner\nContent-Type: text/plain\n\nsee https://photos.example.com/x\n" +
		"--inner\nContent-Type: application/octet-stream\nContent-Transfer-Encoding: base64\n\n")
	raw := make([]byte, size*3/4)
	for i := range raw {
		raw[i] = byte(i * 7)
	}
	enc := base64.StdEncoding.EncodeToString(raw)
	for len(enc) > 76 {
		buf.WriteString(enc[:76])
		buf.WriteByte('\n')
		enc = enc[76:]
	}
	buf.WriteString(enc + "\n--inner--\n--outer--\n")
	return buf.Bytes()
}

// BenchmarkParseMessageSize shows time linear in message size: ns/op
// divided by size stays flat from 100 KB to 10 MB.
func BenchmarkParseMessageSize(b *testing.B) {
	for _, size := range []int{100 << 10, 1 << 20, 10 << 20} {
		data := bigBounce(size)
		b.Run(fmt.Sprintf("%dKB", size>>10), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				rep, err := bounce.ParseMessage(bytes.NewReader(data))
				if err != nil || len(rep.Records) != 1 {
					b.Fatal(err, len(rep.Records))
				}
			}
		})
	}
}

// BenchmarkParseMessageShapes covers shapes whose cost could grow faster
// than their size: many recipient groups, many addresses on one line of a
// text bounce, deep nesting. ns/op should grow ten times per step.
func BenchmarkParseMessageShapes(b *testing.B) {
	shapes := map[string]func(n int) []byte{
		"dsn-recipients": func(n int) []byte {
			var s strings.Builder
			s.WriteString("From: MAILER-DAEMON@x.example\nContent-Type: multipart/report; boundary=b\n\n--b\nContent-Type: text/plain\n\n")
			for i := range n {
				fmt.Fprintf(&s, "<u%d@example.net>: host mx said: 550 5.1.1 no\n\n", i)
			}
			s.WriteString("--b\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; x.example\n\n")
			for i := range n {
				fmt.Fprintf(&s, "Final-Recipient: rfc822; u%d@example.net\nAction: failed\nStatus: 5.1.1\n\n", i)
			}
			s.WriteString("--b--\n")
			return []byte(s.String())
		},
		"address-line": func(n int) []byte {
			var s strings.Builder
			s.WriteString("From: MAILER-DAEMON@x.example\nSubject: failure notice\n\nfailed: ")
			for i := range n {
				fmt.Fprintf(&s, "u%d@example.net, ", i)
			}
			s.WriteString("\n")
			return []byte(s.String())
		},
		"to-header": func(n int) []byte {
			var s strings.Builder
			s.WriteString("From: a@example.org\nTo: ")
			for i := range n {
				fmt.Fprintf(&s, "\"U %d\" <u%d@example.net>, ", i, i)
			}
			s.WriteString("\nSubject: hi\n\nbody\n")
			return []byte(s.String())
		},
	}
	for _, name := range []string{"dsn-recipients", "address-line", "to-header"} {
		for _, n := range []int{100, 1000, 10000} {
			data := shapes[name](n)
			b.Run(fmt.Sprintf("%s/%d", name, n), func(b *testing.B) {
				b.ReportAllocs()
				b.SetBytes(int64(len(data)))
				for b.Loop() {
					bounce.ParseMessage(bytes.NewReader(data))
				}
			})
		}
	}
}
