package bounce

// This file reads the message/delivery-status body of RFC 3464 §2 (and the
// message/global-delivery-status of RFC 6533 §6): one group of per-message
// fields, then one group per recipient. Real DSNs bend the grammar (groups not
// separated by blank lines, several Final-Recipient fields in one group), so
// groups are split on the recipient fields as well as on blank lines.
// It is a little over 600 lines because the field grammar and the repairs
// for the bent DSNs belong to one reading of a group; the transcript
// reader is in transcript.go, the text notices in format_text*.go.

import (
	"net/mail"
	"strings"
	"time"
)

// readDSN appends the groups of one delivery-status body to rep; st holds
// the parse's Limits (nil: the defaults).
func readDSN(st *mimeState, rep *Report, body []byte) {
	if st == nil {
		st = &mimeState{lim: Limits{}.withDefaults()}
	}
	rest := normalizeEOL(body)
	var blocks []Header
	fields := 0 // blocks that hold fields
	for len(rest) > 0 {
		if fields > st.lim.MaxRecords {
			// The per-message group and MaxRecords recipient groups
			// are read, and one more to tell that there are more:
			// the rest of a body of millions of groups is not parsed.
			st.fail("MaxRecords", int64(st.lim.MaxRecords))
			break
		}
		// Skip blank lines between groups.
		for len(rest) > 0 && (rest[0] == '\n' || rest[0] == ' ' || rest[0] == '\t') {
			i := 0
			for i < len(rest) && (rest[i] == ' ' || rest[i] == '\t') {
				i++
			}
			if i < len(rest) && rest[i] != '\n' {
				break
			}
			if i == len(rest) {
				rest = nil
				break
			}
			rest = rest[i+1:]
		}
		if len(rest) == 0 || len(rest) > 2 && rest[0] == '-' && rest[1] == '-' {
			// A MIME delimiter: a broken boundary parameter let the
			// next part run into this one.
			break
		}
		h, next := st.readHeader(rest, false)
		if len(h) > 0 {
			fields++
		}
		if len(h) == 0 {
			// A line that is not a field: skip it.
			i := 0
			for i < len(rest) && rest[i] != '\n' {
				i++
			}
			if i >= len(rest) {
				break
			}
			next = rest[i+1:]
		}
		blocks = append(blocks, h)
		rest = next
	}
	rep.Kind = KindDeliveryStatus
	for _, b := range blocks {
		for _, seg := range splitGroups(b) {
			if !isRecipientGroup(seg) {
				readPerMessage(rep, seg)
				continue
			}
			if st.full(len(rep.Records)) {
				return
			}
			if r, ok := readRecipientGroup(seg); ok {
				rep.Records = append(rep.Records, r)
			}
		}
	}
}

// splitGroups splits one block of fields where a second recipient begins.
// RFC 3464 §2.3 puts Original-Recipient before Final-Recipient; Postfix and
// others write them the other way round, so the order of the first pair
// decides which field opens a group.
func splitGroups(h Header) []Header {
	var out []Header
	start := 0
	hasFinal, hasOrig, decided, origFirst, hasRcpt := false, false, false, false, false
	cut := func(i int) {
		if i > start {
			out = append(out, h[start:i])
			start = i
		}
		hasFinal, hasOrig = false, false
	}
	for i, f := range h {
		n := dsnName(f.Name)
		if n != "final-recipient" && n != "original-recipient" {
			continue
		}
		if !hasRcpt && i > start && !isRecipientGroup(h[start:i]) {
			// Per-message fields run straight into the first group.
			cut(i)
		}
		hasRcpt = true
		if !decided {
			decided, origFirst = true, n == "original-recipient"
		}
		if n == "original-recipient" {
			if hasOrig || origFirst && hasFinal {
				cut(i)
			}
			hasOrig = true
		} else {
			if hasFinal {
				cut(i)
			}
			hasFinal = true
		}
	}
	return append(out, h[start:])
}

func isRecipientGroup(h Header) bool {
	for _, f := range h {
		switch dsnName(f.Name) {
		case "final-recipient", "original-recipient", "action", "status", "diagnostic-code", "x-actual-recipient":
			return true
		}
	}
	return false
}

