package bounce

// This file holds the text reader's rules for where a recipient comes from
// beyond its own line: a bounce that names nobody, a bounce of a bounce,
// X.400 attributes, Postfix's expanded aliases, a reason given where the
// recipient is named again, and addresses inside another recipient's reply.

import (
	"strings"
)

// readUnnamedBounce gives a bounce whose readers found no recipient one
// record with an empty Recipient and SourceNotFound, holding the reason the
// notice gives, so that a recognised bounce is never silently dropped.
func readUnnamedBounce(rep *Report, notice string) {
	lines := strings.Split(notice, "\n")
	diag := firstDiagnosticParagraph(lines, 0, len(lines))
	if diag == "" {
		diag = firstExplanation(lines)
	}
	r := textRecord("", diag)
	r.Source = SourceNotFound
	rep.Records = append(rep.Records, r)
	markDelays(rep, notice)
}

// readBounceOfBounce reads a notice that could not deliver a bounce (inner
// is the returned bounce's header): the address that failed is the one the
// returned bounce was sent to, its To, and the reason is the outer notice's;
// the returned bounce's own recipients failed earlier and are not this
// notice's news.
func readBounceOfBounce(rep *Report, inner Header, notice string) {
	to := listAddresses(inner.Get("To"))
	readUnnamedBounce(rep, notice)
	if len(to) == 1 {
		r := &rep.Records[len(rep.Records)-1]
		r.Recipient, r.Source, r.SourceText = to[0], SourceOriginalTo, sourceText(inner.Get("To"))
	}
}

// trimDDA strips the "SMTP=" of an X.400 domain-defined attribute naming an
// Internet address, as Exchange 5.5 and other X.400 gateways write a
// recipient: "c=US;a= ;p=Example;o=Site;dda:SMTP=bob@example.net;" (RFC 2156
// §4.2 maps RFC 822 addresses to X.400 through such attributes). "=" is a
// valid local-part character, so the address reader keeps it.
func trimDDA(line, a string, s int) (string, int) {
	if len(a) > 5 && hasPrefixFold(a, "smtp=") && s > 0 && line[s-1] == ':' {
		return a[5:], s + 5
	}
	return a, s
}

// expandedFrom returns the address in Postfix's "<final@x> (expanded from
// <alias@y>): ..." (bounce(8) names the address the sender used when an
// alias or a forward changed it), or "".
func expandedFrom(rest string) string {
	rest = strings.TrimLeft(rest, ">\" \t")
	if !hasPrefixFold(rest, "(expanded from") {
		return ""
	}
	end := strings.IndexByte(rest, ')')
	if end < 0 {
		return ""
	}
	a, _, _ := findAddress(rest[:end], 0)
	return a
}

// maxLaterMentions bounds how many recipients laterReply looks for, so that
// a notice of thousands of recipients stays linear.
const maxLaterMentions = 32

// maxLaterTries bounds the later mentions of one recipient laterReply reads.
const maxLaterTries = 4

// laterReply returns the reason given where found[i] is named again further
// down, when its first mention gave one without a reply code: Exchange and
// Office 365 name each recipient in the user's section with a sentence, then
// again under "Diagnostic information for administrators" with "Remote
// Server returned '550 5.7.129 ...'". It returns diag when no later mention
// carries a code.
func laterReply(lines []string, found []textRcpt, i int, diag string) string {
	if hasReplyCode(diag) {
		return diag
	}
	f := found[i]
	// The whole rest of the notice: the administrators' section names
	// each recipient in turn, after every first mention. At most
	// maxLaterTries mentions are read, so a notice naming one address on
	// every line stays linear.
	tries := 0
	for k := f.line + 1; k < len(lines) && tries < maxLaterTries; k++ {
		a, s, e := findAddress(lines[k], 0)
		for a != "" && !strings.EqualFold(a, f.addr) {
			a, s, e = findAddress(lines[k], e)
		}
		if a == "" {
			continue
		}
		tries++
		stop := len(lines)
		for j := i + 1; j < len(found); j++ {
			if found[j].line > k {
				stop = found[j].line
				break
			}
		}
		// Up to the next line naming an address, at most.
		for j := k + 1; j < stop && j < k+10; j++ {
			if x, _, _ := findAddress(lines[j], 0); x != "" {
				stop = j
				break
			}
		}
		d := diagnosticFor(lines, textRcpt{addr: a, line: k, start: s, afterAddr: e}, min(stop, k+10))
		if hasReplyCode(d) {
			return d
		}
	}
	return diag
}

// hasReplyCode reports whether a diagnostic text holds an SMTP reply with a
// basic reply code (an enhanced code alone, as in "see DSN 5.7.129", is a
// pointer to documentation, not the server's answer).
func hasReplyCode(diag string) bool {
	if diag == "" {
		return false
	}
	r := parseDiagnostic(diag, diag)
	return r.Code != 0
}

// inWrappedReply reports whether the address at lines[li][s:] stands on an
// indented continuation line of a reply that the line above started ("...
// said: 550 5.1.1" then "    <sender@y>: unauthorized sender"): Postfix
// wraps a remote reply that way.
func inWrappedReply(lines []string, li, s int) bool {
	line := lines[li]
	if li == 0 || line == "" || line[0] != ' ' && line[0] != '\t' || strings.TrimSpace(line[:s]) != "" && strings.TrimSpace(line[:s]) != "<" {
		return false
	}
	prev := strings.TrimSpace(lines[li-1])
	return prev != "" && (indexReplyCode(prev) >= 0 || strings.HasSuffix(prev, "said:"))
}

// inQuotedHeader reports whether lines[li] is a header field quoted with
// "> " (RFC 3676 §4.5 quoting) next to another such field, one of them a
// field only a message header has (Subject, Date, From, Message-ID,
// Received): the original's header as a reply or a forwarding notice
// quotes it. MDaemon's "> addr" recipient lines are not fields.
func inQuotedHeader(lines []string, li int) bool {
	field := func(k int) (name string, ok bool) {
		if k < 0 || k >= len(lines) {
			return "", false
		}
		l := strings.TrimLeft(lines[k], " \t")
		if !strings.HasPrefix(l, ">") {
			return "", false
		}
		l = strings.TrimLeft(l, "> \t")
		if !isHeaderLine(l) {
			return "", false
		}
		return strings.ToLower(l[:strings.IndexByte(l, ':')]), true
	}
	name, ok := field(li)
	if !ok {
		return false
	}
	headerOnly := func(n string) bool {
		switch n {
		case "subject", "date", "from", "message-id", "received", "return-path", "sent":
			return true
		}
		return false
	}
	for _, k := range [...]int{li - 2, li - 1, li + 1, li + 2} {
		if n, ok := field(k); ok && (headerOnly(n) || headerOnly(name)) {
			return true
		}
	}
	return false
}
