package bounce

// This file is the MIME layer under ParseMessage: line end normalisation,
// header blocks (RFC 5322 §2.2), RFC 2047 encoded words, multipart bodies
// (RFC 2046 §5.1), transfer encodings (RFC 2045 §6) and charsets. It never recurses deeper than Limits.MaxDepth and never scans a
// byte more than a constant number of times, so time is linear in input size.
// It is a little over 600 lines because the part walk and its decoders
// share one bounded state (mimeState); split, the limits would have to be
// threaded through every helper's signature.

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html/charset"

	"github.com/bouncekit/bouncekit/internal/ascii"
)

// Field is one header field (RFC 5322 §2.2) or one DSN field (RFC 3464 §2.1):
// the name as written and the unfolded value, with RFC 2047 encoded words
// decoded in message headers.
type Field struct {
	Name  string
	Value string
}

// Header is a header block, fields in the order they appeared.
type Header []Field

// Get returns the value of the first field named name, or "". Names are
// compared as ASCII with case folded (field names are printable US-ASCII,
// RFC 5322 §2.2).
func (h Header) Get(name string) string {
	for _, f := range h {
		if ascii.EqualFold(f.Name, name) {
			return f.Value
		}
	}
	return ""
}

// Has reports whether a field named name is present.
func (h Header) Has(name string) bool {
	for _, f := range h {
		if ascii.EqualFold(f.Name, name) {
			return true
		}
	}
	return false
}

// Values returns the values of every field named name, in order.
func (h Header) Values(name string) []string {
	var v []string
	for _, f := range h {
		if ascii.EqualFold(f.Name, name) {
			v = append(v, f.Value)
		}
	}
	return v
}

// normalizeEOL rewrites CRLF and lone CR line ends to LF, so that the three
// forms give identical results (RFC 5322 §2.1 says CRLF; files on disk and
// webhooks carry all three). It returns b itself when there is no CR.
func normalizeEOL(b []byte) []byte {
	i := bytes.IndexByte(b, '\r')
	if i < 0 {
		return b
	}
	out := make([]byte, 0, len(b))
	out = append(out, b[:i]...)
	for ; i < len(b); i++ {
		c := b[i]
		if c != '\r' {
			out = append(out, c)
			continue
		}
		out = append(out, '\n')
		if i+1 < len(b) && b[i+1] == '\n' {
			i++
		}
	}
	return out
}

// parser state shared while one message is read.
type mimeState struct {
	lim   Limits
	parts int
	err   error // first limit hit
}

func (st *mimeState) fail(limit string, max int64) {
	if st.err == nil {
		st.err = &LimitError{Limit: limit, Max: max}
	}
}

// isHeaderName reports whether s is a usable field name (RFC 5322 §2.2:
// printable ASCII except colon; spaces are tolerated before the colon by
// being trimmed by the caller).
func isHeaderName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || c == ':' {
			return false
		}
	}
	return true
}

// readHeader reads a header block from the start of b (LF line ends) and
// returns it with the rest of b after the empty line that ends it. A line
// that is neither a field nor a continuation ends the block (the body starts
// there), so a message without a blank line after its header still parses.
// A leading mbox "From " line is skipped. The block is converted to a string
// once; unfolded values are substrings of it.
func (st *mimeState) readHeader(b []byte, decode bool) (Header, []byte) {
	if bytes.HasPrefix(b, []byte("From ")) {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			return nil, nil
		}
		b = b[i+1:]
	}
	// Find the end of the block first, counting the lines that can start
	// a field (not a continuation): the size of the Header.
	end, rest, starts := len(b), []byte(nil), 0
	for pos, prevSemi := 0, false; pos < len(b); {
		if st.lim.MaxHeaderBytes > 0 && pos > st.lim.MaxHeaderBytes {
			st.fail("MaxHeaderBytes", int64(st.lim.MaxHeaderBytes))
			end = pos
			if i := bytes.Index(b[pos:], []byte("\n\n")); i >= 0 {
				rest = b[pos+i+2:]
			}
			break
		}
		next := len(b)
		line := b[pos:]
		if i := bytes.IndexByte(line, '\n'); i >= 0 {
			line, next = line[:i], pos+i+1
		}
		if len(bytes.TrimSpace(line)) == 0 {
			end, rest = pos, b[next:]
			break
		}
		if line[0] != ' ' && line[0] != '\t' {
			starts++
		}
		if line[0] != ' ' && line[0] != '\t' && !(prevSemi && isBareParam(line)) {
			colon := bytes.IndexByte(line, ':')
			if colon <= 0 || !isHeaderName(string(bytes.TrimRight(line[:colon], " \t"))) {
				end, rest = pos, b[pos:]
				break
			}
		}
		t := bytes.TrimRight(line, " \t")
		prevSemi = len(t) > 0 && t[len(t)-1] == ';'
		pos = next
	}
	if end == 0 {
		return nil, rest
	}
	block := string(b[:end])
	h := make(Header, 0, starts)
	// A field is name, its first-line value, and (when folded) the span of
	// block its continuation lines cover.
	var (
		name, val        string
		foldFrom, foldTo int
	)
	flush := func() {
		if name == "" {
			return
		}
		v := val
		if foldTo > foldFrom {
			v = unfold(val, block[foldFrom:foldTo])
		}
		v = strings.TrimSpace(v)
		if decode && strings.Contains(v, "=?") {
			v = decodeWords(v)
		}
		h = append(h, Field{Name: name, Value: v})
		name, foldFrom, foldTo = "", 0, 0
	}
	for pos := 0; pos < len(block); {
		next := len(block)
		line := block[pos:]
		if i := strings.IndexByte(line, '\n'); i >= 0 {
			line, next = line[:i], pos+i+1
		}
		if line[0] == ' ' || line[0] == '\t' || !strings.Contains(line, ":") || bareParamBeforeColon(line) {
			if name != "" {
				if foldTo == 0 {
					foldFrom = pos
				}
				foldTo = pos + len(line)
			}
			pos = next
			continue
		}
		pos = next
		flush()
		colon := strings.IndexByte(line, ':')
		name = strings.TrimRight(line[:colon], " \t")
		val = strings.TrimSpace(line[colon+1:])
	}
	flush()
	return h, rest
}