func readPerMessage(rep *Report, h Header) {
	for _, f := range h {
		rep.Fields = append(rep.Fields, f)
		switch dsnName(f.Name) {
		case "reporting-mta":
			rep.ReportingMTA = typedValue(f.Value)
		case "dsn-gateway":
			rep.DSNGateway = typedValue(f.Value)
		case "received-from-mta":
			rep.ReceivedFromMTA = typedValue(f.Value)
		case "original-envelope-id":
			rep.OriginalEnvelopeID = f.Value
		case "arrival-date":
			rep.ArrivalDate = parseDate(f.Value)
		}
	}
}

// readRecipientGroup reads one per-recipient group (RFC 3464 §2.3).
func readRecipientGroup(h Header) (Record, bool) {
	r := Record{Fields: h}
	var actual, finalText, origText, actualText string
	finalIsAddress := true
	for _, f := range h {
		v := f.Value
		switch dsnName(f.Name) {
		case "final-recipient":
			if r.Recipient == "" {
				val, typ := splitType(v)
				r.Recipient, finalText = bareAddress(val), v
				// RFC 3464 §2.3.2: the address type names the syntax.
				// An X.400 O/R name ("x400; /C=US/ADMD=/S=Smith/")
				// or a local form without a domain is not an address
				// a sender can act on.
				finalIsAddress = (typ == "" || strings.EqualFold(typ, "rfc822") || strings.EqualFold(typ, "utf-8")) &&
					strings.Contains(r.Recipient, "@")
			}
		case "original-recipient":
			if r.OriginalRecipient == "" {
				r.OriginalRecipient, origText = bareAddress(typedValue(v)), v
			}
		case "x-actual-recipient":
			actual, actualText = bareAddress(typedValue(v)), v
		case "action":
			r.Action = parseAction(v)
		case "status":
			if st, n := scanStatus(strings.TrimSpace(v)); n > 0 {
				r.Status = st
			}
		case "remote-mta":
			r.RemoteMTA = mtaName(typedValue(v))
		case "diagnostic-code":
			r.Diagnostic, r.DiagnosticType = splitType(v)
			r.Reply = parseDiagnostic(v, r.Diagnostic)
		case "last-attempt-date":
			r.LastAttemptDate = parseDate(v)
		case "will-retry-until":
			r.WillRetryUntil = parseDate(v)
		case "final-log-id":
			r.FinalLogID = strings.TrimSpace(v)
		}
	}
	if r.Action == ActionNone && !r.WillRetryUntil.IsZero() {
		// RFC 3464 §2.3.8: Will-Retry-Until is given only for delayed
		// recipients; a group that has it but no Action is a delay.
		r.Action = ActionDelayed
	}
	r.ReportedStatus = r.Status
	if !r.Reply.Status.IsValid() && (!r.Status.IsValid() || r.Status.Subject() == 0 && r.Status.Detail() == 0) {
		// A Diagnostic-Code that gives an enhanced code the reply reader
		// did not take ("smtp; 5.3.0 - Other mail system problem 550-...").
		if st := firstStatus(r.Diagnostic); st.IsValid() && (!r.Status.IsValid() || st.Class() == r.Status.Class()) {
			r.Status = st
		}
	}
	// The remote server's own enhanced code is more precise than the one
	// the reporting MTA derived (Postfix writes 5.0.0 when the reply had
	// none; Sendmail writes 4.4.7 for every expired message), so it wins.
	if r.Reply.Status.IsValid() {
		r.Status = r.Reply.Status
	}
	r.Source, r.SourceText = SourceFinalRecipient, sourceText(finalText)
	if r.Recipient == "" || (!finalIsAddress || !strings.Contains(r.Recipient[strings.LastIndexByte(r.Recipient, '@')+1:], ".")) && strings.Contains(r.OriginalRecipient, "@") {
		// No Final-Recipient, an X.400 or other non-Internet one, or a
		// local form of it ("user@server", "@relay:user@host"): the
		// original address names the mailbox.
		r.Recipient, r.Source, r.SourceText = r.OriginalRecipient, SourceOriginalRecipient, sourceText(origText)
	}
	if (r.Recipient == "" || !finalIsAddress && !strings.Contains(r.Recipient, "@")) && strings.Contains(actual, "@") {
		r.Recipient, r.Source, r.SourceText = actual, SourceActualRecipient, sourceText(actualText)
	}
	return r, r.Recipient != ""
}

