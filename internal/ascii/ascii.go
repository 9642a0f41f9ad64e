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
