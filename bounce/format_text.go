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
		pos = next
	}
	return s, ""
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

// isBounceMessage reports whether a message without a report part is a
// non-delivery notice: it is sent by the mail system (RFC 5321 §4.5.5 null
// sender, MAILER-DAEMON, postmaster) or says so in its subject, or carries
// Exim's X-Failed-Recipients.
func isBounceMessage(h Header, notice string) bool {
	if h.Has("X-Failed-Recipients") {
		return true
	}
	if isBounceSender(h) {
		return true
	}
	from := strings.ToLower(h.Get("From"))
	auto := isAutomaticSender(h, from)
	if auto {
		// Automatic senders: a bounce when the text says so.
		head := strings.ToLower(notice[:min(len(notice), 4096)])
		for _, k := range [...]string{"could not be delivered", "was not delivered", "undeliverable", "delivery failed",
			"unable to deliver", "permanent error", "delivery has failed", "failed to deliver", "invalid user address",
			"rejected by", "did not reach"} {
			if strings.Contains(head, k) {
				return true
			}
		}
	}
	subj := strings.ToLower(h.Get("Subject"))
	// Phrases only non-delivery notices use in a subject; a person
	// forwarding one ("Fwd: Returned mail: ...") still hands over a bounce.
	// A person's reply in a conversation ("Re: delivery failure to our
	// partner") and list mail (a newsletter on "mail delivery tips") are
	// not notices, whatever their subject says: from a person or a list,
	// the subject alone decides nothing.
	if !auto && (isReplySubject(subj) || isListMessage(h)) {
		return false
	}
	for _, k := range [...]string{"undeliver", "delivery status notification", "delivery failure", "delivery failed",
		"failure notice", "returned mail", "mail delivery failed", "mail delivery failure", "mail delivery error", "mail delivery problem", "delivery has failed", "non-delivery", "nondelivery",
		"non delivery", "could not be delivered", "not delivered", "mail system error", "delivery problem",
		"returned to sender", "delivery notification", "メールエラー", "不達", "mail failure", "failed delivery",
		"delivery error", "warning: could not", "delayed mail"} {
		if strings.Contains(subj, k) {
			return true
		}
	}
	// Words people also use ("bounce rates", "rejected offer"): only from
	// an automatic sender.
	if auto && !hasAutoReplySubject(subj) {
		for _, k := range [...]string{"bounce", "rejected", "error sending", "not member", "mail error", "message you sent"} {
			if strings.Contains(subj, k) {
				return true
			}
		}
	}
	return false
}

// isReplySubject reports whether a lower-cased subject starts as a reply
// in a conversation does ("re:", and the German, Scandinavian and Dutch
// forms), after any forwarding prefix.
func isReplySubject(subj string) bool {
	subj = strings.TrimSpace(subj)
	for {
		cut := false
		for _, p := range [...]string{"fwd:", "fw:", "tr:", "wg:"} {
			if strings.HasPrefix(subj, p) {
				subj, cut = strings.TrimSpace(subj[len(p):]), true
			}
		}
		if !cut {
			break
		}
	}
	for _, p := range [...]string{"re:", "aw:", "sv:", "antw:"} {
		if strings.HasPrefix(subj, p) {
			return true
		}
	}
	return false
}

// isListMessage reports whether a message was sent to a mailing list or as
// bulk mail: List-Id or List-Unsubscribe (RFC 2919, RFC 2369), or
// Precedence: bulk or list.
func isListMessage(h Header) bool {
	if h.Has("List-Id") || h.Has("List-Unsubscribe") {
		return true
	}
	switch strings.ToLower(strings.TrimSpace(h.Get("Precedence"))) {
	case "bulk", "list":
		return true
	}
	return false
}

// isAutomaticSender reports whether a message comes from software rather
// than a person: the null reverse path (RFC 5321 §4.5.5), Auto-Submitted
// (RFC 3834 §5), a no-reply address, or a list manager's address (owner-,
// -admin, -request, -owner; RFC 2142 names).
func isAutomaticSender(h Header, from string) bool {
	if strings.TrimSpace(h.Get("Return-Path")) == "<>" {
		return true
	}
	if as := strings.ToLower(strings.TrimSpace(h.Get("Auto-Submitted"))); as != "" && as != "no" {
		return true
	}
	for _, k := range [...]string{"post_master", "no-reply", "noreply", "do-not-reply", "donotreply", "owner-", "-admin@",
		"-request@", "-owner@", "mailman", "majordomo"} {
		if strings.Contains(from, k) {
			return true
		}
	}
	return false
}

// isBounceSender reports whether the From names the mail system
// (MAILER-DAEMON, postmaster, "Mail Delivery System", ...).
func isBounceSender(h Header) bool {
	from := strings.ToLower(h.Get("From"))
	for _, k := range [...]string{"mailer-daemon", "mailer_daemon", "mail-daemon", "postmaster", "mail delivery", "maildelivery", "mail.delivery", "mail administrator", "system administrator", "ndr administrator"} {
		if strings.Contains(from, k) {
			return true
		}
	}
	return false
}

// textRcpt is a recipient found in bounce text.
type textRcpt struct {
	addr      string
	line      int // line index of first mention
	start     int // byte offset in that line of the address
	afterAddr int // byte offset in that line just after the address
}

