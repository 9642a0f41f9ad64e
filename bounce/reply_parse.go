package bounce

import (
	"strings"
	"unicode/utf8"
)

// ParseReply reads one SMTP reply from s. It accepts, at least:
//
//   - bare and multi-line replies, RFC 5321 §4.2.1 ("550-5.7.26 ...\r\n550 5.7.26 ..."),
//     also in the joined one-line form where the line breaks became spaces;
//   - RFC 3464 §2.3.6 Diagnostic-Code values ("smtp; 554 5.7.1 ...", "X-Postfix; ...",
//     "smtp;250 ok");
//   - the wrappers of Postfix ("host H[IP] said: ... (in reply to end of DATA command)"),
//     Exim ("SMTP error from remote mail server after RCPT TO:<x>: 550 ..."), Sendmail
//     ("... dsn=5.1.1, stat=User unknown", "<<< 550 ..."), Exchange and Office 365
//     ("Remote Server returned '550 5.1.10 RESOLVER.ADR.RecipientNotFound; ...'"),
//     Amazon SES diagnosticCode and PowerMTA dsnDiag ("smtp;550 ...").
//
// A basic code and an enhanced status code whose classes disagree ("421 5.7.32") are
// both kept and FlagClassMismatch is set; a storage reply with an address status
// ("452 4.1.1 user over quota") sets FlagSubjectMismatch; nothing is guessed silently. Text with no
// reply code at all (a local MTA error such as "connect to H[IP]:25: Connection
// refused") gives a Reply with Code 0, the text, and FlagNoReply, and no error.
//
// Errors: empty input gives ErrEmptyReply; input longer than MaxReplyLen gives
// ErrReplyTooLong together with the Reply read from the first MaxReplyLen bytes. Both
// are wrapped in a *ParseError. ParseReply never panics, and for a single-line reply
// it allocates nothing: the Reply's strings point into s.
func ParseReply(s string) (Reply, error) {
	var r Reply
	err := r.parse(s)
	return r, err
}

