package bounce

// This file finds the reason given for one recipient of a plain-text bounce:
// the remote server's reply below or beside its address, the paragraph that
// explains it, or the first status code in the notice.

import (
	"strings"
)

// maxDiagnostic bounds the text collected for one recipient: ParseReply
// reads no more than MaxReplyLen of it, and a paragraph of megabytes under
// the last recipient must not be copied out whole.
const maxDiagnostic = MaxReplyLen

// gaveUpPhrases are the sentences with which a sending MTA says it stopped
// retrying a transient failure. qmail-send ends such a bounce with "I'm not
// going to try again; this message has been in the queue too long."; other
// MTAs word the queue lifetime "too long in the queue".
var gaveUpPhrases = [...]string{"not going to try again", "in the queue too long", "too long in the queue", "too long in queue"}

// SaysGaveUp reports whether text says the sending MTA gave up retrying: the
// words behind FlagGaveUp, which the DSN and text readers set on the
// replies of their records (ParseReply does not: a receiver's reply to a
// queue never says them, and the search would cost every reply). It
// ignores ASCII case and
// allocates nothing; most texts are ruled out by two fast searches for the
// words every phrase holds.
func SaysGaveUp(text string) bool {
	if !gaveUpAnchor(text, 'g') && !gaveUpAnchor(text, 'G') {
		return false
	}
	for _, w := range gaveUpPhrases {
		if indexFold(text, w) >= 0 {
			return true
		}
	}
	return false
}

// gaveUpAnchor reports whether text holds "too long" or "try again" (ASCII
// case ignored) with its 'g' written as g. Every gave-up phrase holds one of
// them, and strings.IndexByte finds the few g's of a reply without looking
// at each byte in Go code.
func gaveUpAnchor(text string, g byte) bool {
	for off := 0; ; {
		i := strings.IndexByte(text[off:], g)
		if i < 0 {
			return false
		}
		i += off
		if i >= 7 && strings.EqualFold(text[i-7:i+1], "too long") ||
			i >= 5 && i+4 <= len(text) && strings.EqualFold(text[i-5:i+4], "try again") {
			return true
		}
		off = i + 1
	}
}

// GaveUpPhrases returns the phrases SaysGaveUp looks for, lower-case, as a
// new slice: rules that match them as text (classify's
// "generic-queue-too-long") use the same words.
func GaveUpPhrases() []string { return append([]string(nil), gaveUpPhrases[:]...) }

// diagnosticFor collects the text a bounce gives for one recipient: the rest
// of its line and the paragraphs after it, up to and including the first
// paragraph that holds a reply code, never past the next recipient (end).
func diagnosticFor(lines []string, f textRcpt, end int) string {
	line := lines[f.line]
	rest := strings.TrimSpace(strings.TrimLeft(line[f.afterAddr:], ">\"':]) "))
	if i := indexReplyCode(line); i >= 0 && i < f.afterAddr && strings.HasPrefix(strings.TrimLeft(line[f.afterAddr:], ">"), "...") {
		// Sendmail's "550 <addr>... reason": the line is the reply.
		if t := sessionReplyAbove(lines, f.line, f.addr, line[f.afterAddr:]); t != "" {
			// The summary only restates (or, after a dropped
			// connection, hides) what the server said.
			return collapseSpace(t)
		}
		return collapseSpace(line[i:])
	}
	if hasPrefixFold(strings.TrimSpace(line[:f.start]), "RCPT TO:") {
		// An envelope summary ("Message details: ... RCPT TO: addr",
		// Apache James and Verizon's gateways) under the error it
		// explains: the reply is the paragraph above.
		if d := replyAbove(lines, f.line); d != "" {
			return d
		}
	}
	if indexReplyCode(rest) >= 0 {
		// The reply follows on the same line ("addr: 550 ...");
		// continuation lines of the same paragraph belong to it.
		var b strings.Builder
		b.WriteString(rest)
		for k := f.line + 1; k < end && strings.TrimSpace(lines[k]) != "" && b.Len() < maxDiagnostic; k++ {
			b.WriteByte(' ')
			b.WriteString(strings.TrimSpace(lines[k]))
		}
		return collapseSpace(b.String())
	}
	d := firstDiagnosticParagraph(lines, f.line+1, end)
	if d == "" && rest == "" && f.line > 0 && strings.HasSuffix(strings.TrimSpace(lines[f.line-1]), ":") {
		// The address alone under a list heading ("The following
		// recipients were affected:") with no reply below: the reply
		// stands above the list (MailMarshal: "Could not be delivered
		// because of / 550 5.1.1 User unknown / The following ...").
		if a := replyAbove(lines, f.line-1); a != "" {
			return a
		}
	}
	if d == "" {
		// No reply code anywhere: keep the recipient's own paragraph.
		// A line that only ends the sentence naming the recipient
		// ("... your mail to <addr>.") keeps that sentence and the
		// paragraph after it, where such notices put the reason.
		next := rest == ""
		if rest != "" && !hasAlnum(rest) {
			rest, next = strings.TrimSpace(line), true
		}
		var b strings.Builder
		b.WriteString(rest)
		k := f.line + 1
		for k < end && strings.TrimSpace(lines[k]) == "" && next {
			k++
		}
		for ; k < end && strings.TrimSpace(lines[k]) != "" && b.Len() < maxDiagnostic; k++ {
			b.WriteByte(' ')
			b.WriteString(strings.TrimSpace(lines[k]))
		}
		if strings.HasSuffix(strings.TrimSpace(b.String()), ":") {
			// "because:", "For the following reason:": the reason is
			// the next paragraph, which may name the recipient again.
			for k < len(lines) && strings.TrimSpace(lines[k]) == "" {
				k++
			}
			if k < end || k < len(lines) && containsFold(lines[k], f.addr) {
				for ; k < len(lines) && strings.TrimSpace(lines[k]) != "" && b.Len() < maxDiagnostic; k++ {
					b.WriteByte(' ')
					b.WriteString(strings.TrimSpace(lines[k]))
				}
			}
		}
		if d := collapseSpace(b.String()); hasAlnum(d) {
			return d
		}
		return reasonBefore(lines, f)
	}
	if rest != "" {
		return collapseSpace(rest + " " + d)
	}
	return d
}

