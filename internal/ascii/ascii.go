// Package ascii holds the ASCII case helpers the parsers share: mail
// protocols fold case for ASCII letters only (RFC 5321 §2.4, RFC 7208 §4.3),
// so these never touch other bytes.
package ascii

// Lower lower-cases the ASCII letters of s, allocating only when s has an
// upper-case one.
func Lower(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if b[j] >= 'A' && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

// EqualFold reports whether a and b are equal with ASCII letters folded:
// the comparison of header field names (printable US-ASCII, RFC 5322 §2.2;
// matched without regard to case) and of other protocol tokens. Unlike
// strings.EqualFold it never folds outside ASCII, so strings of different
// lengths are never equal and are told apart at once.
func EqualFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if x == y {
			continue
		}
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}
