// A reader for the small subset of YAML 1.1 the openspf/pyspf test suites
// use: multi-document streams, block mappings and sequences, plain, single-
// and double-quoted scalars (with \x and \u escapes), folded and literal
// block scalars and one-line flow sequences. No YAML library is allowed in
// the module, and this subset is all the suites need.

package spfsuite

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Node is a parsed YAML value: a string, a []Node or a *Map.
type Node any

// Map is a mapping that keeps its keys in document order.
type Map struct {
	Keys   []string
	Values []Node
}

// Get returns the value of key, or nil.
func (m *Map) Get(key string) Node {
	for i, k := range m.Keys {
		if k == key {
			return m.Values[i]
		}
	}
	return nil
}

// SyntaxError is YAML this reader does not accept.
type SyntaxError struct {
	Line   int
	Reason string
}

func (e *SyntaxError) Error() string { return fmt.Sprintf("yaml line %d: %s", e.Line, e.Reason) }

type yparser struct {
	lines []string
	pos   int
	first int // line number of lines[0]
}

// ParseDocuments splits a multi-document stream on "---" lines and parses
// each document.
func ParseDocuments(src string) ([]Node, error) {
	var docs []Node
	var cur []string
	start, curStart := 1, 1
	flush := func() error {
		p := &yparser{lines: cur, first: curStart}
		p.skipBlank()
		if p.pos < len(p.lines) {
			n, err := p.block(p.indent())
			if err != nil {
				return err
			}
			p.skipBlank()
			if p.pos < len(p.lines) {
				return p.errf("unexpected content %q", strings.TrimSpace(p.lines[p.pos]))
			}
			docs = append(docs, n)
		}
		return nil
	}
	for i, l := range strings.Split(strings.ReplaceAll(src, "\r\n", "\n"), "\n") {
		if l == "---" || strings.HasPrefix(l, "--- ") || l == "..." {
			if err := flush(); err != nil {
				return nil, err
			}
			cur, curStart = nil, start+i+1
			continue
		}
		cur = append(cur, l)
	}
	if err := flush(); err != nil {
		return nil, err
	}
	return docs, nil
}

func (p *yparser) errf(format string, args ...any) error {
	return &SyntaxError{Line: p.first + p.pos, Reason: fmt.Sprintf(format, args...)}
}

func indentOf(l string) int { return len(l) - len(strings.TrimLeft(l, " ")) }

func blankOrComment(l string) bool {
	t := strings.TrimSpace(l)
	return t == "" || t[0] == '#'
}

func (p *yparser) skipBlank() {
	for p.pos < len(p.lines) && blankOrComment(p.lines[p.pos]) {
		p.pos++
	}
}

func (p *yparser) indent() int { return indentOf(p.lines[p.pos]) }

func (p *yparser) content() string { return strings.TrimSpace(p.lines[p.pos]) }

func isSeqItem(c string) bool { return c == "-" || strings.HasPrefix(c, "- ") }

// block parses the mapping or sequence whose lines start at column ind.
func (p *yparser) block(ind int) (Node, error) {
	if isSeqItem(p.content()) {
		return p.seq(ind)
	}
	return p.mapping(ind)
}