// reasonBefore is the diagnostic of a recipient whose line and following
// lines give none: the words before the address on its line ("User mailbox
// exceeds allowed size: addr"), else the explanation just above the list
// ("Remote host is not responding. The following recipients did not receive
// this message:").
func reasonBefore(lines []string, f textRcpt) string {
	before := strings.Trim(lines[f.line][:f.start], " \t:-*><\"'")
	// A field label naming the address ("target mail address: addr",
	// "Recipient: addr") is no reason; the lines above hold it ("reject
	// reason: Mailbox full").
	label := strings.HasSuffix(strings.TrimSpace(lines[f.line][:f.start]), ":") &&
		(containsFold(before, "address") || containsFold(before, "recipient")) &&
		len(strings.Fields(before)) <= 3 // a label, not a sentence ("Did not reach the following recipient:")
	if len(before) > 8 && !label {
		return collapseSpace(before)
	}
	// Up to six lines above, stopping at one that names an address (it
	// belongs to someone else).
	from := f.line
	for k := f.line - 1; k >= 0 && k >= f.line-6; k-- {
		if strings.IndexByte(lines[k], '@') >= 0 {
			break
		}
		from = k
	}
	var b strings.Builder
	for _, l := range lines[from:f.line] {
		b.WriteString(strings.TrimSpace(l))
		b.WriteByte(' ')
	}
	return collapseSpace(b.String())
}

// firstExplanation returns the first paragraph of at least 40 bytes (the
// notice's explanation, past greetings), cut at 500 bytes.
func firstExplanation(lines []string) string {
	for k := 0; k < len(lines); {
		for k < len(lines) && strings.TrimSpace(lines[k]) == "" {
			k++
		}
		var b strings.Builder
		for ; k < len(lines) && strings.TrimSpace(lines[k]) != "" && b.Len() < maxDiagnostic; k++ {
			b.WriteString(strings.TrimSpace(lines[k]))
			b.WriteByte(' ')
		}
		if p := collapseSpace(b.String()); len(p) >= 40 {
			if len(p) > 500 {
				p = strings.ToValidUTF8(p[:500], "")
			}
			return p
		}
	}
	return ""
}

