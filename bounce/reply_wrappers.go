package bounce

// This file takes off the wrappers MTAs and APIs put around an SMTP reply
// (Postfix's "host H[IP] said:", Exim's "SMTP error from remote mail server
// ...", RFC 3464 diagnostic types, Exchange's quoting, Zoho's ERROR_CODE
// fields) and reads the remote host and IP they name.

import (
	"net/netip"
	"strings"
)

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

// eximReplyStart finds where the reply begins after Exim's "after STAGE" text:
// after the ": " that ends the command echo (which may hold <address> and
// parameters).
//
// A '<' with no '>' after it is searched for once: after the first miss no
// later '<' can have one either, which keeps the loop linear.
func eximReplyStart(s string) int {
	noClose := false
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '<':
			if noClose {
				continue
			}
			if j := strings.IndexByte(s[i:], '>'); j > 0 {
				i += j
			} else {
				noClose = true
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