// unfold joins a field's first-line value and its continuation lines
// (RFC 5322 §2.2.3), each trimmed and separated by one space, in one
// allocation.
func unfold(first, cont string) string {
	var sb strings.Builder
	sb.Grow(len(first) + len(cont))
	sb.WriteString(first)
	for cont != "" {
		line := cont
		if i := strings.IndexByte(cont, '\n'); i >= 0 {
			line, cont = cont[:i], cont[i+1:]
		} else {
			cont = ""
		}
		if t := strings.TrimSpace(line); t != "" {
			if sb.Len() > 0 {
				sb.WriteByte(' ')
			}
			sb.WriteString(t)
		}
	}
	return sb.String()
}

// isBareParam reports whether line is a MIME parameter that lost its
// indentation after a value ending in ';' ("Content-Type: multipart/mixed;"
// then `boundary="..."` at the start of a line).
func isBareParam(line []byte) bool {
	eq := bytes.IndexByte(line, '=')
	return eq > 0 && !bytes.Contains(line[:eq], []byte(":"))
}

// bareParamBeforeColon is isBareParam for a line that also holds a colon
// later on (`boundary="a:b"`).
func bareParamBeforeColon(line string) bool {
	eq := strings.IndexByte(line, '=')
	return eq > 0 && !strings.Contains(line[:eq], ":")
}

var wordDecoder = &mime.WordDecoder{CharsetReader: charsetReader}

// decodeWords decodes RFC 2047 encoded words; on error the input is kept.
func decodeWords(s string) string {
	d, err := wordDecoder.DecodeHeader(s)
	if err != nil {
		return s
	}
	return d
}

// charsetReader adapts golang.org/x/net/html/charset for mime.WordDecoder.
func charsetReader(label string, r io.Reader) (io.Reader, error) {
	enc, _ := charset.Lookup(label)
	if enc == nil {
		return nil, fmt.Errorf("bounce: unknown charset %q", label)
	}
	// Encoded words are short: decode at once and hand back a
	// bytes.Reader, whose WriteTo spares io.Copy its 32 KiB buffer.
	in, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	out, err := enc.NewDecoder().Bytes(in)
	if err != nil {
		return nil, err
	}
	return bytes.NewReader(out), nil
}

// decodeCharset converts b from the named charset to UTF-8. Unknown charsets
// and bytes that do not decode are kept as they are.
func decodeCharset(b []byte, label string) string {
	l := strings.ToLower(strings.Trim(strings.TrimSpace(label), `"'`))
	switch l {
	case "", "utf-8", "utf8", "us-ascii", "ascii":
		if l == "" && !utf8.Valid(b) && bytes.Contains(b, []byte("\x1b$B")) {
			l = "iso-2022-jp" // undeclared JIS text, common in Japanese bounces
		} else {
			return string(b)
		}
	}
	if l == "us-ascii" && bytes.Contains(b, []byte("\x1b$")) {
		l = "iso-2022-jp"
	}
	if strings.HasPrefix(l, "iso-2022-") && bytes.IndexByte(b, 0x1b) < 0 && utf8.Valid(b) {
		// A 7-bit charset label on text with no escape sequences: the
		// body was converted to UTF-8 on the way and kept its label.
		return string(b)
	}
	enc, _ := charset.Lookup(l)
	if enc == nil {
		return string(b)
	}
	out, err := enc.NewDecoder().Bytes(b)
	if err != nil {
		return string(b)
	}
	return string(out)
}

