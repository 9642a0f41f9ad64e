package inspect

// This file reads a message into its header fields and MIME parts, keeping
// what the checks need to judge it: the raw bytes, every field in order
// (duplicates included), and for each part its declared type, transfer
// encoding and charset beside the decoded content and any error decoding it.

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/quotedprintable"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html/charset"
)

// Limits bound the work done on one message. The zero value of a field means
// its default.
type Limits struct {
	// MaxSize is the number of bytes of the message read; the rest is
	// ignored and reported by the mime.truncated check. Default 32 MiB.
	MaxSize int
	// MaxHeaderFields bounds the fields read from one header (default 1000).
	MaxHeaderFields int
	// MaxParts bounds the MIME parts read (default 500).
	MaxParts int
	// MaxDepth bounds multipart nesting (default 20).
	MaxDepth int
	// MaxLinks bounds the URLs kept in the inventory (default 5000).
	MaxLinks int
}

func (l Limits) withDefaults() Limits {
	if l.MaxSize <= 0 {
		l.MaxSize = 32 << 20
	}
	if l.MaxHeaderFields <= 0 {
		l.MaxHeaderFields = 1000
	}
	if l.MaxParts <= 0 {
		l.MaxParts = 500
	}
	if l.MaxDepth <= 0 {
		l.MaxDepth = 20
	}
	if l.MaxLinks <= 0 {
		l.MaxLinks = 5000
	}
	return l
}

// ErrLimit is wrapped by the errors of a message that exceeded one of its
// [Limits]; what was read before the limit is kept.
var ErrLimit = errors.New("inspect: limit exceeded")

// Field is one header field: its name as written, its unfolded value
// (RFC 5322 §2.2.3, leading white space removed), and the field as written
// with its folding, without the final line break (what DKIM's "simple"
// header canonicalization signs, RFC 6376 §3.4.1).
type Field struct {
	Name  string
	Value string
	Raw   string
}

// Header is a message or part header in the order written.
type Header []Field

// Get returns the value of the first field named name (case-insensitive).
func (h Header) Get(name string) string {
	for _, f := range h {
		if strings.EqualFold(f.Name, name) {
			return f.Value
		}
	}
	return ""
}

// Values returns the values of every field named name, in order.
func (h Header) Values(name string) []string {
	var vs []string
	for _, f := range h {
		if strings.EqualFold(f.Name, name) {
			vs = append(vs, f.Value)
		}
	}
	return vs
}

// Count returns how many fields are named name.
func (h Header) Count(name string) int {
	n := 0
	for _, f := range h {
		if strings.EqualFold(f.Name, name) {
			n++
		}
	}
	return n
}

// Part is one MIME entity (RFC 2045 §2.4). The message itself is the root
// part.
type Part struct {
	Header Header
	// MediaType is the lower-case type/subtype; "text/plain" when the part
	// has no Content-Type (RFC 2045 §5.2) or "multipart/digest"'s default
	// message/rfc822 does not apply.
	MediaType string
	Params    map[string]string
	// TypeErr is why the Content-Type did not parse; MediaType then holds
	// the default.
	TypeErr error
	// Encoding is the lower-case Content-Transfer-Encoding, "7bit" when absent.
	Encoding string
	// Raw is the body as written; Body is Raw with the transfer encoding
	// undone, DecodeErr why that failed (Body then holds what decoded).
	Raw       []byte
	Body      []byte
	DecodeErr error
	// Text is Body converted from its charset to UTF-8, for text/* parts;
	// CharsetErr says why the conversion failed or the data is not valid in
	// the declared charset.
	Text       string
	CharsetErr error
	// Parts are the children of a multipart; BoundaryErr says what was wrong
	// with its delimiters.
	Parts       []*Part
	BoundaryErr error
	Depth       int
}

// Filename is the part's file name (Content-Disposition filename, else
// Content-Type name), "" when none.
func (p *Part) Filename() string {
	if _, params, err := mime.ParseMediaType(p.Header.Get("Content-Disposition")); err == nil && params["filename"] != "" {
		return params["filename"]
	}
	return p.Params["name"]
}

// Attachment reports whether the part is an attachment rather than a body
// part (RFC 2183 §2.2, or a non-text part with a file name).
func (p *Part) Attachment() bool {
	d := strings.ToLower(strings.TrimSpace(p.Header.Get("Content-Disposition")))
	if strings.HasPrefix(d, "attachment") {
		return true
	}
	return !strings.HasPrefix(p.MediaType, "text/") && !strings.HasPrefix(p.MediaType, "multipart/") && p.Filename() != ""
}