// readTextBounce reads the recipients of a plain-text bounce from notice.
func readTextBounce(rep *Report, notice string) {
	if rep.Kind == KindNone {
		rep.Kind = KindBounce
	}
	// An RFC 3464 report pasted into the text (Amazon WorkMail, some
	// gateways) is read as one.
	if i := indexDSNFields(notice); i >= 0 {
		var tmp Report
		readDSN(nil, &tmp, []byte(notice[i:]))
		if len(tmp.Records) > 0 {
			rep.Records = append(rep.Records, tmp.Records...)
			rep.Fields = append(rep.Fields, tmp.Fields...)
			if rep.ReportingMTA == "" {
				rep.ReportingMTA = tmp.ReportingMTA
			}
			fillFromText(rep, notice[:i])
			return
		}
	}
	exclude := senderAddresses(rep)
	lines := strings.Split(notice, "\n")
	var found []textRcpt
	seen := map[string]bool{}
	for li, line := range lines {
		for pos := 0; pos < len(line); {
			a, s, e := findAddress(line, pos)
			if a == "" {
				break
			}
			pos = e
			key := strings.ToLower(a)
			if seen[key] {
				continue
			}
			if inMessageSummary(lines, li, s) && laterMention(lines[li+1:], a) {
				// "Your message / To: addr / Subject: ... / Sent: ..."
				// (Exchange 2003): a summary of the original message;
				// the recipient's failure is where it is named again.
				continue
			}
			alone, ok := recipientPosition(line, s, e)
			if ok && alone && li > 0 && namesSender(lines[:li]) {
				continue
			}
			// The sender's own address is named too ("from x", "MAIL
			// FROM:<x>", "To: x" in a summary); it is a recipient only
			// when it stands alone, as when someone wrote to himself.
			if !ok || exclude[key] && !alone {
				continue
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
		var keep []textRcpt
		for _, f := range found {
			for _, a := range failed {
				if strings.EqualFold(a, f.addr) {
					keep = append(keep, f)
					break
				}
			}
		}
		if len(keep) > 0 {
			found = keep
		} else {
			found = nil
		}
	}
	if len(found) == 0 {
		// Fall back to the header Exim adds, then to the original's
		// single recipient (Google Groups, Verizon and others name the
		// recipient nowhere else).
		var addrs []string
		for _, v := range rep.Header.Values("X-Failed-Recipients") {
			addrs = append(addrs, listAddresses(v)...)
		}
		if len(addrs) == 0 && rep.Original != nil && !isBounceSender(rep.Original.Header) {
			if to := listAddresses(rep.Original.Header.Get("To")); len(to) == 1 {
				addrs = to
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
			rep.Records = append(rep.Records, textRecord(a, diag))
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
		rep.Records = append(rep.Records, textRecord(f.addr, diag))
	}
}

func textRecord(addr, diag string) Record {
	r := Record{Recipient: addr, Diagnostic: diag}
	if diag != "" {
		r.Reply = parseDiagnostic(diag, diag)
		if !r.Reply.Status.IsValid() {
			r.Status = firstStatus(diag)
		}
		if r.Action == ActionNone {
			r.Action = ActionFailed
			if (r.Reply.Transient() || r.Status.Transient()) && !gaveUp(diag) {
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

// laterMention reports whether addr is named in lines.
func laterMention(lines []string, addr string) bool {
	for _, l := range lines {
		if containsFold(l, addr) {
			return true
		}
	}
	return false
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

// gaveUpWords are the sentences with which a sending MTA says it stopped
// retrying a transient failure: the record is final (failed), whatever the
// class of the last reply. qmail-send ends such a bounce with "I'm not
// going to try again; this message has been in the queue too long."
var gaveUpWords = [...]string{"not going to try again", "in the queue too long"}

// gaveUp reports whether diag says the sending MTA gave up retrying.
func gaveUp(diag string) bool {
	for _, w := range gaveUpWords {
		if containsFold(diag, w) {
			return true
		}
	}
	return false
}

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
		for k := f.line + 1; k < end && strings.TrimSpace(lines[k]) != ""; k++ {
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
		for ; k < end && strings.TrimSpace(lines[k]) != ""; k++ {
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
				for ; k < len(lines) && strings.TrimSpace(lines[k]) != ""; k++ {
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
		for ; k < len(lines) && strings.TrimSpace(lines[k]) != ""; k++ {
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
		b.WriteString(strings.TrimSpace(l))
		b.WriteByte(' ')
	}
	return collapseSpace(b.String())
}

func collapseSpace(s string) string {
	return strings.Join(strings.Fields(s), " ")
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
		if n == 0 {
			continue
		}
		if i+n < len(s) && (s[i+n] >= '0' && s[i+n] <= '9' || s[i+n] == '.' && i+n+1 < len(s) && s[i+n+1] >= '0' && s[i+n+1] <= '9') {
			continue
		}
		return st
	}
	return Status{}
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
	for _, suf := range [...]string{" to", " to:", "rcpt to:", "recipient", "recipient:", "recipients:", "recipient(s):",
		"address:", "addresses:", "address(es):", " address", "user:", " user", " for", "errors:", "mailbox:",
		"failed:", "delivery to", "destinatario:", "empfänger:", "adresse:", "to :", "original-recipient:",
		"final-recipient:", "rfc822;", " list", "list:", "generated by"} {
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
