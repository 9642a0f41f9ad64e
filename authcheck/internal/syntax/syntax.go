// Small syntax helpers shared by the record parsers: tag-list values,
// folding whitespace and DNS label syntax.

package syntax

import "strings"

// Trunc shortens s to 128 bytes for an error message.
func Trunc(s string) string {
	if len(s) > 128 {
		return s[:128] + "..."
	}
	return s
}

// Alpha reports whether c is an ASCII letter.
func Alpha(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// StripFWS removes all folding whitespace, as RFC 6376 requires for
// base64 and other FWS-tolerant values.
func StripFWS(s string) string {
	if !strings.ContainsAny(s, " \t\r\n") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ' ', '\t', '\r', '\n':
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// AllDigits reports whether s is non-empty and all ASCII digits.
func AllDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// TopLabel: toplabel = ( *alphanum ALPHA *alphanum ) /
// ( 1*alphanum "-" *( alphanum / "-" ) alphanum ) (§12, RFC 3696 §2).
func TopLabel(l string) bool {
	if l == "" || l[0] == '-' || l[len(l)-1] == '-' {
		return false
	}
	alpha, hyphen := false, false
	for i := 0; i < len(l); i++ {
		c := l[i]
		switch {
		case Alpha(c):
			alpha = true
		case c == '-':
			hyphen = true
		case c >= '0' && c <= '9':
		default:
			return false
		}
	}
	return alpha || hyphen
}

// SplitColonList splits a colon-separated tag value, trimming and
// dropping empty entries.
func SplitColonList(v string) []string {
	var out []string
	for f := range strings.SplitSeq(v, ":") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// IsSubdomainOrSame reports whether sub equals parent or lies below it,
// case-insensitively.
func IsSubdomainOrSame(sub, parent string) bool {
	sub = strings.ToLower(strings.TrimSuffix(sub, "."))
	parent = strings.ToLower(strings.TrimSuffix(parent, "."))
	return sub == parent || strings.HasSuffix(sub, "."+parent)
}
