// SPF record syntax (RFC 7208 §4.5, §4.6.1, §5, §6 and the ABNF of §12):
// Parse and the typed record it returns.

package spf

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/bouncekit/bouncekit/authcheck/internal/syntax"
	"github.com/bouncekit/bouncekit/internal/ascii"
)

// Qualifier is a mechanism's qualifier (RFC 7208 §4.6.2); the values are
// the characters written in the record.
type Qualifier string

// The qualifiers and the result each gives when its mechanism matches.
const (
	QualPass     Qualifier = "+" // pass (the default when none is written)
	QualFail     Qualifier = "-" // fail
	QualSoftFail Qualifier = "~" // softfail
	QualNeutral  Qualifier = "?" // neutral
)

// Result is the result a match with this qualifier produces (RFC 7208
// §4.6.2); the empty qualifier is "+".
func (q Qualifier) Result() Result {
	switch q {
	case QualFail:
		return Fail
	case QualSoftFail:
		return SoftFail
	case QualNeutral:
		return Neutral
	}
	return Pass
}

// MechanismKind names a mechanism (RFC 7208 §5); the values are the
// mechanism names in lower case.
type MechanismKind string

// The mechanisms.
const (
	All     MechanismKind = "all"     // RFC 7208 §5.1
	Include MechanismKind = "include" // RFC 7208 §5.2
	A       MechanismKind = "a"       // RFC 7208 §5.3
	MX      MechanismKind = "mx"      // RFC 7208 §5.4
	PTR     MechanismKind = "ptr"     // RFC 7208 §5.5 (its use is discouraged)
	IP4     MechanismKind = "ip4"     // RFC 7208 §5.6
	IP6     MechanismKind = "ip6"     // RFC 7208 §5.6
	Exists  MechanismKind = "exists"  // RFC 7208 §5.7
)

// countsLookup reports whether the mechanism is one of the terms that cause
// DNS queries and count toward the limit of 10 (RFC 7208 §4.6.4).
func (k MechanismKind) countsLookup() bool {
	switch k {
	case Include, A, MX, PTR, Exists:
		return true
	}
	return false
}

// Mechanism is one directive: a qualifier and a mechanism.
type Mechanism struct {
	Qualifier Qualifier     // as written; "" is the default "+"
	Kind      MechanismKind // the mechanism
	// Domain is the domain-spec with its macros unexpanded; "" for a, mx
	// and ptr means the current domain.
	Domain string
	// Net is the network of ip4 and ip6 (a /32 or /128 when no length is
	// written).
	Net netip.Prefix
	// Bits4 and Bits6 are the dual-cidr lengths of a and mx (RFC 7208
	// §5.6); -1 when not written, which means /32 and /128.
	Bits4, Bits6 int
}

// String returns the directive as it would be written in a record.
func (m Mechanism) String() string {
	var b strings.Builder
	b.WriteString(string(m.Qualifier))
	b.WriteString(string(m.Kind))
	switch m.Kind {
	case IP4, IP6:
		b.WriteByte(':')
		b.WriteString(m.Net.Addr().String())
		if full := m.Net.Addr().BitLen(); m.Net.Bits() != full {
			b.WriteString("/" + strconv.Itoa(m.Net.Bits()))
		}
		return b.String()
	}
	if m.Domain != "" {
		b.WriteByte(':')
		b.WriteString(m.Domain)
	}
	if m.Bits4 >= 0 {
		b.WriteString("/" + strconv.Itoa(m.Bits4))
	}
	if m.Bits6 >= 0 {
		b.WriteString("//" + strconv.Itoa(m.Bits6))
	}
	return b.String()
}

// Modifier is a name=value term that RFC 7208 does not define (§6); such
// modifiers are kept and ignored.
type Modifier struct {
	Name  string // lower case
	Value string // macro-string, unexpanded
}

// Record is a parsed "v=spf1" record. The zero value is the empty record
// "v=spf1", which matches nothing and so gives neutral. A record is safe for
// concurrent reads.
type Record struct {
	Mechanisms []Mechanism // in record order
	Redirect   string      // redirect= domain-spec (RFC 7208 §6.1), "" if absent
	Exp        string      // exp= domain-spec (RFC 7208 §6.2), "" if absent
	Modifiers  []Modifier  // unknown modifiers, in record order
}