// Message is a parsed message.
type Message struct {
	// Raw is the message as read (at most Limits.MaxSize bytes).
	Raw []byte
	// Truncated is true when the input was longer than Limits.MaxSize.
	Truncated bool
	// Header is the top-level header; HeaderErr what was malformed in it.
	Header    Header
	HeaderErr error
	// Root is the message as a MIME entity; Parts every entity in document
	// order, Root first.
	Root  *Part
	Parts []*Part
	// Errs collects limit errors met while reading (each wraps ErrLimit).
	Errs []error
}

// ParseMessage reads raw into a Message. It never fails: problems are kept
// in the Message for the checks to report.
func ParseMessage(raw []byte, lim Limits) *Message {
	lim = lim.withDefaults()
	m := &Message{Raw: raw}
	if len(raw) > lim.MaxSize {
		m.Raw, m.Truncated = raw[:lim.MaxSize], true
		m.Errs = append(m.Errs, fmt.Errorf("%w: message of %d bytes read to %d", ErrLimit, len(raw), lim.MaxSize))
	}
	p := &parser{lim: lim, m: m}
	m.Root = p.part(m.Raw, 0, "text/plain")
	m.Header, m.HeaderErr = m.Root.Header, p.rootHeaderErr
	return m
}

type parser struct {
	lim           Limits
	m             *Message
	rootHeaderErr error
}

// splitHeader splits an entity into its header fields and body (RFC 5322
// §2.1: the header ends at the first empty line). A line that is neither a
// field nor a continuation is reported and skipped.
func splitHeader(b []byte, maxFields int) (Header, []byte, error) {
	var h Header
	var errs []error
	// The value of the field being read is built in val and its raw text
	// spans b[start:end]; both are closed when the next line is not a
	// continuation, so a field folded over many lines costs linear time.
	var val []byte
	start, end := -1, -1
	flush := func() {
		if start >= 0 {
			h[len(h)-1].Value = string(val)
			h[len(h)-1].Raw = string(b[start:end])
			start = -1
		}
	}
	done := func(rest []byte) (Header, []byte, error) {
		flush()
		return h, rest, errors.Join(errs...)
	}
	for off := 0; off < len(b); {
		next, lineEnd := len(b), len(b)
		if i := bytes.IndexByte(b[off:], '\n'); i >= 0 {
			lineEnd, next = off+i, off+i+1
		}
		line := bytes.TrimSuffix(b[off:lineEnd], []byte("\r"))
		if len(line) == 0 {
			return done(b[next:])
		}
		if line[0] == ' ' || line[0] == '\t' {
			// RFC 5322 §2.2.3: unfolding removes the CRLF before white space.
			if start >= 0 {
				val = append(append(val, ' '), bytes.TrimSpace(line)...)
				end = off + len(line)
			} else if len(h) == 0 && len(errs) < 10 {
				errs = append(errs, fmt.Errorf("inspect: header starts with a continuation line"))
			}
			off = next
			continue
		}
		flush()
		c := bytes.IndexByte(line, ':')
		if c <= 0 || bytes.ContainsAny(line[:c], " \t") {
			// Not a field: either the body starts without the empty line
			// (RFC 5322 §2.1 requires it) or the header is malformed.
			if len(errs) < 10 {
				errs = append(errs, fmt.Errorf("inspect: header line %q is not a field", truncate(string(line), 60)))
			}
			if len(h) == 0 && c < 0 {
				return done(b[off:])
			}
			off = next
			continue
		}
		if len(h) >= maxFields {
			errs = append(errs, fmt.Errorf("%w: more than %d header fields", ErrLimit, maxFields))
			// Skip to the end of the header.
			for off = next; off < len(b); {
				j := bytes.IndexByte(b[off:], '\n')
				if j < 0 {
					return done(nil)
				}
				if len(bytes.TrimSuffix(b[off:off+j], []byte("\r"))) == 0 {
					return done(b[off+j+1:])
				}
				off += j + 1
			}
			return done(nil)
		}
		h = append(h, Field{Name: string(line[:c])})
		val = append(val[:0], bytes.TrimLeft(line[c+1:], " \t")...)
		start, end = off, off+len(line)
		off = next
	}
	return done(nil)
}