func (p *yparser) seq(ind int) (Node, error) {
	var out []Node
	for {
		p.skipBlank()
		if p.pos >= len(p.lines) || p.indent() != ind || !isSeqItem(p.content()) {
			return out, nil
		}
		rest := strings.TrimSpace(strings.TrimPrefix(p.content(), "-"))
		if rest == "" {
			p.pos++
			p.skipBlank()
			if p.pos < len(p.lines) && p.indent() > ind {
				n, err := p.block(p.indent())
				if err != nil {
					return nil, err
				}
				out = append(out, n)
			} else {
				out = append(out, "")
			}
			continue
		}
		if _, _, ok := splitKey(rest); ok {
			// "- key: value" starts a mapping at the item's column.
			p.lines[p.pos] = strings.Repeat(" ", ind+2) + rest
			n, err := p.mapping(ind + 2)
			if err != nil {
				return nil, err
			}
			out = append(out, n)
			continue
		}
		p.pos++
		n, err := p.value(rest, ind)
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
}

func (p *yparser) mapping(ind int) (Node, error) {
	m := &Map{}
	for {
		p.skipBlank()
		if p.pos >= len(p.lines) || p.indent() < ind {
			return m, nil
		}
		if p.indent() > ind {
			return nil, p.errf("unexpected indentation")
		}
		c := p.content()
		if isSeqItem(c) {
			return m, nil
		}
		key, rest, ok := splitKey(c)
		if !ok {
			return nil, p.errf("expected key: value, got %q", c)
		}
		p.pos++
		v, err := p.value(rest, ind)
		if err != nil {
			return nil, err
		}
		m.Keys = append(m.Keys, key)
		m.Values = append(m.Values, v)
	}
}

// splitKey splits "key: rest" (or "key:" at the end), the key plain or
// quoted.
func splitKey(c string) (key, rest string, ok bool) {
	if c == "" {
		return "", "", false
	}
	if c[0] == '"' || c[0] == '\'' {
		end := strings.IndexByte(c[1:], c[0])
		if end < 0 {
			return "", "", false
		}
		end++
		after := c[end+1:]
		if after != ":" && !strings.HasPrefix(after, ": ") {
			return "", "", false
		}
		return c[1:end], strings.TrimSpace(after[1:]), true
	}
	switch c[0] {
	case '[', '{', '#', '>', '|':
		return "", "", false
	}
	if i := strings.Index(c, ": "); i > 0 {
		return c[:i], strings.TrimSpace(c[i+2:]), true
	}
	if strings.HasSuffix(c, ":") && !strings.HasSuffix(c, "::") {
		return c[:len(c)-1], "", true
	}
	return "", "", false
}

// value parses what follows "key:" or "- " on a line whose parent sits at
// column ind; continuation lines are indented deeper than ind.
func (p *yparser) value(rest string, ind int) (Node, error) {
	switch {
	case rest == "" || rest[0] == '#':
		p.skipBlank()
		if p.pos >= len(p.lines) {
			return "", nil
		}
		if n := p.indent(); n > ind || n == ind && isSeqItem(p.content()) {
			return p.block(n)
		}
		return "", nil
	case rest[0] == '>' || rest[0] == '|':
		return p.blockScalar(rest, ind)
	case rest[0] == '"' || rest[0] == '\'':
		return p.quoted(rest, ind)
	case rest[0] == '[':
		return p.flowSeq(rest)
	}
	// Plain scalar, possibly folded over deeper lines.
	parts := []string{stripComment(rest)}
	for p.pos < len(p.lines) && !blankOrComment(p.lines[p.pos]) && p.indent() > ind {
		parts = append(parts, stripComment(p.content()))
		p.pos++
	}
	return strings.Join(parts, " "), nil
}

func stripComment(s string) string {
	if i := strings.Index(s, " #"); i >= 0 {
		s = s[:i]
	}
	return strings.TrimSpace(s)
}

// blockScalar reads a folded (>) or literal (|) block with its chomping
// indicator (YAML 1.1 §9.1).
func (p *yparser) blockScalar(header string, ind int) (Node, error) {
	folded := header[0] == '>'
	chomp := byte(0)
	if len(header) > 1 && (header[1] == '-' || header[1] == '+') {
		chomp = header[1]
	}
	var lines []string
	contentInd := -1
	for p.pos < len(p.lines) {
		l := p.lines[p.pos]
		if strings.TrimSpace(l) == "" {
			lines = append(lines, "")
			p.pos++
			continue
		}
		n := indentOf(l)
		if n <= ind {
			break
		}
		if contentInd < 0 {
			contentInd = n
		}
		if n < contentInd {
			break
		}
		lines = append(lines, l[contentInd:])
		p.pos++
	}
	// Trailing blank lines belong to chomping.
	trail := 0
	for len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
		trail++
	}
	var b strings.Builder
	for i, l := range lines {
		if i > 0 {
			prev := lines[i-1]
			switch {
			case !folded:
				b.WriteByte('\n')
			case l == "" || prev == "" || strings.HasPrefix(l, " ") || strings.HasPrefix(prev, " "):
				b.WriteByte('\n')
			default:
				b.WriteByte(' ')
			}
		}
		b.WriteString(l)
	}
	s := b.String()
	switch chomp {
	case '-':
	case '+':
		s += "\n" + strings.Repeat("\n", trail)
	default:
		if len(lines) > 0 {
			s += "\n"
		}
	}
	return s, nil
}