// String returns the record text: mechanisms in order, then redirect=, exp=
// and the unknown modifiers. Parse of it gives back an equal record.
func (r *Record) String() string {
	var b strings.Builder
	b.WriteString("v=spf1")
	for _, m := range r.Mechanisms {
		b.WriteByte(' ')
		b.WriteString(m.String())
	}
	if r.Redirect != "" {
		b.WriteString(" redirect=" + r.Redirect)
	}
	if r.Exp != "" {
		b.WriteString(" exp=" + r.Exp)
	}
	for _, m := range r.Modifiers {
		b.WriteString(" " + m.Name + "=" + m.Value)
	}
	return b.String()
}

// MarshalText implements encoding.TextMarshaler.
func (r *Record) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (r *Record) UnmarshalText(b []byte) error {
	p, err := Parse(string(b))
	if err != nil {
		return err
	}
	*r = *p
	return nil
}

// SyntaxError is a record Parse rejects (RFC 7208 §4.6: the check
// then gives permerror). It wraps ErrSyntax.
type SyntaxError struct {
	Term   string // the offending term, "" for the record as a whole
	Reason string
}

func (e *SyntaxError) Error() string {
	if e.Term == "" {
		return "spf: syntax error: " + e.Reason
	}
	return fmt.Sprintf("spf: syntax error in %q: %s", e.Term, e.Reason)
}

func (e *SyntaxError) Unwrap() error { return ErrSyntax }

// MaxRecordLength bounds the record Parse reads; a single DNS answer
// cannot carry more.
const MaxRecordLength = 64 << 10

// IsRecord reports whether a TXT string is an SPF version 1 record: it
// begins with "v=spf1", case-insensitively, followed by a space or nothing
// (RFC 7208 §4.5).
func IsRecord(txt string) bool {
	return len(txt) >= 6 && strings.EqualFold(txt[:6], "v=spf1") && (len(txt) == 6 || txt[6] == ' ')
}

// Parse parses an SPF record. It checks the whole record against the
// RFC 7208 ABNF (§12), as check_host must before it evaluates anything
// (§4.6), and returns an *SyntaxError for the first bad term.
func Parse(txt string) (*Record, error) {
	if len(txt) > MaxRecordLength {
		return nil, &SyntaxError{Reason: fmt.Sprintf("record of %d bytes is over the %d limit", len(txt), MaxRecordLength)}
	}
	if !IsRecord(txt) {
		return nil, &SyntaxError{Reason: "record does not begin with \"v=spf1\""}
	}
	rec := &Record{}
	// Terms are separated by one or more spaces (§12: 1*SP); any other
	// whitespace is a syntax error caught by the term parsers.
	for _, term := range strings.Split(txt[6:], " ") {
		if term == "" {
			continue
		}
		if err := rec.parseTerm(term); err != nil {
			return nil, err
		}
	}
	return rec, nil
}