func (r *Reply) parse(s string) (err error) {
	if len(s) > MaxReplyLen {
		s = s[:MaxReplyLen]
		r.Flags |= FlagTruncated
		err = &ParseError{What: "reply", Input: truncateForError(s), Err: ErrReplyTooLong}
	}
	s = trimSpace(s)
	if s == "" {
		*r = Reply{}
		return &ParseError{What: "reply", Err: ErrEmptyReply}
	}
	r.Raw = s
	hasNewline := r.scanBytes(s)

	body := r.unwrap(s)

	// Find the reply: the first basic code in the body, else the first
	// enhanced status code on its own (Exchange "#5.0.0", "5.7.1 Email rejected ...").
	ci, sep := findBasicCode(body)
	if ci < 0 {
		if code, st, text, ok := zohoErrorCodes(body); ok {
			// Zoho: "Invalid Address, ERROR_CODE :550, ERROR_CODE :5.1.1 <x>... User unknown".
			r.Code, r.Status, r.Text = code, st, text
			r.finishText("", hasNewline, "", "")
			if r.Status.IsValid() && r.Status.Class() != r.Code/100 {
				r.Flags |= FlagClassMismatch
			}
			r.scanTags()
			return err
		}
		si, st, n := findStatus(body, 0)
		if si < 0 {
			if !r.Status.IsValid() { // a Sendmail dsn= may have given one
				r.Flags |= FlagNoReply
			}
			r.Text = body
			if hasNewline {
				r.Text = joinLines(body)
			}
			r.scanTags()
			return err
		}
		r.Status = st
		r.Text = trimSep(body[si+n:])
		r.finishText(body[:si], hasNewline, "", "")
		return err
	}
	if body[ci] <= '3' && ci+4 < len(body) {
		// A greeting or an acknowledgement in front of the failure that
		// followed it: "220-laposte 421 4.2.1 Service refuse ...".
		if cj, sep2 := findBasicCode(body[ci+4:]); cj >= 0 && body[ci+4+cj] >= '4' {
			ci, sep = ci+4+cj, sep2
		}
	}
	r.Code = int(body[ci]-'0')*100 + int(body[ci+1]-'0')*10 + int(body[ci+2]-'0')
	prefix := body[:ci]
	rest := body[ci+3:]
	if sep == '-' {
		r.Flags |= FlagMultiline
	}
	rest = trimSep(rest)
	if len(rest) > 1 && rest[0] == '#' && isDigit(rest[1]) {
		rest = rest[1:] // "550 #5.7.1 ..."
	}
	var quote byte
	if len(rest) > 2 && (rest[0] == '\'' || rest[0] == '"') && rest[1] >= '2' && rest[1] <= '5' {
		// Amazon SES quotes the remote reply after its own summary:
		// "5.1.0 - Unknown address error 550-'5.7.1 <x>... Access denied'".
		if _, n := scanStatus(rest[1:]); n > 0 && statusEnds(rest[1:], n) {
			quote, rest = rest[0], rest[1:]
		}
	}
	statusStr := "" // the status as written, to strip repeated continuation prefixes
	if st, n := scanStatus(rest); n > 0 && statusEnds(rest, n) {
		r.Status = st
		statusStr = rest[:n]
		rest = trimSep(rest[n:])
	}
	if !r.Status.IsValid() {
		// A status leading the text, as Amazon SES writes it: "5.3.0 - Other
		// mail system problem 550-'Unknown user ...'".
		if st, n := scanStatus(body); n > 0 && statusEnds(body, n) && st.Class() == r.Code/100 {
			r.Status = st
		}
	}
	if !r.Status.IsValid() {
		// A status written just before the code: "ERROR:5.7.1:550 Outbound Mail Refused".
		p := strings.TrimRight(prefix, ": ")
		for k := len(p) - 1; k >= 0 && k >= len(p)-8; k-- {
			if (k == 0 || isStatusBoundary(p[k-1])) && p[k] >= '2' && p[k] <= '5' {
				if st, n := scanStatus(p[k:]); n == len(p)-k && st.Class() == r.Code/100 {
					r.Status = st
				}
				break
			}
		}
	}
	if quote != 0 {
		if k := strings.IndexByte(rest, quote); k >= 0 {
			rest = rest[:k]
		}
	}
	r.Text = rest
	codeStr := body[ci : ci+3]
	r.finishText(prefix, hasNewline || r.Flags&FlagMultiline != 0, codeStr, statusStr)
	if !r.Status.IsValid() {
		// A status later in the text: "553 Mail from x not allowed - 5.7.1 [BL23]",
		// qmail "(#5.1.1)". Only one of the basic code's class is taken, so that a
		// version number in the text is not read as a status.
		for from := 0; from < len(r.Text); {
			si, st, n := findStatus(r.Text, from)
			if si < 0 {
				break
			}
			if st.Class() == r.Code/100 {
				r.Status = st
				break
			}
			from = si + n
		}
	}
	if r.Code != 0 && r.Status.IsValid() && r.Status.Class() != r.Code/100 {
		r.Flags |= FlagClassMismatch
	}
	if (r.Code == 452 || r.Code == 552) && r.Status.IsValid() && r.Status.Subject() == 1 {
		r.Flags |= FlagSubjectMismatch
	}
	r.scanTags()
	return err
}

// scanBytes sets the flags for control characters and invalid UTF-8 and
// reports whether s has line breaks, in one pass that tests 8 bytes at a
// time: real replies are printable ASCII, so the byte-by-byte look runs only
// on the words that hold something else.
func (r *Reply) scanBytes(s string) (hasNewline bool) {
	const lo, hi = 0x0101010101010101, 0x8080808080808080
	high := false
	i := 0
	for ; i+8 <= len(s); i += 8 {
		// Every byte is in 0x20..0x7e: no high bit (w), none at 0x7f
		// (w+1 sets it), none under 0x20 (w-0x20 sets it); a carry or
		// borrow between bytes only sends a word to the slow path.
		if w := load64(s[i : i+8]); (w|(w+lo)|(w-lo*0x20))&hi == 0 {
			continue
		}
		if r.scanSlow(s[i:i+8], &high) {
			hasNewline = true
		}
	}
	if r.scanSlow(s[i:], &high) {
		hasNewline = true
	}
	if high && !utf8.ValidString(s) {
		r.Flags |= FlagInvalidUTF8
	}
	return hasNewline
}

