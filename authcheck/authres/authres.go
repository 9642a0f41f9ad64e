// Authentication-Results header field parsing (RFC 8601 §2.2), so the
// verdicts a receiver stamped on a returned message can be read back.

package authres

import (
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"

	"github.com/bouncekit/bouncekit/authcheck/internal/syntax"
)

// Limits on Authentication-Results input.
const (
	MaxLen          = 64 << 10 // bytes of one header field
	MaxMethods      = 256      // resinfo entries
	maxCommentDepth = 32       // nested comments (RFC 5322 §3.2.2)
)

// ErrSyntax is wrapped by every *SyntaxError.
var ErrSyntax = errors.New("malformed Authentication-Results")

// SyntaxError is a syntax error at a byte offset of the field value.
type SyntaxError struct {
	Offset int
	Msg    string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("authentication-results: at byte %d: %s", e.Offset, e.Msg)
}

func (e *SyntaxError) Unwrap() error { return ErrSyntax }

// Results is a parsed Authentication-Results header field.
type Results struct {
	AuthServID string   `json:"authserv_id"`
	Version    int      `json:"version,omitempty"` // 0 when absent (which means 1)
	Results    []Result `json:"results"`           // empty for "none"
}

// Result is one method's result (RFC 8601 §2.2 resinfo).
type Result struct {
	Method        string     `json:"method"`                   // "spf", "dkim", "dmarc"... lower case
	MethodVersion string     `json:"method_version,omitempty"` // "1" in "dkim/1"
	Result        string     `json:"result"`                   // the RFC 8601 §2.7 token, lower case
	Reason        string     `json:"reason,omitempty"`
	Comment       string     `json:"comment,omitempty"` // comments after the result, joined by "; "
	Props         []Property `json:"props,omitempty"`
}

// Property is a ptype.property=value item, e.g. header.d=example.com.
type Property struct {
	Type     string `json:"type"`     // "smtp", "header", "body", "policy"
	Property string `json:"property"` // "mailfrom", "d", "from"...
	Value    string `json:"value"`
}

// Prop returns the value of ptype.property, or "" when absent.
func (r Result) Prop(ptype, property string) string {
	for _, p := range r.Props {
		if strings.EqualFold(p.Type, ptype) && strings.EqualFold(p.Property, property) {
			return p.Value
		}
	}
	return ""
}

// LogValue implements slog.LogValuer.
func (a *Results) LogValue() slog.Value {
	attrs := []slog.Attr{slog.String("authserv_id", a.AuthServID)}
	for _, r := range a.Results {
		attrs = append(attrs, slog.String(r.Method, r.Result))
	}
	return slog.GroupValue(attrs...)
}

// String formats the header field value (without the field name) in the
// RFC 8601 §2.2 syntax; Parse reads it back to the same value.
// Values are quoted when they are not tokens; a result's comment is written
// after its result.
func (a *Results) String() string {
	var b strings.Builder
	b.WriteString(arValue(a.AuthServID))
	if a.Version != 0 {
		b.WriteString(" " + strconv.Itoa(a.Version))
	}
	if len(a.Results) == 0 {
		b.WriteString("; none")
		return b.String()
	}
	for _, r := range a.Results {
		b.WriteString(";\r\n\t")
		b.WriteString(r.Method)
		if r.MethodVersion != "" {
			b.WriteString("/" + r.MethodVersion)
		}
		b.WriteString("=" + r.Result)
		if r.Comment != "" {
			b.WriteString(" (")
			for i := 0; i < len(r.Comment); i++ {
				if c := r.Comment[i]; c == '(' || c == ')' || c == '\\' {
					b.WriteByte('\\')
				}
				b.WriteByte(r.Comment[i])
			}
			b.WriteByte(')')
		}
		if r.Reason != "" {
			b.WriteString(" reason=" + arValue(r.Reason))
		}
		for _, p := range r.Props {
			b.WriteString(" " + p.Type + "." + p.Property + "=" + arValue(p.Value))
		}
	}
	return b.String()
}

// arValue writes v as a token when it is one, else as a quoted-string.
func arValue(v string) string {
	quote := v == ""
	for i := 0; i < len(v) && !quote; i++ {
		c := v[i]
		quote = c <= ' ' || c == 0x7f || strings.IndexByte("();\"=,\\", c) >= 0
	}
	if !quote {
		return v
	}
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(v); i++ {
		if v[i] == '"' || v[i] == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(v[i])
	}
	b.WriteByte('"')
	return b.String()
}

// Find returns the first result of method (case-insensitive).
func (a *Results) Find(method string) (Result, bool) {
	for _, r := range a.Results {
		if strings.EqualFold(r.Method, method) {
			return r, true
		}
	}
	return Result{}, false
}

