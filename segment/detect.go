package segment

// This file tells an input's compression and format from its first bytes.

import (
	"bufio"
	"bytes"
	"compress/bzip2"
	"compress/gzip"
	"fmt"
	"io"

	"github.com/klauspost/compress/zstd"
)

// Compression names how an input was compressed.
type Compression string

// Compressions read transparently.
const (
	CompressionNone  Compression = ""
	CompressionGzip  Compression = "gzip"  // RFC 1952; concatenated members (a logrotate'd file) are read on
	CompressionZstd  Compression = "zstd"  // RFC 8878
	CompressionBzip2 Compression = "bzip2" // bzip2 1.0
)

// MaxZstdWindow bounds the memory a zstd frame may ask for: 64 MiB, more
// than `zstd --long` uses by default (27 bits, 128 MiB frames are refused).
const MaxZstdWindow = 64 << 20

// decompress looks at the magic bytes of br and returns a reader of the
// decompressed data, or nil when br is not compressed.
func decompress(br *bufio.Reader) (io.ReadCloser, Compression, error) {
	magic, _ := br.Peek(4)
	switch {
	case len(magic) >= 2 && magic[0] == 0x1f && magic[1] == 0x8b:
		z, err := gzip.NewReader(br)
		if err != nil {
			return nil, CompressionGzip, fmt.Errorf("segment: gzip input: %w", err)
		}
		return z, CompressionGzip, nil
	case len(magic) >= 4 && bytes.Equal(magic, []byte{0x28, 0xb5, 0x2f, 0xfd}):
		z, err := zstd.NewReader(br, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxWindow(MaxZstdWindow), zstd.WithDecoderLowmem(true))
		if err != nil {
			return nil, CompressionZstd, fmt.Errorf("segment: zstd input: %w", err)
		}
		return zstdCloser{z}, CompressionZstd, nil
	case len(magic) >= 4 && magic[0] == 'B' && magic[1] == 'Z' && magic[2] == 'h' && magic[3] >= '1' && magic[3] <= '9':
		return io.NopCloser(bzip2.NewReader(br)), CompressionBzip2, nil
	}
	return nil, CompressionNone, nil
}

type zstdCloser struct{ d *zstd.Decoder }

func (z zstdCloser) Read(p []byte) (int, error) { return z.d.Read(p) }
func (z zstdCloser) Close() error               { z.d.Close(); return nil }

// DetectFormat guesses the format of an input from its first bytes
// (decompressed); FormatAuto means it could not tell. JSON input is told
// apart by its field names, wherever the first record ends: SES records name
// eventType or notificationType (also escaped, inside an SNS envelope),
// KumoMTA records a type and a recipient without an outcome; the JSON-lines
// format has recipient and outcome. Text is a PowerMTA accounting header,
// the plain CSV header, a Postfix delivery line or an Exim main-log line.
func DetectFormat(head []byte) Format {
	head = bytes.TrimLeft(head, "\ufeff \t\r\n")
	first := head
	if i := bytes.IndexByte(first, '\n'); i >= 0 {
		first = first[:i]
	}
	if len(head) > 0 && (head[0] == '{' || head[0] == '[') {
		rec := firstJSONRecord(head)
		has := func(s string) bool { return bytes.Contains(rec, []byte(s)) }
		switch {
		case has(`"eventType"`) || has(`"notificationType"`) || has(`\"notificationType\"`) || has(`\"eventType\"`):
			return FormatSES
		case has(`"outcome"`):
			return FormatJSONL
		case has(`"bounce_classification"`) || has(`"egress_source"`) || has(`"peer_address"`) ||
			has(`"type"`) && has(`"recipient"`):
			return FormatKumo
		case has(`"recipient"`) || has(`"email"`) || has(`"rcpt"`):
			return FormatJSONL
		}
		return FormatAuto
	}
	switch {
	case bytes.Contains(first, []byte("dsnStatus")) || bytes.Contains(first, []byte("dsnDiag")) || bytes.HasPrefix(first, []byte("type,timeLogged")):
		return FormatPMTA
	}
	low := bytes.ToLower(first)
	if bytes.Contains(low, []byte("recipient")) && bytes.Contains(low, []byte("outcome")) && bytes.IndexByte(low, ',') >= 0 {
		return FormatCSV
	}
	// Mail logs: the first line that is a Postfix delivery or an Exim
	// main-log line decides.
	for rest := head; len(rest) > 0; {
		line := rest
		if i := bytes.IndexByte(rest, '\n'); i >= 0 {
			line, rest = rest[:i], rest[i+1:]
		} else {
			rest = nil
		}
		switch {
		case bytes.Contains(line, []byte("postfix")) && (bytes.Contains(line, []byte(" status=")) || bytes.Contains(line, []byte(": from=<"))):
			return FormatPostfix
		case isEximLine(line):
			return FormatExim
		}
	}
	return FormatAuto
}

// firstJSONRecord returns the bytes of the first JSON record in head (up to
// where it ends, or all of head).
func firstJSONRecord(head []byte) []byte {
	depth, inStr, esc := 0, false, false
	for i, c := range head {
		switch {
		case esc:
			esc = false
		case inStr:
			switch c {
			case '\\':
				esc = true
			case '"':
				inStr = false
			}
		case c == '"':
			inStr = true
		case c == '{' || c == '[':
			depth++
		case c == '}' || c == ']':
			depth--
			if depth <= 0 || depth == 1 && head[0] == '[' && c == '}' {
				return head[:i+1]
			}
		}
	}
	return head
}

// isEximLine reports whether line looks like an Exim main-log line:
// "2026-11-27 12:00:01[.ddd] [+zone] MSGID FLAG ..." with a message ID of
// the old (6-6-2) or new (6-11-4) form and a flag of the delivery or
// arrival kind (Exim specification, "Log files").
func isEximLine(line []byte) bool {
	if len(line) < 30 || line[4] != '-' || line[7] != '-' || line[10] != ' ' || line[13] != ':' {
		return false
	}
	f := bytes.Fields(line)
	i := 2
	if i < len(f) && (f[i][0] == '+' || f[i][0] == '-') && len(f[i]) == 5 {
		i++ // log_timezone
	}
	if i < len(f) && f[i][0] == '[' {
		i++ // log_selector +pid
	}
	if i+1 >= len(f) || !isEximID(f[i]) {
		return false
	}
	switch string(f[i+1]) {
	case "<=", "=>", "->", "**", "==", "*>", "Completed":
		return true
	}
	return false
}

func isEximID(b []byte) bool {
	p := bytes.Split(b, []byte("-"))
	if len(p) != 3 {
		return false
	}
	return len(p[0]) == 6 && (len(p[1]) == 6 && len(p[2]) == 2 || len(p[1]) == 11 && len(p[2]) == 4)
}