// quoted reads a single- or double-quoted scalar, which may run over
// several lines (folded with single spaces).
func (p *yparser) quoted(rest string, ind int) (Node, error) {
	q := rest[0]
	text := rest
	for {
		if end := closingQuote(text, q); end > 0 {
			if tail := stripComment(text[end+1:]); tail != "" {
				return nil, p.errf("text %q after quoted scalar", tail)
			}
			return unquote(text[:end+1], q)
		}
		if p.pos >= len(p.lines) {
			return nil, p.errf("unterminated quoted scalar")
		}
		text += " " + p.content()
		p.pos++
	}
}

// closingQuote returns the index of the quote closing text[0], or -1.
func closingQuote(text string, q byte) int {
	for i := 1; i < len(text); i++ {
		switch {
		case q == '"' && text[i] == '\\':
			i++
		case q == '\'' && text[i] == '\'' && i+1 < len(text) && text[i+1] == '\'':
			i++
		case text[i] == q:
			return i
		}
	}
	return -1
}

func unquote(s string, q byte) (string, error) {
	body := s[1 : len(s)-1]
	if q == '\'' {
		return strings.ReplaceAll(body, "''", "'"), nil
	}
	var b strings.Builder
	for i := 0; i < len(body); i++ {
		c := body[i]
		if c != '\\' {
			b.WriteByte(c)
			continue
		}
		i++
		if i >= len(body) {
			return "", fmt.Errorf("yaml: backslash at end of %s", s)
		}
		switch e := body[i]; e {
		case '0':
			b.WriteByte(0)
		case 'a':
			b.WriteByte(7)
		case 'b':
			b.WriteByte(8)
		case 't', '\t':
			b.WriteByte('\t')
		case 'n':
			b.WriteByte('\n')
		case 'v':
			b.WriteByte(11)
		case 'f':
			b.WriteByte(12)
		case 'r':
			b.WriteByte('\r')
		case 'e':
			b.WriteByte(27)
		case ' ', '"', '/', '\\':
			b.WriteByte(e)
		case 'N':
			b.WriteString("\u0085")
		case '_':
			b.WriteString("\u00a0")
		case 'x', 'u', 'U':
			n := map[byte]int{'x': 2, 'u': 4, 'U': 8}[e]
			if i+1+n > len(body) {
				return "", fmt.Errorf("yaml: short \\%c escape in %s", e, s)
			}
			v, err := strconv.ParseUint(body[i+1:i+1+n], 16, 32)
			if err != nil || !utf8.ValidRune(rune(v)) {
				return "", fmt.Errorf("yaml: bad \\%c escape in %s", e, s)
			}
			// YAML escapes name code points, not bytes.
			b.WriteRune(rune(v))
			i += n
		default:
			return "", fmt.Errorf("yaml: unknown escape \\%c in %s", e, s)
		}
	}
	return b.String(), nil
}

// flowSeq reads a one-line flow sequence of scalars: [a, "b", 'c'].
func (p *yparser) flowSeq(rest string) (Node, error) {
	end := strings.LastIndexByte(rest, ']')
	if end < 0 {
		return nil, p.errf("flow sequence not closed on its line")
	}
	body := strings.TrimSpace(rest[1:end])
	out := []Node{}
	for body != "" {
		var item string
		if body[0] == '"' || body[0] == '\'' {
			e := closingQuote(body, body[0])
			if e < 0 {
				return nil, p.errf("unterminated quoted item in %q", rest)
			}
			v, err := unquote(body[:e+1], body[0])
			if err != nil {
				return nil, err
			}
			item, body = v, strings.TrimSpace(body[e+1:])
		} else {
			i := strings.IndexByte(body, ',')
			if i < 0 {
				i = len(body)
			}
			item, body = strings.TrimSpace(body[:i]), body[i:]
		}
		out = append(out, item)
		body = strings.TrimPrefix(body, ",")
		body = strings.TrimSpace(body)
	}
	return out, nil
}