// parseDiagnostic reads the reply of a Diagnostic-Code value (full, with its
// type) with ParseReply; when that finds no code it retries from the first
// reply code in the text, so wrapper text before the code does not hide it.
func parseDiagnostic(full, text string) Reply {
	rep := diagnosticReply(full, text)
	// A notice's diagnostic is the sending MTA's own text, the one place
	// its "gave up" words can stand; an SMTP server's reply to a queue
	// never says them, so ParseReply does not look for them.
	if SaysGaveUp(full) {
		rep.Flags |= FlagGaveUp
	}
	return rep
}

func diagnosticReply(full, text string) Reply {
	rep, _ := ParseReply(full)
	if rep.HasCode() {
		return rep
	}
	if text != full {
		if r2, err := ParseReply(text); err == nil {
			rep = r2
			if rep.HasCode() {
				return rep
			}
		}
	}
	if i := indexReplyCode(text); i > 0 {
		if r2, err := ParseReply(text[i:]); err == nil && r2.HasCode() {
			return r2
		}
	}
	return rep
}

// typedValue strips the RFC 3464 type of a "type; value" field ("rfc822;",
// "dns;", "smtp;").
// mtaName reduces an RFC 3464 §2.3.5 mta-name to the host: Gmail writes
// "gmail-smtp-in.l.google.com. (142.250.1.26, the server for the domain
// gmail.com.)"; the comment and the root dot go, an address literal stays.
func mtaName(v string) string {
	if i := strings.IndexByte(v, '('); i > 0 {
		v = strings.TrimSpace(v[:i])
	}
	if len(v) > 1 && v[0] != '[' {
		v = strings.TrimSuffix(v, ".")
	}
	return v
}

func typedValue(v string) string {
	val, _ := splitType(v)
	return val
}

// splitType splits "type; value" into value and type. A value without a
// semicolon near its start has no type.
func splitType(v string) (value, typ string) {
	v = strings.TrimSpace(v)
	i := strings.IndexByte(v, ';')
	if i <= 0 || i > 32 || strings.ContainsAny(v[:i], " \t<>@") {
		return v, ""
	}
	return strings.TrimSpace(v[i+1:]), strings.TrimSpace(v[:i])
}

func parseAction(v string) Action {
	v = strings.ToLower(strings.TrimSpace(v))
	if i := strings.IndexAny(v, " \t(;"); i >= 0 {
		v = v[:i]
	}
	switch v {
	case "failed", "failure", "fail":
		return ActionFailed
	case "delayed", "delay":
		return ActionDelayed
	case "delivered":
		return ActionDelivered
	case "relayed":
		return ActionRelayed
	case "expanded":
		return ActionExpanded
	}
	return Action(v)
}

// parseDate reads an RFC 5322 §3.3 date. The common shape ("Mon, 2 Jan
// 2006 15:04:05 -0700 (MST)") is read directly; anything else goes to
// net/mail, whose layout-by-layout attempts cost an error value each.
func parseDate(v string) time.Time {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}
	}
	s := v
	if i := strings.IndexByte(s, ','); i >= 0 && i <= 4 {
		s = strings.TrimSpace(s[i+1:])
	}
	if i := strings.IndexByte(s, '('); i > 0 {
		s = strings.TrimSpace(s[:i])
	}
	if t, err := time.Parse("2 Jan 2006 15:04:05 -0700", s); err == nil {
		return t
	}
	t, err := mail.ParseDate(v)
	if err != nil {
		return time.Time{}
	}
	return t
}

// bareAddress returns the address in s: the text inside <>, else the first
// word holding an @, with quotes and trailing punctuation removed. It returns
// s trimmed when no @ is found (some MTAs give local parts only).
func bareAddress(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '<'); i >= 0 {
		if j := strings.IndexByte(s[i:], '>'); j > 0 {
			in := strings.TrimSpace(s[i+1 : i+j])
			if strings.Contains(in, "@") {
				return cleanAddr(in)
			}
		}
	}
	if strings.Count(s, "@") == 1 && !strings.ContainsAny(s, " \t<>()\"") {
		// A plain addr-spec, possibly internationalised (RFC 6533).
		if i := strings.LastIndexByte(s, ':'); i >= 0 && s[0] == '@' {
			s = s[i+1:] // source route, RFC 5321 §4.1.2
		}
		return cleanAddr(s)
	}
	if a, _, _ := findAddress(s, 0); a != "" {
		return a
	}
	return strings.Trim(s, `<>"' `)
}

