package bounce

import (
	"math/bits"
	"strings"
)

// Provider tags are the short codes mailbox providers and filters put in their
// replies to say which of their rules fired. They come in a few shapes
// (provider-codes.md gives the real replies):
//
//	[CS01] [HM08] [TSS04] [BL23] [EAB]   bracketed (Apple, Yahoo, GMX)
//	(S3150) (AS16012611) (BL) (DYN:T1)   parenthesised (Microsoft, T-Online, Comcast)
//	AUP#CXBL AUP#I-1000                  Cox and Spectrum
//	IB212 ETP208 RL000001 BL000010       letters then digits (GoDaddy, Mimecast, Comcast)
//	OFR004_104 OFR_417 LPN000_630        Orange and La Poste
//	SC-001 RP-001 OU-002 DY-001          Outlook.com
//	DT:SPM MI:CEL DNSBL:RBL              NetEase, AT&T
//	c=r0201                              GMX/web.de (the tag is "r0201")
//
// scanTags finds them in r.Text, in order, without allocating.
func (r *Reply) scanTags() {
	t := r.Text
	n := 0
	add := func(tag string) bool {
		for i := 0; i < n; i++ {
			if r.Tags[i] == tag {
				return true
			}
		}
		if n == MaxTags {
			r.Flags |= FlagTagsTruncated
			return false
		}
		r.Tags[n] = tag
		n++
		return true
	}
	for i := 0; i < len(t); {
		i = nextTagStart(t, i)
		if i == len(t) {
			break
		}
		c := t[i]
		switch {
		case c == '[' || c == '(':
			closer := byte(']')
			if c == '(' {
				closer = ')'
			}
			j := i + 1
			for j < len(t) && j-i <= 17 && t[j] != closer && t[j] != ' ' {
				j++
			}
			if j < len(t) && t[j] == closer {
				if tag := t[i+1 : j]; isBracketTag(tag, c == '(') {
					if !add(tag) {
						return
					}
					i = j + 1 // past the closer: the tag's letters are done
					continue
				}
			}
			i++
		case c == '=':
			// GMX/web.de: "...case?c=r0201&i=ip..." gives the tag "r0201".
			if i >= 1 && t[i-1] == 'c' && (i == 1 || isTagBoundary(t[i-2])) {
				// Read only 'r' and digits: a longer word is not a tag, and
				// scanning it to its end for every "c=" in it ("c=c=c=...")
				// would be quadratic.
				j := i + 1
				if j < len(t) && t[j] == 'r' {
					for j++; j < len(t) && isDigit(t[j]); j++ {
					}
				}
				if w := t[i+1 : j]; len(w) >= 4 && w[0] == 'r' && (j == len(t) || isTagEnd(t[j])) {
					if !add(w) {
						return
					}
				}
			}
			i++
		case isUpper(c):
			if i > 0 && !isTagBoundary(t[i-1]) {
				// Inside a word ("en-us/HT204137", "mx01.Example"): no tag
				// starts before the word ends.
				for i++; i < len(t) && isAlnum(t[i]); i++ {
				}
				continue
			}
			if i+1 < len(t) && t[i+1] >= 'a' && t[i+1] <= 'z' {
				// A capitalised word ("Message") is never a tag: skip it.
				for i += 2; i < len(t) && t[i] != ' '; i++ {
				}
				continue
			}
			j := i
			for j < len(t) && !isTagEnd(t[j]) {
				j++
			}
			if word := t[i:j]; isWordTag(word) {
				if !add(word) {
					return
				}
			}
			if j == i {
				j++
			}
			i = j
		default:
			i++
		}
	}
}

// tagStart marks the bytes a tag can start at ('[', '(', 'A'-'Z', and '=' for "c=r0201").
var tagStart = func() (t [256]bool) {
	t['['], t['('], t['='] = true, true, true
	for c := 'A'; c <= 'Z'; c++ {
		t[c] = true
	}
	return t
}()