// firstDiagnosticParagraph returns the text from lines[from] up to the end
// of the first paragraph holding a failure reply (4xx or 5xx; any reply
// code when there is none), or "" when no line has a code. In a session
// transcript ("Out: 250 2.1.5 Ok") the failing reply is the one wanted.
func firstDiagnosticParagraph(lines []string, from, end int) string {
	start := from
	for start < end && strings.TrimSpace(lines[start]) == "" {
		start++
	}
	k := -1
	for pass := 0; pass < 2 && k < 0; pass++ {
		for i := start; i < end; i++ {
			j := indexReplyCode(lines[i])
			if j >= 0 && (pass == 1 || lines[i][j] != '2') {
				k = i
				break
			}
		}
	}
	if k < 0 {
		return ""
	}
	stop := k
	for stop < end && strings.TrimSpace(lines[stop]) != "" {
		stop++
	}
	// Keep the lead-in of the paragraph ("host X said:", "The error that
	// the other server returned was:") unless it holds other replies.
	para := k
	for para > start && strings.TrimSpace(lines[para-1]) != "" && indexReplyCode(lines[para-1]) < 0 {
		para--
	}
	if para > start && strings.TrimSpace(lines[para-1]) != "" {
		para = k
	}
	var b strings.Builder
	for _, l := range lines[para:stop] {
		if b.Len() >= maxDiagnostic {
			break
		}
		b.WriteString(strings.TrimSpace(l))
		b.WriteByte(' ')
	}
	return collapseSpace(b.String())
}

func collapseSpace(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// inVersion reports whether the dotted number at s[i:] is a product version,
// not a status code: it follows "version", "release", "build" ("MDaemon
// version 5.0.5", "Exchange Server release 4.0.2") or stands on a software
// header line ("X-Mailer: ... 5.0.2"), as notices quote them.
func inVersion(s string, i int) bool {
	// Only the 80 bytes before the number matter; the bound keeps a long
	// line of many candidates linear.
	from := max(i-80, 0)
	ls := from + strings.LastIndexByte(s[from:i], '\n') + 1
	line := strings.ToLower(strings.TrimSpace(s[ls:i]))
	for _, h := range [...]string{"x-mailer:", "user-agent:", "x-mimeole:", "x-powered-by:", "server:", "x-version:"} {
		if strings.HasPrefix(line, h) {
			return true
		}
	}
	w := strings.TrimRight(line, " \t:.-")
	if k := strings.LastIndexAny(w, " \t(["); k >= 0 {
		w = w[k+1:]
	}
	switch w {
	case "version", "ver", "release", "build", "rev", "revision", "v":
		return true
	}
	return false
}

// onlyInVersion reports whether every place text writes st is a product
// version (inVersion).
func onlyInVersion(text string, st Status) bool {
	var buf [16]byte
	code := string(st.appendTo(buf[:0]))
	found := false
	for off := 0; off < len(text); {
		i := strings.Index(text[off:], code)
		if i < 0 {
			break
		}
		i += off
		if !inVersion(text, i) {
			return false
		}
		found = true
		off = i + len(code)
	}
	return found
}

// firstStatus returns the first enhanced status code standing as a word in
// s, including qmail's "(#5.1.1)" form.
func firstStatus(s string) Status {
	for i := 0; i+5 <= len(s); i++ {
		c := s[i]
		if c != '2' && c != '4' && c != '5' {
			continue
		}
		if i > 0 {
			p := s[i-1]
			if p >= '0' && p <= '9' || p == '.' || p >= 'a' && p <= 'z' || p >= 'A' && p <= 'Z' {
				continue
			}
		}
		st, n := scanStatus(s[i:])
		if n == 0 || inVersion(s, i) {
			continue
		}
		if i+n < len(s) && (s[i+n] >= '0' && s[i+n] <= '9' || s[i+n] == '.' && i+n+1 < len(s) && s[i+n+1] >= '0' && s[i+n+1] <= '9') {
			continue
		}
		return st
	}
	return Status{}
}

// maxAutoReplyText bounds the text an auto-reply record keeps.
const maxAutoReplyText = 1 << 10

// autoReplyText gives the records of an automatic reply (RFC 3834) the
// reply's first paragraph as their Diagnostic, so that what it says ("this
// address is no longer in use", "... is not a valid user") can be read.
func autoReplyText(rep *Report, notice string) {
	d := firstExplanation(strings.Split(notice[:min(len(notice), 8<<10)], "\n"))
	if len(d) > maxAutoReplyText {
		i := maxAutoReplyText
		for i > 0 && d[i]&0xC0 == 0x80 {
			i-- // do not cut a UTF-8 sequence
		}
		d = d[:i]
	}
	for i := range rep.Records {
		r := &rep.Records[i]
		r.Source = SourceAutoReply // the replier's From (readAutoReply)
		if r.Diagnostic == "" && d != "" {
			r.Diagnostic = d
			r.Reply, _ = ParseReply(d)
		}
	}
}
