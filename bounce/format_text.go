package bounce

// This file reads the plain-text bounce formats that most MTAs send instead
// of (or beside) an RFC 3464 report: Postfix, Sendmail, Exim, qmail, dma,
// OpenSMTPD, Gmail, Yahoo, Exchange 2003, Notes, and the many that copy one
// of them. They share one shape: an explanation, then for each failed
// recipient its address on a line of its own (or after "to", "recipient",
// "address" ...) followed by the remote server's reply, then a copy of the
// original message after a separator line. The reader follows that shape
// rather than any vendor's exact wording.

import (
	"strings"
)

// textRcpt is a recipient found in bounce text.
type textRcpt struct {
	addr      string
	line      int // line index of first mention
	start     int // byte offset in that line of the address
	afterAddr int // byte offset in that line just after the address
}

// readTextBounce reads the recipients of a plain-text bounce from notice,
// at most st's MaxRecords of them (st nil: the default Limits), and marks
// them delayed when the notice is a delay warning.
func readTextBounce(st *mimeState, rep *Report, notice string) {
	if st == nil {
		st = &mimeState{lim: Limits{}.withDefaults()}
	}
	readTextRecipients(st, rep, notice)
	markDelays(rep, notice)
}

// readTextRecipients reads the recipients of a plain-text notice.
func readTextRecipients(st *mimeState, rep *Report, notice string) {
	if rep.Kind == KindNone {
		rep.Kind = KindBounce
	}
	// An RFC 3464 report pasted into the text (Amazon WorkMail, some
	// gateways) is read as one.
	if i := indexDSNFields(notice); i >= 0 {
		var tmp Report
		readDSN(st, &tmp, []byte(notice[i:]))
		if len(tmp.Records) > 0 {
			rep.Records = append(rep.Records, tmp.Records...)
			rep.Fields = append(rep.Fields, tmp.Fields...)
			if rep.ReportingMTA == "" {
				rep.ReportingMTA = tmp.ReportingMTA
			}
			fillFromText(st, rep, notice[:i])
			return
		}
	}
	exclude := senderAddresses(rep)
	lines := strings.Split(notice, "\n")
	var found, self []textRcpt
	seen := map[string]bool{}
	var named mentions // the line each address is last named on, indexed once
lines:
	for li, line := range lines {
		for pos := 0; pos < len(line); {
			a, s, e := findAddress(line, pos)
			if a == "" {
				break
			}
			pos = e
			a, s = trimDDA(line, a, s)
			key := strings.ToLower(a)
			if seen[key] {
				continue
			}
			if inMessageSummary(lines, li, s) && laterMention(lines, li, a, &named) {
				// "Your message / To: addr / Subject: ... / Sent: ..."
				// (Exchange 2003): a summary of the original message;
				// the recipient's failure is where it is named again.
				continue
			}
			alone, ok := recipientPosition(line, s, e)
			if ok && alone && li > 0 && namesSender(lines[:li]) {
				continue
			}
			if ok && inQuotedHeader(lines, li) {
				// "> To: team@lists.example.org" in a block of "> "
				// quoted header fields: the original's header, quoted
				// by a notice the cut did not catch.
				continue
			}
			if ok && !alone && len(found) > 0 && inWrappedReply(lines, li, s) {
				// "<bob@x>: host H said: 550 5.1.1\n    <sender@y>:
				// unauthorized sender": an address inside the previous
				// recipient's wrapped reply is part of that reply.
				continue
			}
			// The sender's own address is named too ("from x", "MAIL
			// FROM:<x>", "To: x" in a summary); it is a recipient only
			// when it stands alone, as when someone wrote to himself, or
			// when no other address stands where recipients stand (a
			// test sent to oneself is a bounce like any other).
			if !ok {
				continue
			}
			if exclude[key] && !alone {
				if len(self) == 0 {
					self = append(self, textRcpt{addr: a, line: li, start: s, afterAddr: e})
				}
				continue
			}
			if st.full(len(found)) {
				break lines
			}
			seen[key] = true
			found = append(found, textRcpt{addr: a, line: li, start: s, afterAddr: e})
		}
	}
	// Exim and Gmail list the failed recipients in X-Failed-Recipients;
	// when present it decides who failed, the text only gives reasons.
	var failed []string
	for _, v := range rep.Header.Values("X-Failed-Recipients") {
		failed = append(failed, listAddresses(v)...)
	}
	if len(failed) > 0 && len(found) > 0 {
		// A set, so that a header and a text naming thousands of
		// recipients are not compared pairwise.
		isFailed := make(map[string]bool, len(failed))
		for _, a := range failed {
			isFailed[strings.ToLower(a)] = true
		}
		var keep []textRcpt
		for _, f := range found {
			if isFailed[strings.ToLower(f.addr)] {
				keep = append(keep, f)
			}
		}
		if len(keep) > 0 {
			found = keep
		} else {
			found = nil
		}
	}
	if len(found) == 0 && len(self) > 0 && len(failed) == 0 {
		found = self
	}
	if len(found) == 0 {
		// Fall back to the header Exim adds, then to the original's
		// single recipient (Google Groups, Verizon and others name the
		// recipient nowhere else).
		var addrs []string
		src, srcText := SourceFailedRecipients, ""
		for _, v := range rep.Header.Values("X-Failed-Recipients") {
			addrs = append(addrs, listAddresses(v)...)
			srcText = v
		}
		// The original's To names who it was addressed to, not who
		// failed: a discussion list's message (List-Id, RFC 2919;
		// List-Post, RFC 2369) is addressed to the list, so only a single
		// To of a message that was not posted to a list is taken, and
		// only when the notice names nobody. (Campaign mail carries
		// List-Unsubscribe and Precedence: bulk but is addressed to its
		// one recipient.)
		if len(addrs) == 0 && rep.Original != nil && !isBounceSender(rep.Original.Header) &&
			!rep.Original.Header.Has("List-Id") && !rep.Original.Header.Has("List-Post") {
			if to := listAddresses(rep.Original.Header.Get("To")); len(to) == 1 {
				addrs, src, srcText = to, SourceOriginalTo, rep.Original.Header.Get("To")
			}
		}
		diag := firstDiagnosticParagraph(lines, 0, len(lines))
		if diag == "" {
			diag = firstExplanation(lines)
		}
		for _, a := range addrs {
			if exclude[strings.ToLower(a)] {
				continue
			}
			if st.full(len(rep.Records)) {
				break
			}
			r := textRecord(a, diag)
			r.Source, r.SourceText = src, sourceText(srcText)
			rep.Records = append(rep.Records, r)
		}
		return
	}
	for i, f := range found {
		end := len(lines)
		if i+1 < len(found) {
			end = found[i+1].line
			if end == f.line {
				end = f.line + 1
			}
		}
		diag := diagnosticFor(lines, f, end)
		if i < maxLaterMentions {
			diag = laterReply(lines, found, i, diag)
		}
		r := textRecord(f.addr, diag)
		r.Source, r.SourceText = SourceText, sourceText(lines[f.line])
		r.OriginalRecipient = expandedFrom(lines[f.line][f.afterAddr:])
		rep.Records = append(rep.Records, r)
	}
}