// Parse parses an Authentication-Results header field, with or
// without the "Authentication-Results:" name, folded or not. Comments (nested
// included) and quoted strings are handled per RFC 5322 §3.2. On a syntax
// error it returns the results read so far together with an
// *SyntaxError.
func Parse(field string) (*Results, error) {
	if len(field) > MaxLen {
		return nil, &SyntaxError{Offset: MaxLen, Msg: fmt.Sprintf("longer than %d bytes", MaxLen)}
	}
	if name, rest, ok := strings.Cut(field, ":"); ok && strings.EqualFold(strings.TrimSpace(name), "Authentication-Results") {
		field = rest
	}
	p := &arParser{s: field}
	ar := &Results{}
	if err := p.cfws(); err != nil {
		return nil, err
	}
	id, err := p.value()
	if err != nil {
		return nil, err
	}
	if id == "" {
		return nil, p.errf("missing authserv-id")
	}
	ar.AuthServID = id
	if err := p.cfws(); err != nil {
		return ar, err
	}
	// Optional authres-version: digits after the authserv-id.
	if p.pos < len(p.s) && isDigitByte(p.s[p.pos]) {
		start := p.pos
		for p.pos < len(p.s) && isDigitByte(p.s[p.pos]) {
			p.pos++
		}
		v, err := strconv.Atoi(p.s[start:p.pos])
		if err != nil || v > 1<<20 {
			return ar, p.errf("bad version %q", p.s[start:p.pos])
		}
		ar.Version = v
		if err := p.cfws(); err != nil {
			return ar, err
		}
	}
	for {
		if p.pos >= len(p.s) {
			break
		}
		if p.s[p.pos] != ';' {
			return ar, p.errf("expected ';' before %q", p.rest())
		}
		p.pos++
		if err := p.cfws(); err != nil {
			return ar, err
		}
		if p.pos >= len(p.s) {
			break // a trailing ";" is tolerated
		}
		// no-result: "none" alone.
		save := p.pos
		kw := p.keyword()
		if strings.EqualFold(kw, "none") && len(ar.Results) == 0 {
			if err := p.cfws(); err != nil {
				return ar, err
			}
			if p.pos >= len(p.s) {
				return ar, nil
			}
		}
		p.pos = save
		if len(ar.Results) == MaxMethods {
			return ar, p.errf("more than %d results", MaxMethods)
		}
		r, err := p.resinfo()
		if err != nil {
			return ar, err
		}
		ar.Results = append(ar.Results, r)
	}
	return ar, nil
}

type arParser struct {
	s        string
	pos      int
	comments []string // comments seen by the last cfws call
}

func (p *arParser) errf(format string, a ...any) error {
	return &SyntaxError{Offset: p.pos, Msg: fmt.Sprintf(format, a...)}
}

func (p *arParser) rest() string {
	r := p.s[p.pos:]
	if len(r) > 20 {
		r = r[:20] + "..."
	}
	return r
}

// cfws skips folding whitespace and comments, collecting the comments.
func (p *arParser) cfws() error {
	p.comments = p.comments[:0]
	for p.pos < len(p.s) {
		switch c := p.s[p.pos]; c {
		case ' ', '\t', '\r', '\n':
			p.pos++
		case '(':
			start := p.pos
			depth := 0
			for {
				if p.pos >= len(p.s) {
					p.pos = start
					return p.errf("unterminated comment")
				}
				switch p.s[p.pos] {
				case '\\':
					p.pos++
				case '(':
					depth++
					if depth > maxCommentDepth {
						return p.errf("comments nested deeper than %d", maxCommentDepth)
					}
				case ')':
					depth--
				}
				p.pos++
				if depth == 0 {
					break
				}
			}
			if c := unescapeComment(p.s[start+1 : p.pos-1]); c != "" {
				p.comments = append(p.comments, c)
			}
		default:
			return nil
		}
	}
	return nil
}

func unescapeComment(s string) string {
	if !strings.Contains(s, "\\") {
		return strings.TrimSpace(s)
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
		}
		b.WriteByte(s[i])
	}
	return strings.TrimSpace(b.String())
}

// keyword reads a Keyword (RFC 8601 §2.2: letters, digits, '-', '_'... we
// also accept '.' for authserv-ids that are domain names).
func (p *arParser) keyword() string {
	start := p.pos
	for p.pos < len(p.s) {
		c := p.s[p.pos]
		if syntax.Alpha(c) || isDigitByte(c) || c == '-' || c == '_' {
			p.pos++
			continue
		}
		break
	}
	return p.s[start:p.pos]
}

