package bounce

// This file finds the notice in a plain-text bounce and cuts it where the copy
// of the original message begins: the separator lines, the quoted header block
// and the summary of the original that MTAs write below their explanation.

import (
	"bytes"
	"html"
	"strings"
)

// noticeText joins the human-readable parts and cuts it where the copy of
// the original message begins. It returns the explanation and the quoted
// original (empty when none was found).
func noticeText(texts []*part) (notice string, quoted string) {
	var b strings.Builder
	hasPlain := false
	for _, p := range texts {
		if p.ctype == "text/plain" {
			hasPlain = true
		}
	}
	if len(texts) == 1 {
		t := texts[0].text()
		if texts[0].ctype == "text/html" {
			t = stripHTML(t)
		}
		return cutOriginal(t)
	}
	for _, p := range texts {
		if hasPlain && p.ctype != "text/plain" {
			continue
		}
		t := p.text()
		if p.ctype == "text/html" {
			t = stripHTML(t)
		}
		if b.Len() > 0 {
			b.WriteString("\n\n")
		}
		b.WriteString(t)
	}
	return cutOriginal(b.String())
}

// stripHTML reduces HTML to text lines: block ends become line breaks, tags
// go, entities are decoded.
func stripHTML(s string) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(s, '<')
		if i < 0 {
			b.WriteString(s)
			break
		}
		b.WriteString(s[:i])
		j := strings.IndexByte(s[i:], '>')
		if j < 0 {
			break
		}
		tag := strings.ToLower(s[i+1 : i+min(j, 8)])
		if strings.HasPrefix(tag, "br") || strings.HasPrefix(tag, "/p") || strings.HasPrefix(tag, "/div") ||
			strings.HasPrefix(tag, "/tr") || strings.HasPrefix(tag, "p") && (len(tag) == 1 || tag[1] == ' ') ||
			strings.HasPrefix(tag, "/h") || strings.HasPrefix(tag, "/li") || strings.HasPrefix(tag, "/table") {
			b.WriteByte('\n')
		} else if strings.HasPrefix(tag, "/td") {
			b.WriteByte(' ')
		}
		s = s[i+j+1:]
	}
	return html.UnescapeString(b.String())
}

// cutOriginal finds where a text bounce starts quoting the original message:
// a separator line naming it ("--- Below this line is a copy of the
// message.", "------ This is a copy of the message, including all the
// headers. ------", "Original message follows.", ...) or, failing that, the
// first run of three header lines.
func cutOriginal(s string) (notice, quoted string) {
	pos := 0
	run, runStart, machine := 0, -1, false
	prev := ""
	for pos < len(s) {
		end := strings.IndexByte(s[pos:], '\n')
		next := len(s)
		line := s[pos:]
		if end >= 0 {
			line = s[pos : pos+end]
			next = pos + end + 1
		}
		if isOriginalMarker(line) {
			return s[:pos], s[next:]
		}
		switch {
		case run == 0 && isBoundaryLine(prev) && hasPrefixFold(line, "content-"):
			// The header of a MIME part in a body whose own header lost
			// its Content-Type (RFC 2046 §5.1.1: "--boundary" then the
			// part's fields), not a returned message: the part is read
			// as text on.
		case isHeaderLine(line) && (run > 0 || isOriginalHeaderStart(line)):
			if run == 0 {
				runStart, machine = pos, false
			}
			run++
			machine = machine || !isSummaryField(line)
		case run > 0 && line != "" && (line[0] == ' ' || line[0] == '\t'):
			// continuation line inside the run
		default:
			run = 0
		}
		// A returned header has fields only software writes (Received,
		// Message-ID, MIME-Version, ...); a run of To/Cc/Date/Subject alone
		// is the notice summarising the message (Exchange, IMail).
		if run >= 3 && machine {
			return s[:runStart], s[runStart:]
		}
		prev = line
		pos = next
	}
	return s, ""
}

// isBoundaryLine reports whether line is a MIME boundary delimiter (RFC
// 2046 §5.1.1): "--" and a boundary of 1 to 70 characters without spaces
// at the ends.
func isBoundaryLine(line string) bool {
	line = strings.TrimRight(line, " \t")
	return len(line) > 2 && len(line) <= 72 && line[0] == '-' && line[1] == '-' && line[2] != ' ' && line[2] != '-' &&
		!strings.ContainsAny(line, " \t")
}

// isHeaderLine reports whether line looks like "Name: value".
func isHeaderLine(line string) bool {
	i := strings.IndexByte(line, ':')
	if i <= 0 || i > 60 {
		return false
	}
	for k := 0; k < i; k++ {
		c := line[k]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// isSummaryField reports whether a header line is one of the fields a
// notice quotes to describe the message: From, To, Cc, Bcc, Date, Sent,
// Subject.
func isSummaryField(line string) bool {
	n := strings.TrimSpace(line[:strings.IndexByte(line, ':')])
	for _, f := range [...]string{"from", "to", "cc", "bcc", "date", "sent", "subject"} {
		if len(f) == len(n) && strings.EqualFold(f, n) {
			return true
		}
	}
	return false
}

// isOriginalHeaderStart: the fields a returned message's header starts with
// (DSN fields such as Final-Recipient are not among them).
func isOriginalHeaderStart(line string) bool {
	n := line[:strings.IndexByte(line, ':')]
	for _, f := range [...]string{"return-path", "received", "from", "to", "subject", "date", "message-id", "dkim-signature",
		"mime-version", "delivered-to", "reply-to", "content-type", "authentication-results",
		"arc-seal", "arc-message-signature", "arc-authentication-results", "envelope-to", "sender",
		"domainkey-signature", "x-received", "x-google-smtp-source", "x-originating-ip", "x-envelope-from",
		"x-envelope-to", "cc", "in-reply-to", "references", "user-agent", "x-mailer", "thread-index",
		"received-spf", "x-ms-exchange-organization-authas"} {
		if len(f) == len(n) && strings.EqualFold(f, n) {
			return true
		}
	}
	return false
}

// isOriginalMarker reports whether line announces the copy of the original.
func isOriginalMarker(line string) bool {
	t := strings.TrimSpace(line)
	if len(t) < 8 || len(t) > 120 {
		return false
	}
	var buf [120]byte
	for i := 0; i < len(t); i++ {
		c := t[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[i] = c
	}
	l := buf[:len(t)]
	dashed := strings.IndexFunc(t, func(r rune) bool { return r != '-' && r != '=' && r != '*' && r != '_' && r != ' ' && r != '#' }) >= 2
	if dashed {
		for _, k := range [...]string{"original", "copy of", "unsent message", "returned message", "header", "undelivered message", "rejected message", "message text follows", "bounced e-mail"} {
			if bytes.Contains(l, []byte(k)) {
				return true
			}
		}
		return false
	}
	for _, k := range [...]string{
		"below this line is a copy of the message",
		"original message follows",
		"message headers follow",
		"below is a copy of the original message",
		"included is a copy of the message header",
		"original message:",
		"the header of the original message is following",
		"headers of the original message",
		"original message headers:",
		"the original message headers are included as attachment",
		"bounced e-mail:",
		"your original message follows",
		"here is a copy of the first part of the message",
		"the text you sent follows:",
		"------ original message",
		"this is a copy of the headers",
	} {
		if bytes.HasPrefix(l, []byte(k)) {
			return true
		}
	}
	return false
}
