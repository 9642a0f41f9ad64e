package bounce

// This file finds the addresses a text names in one pass, so that the
// readers which look up each recipient of a notice in its text ("the
// paragraph naming addr", "is addr named again below?") index the text once
// instead of searching it once per recipient, which is quadratic in a notice
// naming thousands of recipients.

import (
	"strings"

	"github.com/bouncekit/bouncekit/internal/ascii"
)

// mentions maps each address a text names (lower case) to the byte offsets,
// or line numbers, of its first and last mention.
type mentions map[string][2]int

// indexMentions indexes the addresses of text by byte offset.
func indexMentions(text string) mentions {
	m := mentions{}
	eachAddressAt(text, func(a string, at int) { m.add(a, at) })
	return m
}

// indexLineMentions indexes the addresses of lines by line number.
func indexLineMentions(lines []string) mentions {
	m := mentions{}
	for li, l := range lines {
		eachAddressAt(l, func(a string, _ int) { m.add(a, li) })
	}
	return m
}

func (m mentions) add(a string, at int) {
	if v, ok := m[a]; ok {
		m[a] = [2]int{v[0], at}
		return
	}
	m[a] = [2]int{at, at}
}

// first returns where addr is first named, or -1.
func (m mentions) first(addr string) int {
	if v, ok := m[ascii.Lower(addr)]; ok {
		return v[0]
	}
	return -1
}

// last returns where addr is last named, or -1.
func (m mentions) last(addr string) int {
	if v, ok := m[ascii.Lower(addr)]; ok {
		return v[1]
	}
	return -1
}

// eachAddress calls f with every address written in s, lower case.
func eachAddress(s string, f func(string)) {
	eachAddressAt(s, func(a string, _ int) { f(a) })
}

// eachAddressAt calls f with every address written in s, lower case, and
// its offset: each word holding an '@' (words end at white space, brackets,
// quotes, commas, semicolons and colons), without the dots and single quotes
// around it. One pass, whatever the number of '@'.
func eachAddressAt(s string, f func(string, int)) {
	for i := 0; i < len(s); {
		for i < len(s) && isAddrStop(s[i]) {
			i++
		}
		j, at := i, false
		for j < len(s) && !isAddrStop(s[j]) {
			at = at || s[j] == '@'
			j++
		}
		if at {
			w := s[i:j]
			k := len(w)
			w = strings.TrimLeft(w, ".'")
			off := i + k - len(w)
			if w = strings.TrimRight(w, ".'"); strings.IndexByte(w, '@') > 0 && w[len(w)-1] != '@' {
				f(ascii.Lower(w), off)
			}
		}
		i = j
	}
}

func isAddrStop(c byte) bool {
	switch c {
	case ' ', '\t', '\r', '\n', '<', '>', '(', ')', '[', ']', '"', ',', ';', ':':
		return true
	}
	return false
}