func textRecord(addr, diag string) Record {
	r := Record{Recipient: addr, Diagnostic: diag}
	if diag != "" {
		r.Reply = parseDiagnostic(diag, diag)
		if r.Reply.Code == 0 && r.Reply.Status.IsValid() && onlyInVersion(diag, r.Reply.Status) {
			// "Generated by MDaemon version 5.0.5": a product's version,
			// not the server's status.
			r.Reply.Status = Status{}
		}
		if !r.Reply.Status.IsValid() {
			r.Status = firstStatus(diag)
		}
		if r.Action == ActionNone {
			r.Action = ActionFailed
			if (r.Reply.Transient() || r.Status.Transient()) && !r.Reply.Flags.Has(FlagGaveUp) {
				r.Action = ActionDelayed
			}
		}
	} else {
		r.Action = ActionFailed
	}
	return r
}

// sessionReplyAbove returns the remote server's own reply behind a
// Sendmail summary line for addr whose reason carries no reply code of its
// own ("554 <addr>... Remote protocol error", "... Service unavailable"):
// the nearest "<<< " reply above in the same transcript paragraph that
// belongs to addr, with the ">>> " command it answered, as "... while
// talking to H: >>> CMD <<< 501 ...". A reply belongs to addr when it
// answered a command for the whole session (MAIL, DATA, the greeting) or a
// RCPT naming addr; a reply to another recipient's RCPT, or one with no
// command above it that does not name addr, is passed over (pipelined
// transcripts list several). It returns "" when the reason has a code
// ("... 550 Host unknown"), when no failure reply belongs to addr, or when
// the one that does was a success.
func sessionReplyAbove(lines []string, line int, addr, reason string) string {
	reason = strings.TrimLeft(reason, ">.: \t")
	if indexReplyCode(reason) >= 0 {
		return ""
	}
	for k := line - 1; k >= 0 && k >= line-20; k-- {
		l := strings.TrimSpace(lines[k])
		if l == "" || hasPrefixFold(l, "while talking to") {
			return ""
		}
		if !strings.HasPrefix(l, "<<< ") {
			continue
		}
		from := k
		for from > 0 && strings.HasPrefix(strings.TrimSpace(lines[from-1]), "<<< ") {
			from-- // a multi-line reply
		}
		cmd := ""
		if from > 0 && strings.HasPrefix(strings.TrimSpace(lines[from-1]), ">>> ") {
			cmd = strings.TrimSpace(lines[from-1])
		}
		mine := containsFold(strings.Join(lines[from:k+1], " "), addr)
		if cmd != "" {
			mine = !hasPrefixFold(strings.TrimSpace(cmd[4:]), "RCPT") || containsFold(cmd, addr)
		}
		if !mine {
			k = from // another recipient's reply: look above it
			continue
		}
		if j := indexReplyCode(l); j < 0 || l[j] != '4' && l[j] != '5' {
			return ""
		}
		if cmd != "" {
			from--
		}
		if from > 0 && hasPrefixFold(strings.TrimSpace(lines[from-1]), "while talking to") {
			from--
		}
		var b strings.Builder
		for _, l := range lines[from : k+1] {
			b.WriteString(strings.TrimSpace(l))
			b.WriteByte(' ')
		}
		return b.String()
	}
	return ""
}