func (p *parser) part(b []byte, depth int, defType string) *Part {
	h, body, herr := splitHeader(b, p.lim.MaxHeaderFields)
	if depth == 0 {
		p.rootHeaderErr = herr
	}
	pt := &Part{Header: h, Raw: body, Depth: depth, MediaType: defType}
	p.m.Parts = append(p.m.Parts, pt)
	if ct := strings.TrimSpace(h.Get("Content-Type")); ct != "" {
		mt, params, err := mime.ParseMediaType(ct)
		if err != nil && mt == "" {
			pt.TypeErr = fmt.Errorf("Content-Type %q: %w", truncate(ct, 80), err)
		} else {
			if err != nil {
				pt.TypeErr = fmt.Errorf("Content-Type %q: %w", truncate(ct, 80), err)
			}
			if !strings.Contains(mt, "/") {
				pt.TypeErr = fmt.Errorf("Content-Type %q: no subtype", truncate(ct, 80))
			} else {
				pt.MediaType, pt.Params = mt, params
			}
		}
	}
	pt.Encoding = strings.ToLower(strings.TrimSpace(h.Get("Content-Transfer-Encoding")))
	if pt.Encoding == "" {
		pt.Encoding = "7bit"
	}
	if strings.HasPrefix(pt.MediaType, "multipart/") {
		p.multipart(pt)
		return pt
	}
	pt.Body, pt.DecodeErr = decodeTransfer(pt.Encoding, body)
	if strings.HasPrefix(pt.MediaType, "text/") {
		pt.Text, pt.CharsetErr = decodeCharset(pt.Params["charset"], pt.Body)
	}
	return pt
}

// multipart splits a multipart body at its boundary (RFC 2046 §5.1.1): a
// delimiter line is "--" boundary, optionally followed by white space; the
// CRLF before it belongs to the delimiter; the close delimiter ends in "--".
func (p *parser) multipart(pt *Part) {
	boundary := pt.Params["boundary"]
	if boundary == "" {
		pt.BoundaryErr = errors.New("multipart without a boundary parameter")
		return
	}
	if depth := pt.Depth + 1; depth > p.lim.MaxDepth {
		p.m.Errs = append(p.m.Errs, fmt.Errorf("%w: multipart nested deeper than %d", ErrLimit, p.lim.MaxDepth))
		return
	}
	childType := "text/plain"
	if pt.MediaType == "multipart/digest" {
		childType = "message/rfc822" // RFC 2046 §5.1.5
	}
	delim := []byte("--" + boundary)
	b := pt.Raw
	start := -1 // start of the current part's content
	closed := false
	for off := 0; off < len(b); {
		end := bytes.IndexByte(b[off:], '\n')
		next := len(b)
		lineEnd := len(b)
		if end >= 0 {
			lineEnd = off + end
			next = lineEnd + 1
		}
		line := bytes.TrimSuffix(b[off:lineEnd], []byte("\r"))
		if bytes.HasPrefix(line, delim) {
			tail := bytes.TrimRight(line[len(delim):], " \t")
			isClose := bytes.Equal(tail, []byte("--"))
			if len(tail) == 0 || isClose {
				if start >= 0 {
					content := b[start:off]
					content = bytes.TrimSuffix(content, []byte("\n"))
					content = bytes.TrimSuffix(content, []byte("\r"))
					if len(p.m.Parts) >= p.lim.MaxParts {
						p.m.Errs = append(p.m.Errs, fmt.Errorf("%w: more than %d MIME parts", ErrLimit, p.lim.MaxParts))
						return
					}
					pt.Parts = append(pt.Parts, p.part(content, pt.Depth+1, childType))
				}
				if isClose {
					closed = true
					break
				}
				start = next
			}
		}
		off = next
	}
	switch {
	case start < 0 && !closed:
		pt.BoundaryErr = fmt.Errorf("boundary %q never appears in the body", truncate(boundary, 70))
	case !closed:
		pt.BoundaryErr = fmt.Errorf("%w: boundary %q has no close delimiter (\"--%s--\")", ErrUnclosed, truncate(boundary, 70), truncate(boundary, 70))
		if start < len(b) {
			if len(p.m.Parts) < p.lim.MaxParts {
				pt.Parts = append(pt.Parts, p.part(b[start:], pt.Depth+1, childType))
			}
		}
	case len(boundary) > 70:
		// RFC 2046 §5.1.1: boundaries are 1 to 70 characters.
		pt.BoundaryErr = fmt.Errorf("boundary %q is longer than 70 characters", truncate(boundary, 70))
	}
}