// decodeTransfer undoes a Content-Transfer-Encoding (RFC 2045 §6). It is
// lenient: base64 skips characters outside the alphabet, quoted-printable
// keeps what it decoded before an error, unknown encodings are kept.
func decodeTransfer(b []byte, cte string) []byte {
	switch strings.ToLower(strings.TrimSpace(cte)) {
	case "base64":
		clean := make([]byte, 0, len(b))
		for _, c := range b {
			if c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/' {
				clean = append(clean, c)
			}
		}
		if len(clean)%4 == 1 {
			clean = clean[:len(clean)-1]
		}
		out := make([]byte, base64.RawStdEncoding.DecodedLen(len(clean)))
		n, _ := base64.RawStdEncoding.Decode(out, clean)
		return out[:n]
	case "quoted-printable":
		return decodeQP(b)
	}
	return b
}

// decodeQP decodes quoted-printable (RFC 2045 §6.7) leniently in one pass:
// "=XX" becomes the byte, "=" at the end of a line joins it to the next
// (soft line break), and anything malformed is kept as written.
func decodeQP(b []byte) []byte {
	if bytes.IndexByte(b, '=') < 0 {
		return b
	}
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); i++ {
		c := b[i]
		if c != '=' {
			out = append(out, c)
			continue
		}
		// Soft line break: "=" then optional white space then LF.
		j := i + 1
		for j < len(b) && (b[j] == ' ' || b[j] == '\t') {
			j++
		}
		if j < len(b) && b[j] == '\n' {
			i = j
			continue
		}
		if j == len(b) {
			break
		}
		if i+2 < len(b) {
			if h, ok := unhex(b[i+1]); ok {
				if l, ok := unhex(b[i+2]); ok {
					out = append(out, h<<4|l)
					i += 2
					continue
				}
			}
		}
		out = append(out, c)
	}
	return out
}

func unhex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	}
	return 0, false
}

// part is one node of a parsed MIME tree.
type part struct {
	header Header
	ctype  string // media type, lower case; "text/plain" when absent
	// The Content-Type parameters the parser uses (RFC 2045 §5.1, RFC
	// 2046 §4.1.2, §5.1.1).
	charset, boundary, name string
	body                    []byte  // transfer-decoded body (charset not applied)
	parts                   []*part // children of a multipart, or the message of message/rfc822
}

// text returns the body converted to UTF-8.
func (p *part) text() string { return decodeCharset(p.body, p.charset) }

// parseContentType reads a Content-Type value (RFC 2045 §5.1). The common
// shape (type/subtype and plain or quoted parameters) is read directly;
// anything else goes to mime.ParseMediaType, and values that rejects are
// salvaged parameter by parameter.
func (p *part) parseContentType(ct string) {
	if mt, ok := p.fastContentType(ct); ok {
		if mt != "" {
			p.ctype = mt
		}
		return
	}
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil {
		// Salvage the media type of malformed values such as
		// `text/plain; charset="UTF-8";` with stray characters.
		mt = strings.ToLower(strings.TrimSpace(ct))
		if i := strings.IndexAny(mt, "; \t"); i >= 0 {
			mt = mt[:i]
		}
		if strings.IndexByte(mt, '/') < 0 {
			mt = ""
		}
		params = salvageParams(ct)
	}
	if mt != "" {
		p.ctype = mt
	}
	p.charset, p.boundary, p.name = params["charset"], params["boundary"], params["name"]
}

// fastContentType reads ct when it has no comments, escapes, RFC 2231
// parameters or other rarities; ok is false otherwise.
func (p *part) fastContentType(ct string) (mt string, ok bool) {
	if strings.ContainsAny(ct, "\\()*") {
		return "", false
	}
	typ, rest, _ := strings.Cut(ct, ";")
	typ = strings.TrimSpace(typ)
	if i := strings.IndexByte(typ, '/'); i <= 0 || i == len(typ)-1 || strings.ContainsAny(typ, " \t\"") {
		return "", false
	}
	mt = ascii.Lower(typ)
	for rest != "" {
		var param string
		// A quoted value may hold ';'.
		k, v, found := strings.Cut(rest, "=")
		if !found {
			if strings.TrimSpace(rest) != "" {
				return "", false
			}
			break
		}
		k = strings.TrimSpace(k)
		v = strings.TrimLeft(v, " \t")
		if strings.HasPrefix(v, `"`) {
			end := strings.IndexByte(v[1:], '"')
			if end < 0 {
				return "", false
			}
			param, rest = v[1:1+end], v[2+end:]
			rest = strings.TrimLeft(rest, " \t")
			if rest != "" && rest[0] != ';' {
				return "", false
			}
			if rest != "" {
				rest = rest[1:]
			}
		} else {
			param, rest, _ = strings.Cut(v, ";")
			param = strings.TrimSpace(param)
			if strings.ContainsAny(param, " \t\"") {
				return "", false
			}
		}
		switch {
		case strings.EqualFold(k, "charset"):
			p.charset = param
		case strings.EqualFold(k, "boundary"):
			p.boundary = param
		case strings.EqualFold(k, "name"):
			p.name = param
		}
	}
	return mt, true
}