func (rec *Record) parseTerm(term string) error {
	bad := func(format string, args ...any) error {
		return &SyntaxError{Term: term, Reason: fmt.Sprintf(format, args...)}
	}
	// A modifier is name "=" macro-string with name = ALPHA *( ALPHA /
	// DIGIT / "-" / "_" / "." ) (§12).
	n := 0
	for n < len(term) && spfNameChar(term[n]) {
		n++
	}
	if n > 0 && n < len(term) && term[n] == '=' && syntax.Alpha(term[0]) {
		name, value := ascii.Lower(term[:n]), term[n+1:]
		switch name {
		case "redirect", "exp":
			if err := spfCheckDomainSpec(value, false); err != nil {
				return bad("%v", err)
			}
			// §6: each may appear at most once.
			if name == "redirect" {
				if rec.Redirect != "" {
					return bad("second redirect= modifier")
				}
				rec.Redirect = value
			} else {
				if rec.Exp != "" {
					return bad("second exp= modifier")
				}
				rec.Exp = value
			}
		default:
			if err := spfCheckMacroString(value, false); err != nil {
				return bad("%v", err)
			}
			rec.Modifiers = append(rec.Modifiers, Modifier{Name: name, Value: value})
		}
		return nil
	}

	m := Mechanism{Bits4: -1, Bits6: -1}
	rest := term
	switch rest[0] {
	case '+', '-', '~', '?':
		m.Qualifier = Qualifier(rest[:1])
		rest = rest[1:]
	}
	end := strings.IndexAny(rest, ":/")
	if end < 0 {
		end = len(rest)
	}
	m.Kind = MechanismKind(ascii.Lower(rest[:end]))
	arg := rest[end:]
	switch m.Kind {
	case All:
		if arg != "" {
			return bad("all takes no argument")
		}
	case Include, Exists:
		if !strings.HasPrefix(arg, ":") || len(arg) == 1 {
			return bad("%s needs :domain", m.Kind)
		}
		if err := spfCheckDomainSpec(arg[1:], false); err != nil {
			return bad("%v", err)
		}
		m.Domain = arg[1:]
	case A, MX, PTR:
		if m.Kind != PTR {
			var err error
			if arg, m.Bits4, m.Bits6, err = spfCutDualCIDR(arg); err != nil {
				return bad("%v", err)
			}
		}
		if arg != "" {
			if arg[0] != ':' || len(arg) == 1 {
				return bad("unexpected %q after %s", arg, m.Kind)
			}
			if err := spfCheckDomainSpec(arg[1:], false); err != nil {
				return bad("%v", err)
			}
			m.Domain = arg[1:]
		}
	case IP4, IP6:
		if !strings.HasPrefix(arg, ":") {
			return bad("%s needs :address", m.Kind)
		}
		p, err := spfParseNet(arg[1:], m.Kind == IP4)
		if err != nil {
			return bad("%v", err)
		}
		m.Net = p
	default:
		return bad("unknown mechanism %q", rest[:end])
	}
	rec.Mechanisms = append(rec.Mechanisms, m)
	return nil
}

// spfCutDualCIDR removes a trailing dual-cidr-length ("/n", "//n" or
// "/n//m", §5.6) from arg.
func spfCutDualCIDR(arg string) (rest string, bits4, bits6 int, err error) {
	bits4, bits6 = -1, -1
	// Only a run of digits after the slash is a length; "a:foo/bar.com"
	// is a domain-spec with a slash in it (§7.1 allows any visible
	// character).
	if i := strings.LastIndex(arg, "//"); i >= 0 && syntax.AllDigits(arg[i+2:]) {
		if bits6, err = spfCIDRLength(arg[i+2:], 128); err != nil {
			return "", 0, 0, err
		}
		arg = arg[:i]
	}
	if i := strings.LastIndexByte(arg, '/'); i >= 0 && syntax.AllDigits(arg[i+1:]) {
		if bits4, err = spfCIDRLength(arg[i+1:], 32); err != nil {
			return "", 0, 0, err
		}
		arg = arg[:i]
	}
	return arg, bits4, bits6, nil
}

// spfCIDRLength parses a cidr length: "0" or digits without a leading zero
// (§12), at most limit.
func spfCIDRLength(s string, limit int) (int, error) {
	if s == "" || len(s) > 3 || (s[0] == '0' && len(s) > 1) {
		return 0, fmt.Errorf("bad prefix length %q", s)
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, fmt.Errorf("bad prefix length %q", s)
		}
		n = n*10 + int(s[i]-'0')
	}
	if n > limit {
		return 0, fmt.Errorf("prefix length /%d over /%d", n, limit)
	}
	return n, nil
}

// spfParseNet parses ip4-network [ip4-cidr-length] or the ip6 form.
func spfParseNet(s string, v4 bool) (netip.Prefix, error) {
	addrText, bits := s, -1
	if i := strings.LastIndexByte(s, '/'); i >= 0 {
		limit := 128
		if v4 {
			limit = 32
		}
		n, err := spfCIDRLength(s[i+1:], limit)
		if err != nil {
			return netip.Prefix{}, err
		}
		addrText, bits = s[:i], n
	}
	addr, err := netip.ParseAddr(addrText)
	if err != nil || addr.Zone() != "" || addr.Is4() != v4 {
		kind := "IPv6"
		if v4 {
			kind = "IPv4"
		}
		return netip.Prefix{}, fmt.Errorf("%q is not an %s address", addrText, kind)
	}
	if bits < 0 {
		bits = addr.BitLen()
	}
	return netip.PrefixFrom(addr, bits), nil
}

