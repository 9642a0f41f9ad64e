// SPF macro expansion (RFC 7208 §7): letters, transformers, delimiters, URL
// escaping of upper-case macros and the 253-octet truncation of domains.

package spf

import (
	"context"
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/bouncekit/bouncekit/authcheck/internal/syntax"
	"github.com/bouncekit/bouncekit/authcheck/resolve"
)

// spfMaxExpansion bounds the text one macro-string may expand to: far
// above any domain name (253) or sensible explanation, far below what a
// hostile record and sender could make (64 KB of %{s}).
const spfMaxExpansion = 8 << 10

// spfExpand expands the macro-string s (already syntax-checked) for the
// record of domain. With exp true the exp-only letters are allowed and no
// domain truncation happens.
func (c *spfChecker) spfExpand(ctx context.Context, s, domain string, exp bool) (string, error) {
	if !strings.Contains(s, "%") {
		if !exp {
			s = spfTruncateDomain(s)
		}
		return s, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		ch := s[i]
		if ch != '%' {
			b.WriteByte(ch)
			continue
		}
		if i+1 >= len(s) {
			return "", &SyntaxError{Term: s, Reason: "% at end"}
		}
		i++
		switch s[i] {
		case '%':
			b.WriteByte('%')
			continue
		case '_':
			b.WriteByte(' ')
			continue
		case '-':
			b.WriteString("%20")
			continue
		case '{':
		default:
			return "", &SyntaxError{Term: s, Reason: "bad macro"}
		}
		end := strings.IndexByte(s[i:], '}')
		if end < 0 {
			return "", &SyntaxError{Term: s, Reason: "unterminated macro"}
		}
		m, err := spfParseMacro(s[i+1:i+end], exp)
		if err != nil {
			return "", &SyntaxError{Term: s, Reason: err.Error()}
		}
		i += end
		v := c.macroValue(ctx, m.letter, domain)
		v = spfTransform(v, m)
		if m.upper {
			v = spfURLEscape(v)
		}
		b.WriteString(v)
		if b.Len() > spfMaxExpansion {
			return "", fmt.Errorf("%w: macro expansion over %d bytes", ErrBadDomain, spfMaxExpansion)
		}
	}
	out := b.String()
	if !exp {
		out = spfTruncateDomain(out)
	}
	return out, nil
}

// macroValue is the value of one macro letter (RFC 7208 §7.2).
func (c *spfChecker) macroValue(ctx context.Context, letter byte, domain string) string {
	switch letter {
	case 's':
		return c.sender
	case 'l':
		return c.local
	case 'o':
		return c.senderDomain
	case 'd':
		return domain
	case 'i':
		return spfDottedIP(c.ip)
	case 'p':
		return c.validatedName(ctx, domain)
	case 'v':
		if c.ip.Is4() {
			return "in-addr"
		}
		return "ip6"
	case 'h':
		return c.helo
	case 'c':
		return c.ip.String()
	case 'r':
		if c.receiver != "" {
			return c.receiver
		}
		return "unknown"
	case 't':
		return strconv.FormatInt(c.now().Unix(), 10)
	}
	return ""
}

// spfDottedIP is %{i}: dotted quad, or 32 dot-separated nibbles for IPv6
// (RFC 7208 §7.3).
func spfDottedIP(ip netip.Addr) string {
	if ip.Is4() {
		return ip.String()
	}
	const hex = "0123456789abcdef"
	a := ip.As16()
	b := make([]byte, 0, 63)
	for i, x := range a {
		if i > 0 {
			b = append(b, '.')
		}
		b = append(b, hex[x>>4], '.', hex[x&0xf])
	}
	return string(b)
}

// spfTransform splits v on the macro's delimiters, reverses and keeps the
// right-most parts as asked, and joins with dots (RFC 7208 §7.3).
func spfTransform(v string, m spfMacro) string {
	if m.digits == 0 && !m.reverse && (m.delims == "" || m.delims == ".") {
		return v
	}
	delims := m.delims
	if delims == "" {
		delims = "."
	}
	var parts []string
	start := 0
	for i := 0; i < len(v); i++ {
		if strings.IndexByte(delims, v[i]) >= 0 {
			parts = append(parts, v[start:i])
			start = i + 1
		}
	}
	parts = append(parts, v[start:])
	if m.reverse {
		for i, j := 0, len(parts)-1; i < j; i, j = i+1, j-1 {
			parts[i], parts[j] = parts[j], parts[i]
		}
	}
	if m.digits > 0 && m.digits < len(parts) {
		parts = parts[len(parts)-m.digits:]
	}
	return strings.Join(parts, ".")
}

// spfURLEscape escapes everything but the RFC 3986 unreserved characters,
// for upper-case macro letters (RFC 7208 §7.3).
func spfURLEscape(v string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		c := v[i]
		if syntax.Alpha(c) || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&0xf])
	}
	return b.String()
}

// spfTruncateDomain drops labels from the left until the name fits in 253
// octets (RFC 7208 §7.3).
func spfTruncateDomain(s string) string {
	for len(strings.TrimSuffix(s, ".")) > resolve.MaxNameLength {
		i := strings.IndexByte(s, '.')
		if i < 0 {
			return s
		}
		s = s[i+1:]
	}
	return s
}