// parseEntity parses an entity (header block and body) at depth.
func (st *mimeState) parseEntity(b []byte, depth int) *part {
	st.parts++
	h, body := st.readHeader(b, true)
	p := &part{header: h, ctype: "text/plain"}
	if ct := h.Get("Content-Type"); ct != "" {
		p.parseContentType(ct)
	}
	switch {
	case strings.HasPrefix(p.ctype, "multipart/"):
		p.body = body
		boundary := p.boundary
		if boundary == "" || depth >= st.lim.MaxDepth {
			if depth >= st.lim.MaxDepth {
				st.fail("MaxDepth", int64(st.lim.MaxDepth))
			}
			p.ctype = "text/plain"
			return p
		}
		for _, sub := range splitMultipart(body, boundary) {
			if st.lim.MaxParts > 0 && st.parts >= st.lim.MaxParts {
				st.fail("MaxParts", int64(st.lim.MaxParts))
				break
			}
			p.parts = append(p.parts, st.parseEntity(sub, depth+1))
		}
		if len(p.parts) == 0 {
			// A boundary that never occurs: read the body as text.
			p.ctype = "text/plain"
		}
	case p.ctype == "message/rfc822" || p.ctype == "message/global" || p.ctype == "message/partial":
		p.body = decodeTransfer(body, h.Get("Content-Transfer-Encoding"))
		if depth >= st.lim.MaxDepth {
			st.fail("MaxDepth", int64(st.lim.MaxDepth))
			return p
		}
		if st.lim.MaxParts > 0 && st.parts >= st.lim.MaxParts {
			st.fail("MaxParts", int64(st.lim.MaxParts))
			return p
		}
		p.parts = []*part{st.parseEntity(p.body, depth+1)}
	case strings.HasPrefix(p.ctype, "text/") || strings.HasPrefix(p.ctype, "message/"):
		p.body = decodeTransfer(body, h.Get("Content-Transfer-Encoding"))
	default:
		// Attachments (images, archives, ...) are never read: keeping
		// them encoded spares decoding megabytes nobody looks at.
		p.body = body
	}
	return p
}

// salvageParams reads key=value pairs from a Content-Type that
// mime.ParseMediaType rejected.
func salvageParams(ct string) map[string]string {
	m := map[string]string{}
	for _, kv := range strings.Split(ct, ";")[1:] {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			continue
		}
		k = strings.ToLower(strings.TrimSpace(k))
		v = strings.Trim(strings.TrimSpace(v), `"'`)
		if k != "" {
			if _, dup := m[k]; !dup {
				m[k] = v
			}
		}
	}
	return m
}

// splitMultipart returns the body parts of a multipart body (RFC 2046
// §5.1.1): the text between delimiter lines "--boundary", up to the close
// delimiter "--boundary--" or the end of input when that is missing.
func splitMultipart(body []byte, boundary string) [][]byte {
	delim := []byte("--" + boundary)
	var parts [][]byte
	start := -1 // start of the current part's content
	pos := 0
	for pos <= len(body) {
		i := bytes.Index(body[pos:], delim)
		if i < 0 {
			break
		}
		i += pos
		// The delimiter must begin a line; white space before it is
		// tolerated (some gateways indent it).
		k := i
		for k > 0 && (body[k-1] == ' ' || body[k-1] == '\t') {
			k--
		}
		if k > 0 && body[k-1] != '\n' {
			pos = i + len(delim)
			continue
		}
		after := i + len(delim)
		closing := bytes.HasPrefix(body[after:], []byte("--"))
		eol := bytes.IndexByte(body[after:], '\n')
		if start >= 0 {
			end := k
			if end > start && body[end-1] == '\n' {
				end-- // the line break before the delimiter belongs to it
			}
			if end < start {
				end = start
			}
			parts = append(parts, body[start:end])
		}
		if closing {
			return parts
		}
		if eol < 0 {
			return parts
		}
		start = after + eol + 1
		pos = start
	}
	if start >= 0 && start <= len(body) {
		parts = append(parts, body[start:])
	}
	return parts
}

// walk calls fn for p and each descendant, depth first, in order. fn returns
// false to skip a node's children.
func (p *part) walk(fn func(*part) bool) {
	if p == nil || !fn(p) {
		return
	}
	for _, c := range p.parts {
		c.walk(fn)
	}
}