func cleanAddr(a string) string {
	a = strings.Trim(a, "<>\"'()[],;:. \t")
	if strings.HasPrefix(strings.ToLower(a), "mailto:") {
		a = a[7:]
	}
	return a
}

// indexReplyCode returns the index of the first SMTP reply code (RFC 5321
// §4.2: three digits 2xx-5xx followed by space, hyphen or end) or enhanced
// status code standing as a word in s, or -1.
func indexReplyCode(s string) int {
	for i := 0; i+3 <= len(s); i++ {
		c := s[i]
		if c != '2' && c != '4' && c != '5' {
			continue
		}
		if i > 0 {
			p := s[i-1]
			if p >= '0' && p <= '9' || p >= 'a' && p <= 'z' || p >= 'A' && p <= 'Z' || p == '.' || p == '-' || p == '_' || p == '/' || p == '=' || p == '+' || p == '#' {
				continue
			}
		}
		if s[i+1] >= '0' && s[i+1] <= '9' && s[i+2] >= '0' && s[i+2] <= '9' {
			if i+3 == len(s) || s[i+3] == ' ' || s[i+3] == '-' || s[i+3] == '\t' || s[i+3] == '\n' {
				return i
			}
			continue
		}
		if _, n := scanStatus(s[i:]); n > 0 {
			if i+n == len(s) || !(s[i+n] >= '0' && s[i+n] <= '9') && s[i+n] != '.' {
				return i
			}
		}
	}
	return -1
}

// stageHints map wrapper text to the SMTP stage, most specific first; the
// texts are lower case and match whole words.
var stageHints = [...]struct {
	text  string
	stage Stage
}{
	// qmail-remote's sentences.
	{"does not like recipient", StageRCPT},
	{"failed after i sent the message", StageEndOfData},
	{"sender was rejected", StageMAIL},
	{"greeting failed", StageConnect},
	{"end of data", StageEndOfData},
	{"final data", StageEndOfData},
	{"after data", StageEndOfData},
	{"rcpt to", StageRCPT},
	{"rcpt command", StageRCPT},
	{"rcpt_to", StageRCPT},
	{"mail from", StageMAIL},
	{"mail command", StageMAIL},
	{"data command", StageDATA},
	{"ehlo", StageHELO},
	{"helo", StageHELO},
	{"starttls", StageSTARTTLS},
	{"after initial connection", StageConnect},
	{"greeting", StageConnect},
}

// stageFromText reads the SMTP stage from wrapper text such as "in reply to
// RCPT TO command" (Postfix), "after RCPT TO:" (Exim), "RCPT TO response"
// (qmail), "did not like our final DATA" (dma). Only the first 2 KiB are
// read: the wrapper is short.
func stageFromText(s string) Stage {
	if s == "" {
		return StageUnknown
	}
	s = s[:min(len(s), 2048)]
	var buf [2048]byte
	low := buf[:len(s)]
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		low[i] = c
	}
	if k := firstPhrase(stageHintSet, low); k >= 0 {
		return stageHints[k].stage
	}
	return StageUnknown
}

// stageHintSet finds the stageHints in one pass, as whole words; bit k is
// stageHints[k], so the first found is the most specific.
var stageHintSet = func() *phraseSet {
	texts := make([]string, len(stageHints))
	for i, h := range stageHints {
		texts[i] = h.text
	}
	return newPhraseSet(texts, true)
}()

