package bounce

// This file finds the basic reply code (RFC 5321 §4.2) and the enhanced status
// code (RFC 3463 §2) in a reply's text, and joins the lines of a multi-line
// reply (RFC 5321 §4.2.1).

import (
	"strings"
)

// findBasicCode returns the index of the first RFC 5321 basic reply code in s
// (three digits, the first 2-5, standing alone as a word, followed by a space,
// a hyphen or the end) and the byte after it, or -1. Addresses in angle
// brackets are skipped, so "<550@example.com>" is not a code.
//
// It runs in linear time: the end of the address after a '<' (the next '>'
// or space) is found once and reused for every '<' before it, so a run of
// '<' without a '>' is not searched to the end once per '<'.
func findBasicCode(s string) (int, byte) {
	stop := -1 // index of the next '>' or ' ' at or after i; len(s) when none
	for i := 0; i+3 <= len(s); i++ {
		c := s[i]
		if c == '<' {
			// Skip an address, which holds no spaces; "< #5.0.0 smtp; 550 ...>" is not one.
			if stop < i {
				stop = len(s)
				if j := strings.IndexAny(s[i:], "> "); j >= 0 {
					stop = i + j
				}
			}
			if stop < len(s) && stop > i && s[stop] == '>' {
				i = stop
				continue
			}
		}
		if c < '2' || c > '5' || !isDigit(s[i+1]) || !isDigit(s[i+2]) {
			continue
		}
		if i > 0 && !isCodeBoundary(s[i-1]) {
			continue
		}
		if c <= '3' && i > 0 && s[i-1] != '\'' && s[i-1] != '"' && s[i-1] != '#' {
			// A 2xx or 3xx reply stands at the start (or in quotes); inside
			// free text a number such as "Size (in bytes): 222" is not one.
			continue
		}
		if i+3 == len(s) {
			return i, 0
		}
		switch n := s[i+3]; n {
		case ' ', '-', '\t', '\r', '\n':
			if n == '-' && i+4 < len(s) && isDigit(s[i+4]) && !statusAt(s, i+4) {
				continue // "550-123" is not a reply line; "550-5.7.1" is.
			}
			return i, n
		}
	}
	return -1, 0
}

func statusAt(s string, i int) bool {
	_, n := scanStatus(s[i:])
	return n > 0
}

// findStatus returns the first enhanced status code in s at or after from that
// stands alone (preceded by a word boundary and followed by one), or -1.
func findStatus(s string, from int) (int, Status, int) {
	for i := from; i+5 <= len(s); i++ {
		c := s[i]
		if (c != '2' && c != '4' && c != '5') || s[i+1] != '.' {
			continue
		}
		if i > 0 && !isStatusBoundary(s[i-1]) {
			continue
		}
		if st, n := scanStatus(s[i:]); n > 0 && statusEnds(s, i+n) && !versionBefore(s, i) {
			return i, st, n
		}
	}
	return -1, Status{}, 0
}

// versionBefore reports whether the word before s[i:] names a product
// version ("MDaemon version 5.0.5", "release 4.0.2", "v5.0.1"): such a
// dotted number is not an RFC 3463 status. It allocates nothing.
func versionBefore(s string, i int) bool {
	j := i
	if j > 0 && (s[j-1] == 'v' || s[j-1] == 'V') && (j == 1 || !isAlpha(s[j-2])) {
		return true // "v5.0.1"
	}
	for j > 0 && (s[j-1] == ' ' || s[j-1] == '\t' || s[j-1] == ':') {
		j--
	}
	k := j
	for k > 0 && isAlpha(s[k-1]) {
		k--
	}
	switch w := s[k:j]; {
	case len(w) < 3 || len(w) > 8:
		return false
	default:
		for _, v := range [...]string{"version", "ver", "release", "build", "rev", "revision"} {
			if strings.EqualFold(w, v) {
				return true
			}
		}
	}
	return false
}

// statusEnds reports whether a status code ending at s[n] stands alone.
func statusEnds(s string, n int) bool {
	if n >= len(s) {
		return true
	}
	switch s[n] {
	case ' ', '\t', '\r', '\n', ')', ']', ';', ',', '>', '\'', '"', ':':
		return true
	case '.':
		return n+1 == len(s) || s[n+1] == ' '
	case '-':
		return n+1 < len(s) && s[n+1] == ' '
	}
	return false
}

func isCodeBoundary(c byte) bool {
	switch c {
	case ' ', '\t', '\r', '\n', '\'', '"', ':', ';', '(', '#', '>', '[', '=':
		return true
	}
	return false
}

func isStatusBoundary(c byte) bool {
	return isCodeBoundary(c) || c == '-' || c == ','
}

// trimSep skips the separators between a code and what follows.
func trimSep(s string) string {
	i := 0
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '-' || s[i] == '\r' || s[i] == '\n') {
		if s[i] == '-' && i+1 < len(s) && s[i+1] != ' ' && s[i+1] != '\t' && i > 0 {
			break
		}
		i++
	}
	return s[i:]
}

// joinContinuation joins a multi-line reply's text into one line: the line
// breaks become single spaces and the repeated "550-5.7.26 " / "550 5.7.26 "
// prefixes (RFC 5321 §4.2.1), also in the joined one-line form, are removed.
// It returns t itself (no allocation) when there is nothing to remove;
// mixed reports a line that starts with another reply code.
func joinContinuation(t, code, status string) (joined string, mixed bool) {
	if code == "" {
		return joinLines(t), false
	}
	if !strings.Contains(t, code) && !strings.ContainsAny(t, "\r\n") {
		return t, false
	}
	var b strings.Builder
	b.Grow(len(t))
	for i := 0; i < len(t); {
		c := t[i]
		if c == '\r' || c == '\n' {
			for i < len(t) && (t[i] == '\r' || t[i] == '\n' || t[i] == ' ' || t[i] == '\t') {
				i++
			}
			// A line that starts with another reply code (RFC 5321
			// §4.2.1 wants the same code on every line).
			if i+3 < len(t) && isDigit(t[i]) && isDigit(t[i+1]) && isDigit(t[i+2]) && (t[i+3] == '-' || t[i+3] == ' ') && t[i:i+3] != code {
				mixed = true
			}
			writeSpace(&b)
			continue
		}
		if (i == 0 || t[i-1] == ' ' || t[i-1] == '\n' || t[i-1] == '\t') && strings.HasPrefix(t[i:], code) &&
			i+3 < len(t) && (t[i+3] == '-' || t[i+3] == ' ') {
			j := i + 4
			if status != "" && strings.HasPrefix(t[j:], status) {
				j += len(status)
			}
			for j < len(t) && (t[j] == ' ' || t[j] == '\t') {
				j++
			}
			writeSpace(&b)
			i = j
			continue
		}
		b.WriteByte(c)
		i++
	}
	return strings.TrimSpace(b.String()), mixed
}

// joinLines replaces line breaks (and the indentation after them) with one space.
func joinLines(t string) string {
	if !strings.ContainsAny(t, "\r\n") {
		return t
	}
	var b strings.Builder
	b.Grow(len(t))
	for i := 0; i < len(t); {
		if t[i] == '\r' || t[i] == '\n' {
			for i < len(t) && (t[i] == '\r' || t[i] == '\n' || t[i] == ' ' || t[i] == '\t') {
				i++
			}
			writeSpace(&b)
			continue
		}
		b.WriteByte(t[i])
		i++
	}
	return strings.TrimSpace(b.String())
}

func writeSpace(b *strings.Builder) {
	if s := b.String(); len(s) > 0 && s[len(s)-1] != ' ' {
		b.WriteByte(' ')
	}
}
