package bounce

import (
	"net/netip"
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
	var err error
	if len(s) > MaxReplyLen {
		s = s[:MaxReplyLen]
		r.Flags |= FlagTruncated
		err = &ParseError{What: "reply", Input: truncateForError(s), Err: ErrReplyTooLong}
	}
	s = trimSpace(s)
	if s == "" {
		return Reply{}, &ParseError{What: "reply", Err: ErrEmptyReply}
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
			return r, err
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
			return r, err
		}
		r.Status = st
		r.Text = trimSep(body[si+n:])
		r.finishText(body[:si], hasNewline, "", "")
		return r, err
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
	return r, err
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
			if st := stageFromInReplyTo(tt[i+len("(in reply to "):]); st != StageUnknown {
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

// unwrap removes the MTA wrapper and the DSN diagnostic type in front of the
// reply, filling RemoteHost, RemoteIP, Stage and DiagnosticType, and returns
// the part that holds the reply.
func (r *Reply) unwrap(s string) string {
	for range 4 { // wrappers nest at most a few deep: "X-Postfix; host H[IP] said: ..."
		switch {
		case r.DiagnosticType == "" && diagTypeLen(s) > 0:
			n := diagTypeLen(s)
			r.DiagnosticType = trimSpace(s[:n])
			s = trimSpace(s[n+1:])
			continue
		}
		if startsWithCode(s) {
			break // the common case: nothing (more) to unwrap
		}
		if len(s) > 5 && s[0]|0x20 == 'h' && s[1]|0x20 == 'o' && s[2]|0x20 == 's' && s[3]|0x20 == 't' && s[4] == ' ' {
			// Postfix: "host H[IP] said: REPLY". The host and address
			// are read in place, so the common case needs no search.
			if i := r.postfixSaid(s); i > 0 {
				s = trimSpace(s[i+len(" said:"):])
				continue
			}
			head := s[:min(len(s), 600)]
			if i := strings.Index(head, " said:"); i >= 0 {
				r.hostFrom(s[:i])
				s = trimSpace(s[i+len(" said:"):])
				continue
			}
			// Postfix: "host H[IP] refused to talk to me: REPLY" (the
			// greeting was a rejection).
			if i := strings.Index(head, " refused to talk to me:"); i >= 0 {
				r.hostFrom(s[:i])
				if r.Stage == StageUnknown {
					r.Stage = StageConnect
				}
				s = trimSpace(s[i+len(" refused to talk to me:"):])
				continue
			}
			// Exim, older form: "... after RCPT TO:<x>: host H [IP]: REPLY".
			if i := strings.Index(head, "]: "); i >= 0 && startsWithCode(trimSpace(s[i+3:])) {
				r.hostFrom(s[:i+1])
				s = trimSpace(s[i+3:])
				continue
			}
		}
		if i := strings.Index(s[:min(len(s), 600)], "SMTP error from remote mail"); i >= 0 {
			// Exim: "[host H [IP]: ]SMTP error from remote mail server after STAGE: REPLY".
			r.hostFrom(s[:i])
			rest := s[i:]
			if j := indexFold(rest, " after "); j >= 0 {
				rest = rest[j+len(" after "):]
				r.Stage = stageFromExim(rest)
				if k := eximReplyStart(rest); k >= 0 {
					s = trimSpace(rest[k:])
					continue
				}
			}
			s = rest
			continue
		}
		if i := strings.Index(s, " said:"); i >= 0 && i < 600 {
			// Postfix text inside another wrapper.
			r.hostFrom(s[:i])
			s = trimSpace(s[i+len(" said:"):])
			continue
		}
		if i := strings.Index(s, "stat="); i >= 0 {
			// Sendmail log line: "... relay=H. [IP], dsn=5.1.1, stat=User unknown".
			pre := s[:i]
			if j := strings.Index(pre, "relay="); j >= 0 {
				r.hostFrom(pre[j+len("relay="):])
			}
			stat := trimSpace(s[i+len("stat="):])
			if j := strings.Index(pre, "dsn="); j >= 0 {
				if st, n := scanStatus(pre[j+4:]); n > 0 {
					if ci, _ := findBasicCode(stat); ci < 0 {
						if _, _, n2 := findStatus(stat, 0); n2 == 0 {
							r.Status = st
						}
					}
				}
			}
			s = stat
			continue
		}
		if i := strings.Index(s, "<<< "); i >= 0 {
			// Sendmail transcript: ">>> RCPT To:<x>\n<<< 550 5.1.1 ...".
			if j := strings.LastIndex(s[:i], ">>> "); j >= 0 {
				r.Stage = stageFromCommand(s[j+4 : i])
				// With PIPELINING the replies to the RCPTs arrive after DATA
				// was sent: only the last reply of the batch answers DATA.
				if r.Stage == StageDATA {
					if k := strings.Index(s[i+4:], "<<< "); k >= 0 && !strings.Contains(s[i+4:i+4+k], ">>> ") {
						r.Stage = StageRCPT
					}
				}
			}
			if r.RemoteHost == "" {
				if j := strings.Index(s[:i], "talking to "); j >= 0 {
					r.hostFrom(s[j+len("talking to "):])
				}
			}
			s = s[i+4:]
			if k := strings.Index(s, "<<< "); k >= 0 {
				s = s[:k] // the next reply of the transcript is another one
			}
			s = trimSpace(s)
			continue
		}
		break
	}
	if r.RemoteHost == "" && !startsWithCode(s) {
		// Local errors name the host too: "connect to H[IP]:25: Connection refused",
		// "lost connection with H[IP] while ...", "conversation with H[IP] timed out".
		for _, kw := range [...]string{"connect to ", "connection with ", "conversation with "} {
			if i := strings.Index(s[:min(len(s), 64+len(kw))], kw); i >= 0 {
				r.hostFrom(s[i+len(kw):])
				break
			}
		}
	}
	return s
}

// startsWithCode reports whether s starts with a basic reply code followed
// by a space, a hyphen or nothing.
func startsWithCode(s string) bool {
	if len(s) < 3 || s[0] < '2' || s[0] > '5' || !isDigit(s[1]) || !isDigit(s[2]) {
		return false
	}
	return len(s) == 3 || s[3] == ' ' || s[3] == '-' || s[3] == '\t' || s[3] == '\r' || s[3] == '\n'
}

// hostFrom reads "[host ]H[IP]" or "H [IP]" or "H." from the start of s.
func (r *Reply) hostFrom(s string) {
	s = trimSpace(s)
	if hasPrefixFold(s, "host ") {
		s = s[len("host "):]
	} else if i := strings.Index(s, " host "); i >= 0 {
		s = s[i+len(" host "):]
	}
	end, seen := 0, uint8(0)
	for ; end < len(s); end++ {
		k := hostClass[s[end]]
		if k == 0 {
			break
		}
		seen |= k
	}
	dot, letter := seen&hcDot != 0, seen&hcAlpha != 0
	if host := strings.TrimSuffix(s[:end], "."); dot && letter && len(host) >= 3 && len(host) <= 253 {
		r.RemoteHost = host
	}
	rest := trimSpace(s[end:])
	if len(rest) > 2 && rest[0] == '[' {
		if j := strings.IndexByte(rest, ']'); j > 0 {
			ipText := strings.TrimPrefix(rest[1:j], "IPv6:")
			if ip, ok := parseIPv4(ipText); ok {
				r.RemoteIP = ip
			} else if ip, err := netip.ParseAddr(ipText); err == nil {
				r.RemoteIP = ip
			}
		}
	}
}

// parseIPv4 reads a dotted-quad IPv4 address (no leading zeros), the common
// case of MTA wrappers, faster than netip.ParseAddr, which handles the rest.
func parseIPv4(s string) (netip.Addr, bool) {
	var a [4]byte
	part, n, digits := 0, 0, 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '.' {
			if digits == 0 || part == 3 {
				return netip.Addr{}, false
			}
			a[part] = byte(n)
			part, n, digits = part+1, 0, 0
			continue
		}
		if c < '0' || c > '9' || (digits > 0 && n == 0) {
			return netip.Addr{}, false
		}
		n = n*10 + int(c-'0')
		digits++
		if n > 255 {
			return netip.Addr{}, false
		}
	}
	if part != 3 || digits == 0 {
		return netip.Addr{}, false
	}
	a[3] = byte(n)
	return netip.AddrFrom4(a), true
}

// diagTypeLen returns the index of the ';' ending an RFC 3464 §2.3.6
// diagnostic-type ("smtp;", "X-Postfix;", "x-unix ;") at the start of s, or 0.
func diagTypeLen(s string) int {
	for i := 0; i < len(s) && i < 32; i++ {
		c := s[i]
		switch {
		case c == ';':
			if i == 0 {
				return 0
			}
			return i
		case c == ' ' || c == '\t':
			if j := i + 1; j < len(s) && (s[j] == ';' || s[j] == ' ') {
				continue
			}
			return 0
		case isAlnum(c) || c == '-' || c == '_' || c == '.':
			if i == 0 && !isAlpha(c) {
				return 0
			}
		default:
			return 0
		}
	}
	return 0
}

// findBasicCode returns the index of the first RFC 5321 basic reply code in s
// (three digits, the first 2-5, standing alone as a word, followed by a space,
// a hyphen or the end) and the byte after it, or -1. Addresses in angle
// brackets are skipped, so "<550@example.com>" is not a code.
func findBasicCode(s string) (int, byte) {
	for i := 0; i+3 <= len(s); i++ {
		c := s[i]
		if c == '<' {
			// Skip an address, which holds no spaces; "< #5.0.0 smtp; 550 ...>" is not one.
			if j := strings.IndexAny(s[i:], "> "); j > 0 && s[i+j] == '>' {
				i += j
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
		if st, n := scanStatus(s[i:]); n > 0 && statusEnds(s, i+n) {
			return i, st, n
		}
	}
	return -1, Status{}, 0
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

// stageFromInReplyTo reads Postfix's "(in reply to X command)". It looks at
// the first letter before comparing, as it runs on most Postfix replies.
func stageFromInReplyTo(s string) Stage {
	if s == "" {
		return StageUnknown
	}
	switch s[0] | 0x20 {
	case 'e':
		if strings.HasPrefix(s, "end of DATA") || hasPrefixFold(s, "end of DATA") {
			return StageEndOfData
		}
	case 'i', 't':
		if hasPrefixFold(s, "initial") || hasPrefixFold(s, "the initial") {
			return StageConnect
		}
	}
	return stageFromCommand(s)
}

// stageFromExim reads what follows Exim's "... after ".
func stageFromExim(s string) Stage {
	s = strings.TrimPrefix(s, "pipelined ")
	switch {
	case hasPrefixFold(s, "end of data"):
		return StageEndOfData
	case hasPrefixFold(s, "initial connection"), hasPrefixFold(s, "connection"):
		return StageConnect
	}
	return stageFromCommand(s)
}

// stageFromCommand reads an SMTP command name at the start of s.
func stageFromCommand(s string) Stage {
	s = trimSpace(s)
	if s == "." {
		return StageEndOfData
	}
	if len(s) < 4 {
		return StageUnknown
	}
	var st Stage
	switch s[0] | 0x20 {
	case 'r':
		st = StageRCPT
	case 'm':
		st = StageMAIL
	case 'd':
		st = StageDATA
	case 'e', 'h', 'l':
		if hasPrefixFold(s[1:], "HLO") || hasPrefixFold(s[1:], "ELO") {
			return StageHELO
		}
		return StageUnknown
	case 's':
		if hasPrefixFold(s, "STARTTLS") {
			return StageSTARTTLS
		}
		return StageUnknown
	case 'a':
		st = StageAUTH
	case 'b':
		st = StageBDAT
	case 'q':
		st = StageQUIT
	default:
		return StageUnknown
	}
	if hasPrefixFold(s, string(st)) {
		return st
	}
	return StageUnknown
}

// stageFromPrefix looks for a stage named in free wrapper text before the code.
func stageFromPrefix(p string) Stage {
	for _, kv := range [...]struct {
		kw string
		st Stage
	}{
		{"end of data", StageEndOfData}, {"RCPT TO", StageRCPT}, {"MAIL FROM", StageMAIL},
		{"after DATA", StageDATA}, {"greeting", StageConnect}, {"EHLO", StageHELO}, {"HELO", StageHELO},
	} {
		if indexFold(p, kv.kw) >= 0 {
			return kv.st
		}
	}
	return StageUnknown
}

// eximReplyStart finds where the reply begins after Exim's "after STAGE" text:
// after the ": " that ends the command echo (which may hold <address> and
// parameters).
func eximReplyStart(s string) int {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '<':
			if j := strings.IndexByte(s[i:], '>'); j > 0 {
				i += j
			}
		case ':':
			if i+1 < len(s) && (s[i+1] == ' ' || s[i+1] == '\n' || s[i+1] == '\r' || s[i+1] == '\t') {
				return i + 1
			}
		case '\n':
			return i + 1
		}
	}
	return -1
}

func looksLikeHost(h string) bool {
	if len(h) < 3 || len(h) > 253 || !strings.Contains(h, ".") {
		return false
	}
	letter := false
	for i := 0; i < len(h); i++ {
		c := h[i]
		if !isHostChar(c) {
			return false
		}
		if isAlpha(c) {
			letter = true
		}
	}
	return letter
}

func isHostChar(c byte) bool { return hostClass[c] != 0 }

// hostClass classifies the bytes of host names: hcOther for digits, '-' and
// '_', hcAlpha for letters, hcDot for '.'; 0 for bytes that end a name.
var hostClass = func() (t [256]uint8) {
	for c := '0'; c <= '9'; c++ {
		t[c] = hcOther
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c], t[c-32] = hcAlpha, hcAlpha
	}
	t['-'], t['_'], t['.'] = hcOther, hcOther, hcDot
	return t
}()

const (
	hcOther uint8 = 1 << iota
	hcAlpha
	hcDot
)

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isAlpha(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }
func isAlnum(c byte) bool { return isDigit(c) || isAlpha(c) }
func isUpper(c byte) bool { return c >= 'A' && c <= 'Z' }

func trimSpace(s string) string {
	i, j := 0, len(s)
	for i < j && isSpace(s[i]) {
		i++
	}
	for j > i && isSpace(s[j-1]) {
		j--
	}
	return s[i:j]
}

func trimRightSpace(s string) string {
	j := len(s)
	for j > 0 && isSpace(s[j-1]) {
		j--
	}
	return s[:j]
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == 0 }

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// indexFold is strings.Index for an ASCII needle, ignoring ASCII case, without
// allocating.
func indexFold(s, needle string) int {
	n := len(needle)
	for i := 0; i+n <= len(s); i++ {
		if s[i]|0x20 == needle[0]|0x20 && strings.EqualFold(s[i:i+n], needle) {
			return i
		}
	}
	return -1
}

// zohoErrorCodes reads Zoho's way of writing a reply, "ERROR_CODE :550,
// ERROR_CODE :5.1.1 <x>... User unknown": the basic code, the enhanced
// status when the second ERROR_CODE has one, and the text after them.
func zohoErrorCodes(s string) (code int, st Status, text string, ok bool) {
	const mark = "ERROR_CODE :"
	i := strings.Index(s, mark)
	if i < 0 {
		return 0, Status{}, "", false
	}
	rest := s[i+len(mark):]
	if len(rest) < 3 || !isDigit(rest[0]) || !isDigit(rest[1]) || !isDigit(rest[2]) || rest[0] < '2' || rest[0] > '5' ||
		len(rest) > 3 && isDigit(rest[3]) {
		return 0, Status{}, "", false
	}
	code = int(rest[0]-'0')*100 + int(rest[1]-'0')*10 + int(rest[2]-'0')
	rest = trimSep(strings.TrimPrefix(rest[3:], ","))
	if j := strings.Index(rest, mark); j >= 0 && j < 4 {
		rest = rest[j+len(mark):]
		if s2, n := scanStatus(rest); n > 0 && statusEnds(rest, n) {
			st, rest = s2, rest[n:]
		}
	}
	return code, st, trimSep(rest), true
}

// postfixSaid reads Postfix's "host H[IP] said: REPLY" in one pass when s
// has exactly that shape (a host name, an optional bracketed address):
// it sets RemoteHost and RemoteIP as hostFrom would and returns the index
// of " said:", else -1 with r unchanged.
func (r *Reply) postfixSaid(s string) int {
	const start = len("host ")
	i, seen := start, uint8(0)
	for i < len(s) {
		k := hostClass[s[i]]
		if k == 0 {
			break
		}
		seen |= k
		i++
	}
	hostEnd, ipText := i, ""
	if i < len(s) && s[i] == '[' {
		j := strings.IndexByte(s[i:min(len(s), i+48)], ']')
		if j < 0 {
			return -1
		}
		ipText = s[i+1 : i+j]
		i += j + 1
	}
	if len(s)-i < len(" said:") || s[i:i+len(" said:")] != " said:" {
		return -1
	}
	host := s[start:hostEnd]
	if len(host) > 0 && host[len(host)-1] == '.' {
		host = host[:len(host)-1]
	}
	if seen&hcDot != 0 && seen&hcAlpha != 0 && len(host) >= 3 && len(host) <= 253 {
		r.RemoteHost = host
	}
	if ipText != "" {
		ipText = strings.TrimPrefix(ipText, "IPv6:")
		if ip, ok := parseIPv4(ipText); ok {
			r.RemoteIP = ip
		} else if ip, err := netip.ParseAddr(ipText); err == nil {
			r.RemoteIP = ip
		}
	}
	return i
}