// value reads a token or quoted-string (RFC 2045 §5.1 value). Tokens here
// also take '@', '/' and '.' so addresses and domains need no quoting, as
// RFC 8601 §2.2 pvalue allows.
func (p *arParser) value() (string, error) {
	if p.pos < len(p.s) && p.s[p.pos] == '"' {
		q, err := p.quoted()
		if err != nil || p.pos >= len(p.s) || p.s[p.pos] != '@' {
			return q, err
		}
		// A quoted local-part of an address (RFC 8601 §2.2 pvalue): keep
		// the quotes so the address stays valid.
		rest, _ := p.value()
		return strconv.Quote(q) + rest, nil
	}
	start := p.pos
	for p.pos < len(p.s) {
		c := p.s[p.pos]
		if c <= ' ' || c == 0x7f || c == '(' || c == ')' || c == ';' || c == '"' || c == '=' || c == ',' {
			break
		}
		p.pos++
	}
	return p.s[start:p.pos], nil
}

func (p *arParser) quoted() (string, error) {
	start := p.pos
	p.pos++
	var b strings.Builder
	for p.pos < len(p.s) {
		c := p.s[p.pos]
		switch c {
		case '\\':
			// quoted-pair (RFC 5322 §3.2.1) is '\' VCHAR or WSP; an
			// escaped CR or LF is folding, dropped like an unescaped one.
			p.pos++
			if p.pos < len(p.s) && p.s[p.pos] != '\r' && p.s[p.pos] != '\n' {
				b.WriteByte(p.s[p.pos])
			}
		case '"':
			p.pos++
			return b.String(), nil
		case '\r', '\n':
		default:
			b.WriteByte(c)
		}
		p.pos++
	}
	p.pos = start
	return "", p.errf("unterminated quoted string")
}

func (p *arParser) expect(c byte) error {
	if p.pos >= len(p.s) || p.s[p.pos] != c {
		return p.errf("expected %q before %q", c, p.rest())
	}
	p.pos++
	return nil
}

// resinfo reads methodspec [reasonspec] *propspec (RFC 8601 §2.2).
func (p *arParser) resinfo() (Result, error) {
	var r Result
	r.Method = strings.ToLower(p.keyword())
	if r.Method == "" {
		return r, p.errf("expected a method before %q", p.rest())
	}
	if err := p.cfws(); err != nil {
		return r, err
	}
	if p.pos < len(p.s) && p.s[p.pos] == '/' {
		p.pos++
		if err := p.cfws(); err != nil {
			return r, err
		}
		r.MethodVersion = p.keyword()
		if r.MethodVersion == "" {
			return r, p.errf("expected a method version")
		}
		if err := p.cfws(); err != nil {
			return r, err
		}
	}
	if err := p.expect('='); err != nil {
		return r, err
	}
	if err := p.cfws(); err != nil {
		return r, err
	}
	r.Result = strings.ToLower(p.keyword())
	if r.Result == "" {
		return r, p.errf("method %s has no result", r.Method)
	}
	var comments []string
	collect := func() error {
		if err := p.cfws(); err != nil {
			return err
		}
		comments = append(comments, p.comments...)
		return nil
	}
	if err := collect(); err != nil {
		return r, err
	}
	for p.pos < len(p.s) && p.s[p.pos] != ';' {
		save := p.pos
		name := p.keyword()
		if name == "" {
			return r, p.errf("expected reason= or ptype.property= before %q", p.rest())
		}
		if err := p.cfws(); err != nil {
			return r, err
		}
		if strings.EqualFold(name, "reason") && p.pos < len(p.s) && p.s[p.pos] == '=' {
			p.pos++
			if err := p.cfws(); err != nil {
				return r, err
			}
			v, err := p.value()
			if err != nil {
				return r, err
			}
			r.Reason = v
			if err := collect(); err != nil {
				return r, err
			}
			continue
		}
		if p.pos >= len(p.s) || p.s[p.pos] != '.' {
			p.pos = save
			return r, p.errf("expected '.' after ptype %q", name)
		}
		p.pos++
		if err := p.cfws(); err != nil {
			return r, err
		}
		prop := p.keyword()
		if prop == "" {
			return r, p.errf("expected a property after %s.", name)
		}
		if err := p.cfws(); err != nil {
			return r, err
		}
		if err := p.expect('='); err != nil {
			return r, err
		}
		if err := p.cfws(); err != nil {
			return r, err
		}
		v, err := p.value()
		if err != nil {
			return r, err
		}
		r.Props = append(r.Props, Property{Type: strings.ToLower(name), Property: strings.ToLower(prop), Value: v})
		if err := collect(); err != nil {
			return r, err
		}
	}
	r.Comment = strings.Join(comments, "; ")
	return r, nil
}

func isDigitByte(c byte) bool { return c >= '0' && c <= '9' }