// isWordByte reports whether c is an ASCII letter or digit: a phrase of a
// whole-word phraseSet has none directly before or after it ("email from"
// is not "mail from").
func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// fillFromText completes DSN records from the human-readable part: a record
// without a Diagnostic-Code takes the text the notice gives for its
// recipient (Exchange, Office 365 and Gmail put the remote reply only
// there).
func fillFromText(st *mimeState, rep *Report, notice string) {
	if notice == "" {
		return
	}
	need := false
	var named mentions // where the notice names each address, indexed once
	for i := range rep.Records {
		r := &rep.Records[i]
		if r.Diagnostic == "" || !r.Reply.HasCode() || !strings.Contains(r.Recipient, "@") {
			need = true
		} else if r.Reply.Stage == StageUnknown && stageFromText(r.Diagnostic) == StageUnknown {
			// The SMTP stage is often only in the text ("in reply to end
			// of DATA command"): read it from the paragraph naming the
			// recipient.
			if named == nil {
				named = indexMentions(notice)
			}
			r.Stage = stageFromText(paragraphAt(notice, named.first(r.Recipient)))
		}
	}
	if !need {
		return
	}
	var tmp Report
	tmp.Header = rep.Header
	tmp.Original = rep.Original
	readTextBounce(st, &tmp, notice)
	if len(tmp.Records) == 1 && strings.Contains(tmp.Records[0].Recipient, "@") {
		// A group whose Final-Recipient is not an Internet address (an
		// X.400 O/R name) and had no Original-Recipient: the notice's
		// text names the address (RFC 3464 §2.3.2 leaves the type open).
		t := tmp.Records[0]
		named := false
		for _, r := range rep.Records {
			named = named || strings.EqualFold(r.Recipient, t.Recipient)
		}
		for i := range rep.Records {
			if r := &rep.Records[i]; !named && len(rep.Records) == 1 && !strings.Contains(r.Recipient, "@") {
				r.Recipient, r.Source, r.SourceText = t.Recipient, t.Source, t.SourceText
			}
		}
	}
	byAddr := make(map[string]*Record, len(tmp.Records))
	for i := range tmp.Records {
		if k := strings.ToLower(tmp.Records[i].Recipient); byAddr[k] == nil && tmp.Records[i].Diagnostic != "" {
			byAddr[k] = &tmp.Records[i]
		}
	}
	for i := range rep.Records {
		r := &rep.Records[i]
		if t := byAddr[strings.ToLower(r.Recipient)]; t != nil {
			// The SMTP stage is often only in the text ("in reply to end
			// of DATA command"), not in the Diagnostic-Code.
			if r.Stage == StageUnknown && r.Reply.Stage == StageUnknown && stageFromText(r.Diagnostic) == StageUnknown {
				r.Stage = t.Reply.Stage
				if r.Stage == StageUnknown {
					r.Stage = stageFromText(t.Diagnostic)
				}
			}
			if r.Diagnostic == "" {
				r.Diagnostic = t.Diagnostic
				r.Reply = t.Reply
			} else if !r.Reply.HasCode() && t.Reply.HasCode() {
				r.Reply = t.Reply
			}
			// RFC 3463 §3.1: X.0.0 says nothing beyond the class; the
			// reply quoted in the text is more precise.
			if r.Reply.Status.IsValid() && (!r.Status.IsValid() || r.Status.Subject() == 0 && r.Status.Detail() == 0) {
				r.Status = r.Reply.Status
			}
		}
	}
}

// paragraphAt returns the paragraph of text that starts on the line holding
// offset i, or "" when i is negative. The paragraph ends at a blank line, or
// after 4 KiB: a text naming thousands of recipients in one paragraph is
// not copied out once per recipient.
func paragraphAt(text string, i int) string {
	if i < 0 {
		return ""
	}
	start := strings.LastIndexByte(text[:i], '\n') + 1
	rest := text[i:min(len(text), i+maxParagraph)]
	end := strings.Index(rest, "\n\n")
	if end < 0 {
		end = len(rest)
	}
	return text[start : i+end]
}

// maxParagraph bounds the paragraph read for one recipient.
const maxParagraph = 4 << 10

// dsnNames are the RFC 3464 §2.2 and §2.3 field names (and the extensions
// read here), lower case.
var dsnNames = [...]string{
	"final-recipient", "original-recipient", "action", "status", "remote-mta", "diagnostic-code",
	"last-attempt-date", "will-retry-until", "final-log-id", "x-actual-recipient",
	"reporting-mta", "dsn-gateway", "received-from-mta", "original-envelope-id", "arrival-date",
}

// dsnName returns the lower-case form of a known DSN field name, or "" for
// any other, without allocating (field names come in any case, RFC 3464
// §2.1 following RFC 822).
func dsnName(name string) string {
	for _, n := range dsnNames {
		if len(n) == len(name) && strings.EqualFold(n, name) {
			return n
		}
	}
	return ""
}

// unquoteLine removes the "> " marks of a transcript quoted in a forwarded
// bounce; a quoted ">>> DATA" reads ">>>> DATA".
func unquoteLine(line string) string {
	for strings.HasPrefix(line, "> ") {
		line = line[2:]
	}
	if strings.HasPrefix(line, ">>>> ") {
		line = line[1:]
	}
	return line
}

// containsFold reports whether s holds sub, ignoring ASCII case.
func containsFold(s, sub string) bool { return sub == "" || indexFold(s, sub) >= 0 }
