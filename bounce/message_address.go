package bounce

// This file finds email addresses in free text and header values: the
// addr-spec shapes of RFC 5322 §3.4.1 as they appear in bounce notices,
// scanned in one pass without a full address parser.

import "strings"

// senderAddresses returns the addresses a bounce names that are not failed
// recipients: the bounce's own sender and recipient (the original sender)
// and the original's From.
func senderAddresses(rep *Report) map[string]bool {
	m := map[string]bool{}
	add := func(v string) {
		for _, a := range listAddresses(v) {
			m[strings.ToLower(a)] = true
		}
	}
	add(rep.Header.Get("From"))
	add(rep.Header.Get("To"))
	if rep.Original != nil {
		add(rep.Original.Header.Get("From"))
		add(rep.Original.Header.Get("Return-Path"))
		add(rep.Original.Header.Get("Sender"))
	}
	return m
}

// listAddresses returns the bare addresses of an address-list header value
// (RFC 5322 §3.4) in order. It scans for addr-specs rather than parsing the
// full grammar, which is both faster and kinder to the malformed lists
// bounces carry; an "@" inside a quoted display name is skipped.
func listAddresses(v string) []string {
	if v == "" {
		return nil
	}
	var out []string
	quotes := 0 // quotes seen before pos, counted once
	for pos := 0; pos < len(v); {
		a, s, e := findAddress(v, pos)
		if a == "" {
			break
		}
		quotes += strings.Count(v[pos:s], `"`)
		pos = e
		if quotes%2 == 1 {
			continue // inside a quoted display name
		}
		out = append(out, a)
	}
	return out
}

func isLocalChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		strings.IndexByte(".!#$%&'*+/=?^_`{|}~-%", c) >= 0
}

// isDomainChar: ASCII only, so that text written straight after an
// address in another script ("user@example.jp様") is not read as its domain.
func isDomainChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.'
}

// findAddress returns the first address at or after s[from:], with its
// bounds, or "" when there is none. It reads addr-spec shapes (RFC 5322
// §3.4.1) without quoted local parts.
func findAddress(s string, from int) (addr string, start, end int) {
	for from < len(s) {
		at := strings.IndexByte(s[from:], '@')
		if at < 0 {
			return "", 0, 0
		}
		at += from
		i := at
		for i > from && isLocalChar(s[i-1]) {
			i-- // never back into text already scanned
		}
		// Local parts do not start with quotes or dots.
		for i < at && (s[i] == '\'' || s[i] == '.' || s[i] == '=' && i+1 < at && s[i+1] == '?') {
			i++
		}
		j := at + 1
		for j < len(s) && isDomainChar(s[j]) {
			j++
		}
		for j > at+1 && (s[j-1] == '.' || s[j-1] == '-') {
			j--
		}
		if i < at && j > at+1 && strings.IndexByte(s[at+1:j], '.') > 0 {
			return s[i:j], i, j
		}
		from = at + 1
	}
	return "", 0, 0
}