func (r *Reply) scanSlow(chunk string, high *bool) (hasNewline bool) {
	for i := 0; i < len(chunk); i++ {
		switch c := chunk[i]; {
		case c == '\n' || c == '\r':
			hasNewline = true
		case c == '\t':
		case c < 0x20 || c == 0x7f:
			r.Flags |= FlagControlChars
		case c >= 0x80:
			*high = true
		}
	}
	return hasNewline
}

// load64 reads 8 bytes little-endian; the compiler turns it into one load.
func load64(b string) uint64 {
	_ = b[7]
	return uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
		uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
}

// finishText cleans r.Text once the code is known: quotes and trailers of the
// wrapper, continuation prefixes of multi-line replies, the stage trailer.
func (r *Reply) finishText(prefix string, multiline bool, code, status string) {
	t := r.Text
	// Exchange: "Remote Server returned '550 ...'" and "#550 ... ##".
	if p := trimRightSpace(prefix); p != "" {
		switch q := p[len(p)-1]; q {
		case '\'', '"':
			if i := strings.LastIndexByte(t, q); i >= 0 && trimSpace(t[i+1:]) == "" {
				t = trimRightSpace(t[:i])
			}
		case '#':
			t = trimRightSpace(strings.TrimSuffix(trimRightSpace(t), "##"))
		case '<':
			t = trimRightSpace(strings.TrimSuffix(trimRightSpace(t), ">"))
		}
		if r.Stage == StageUnknown {
			r.Stage = stageFromPrefix(p)
		}
	}
	// A reply quoted in angle brackets inside quotes, as Exchange writes
	// it: "Remote Server returned '<mx.example.com #5.0.0 smtp; 550 ...>'".
	if k := strings.LastIndexByte(prefix, '<'); k > 0 && (prefix[k-1] == '\'' || prefix[k-1] == '"') {
		if tt := trimRightSpace(t); len(tt) >= 2 && tt[len(tt)-1] == prefix[k-1] && tt[len(tt)-2] == '>' {
			t = trimRightSpace(tt[:len(tt)-2])
			if h, _, ok := strings.Cut(prefix[k+1:], " #"); ok && r.RemoteHost == "" && looksLikeHost(h) {
				r.RemoteHost = h
			}
		}
	}
	// Postfix: "... (in reply to end of DATA command)".
	if tt := trimRightSpace(t); strings.HasSuffix(tt, ")") {
		// The phrase is short: look for its "(" in the last 64 bytes only.
		from := max(0, len(tt)-64)
		if i := strings.LastIndexByte(tt[from:], '('); i >= 0 && strings.HasPrefix(tt[from+i:], "(in reply to ") {
			i += from
			if st := ParseStage(tt[i+len("(in reply to "):]); st != StageUnknown {
				r.Stage = st
				t = trimRightSpace(tt[:i])
			}
		}
	}
	if multiline {
		var mixed bool
		t, mixed = joinContinuation(t, code, status)
		if mixed {
			r.Flags |= FlagInconsistentLines
		}
	}
	// Microsoft names the answering host last: "... [BN8NAM11FT012.eop-nam11.prod.protection.outlook.com]".
	if r.RemoteHost == "" {
		if tt := trimRightSpace(t); strings.HasSuffix(tt, "]") {
			if i := strings.LastIndexByte(tt, '['); i >= 0 && looksLikeHost(tt[i+1:len(tt)-1]) {
				r.RemoteHost = tt[i+1 : len(tt)-1]
			}
		}
	}
	r.Text = trimSpace(t)
}