// spfCheckDomainSpec checks domain-spec = macro-string domain-end, where
// domain-end = ( "." toplabel [ "." ] ) / macro-expand (§12).
func spfCheckDomainSpec(s string, exp bool) error {
	if s == "" {
		return fmt.Errorf("empty domain")
	}
	if err := spfCheckMacroString(s, exp); err != nil {
		return err
	}
	if spfEndsWithMacro(s) {
		return nil
	}
	t := strings.TrimSuffix(s, ".")
	i := strings.LastIndexByte(t, '.')
	if i < 0 {
		return fmt.Errorf("domain %q has no top-level label", s)
	}
	if !syntax.TopLabel(t[i+1:]) {
		return fmt.Errorf("domain %q ends in bad top-level label %q", s, t[i+1:])
	}
	return nil
}

// spfEndsWithMacro reports whether the macro-string s (already checked)
// ends with a macro-expand.
func spfEndsWithMacro(s string) bool {
	last := false
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			last = false
			continue
		}
		last = true
		if s[i+1] == '{' {
			i += strings.IndexByte(s[i:], '}')
		} else {
			i++
		}
	}
	return last
}

// spfCheckMacroString checks macro-string = *( macro-expand / macro-literal )
// (§7.1). With exp false the exp-only letters c, r and t are refused (§7.3).
func spfCheckMacroString(s string, exp bool) error {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '%' {
			// macro-literal = %x21-24 / %x26-7E; exp text also allows
			// spaces (it is a macro-string of the explanation, §6.2).
			if (c < 0x21 || c > 0x7e) && !(exp && c == ' ') {
				return fmt.Errorf("character %q not allowed", c)
			}
			continue
		}
		if i+1 >= len(s) {
			return fmt.Errorf("%% at end of %q", s)
		}
		switch s[i+1] {
		case '%', '_', '-':
			i++
			continue
		case '{':
		default:
			return fmt.Errorf("bad macro %q", s[i:i+2])
		}
		end := strings.IndexByte(s[i:], '}')
		if end < 0 {
			return fmt.Errorf("unterminated macro in %q", s)
		}
		if _, err := spfParseMacro(s[i+2:i+end], exp); err != nil {
			return err
		}
		i += end
	}
	return nil
}

// spfMacro is one parsed %{...} body.
type spfMacro struct {
	letter  byte // lower case
	upper   bool // URL-escape the result (§7.3)
	digits  int  // 0 = all parts
	reverse bool
	delims  string // "" = "."
}

// spfParseMacro parses macro-letter transformers *delimiter (§7.1).
func spfParseMacro(body string, exp bool) (spfMacro, error) {
	var m spfMacro
	if body == "" {
		return m, fmt.Errorf("empty macro %%{}")
	}
	l := body[0]
	if l >= 'A' && l <= 'Z' {
		m.upper = true
		l += 'a' - 'A'
	}
	switch l {
	case 's', 'l', 'o', 'd', 'i', 'p', 'v', 'h':
	case 'c', 'r', 't':
		if !exp {
			return m, fmt.Errorf("macro %%{%c} is only allowed in exp text", body[0])
		}
	default:
		return m, fmt.Errorf("unknown macro letter %q", body[0])
	}
	m.letter = l
	i := 1
	for i < len(body) && body[i] >= '0' && body[i] <= '9' {
		m.digits = m.digits*10 + int(body[i]-'0')
		if m.digits > 255 {
			m.digits = 255 // more parts than any domain has
		}
		i++
	}
	if i > 1 && m.digits == 0 {
		return m, fmt.Errorf("macro %%{%s}: the digit transformer must be nonzero", body)
	}
	if i < len(body) && (body[i] == 'r' || body[i] == 'R') {
		m.reverse = true
		i++
	}
	for ; i < len(body); i++ {
		if !strings.ContainsRune(".-+,/_=", rune(body[i])) {
			return m, fmt.Errorf("macro %%{%s}: bad delimiter %q", body, body[i])
		}
	}
	m.delims = body[1:]
	m.delims = strings.TrimLeft(m.delims, "0123456789")
	m.delims = strings.TrimLeft(m.delims, "rR")
	return m, nil
}

func spfNameChar(c byte) bool {
	return syntax.Alpha(c) || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.'
}
