package inspect

// This file detects host names that imitate others: labels mixing scripts
// (Latin with Cyrillic or Greek) and confusable skeletons (Unicode TR 39
// §4), after decoding punycode (RFC 5891).

import (
	"strings"
	"unicode"

	"golang.org/x/net/idna"
)

// confusables maps the Cyrillic and Greek letters that render like Latin ones
// to those Latin letters (a subset of Unicode's confusables.txt), plus the
// digit-for-letter swaps used in phishing hosts.
var confusables = map[rune]rune{
	'а': 'a', 'е': 'e', 'о': 'o', 'р': 'p', 'с': 'c', 'у': 'y', 'х': 'x', 'і': 'i', 'ј': 'j', 'ѕ': 's',
	'ԁ': 'd', 'һ': 'h', 'ӏ': 'l', 'ԛ': 'q', 'ԝ': 'w', 'к': 'k', 'м': 'm', 'т': 't', 'в': 'b', 'н': 'h',
	'А': 'a', 'В': 'b', 'Е': 'e', 'К': 'k', 'М': 'm', 'Н': 'h', 'О': 'o', 'Р': 'p', 'С': 'c', 'Т': 't', 'Х': 'x',
	'α': 'a', 'ο': 'o', 'ρ': 'p', 'ν': 'v', 'τ': 't', 'ι': 'i', 'κ': 'k', 'υ': 'u', 'χ': 'x', 'ε': 'e',
	'Α': 'a', 'Β': 'b', 'Ε': 'e', 'Ζ': 'z', 'Η': 'h', 'Ι': 'i', 'Κ': 'k', 'Μ': 'm', 'Ν': 'n', 'Ο': 'o', 'Ρ': 'p', 'Τ': 't', 'Υ': 'y', 'Χ': 'x',
	'0': 'o', '1': 'l', 'ı': 'i', 'ɡ': 'g', 'ⅼ': 'l',
}

// skeleton maps host to the Latin letters it looks like: lower case,
// confusables replaced, "rn" read as "m" and "vv" as "w".
func skeleton(host string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(host) {
		if c, ok := confusables[r]; ok {
			r = c
		}
		b.WriteRune(r)
	}
	s := strings.ReplaceAll(b.String(), "rn", "m")
	return strings.ReplaceAll(s, "vv", "w")
}

// unicodeHost decodes punycode labels for display and script checks.
func unicodeHost(host string) string {
	if u, err := idna.Display.ToUnicode(host); err == nil {
		return u
	}
	return host
}

// mixedScript returns the first label of host that mixes Latin letters with
// Cyrillic or Greek ones (RFC 5893 and ICANN's IDN guidelines forbid it
// within one label), "" when none does.
func mixedScript(host string) string {
	for _, label := range strings.Split(unicodeHost(host), ".") {
		var latin, other bool
		for _, r := range label {
			switch {
			case r < 0x80 && unicode.IsLetter(r):
				latin = true
			case unicode.Is(unicode.Cyrillic, r) || unicode.Is(unicode.Greek, r):
				other = true
			case unicode.Is(unicode.Latin, r):
				latin = true
			}
		}
		if latin && other {
			return label
		}
	}
	return ""
}

// nonASCII reports whether host, decoded, has any non-ASCII letter.
func nonASCII(host string) bool {
	for _, r := range unicodeHost(host) {
		if r >= 0x80 {
			return true
		}
	}
	return false
}