// nextTagStart returns the index of the next byte at or after i that a tag
// can start at, or len(t). Most bytes of a reply are lower-case text, so it
// tests 8 bytes at a time for 'A'..'[' (0x41-0x5b), '(' and '=' and for
// non-ASCII bytes, and looks at single bytes only in words that have one.
func nextTagStart(t string, i int) int {
	const lo, hi = 0x0101010101010101, 0x8080808080808080
	for i+8 <= len(t) {
		w := load64(t[i : i+8])
		upper := (w + lo*(0x80-0x41)) &^ (w + lo*(0x80-0x5c)) // high bit set for 0x41..0x5b
		paren, eq := w^(lo*'('), w^(lo*'=')
		// The high bit of each byte that may start a tag; walk them in order.
		for m := (w | upper | ((paren - lo) &^ paren) | ((eq - lo) &^ eq)) & hi; m != 0; m &= m - 1 {
			if k := i + bits.TrailingZeros64(m)>>3; tagStart[t[k]] {
				return k
			}
		}
		i += 8
	}
	for ; i < len(t); i++ {
		if tagStart[t[i]] {
			return i
		}
	}
	return len(t)
}

func isTagBoundary(c byte) bool {
	return c == ' ' || c == '\t' || c == '&' || c == '?' || c == ';' || c == ',' || c == '-' || c == ':' || c == '='
}

func isTagEnd(c byte) bool {
	return c == ' ' || c == '\t' || c == ',' || c == ';' || c == ')' || c == ']' || c == '&' || c == '\'' || c == '"' || c == '\r' || c == '\n' || (c == '.')
}

// isBracketTag accepts [CS01], [TSS04], [EAB], (S3150), (BL), (NOWL), (DYN:T1):
// upper-case letters first, then upper-case letters, digits, '_', '-', ':'.
// In parentheses the tag must also hold a digit or a colon, or be one of the
// short all-letter T-Online tags, so that "(SPF)" or "(IP)" are not tags.
func isBracketTag(s string, paren bool) bool {
	if len(s) < 2 || len(s) > 16 || !isUpper(s[0]) {
		return false
	}
	digit, colon := false, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case isUpper(c):
		case isDigit(c):
			digit = true
		case c == ':':
			colon = true
		case c == '_':
		case c == '-' && !paren: // in parentheses a hyphen marks a server ID: (BAY004-MC1F18)
		default:
			return false
		}
	}
	if paren {
		return digit || colon || s == "BL" || s == "NOWL"
	}
	return true
}

// isWordTag accepts the unbracketed shapes listed on scanTags.
func isWordTag(w string) bool {
	if len(w) < 4 || len(w) > 24 {
		return false
	}
	if strings.HasPrefix(w, "AUP#") {
		return len(w) > 4
	}
	// Leading upper-case letters.
	i := 0
	for i < len(w) && isUpper(w[i]) {
		i++
	}
	if i == 0 || i == len(w) {
		return false
	}
	letters := w[:i]
	rest := w[i:]
	switch rest[0] {
	case ':': // DT:SPM, MI:CEL, DNSBL:RBL
		r := rest[1:]
		if len(r) < 2 || len(r) > 6 || i > 5 {
			return false
		}
		for k := 0; k < len(r); k++ {
			if !isUpper(r[k]) && !isDigit(r[k]) {
				return false
			}
		}
		return true
	case '-': // SC-001, RP-001
		return i >= 2 && i <= 3 && len(rest) == 4 && allDigits(rest[1:])
	case '_': // OFR_417
		return (letters == "OFR" || letters == "LPN") && allDigits(rest[1:])
	}
	// Letters then digits, optionally "_digits": IB212, ETP208, RL000001, OFR004_104.
	if i > 4 || excludedTagPrefix(letters) {
		return false
	}
	d := rest
	if k := strings.IndexByte(d, '_'); k >= 0 {
		if !allDigits(d[k+1:]) || k+1 == len(d) {
			return false
		}
		d = d[:k]
	}
	return len(d) >= 3 && len(d) <= 8 && allDigits(d)
}

// excludedTagPrefix lists letter-digit words that are not provider tags.
func excludedTagPrefix(s string) bool {
	switch s {
	case "RFC", "ISO", "SHA", "CVE", "UTC", "GMT", "UTF", "MD", "HTTP", "IPV", "X", "TLS", "SSL", "DKIM", "SPF", "ID":
		return true
	}
	return false
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}