// replyAbove returns the paragraph holding the nearest failure reply
// (4xx or 5xx) in the 30 lines above line, or "".
func replyAbove(lines []string, line int) string {
	for k := line - 1; k >= 0 && k >= line-30; k-- {
		j := indexReplyCode(lines[k])
		if j < 0 || lines[k][j] != '4' && lines[k][j] != '5' {
			continue
		}
		from, to := k, k+1
		for from > 0 && strings.TrimSpace(lines[from-1]) != "" && indexReplyCode(lines[from-1]) < 0 && !strings.HasSuffix(strings.TrimSpace(lines[from-1]), ":") {
			from--
		}
		for to < line && strings.TrimSpace(lines[to]) != "" {
			to++
		}
		var b strings.Builder
		for _, l := range lines[from:to] {
			b.WriteString(strings.TrimSpace(l))
			b.WriteByte(' ')
		}
		return collapseSpace(b.String())
	}
	return ""
}

// inMessageSummary reports whether the address at lines[li][:s] stands on
// a "To:" line of a summary of the original message: a neighbouring line
// is its "Subject:", "Sent:", "Date:" or "Cc:".
func inMessageSummary(lines []string, li, s int) bool {
	if !strings.EqualFold(strings.TrimRight(strings.TrimSpace(lines[li][:s]), "<\"' \t"), "to:") {
		return false
	}
	for _, dir := range [...]int{-1, 1} {
		// The nearest line that is not empty, one blank line allowed
		// (some gateways space the summary's fields out).
		k := li + dir
		if k >= 0 && k < len(lines) && strings.TrimSpace(lines[k]) == "" {
			k += dir
		}
		if k < 0 || k >= len(lines) {
			continue
		}
		l := strings.TrimSpace(lines[k])
		for _, h := range [...]string{"subject:", "sent:", "date:", "cc:"} {
			if hasPrefixFold(l, h) {
				return true
			}
		}
	}
	return false
}

// laterMention reports whether addr is named in lines after line li. The
// index of mentions is built on the first call and reused, so a summary
// listing many recipients does not rescan the notice for each.
func laterMention(lines []string, li int, addr string, named *mentions) bool {
	if *named == nil {
		*named = indexLineMentions(lines)
	}
	return named.last(addr) > li
}

// hasAlnum reports whether s holds an ASCII letter or digit, or any
// non-ASCII byte (a word in another script).
func hasAlnum(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; isWordByte(c) || c >= 0x80 {
			return true
		}
	}
	return false
}