// ErrUnclosed is wrapped by the BoundaryErr of a multipart whose close
// delimiter is missing (RFC 2046 §5.1.1); its parts are read to the end of
// the body.
var ErrUnclosed = errors.New("inspect: multipart not closed")

// ErrEncoding is wrapped by transfer-encoding and charset errors.
var ErrEncoding = errors.New("inspect: bad encoding")

func decodeTransfer(enc string, b []byte) ([]byte, error) {
	switch enc {
	case "7bit", "8bit", "binary":
		return b, nil
	case "base64":
		clean := make([]byte, 0, len(b))
		for _, c := range b {
			if c != '\r' && c != '\n' && c != ' ' && c != '\t' {
				clean = append(clean, c)
			}
		}
		out := make([]byte, base64.StdEncoding.DecodedLen(len(clean)))
		n, err := base64.StdEncoding.Decode(out, clean)
		if err != nil {
			return out[:n], fmt.Errorf("%w: base64: %v", ErrEncoding, err)
		}
		return out[:n], nil
	case "quoted-printable":
		out, err := io.ReadAll(quotedprintable.NewReader(bytes.NewReader(b)))
		if err != nil {
			return out, fmt.Errorf("%w: quoted-printable: %v", ErrEncoding, err)
		}
		return out, nil
	}
	return b, fmt.Errorf("%w: unknown Content-Transfer-Encoding %q", ErrEncoding, truncate(enc, 40))
}

func decodeCharset(cs string, b []byte) (string, error) {
	cs = strings.ToLower(strings.TrimSpace(cs))
	switch cs {
	case "", "us-ascii", "ascii":
		for _, c := range b {
			if c >= 0x80 {
				if utf8.Valid(b) {
					return string(b), fmt.Errorf("%w: 8-bit data in a part whose charset is us-ascii (it reads as UTF-8)", ErrEncoding)
				}
				return strings.ToValidUTF8(string(b), "\uFFFD"), fmt.Errorf("%w: 8-bit data in a part whose charset is us-ascii", ErrEncoding)
			}
		}
		return string(b), nil
	case "utf-8", "utf8":
		if !utf8.Valid(b) {
			return strings.ToValidUTF8(string(b), "\uFFFD"), fmt.Errorf("%w: invalid UTF-8 in a part declared utf-8", ErrEncoding)
		}
		return string(b), nil
	}
	enc, name := charset.Lookup(cs)
	if enc == nil {
		return strings.ToValidUTF8(string(b), "\uFFFD"), fmt.Errorf("%w: unknown charset %q", ErrEncoding, truncate(cs, 40))
	}
	out, err := enc.NewDecoder().Bytes(b)
	if err != nil {
		return strings.ToValidUTF8(string(b), "\uFFFD"), fmt.Errorf("%w: %s: %v", ErrEncoding, name, err)
	}
	return string(out), nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "..."
}

// Stored returns the message a stored file stands for: a leading mbox
// "From " envelope line (RFC 4155) is dropped, and a file with LF line
// endings is read as CRLF (see CRLF).
func Stored(raw []byte) []byte {
	if bytes.HasPrefix(raw, []byte("From ")) {
		if i := bytes.IndexByte(raw, '\n'); i >= 0 {
			raw = raw[i+1:]
		}
	}
	return CRLF(raw)
}

// CRLF returns raw with every line ending CRLF when raw has no CRLF at all:
// a message stored with LF line endings (as Unix tools write files) stands
// for the CRLF message that was sent (RFC 5322 §2.1). A message that has
// CRLF anywhere is returned unchanged, so its bare LFs stay visible to the
// mime.bare-lf check.
func CRLF(raw []byte) []byte {
	if bytes.Contains(raw, []byte("\r\n")) || !bytes.Contains(raw, []byte("\n")) {
		return raw
	}
	out := make([]byte, 0, len(raw)+bytes.Count(raw, []byte("\n")))
	for {
		i := bytes.IndexByte(raw, '\n')
		if i < 0 {
			return append(out, raw...)
		}
		out = append(out, raw[:i]...)
		out = append(out, '\r', '\n')
		raw = raw[i+1:]
	}
}