// recipientPosition reports whether the address at line[s:e] stands where
// bounces put failed recipients: alone on its line (after bullets, quotes or
// angle brackets; alone is then true), after a reply code as in Sendmail's
// "550 <addr>... User unknown", or after words such as "to", "recipient",
// "address", "user", or a colon that closes a failure phrase ("Delivery
// failed 20 attempts: addr").
//
// Exim names the recipient of a local delivery (a file or a pipe) on the
// line under it: "save to /path" then "generated by addr".
func recipientPosition(line string, s, e int) (alone, ok bool) {
	before := strings.TrimRight(line[:s], " \t<\"'([")
	b := strings.TrimLeft(before, " \t*->•・")
	if len(b) > 80 {
		// Only the words just before the address matter; the bound keeps
		// a long line of many addresses linear.
		b = b[len(b)-80:]
	}
	if b == "" {
		return strings.Trim(line[e:], ">\"':;,. \t") == "", true
	}
	if len(b) == 3 && indexReplyCode(b) == 0 {
		return false, true
	}
	l := strings.ToLower(b)
	for _, suf := range [...]string{"sender address:", "sender:", "from:", "return-path:", "envelope-from:", "mail from:",
		"e.g.", "e.g.:", "e.g.,", "for example", "for example:", "for example,", "such as", "contact", "contact:",
		"write to", "send mail to", "send email to", "send an email to", "reply to", "forward it to", "forward this message to"} {
		// A field naming the sender ("Original Message Details / Sender
		// Address: x", Office 365) is never a recipient's place, nor is
		// an address a help text gives as an example or as the one to
		// ask ("contact postmaster@x", "e.g. user@example.com").
		if strings.HasSuffix(l, suf) {
			return false, false
		}
	}
	for _, suf := range [...]string{" to", " to:", "rcpt to:", "recipient", "recipient:", "recipients:", "recipient(s):",
		"address:", "addresses:", "address(es):", " address", "user:", " user", " for", "errors:", "mailbox:",
		"failed:", "delivery to", "destinatario:", "empfänger:", "adresse:", "to :", "original-recipient:",
		"final-recipient:", "rfc822;", " list", "list:", "generated by", "smtp="} {
		if strings.HasSuffix(l, suf) || l == strings.TrimSpace(suf) {
			return false, true
		}
	}
	if strings.HasSuffix(l, ":") {
		for _, k := range [...]string{"fail", "unknown", "error", "invalid", "reject", "deliver", "bounce", "not ", "refused", "denied", "exceed", "full"} {
			if strings.Contains(l, k) {
				return false, true
			}
		}
	}
	return false, false
}

// namesSender reports whether the last non-blank line before an address
// introduces the sender ("A message sent by", "from"), as Exim and Sendmail
// write it.
func namesSender(before []string) bool {
	for k := len(before) - 1; k >= 0 && k >= len(before)-3; k-- {
		l := strings.ToLower(strings.TrimSpace(before[k]))
		if l == "" {
			continue
		}
		return strings.HasSuffix(l, " by") || strings.HasSuffix(l, " by:") || strings.HasSuffix(l, "from") ||
			strings.HasSuffix(l, "from:") || strings.HasSuffix(l, "sender:")
	}
	return false
}

// indexDSNFields returns the offset of an RFC 3464 field block inside text,
// or -1: a line starting "Final-Recipient:" or "Original-Recipient:" with an
// "Action:" or "Status:" line after it. The block is taken from the
// Reporting-MTA line when one precedes it.
func indexDSNFields(s string) int {
	i := indexLineStart(s, "final-recipient:")
	if j := indexLineStart(s, "original-recipient:"); j >= 0 && (i < 0 || j < i) {
		i = j
	}
	if i < 0 {
		return -1
	}
	if indexLineStart(s[i:], "action:") < 0 && indexLineStart(s[i:], "status:") < 0 {
		return -1
	}
	if k := indexLineStart(s[:i], "reporting-mta:"); k >= 0 {
		return k
	}
	return i
}

// indexLineStart returns the offset of the first line of s that starts with
// prefix (ASCII case-insensitive; prefix in lower case), or -1.
func indexLineStart(s, prefix string) int {
	for pos := 0; pos < len(s); {
		if len(s)-pos >= len(prefix) && strings.EqualFold(s[pos:pos+len(prefix)], prefix) {
			return pos
		}
		i := strings.IndexByte(s[pos:], '\n')
		if i < 0 {
			return -1
		}
		pos += i + 1
	}
	return -1
}
