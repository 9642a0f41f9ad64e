package bounce

import (
	"errors"
	"strconv"
	"strings"
	"time"
)

// LogLine is one delivery attempt read from an MTA's log: a Postfix
// delivery-agent line, an Exim main-log line or a Sendmail line. The strings
// point into the parsed line.
type LogLine struct {
	MTA       string     // "postfix", "exim" or "sendmail"
	Timestamp string     // the line's time stamp as written (RFC 3164, RFC 5424/3339 or Exim's)
	Host      string     // the logging host, for syslog lines
	Program   string     // the syslog program without its PID: "postfix/smtp", "sm-mta"
	QueueID   string     // the MTA's queue or message ID
	Recipient string     // the bare address
	Outcome   LogOutcome // what happened to this attempt
	Relay     string     // the host delivered to (or tried)
	// RelayAddress is what follows the relay host in brackets: an IP
	// ("17.57.154.6"), or a socket path for LMTP ("private/dovecot-lmtp");
	// a relay written as a bare path is the path.
	RelayAddress string
	// Delay is Postfix's delay= (the time since the message arrived) or
	// Exim's QT= (time on queue), 0 when not logged.
	Delay  time.Duration
	Status Status // the dsn= code (Postfix, Sendmail)
	// Router and Transport are Exim's R= and T= (the router that chose the
	// destination and the transport that carried it: "dnslookup",
	// "remote_smtp", "local_delivery").
	Router, Transport string
	// Reply is the reply read from the line's detail ("(host H[IP] said: 554
	// ...)" for Postfix, "stat=..." for Sendmail, the text after "H=... :" for
	// Exim). It has FlagNoReply when the detail is a local error.
	Reply Reply
}

// LogOutcome is the result of one delivery attempt in a log line.
type LogOutcome string

// Log outcomes; the values are Postfix's status= words.
const (
	LogSent     LogOutcome = "sent"
	LogDeferred LogOutcome = "deferred"
	LogBounced  LogOutcome = "bounced"
	LogExpired  LogOutcome = "expired"
)

// ErrNotDeliveryLine is returned for log lines that are not delivery attempts
// (connections, queue manager lines, arrivals); callers skip them.
var ErrNotDeliveryLine = errors.New("not a delivery line")

// MaxLogLineLen is the longest line ParseLogLine reads: 64 KiB.
const MaxLogLineLen = 64 << 10

// ParseLogLine reads one MTA log line:
//
//	Nov 27 12:00:01 mta1 postfix/smtp[1234]: 4ABC123DEF: to=<bob@icloud.com>, relay=mx01.mail.icloud.com[17.57.154.6]:25, delay=1.2, dsn=5.7.1, status=bounced (host mx01.mail.icloud.com[17.57.154.6] said: 554 5.7.1 [CS01] ... (in reply to end of DATA command))
//	2026-11-27 12:00:01 1abcDE-000123-AB ** bob@example.org R=dnslookup T=remote_smtp H=mx.example.org [192.0.2.3]: SMTP error from remote mail server after RCPT TO:<bob@example.org>: 550 5.1.1 User unknown
//	Nov 27 12:00:01 host sm-mta[123]: xAB12345: to=<bob@example.net>, delay=00:00:01, mailer=esmtp, relay=mx.example.net. [192.0.2.5], dsn=5.1.1, stat=User unknown
//
// Lines that are not delivery attempts give ErrNotDeliveryLine; lines longer
// than MaxLogLineLen give ErrReplyTooLong (both wrapped in a *ParseError).
// Postfix's "status=expired" lines from qmgr carry no recipient: Recipient is
// then empty and the caller attributes the expiry to the queue ID's deferred
// recipients.
func ParseLogLine(line string) (LogLine, error) {
	if len(line) > MaxLogLineLen {
		return LogLine{}, &ParseError{What: "log line", Input: truncateForError(line), Err: ErrReplyTooLong}
	}
	line = trimSpace(line)
	if i := strings.Index(line, " status="); i >= 0 && strings.Contains(line[:i], "postfix") {
		return parsePostfixLine(line, i)
	}
	if i := strings.Index(line, " stat="); i >= 0 && strings.Contains(line[:i], " to=") {
		return parseSendmailLine(line, i)
	}
	if l, ok := parseEximLine(line); ok {
		return l, nil
	}
	return LogLine{}, &ParseError{What: "log line", Input: truncateForError(line), Err: ErrNotDeliveryLine}
}

// syslogHead splits "TIMESTAMP HOST PROGRAM[PID]: REST" (RFC 3164 time
// stamps, or RFC 3339 ones as rsyslog writes them) and RFC 5424's
// "<PRI>1 TIMESTAMP HOST APP PROCID MSGID SD MSG" (section 6), and returns
// the time stamp, host, program and the rest after the program.
func syslogHead(line string) (ts, host, prog, rest string) {
	if l, ok := rfc5424Head(line); ok {
		return l[0], l[1], l[2], l[3]
	}
	i := strings.Index(line, "]: ")
	if i < 0 {
		if i = strings.Index(line, ": "); i < 0 {
			return "", "", "", line
		}
		rest = line[i+2:]
	} else {
		rest = line[i+3:]
	}
	head := line[:i]
	// The program is the last word of the head; the host the one before.
	j := strings.LastIndexByte(head, ' ')
	if j < 0 {
		return "", "", "", rest
	}
	prog = head[j+1:]
	if k := strings.IndexByte(prog, '['); k >= 0 {
		prog = prog[:k]
	}
	head = trimRightSpace(head[:j])
	k := strings.LastIndexByte(head, ' ')
	if k < 0 {
		return "", head, prog, rest
	}
	return trimRightSpace(head[:k]), head[k+1:], prog, rest
}

// rfc5424Head reads the RFC 5424 header: "<PRI>VERSION SP TIMESTAMP SP
// HOSTNAME SP APP-NAME SP PROCID SP MSGID SP STRUCTURED-DATA [SP MSG]".
func rfc5424Head(line string) ([4]string, bool) {
	var out [4]string
	if len(line) < 4 || line[0] != '<' {
		return out, false
	}
	gt := strings.IndexByte(line, '>')
	if gt < 2 || gt > 4 || gt+2 >= len(line) || line[gt+1] < '1' || line[gt+1] > '9' || line[gt+2] != ' ' {
		return out, false
	}
	f := line[gt+3:]
	var w [5]string
	for n := range w {
		k := strings.IndexByte(f, ' ')
		if k < 0 {
			return out, false
		}
		w[n], f = f[:k], f[k+1:]
	}
	// Structured data: "-" or one or more "[...]" elements.
	if strings.HasPrefix(f, "-") {
		f = strings.TrimPrefix(f[1:], " ")
	} else {
		for strings.HasPrefix(f, "[") {
			end := strings.IndexByte(f, ']')
			if end < 0 {
				return out, false
			}
			f = f[end+1:]
		}
		f = strings.TrimPrefix(f, " ")
	}
	f = strings.TrimPrefix(f, "\ufeff")
	return [4]string{w[0], w[1], w[2], f}, true
}

// syslogDelivery reads what Postfix and Sendmail delivery lines share before
// their status: the syslog head, "QUEUEID:", and the to=, relay= and dsn=
// fields. The relay is reduced to its host ("mx[192.0.2.1]:25" and
// "mx.example.net." give "mx" and "mx.example.net"; "none" gives "").
func syslogDelivery(mta, head string) LogLine {
	l := LogLine{MTA: mta}
	var rest string
	l.Timestamp, l.Host, l.Program, rest = syslogHead(head)
	if j := strings.IndexByte(rest, ':'); j > 0 && !strings.ContainsAny(rest[:j], " =<") {
		l.QueueID = rest[:j]
	}
	// One pass over the "key=value, " fields; the relay's value may hold a
	// space ("mx.example.net. [192.0.2.5]", Sendmail).
	var relay, delay, dsn string
	for f := rest[len(l.QueueID):]; f != ""; {
		var kv string
		if k := strings.IndexByte(f, ','); k >= 0 {
			kv, f = f[:k], f[k+1:]
		} else {
			kv, f = f, ""
		}
		kv = trimSpace(strings.TrimPrefix(kv, ":"))
		eq := strings.IndexByte(kv, '=')
		if eq <= 0 {
			continue
		}
		switch v := kv[eq+1:]; kv[:eq] {
		case "to":
			if l.Recipient == "" {
				if strings.HasPrefix(v, "<") {
					if e := strings.IndexByte(v, '>'); e >= 0 {
						v = v[1:e]
					}
				} else if e := strings.IndexByte(v, ' '); e >= 0 {
					v = v[:e]
				}
				l.Recipient = v
			}
		case "relay":
			relay = v
		case "delay":
			delay = v
		case "dsn":
			dsn = v
		}
	}
	if r := relay; r != "" && r != "none" {
		if k := strings.IndexByte(r, '['); k > 0 {
			addr := r[k+1:]
			if e := strings.IndexByte(addr, ']'); e >= 0 {
				addr = addr[:e]
			}
			l.RelayAddress = addr
			r = r[:k]
		} else if strings.IndexByte(r, '/') >= 0 {
			l.RelayAddress = r
		}
		l.Relay = strings.TrimSuffix(trimRightSpace(r), ".")
	}
	if delay != "" {
		if f, err := strconv.ParseFloat(delay, 64); err == nil && f >= 0 && f < 1e9 {
			l.Delay = time.Duration(f * float64(time.Second))
		}
	}
	if dsn != "" {
		l.Status, _ = ParseStatus(dsn)
	}
	return l
}

func parsePostfixLine(line string, statusAt int) (LogLine, error) {
	l := syslogDelivery("postfix", line[:statusAt])
	status := line[statusAt+len(" status="):]
	word := status
	if k := strings.IndexAny(word, " ,("); k >= 0 {
		word = word[:k]
	}
	switch LogOutcome(word) {
	case LogSent, LogDeferred, LogBounced, LogExpired:
		l.Outcome = LogOutcome(word)
	default:
		return LogLine{}, &ParseError{What: "log line", Input: truncateForError(line), Err: ErrNotDeliveryLine}
	}
	if k, m := strings.IndexByte(status, '('), strings.LastIndexByte(status, ')'); k >= 0 && m > k {
		l.Reply, _ = ParseReply(status[k+1 : m])
	}
	if !l.Reply.Status.IsValid() && l.Status.IsValid() && !l.Reply.HasCode() {
		// Local errors ("connect to ...: Connection timed out") have only dsn=.
		l.Reply.Status = l.Status
	}
	return l, nil
}

func parseSendmailLine(line string, statAt int) (LogLine, error) {
	l := syslogDelivery("sendmail", line[:statAt])
	stat := trimSpace(line[statAt+len(" stat="):])
	switch {
	case hasPrefixFold(stat, "Sent"):
		l.Outcome = LogSent
	case hasPrefixFold(stat, "Deferred"):
		l.Outcome = LogDeferred
	case l.Status.Transient():
		l.Outcome = LogDeferred
	default:
		l.Outcome = LogBounced
	}
	// ParseReply reads the Sendmail line itself: stat= with dsn= and relay=.
	l.Reply, _ = ParseReply(line)
	return l, nil
}

// parseEximLine reads Exim main-log delivery lines: "=>" and "->" delivered,
// "**" failed, "==" deferred (Exim specification, chapter "Log files").
func parseEximLine(line string) (LogLine, bool) {
	// "YYYY-MM-DD HH:MM:SS[.ddd] [+zzzz ]MSGID FLAG ADDRESS ..."
	f := line
	var words [5]string
	n := 0
	for n < len(words) && f != "" {
		k := strings.IndexByte(f, ' ')
		if k < 0 {
			words[n], f = f, ""
		} else {
			words[n], f = f[:k], trimSpace(f[k+1:])
		}
		n++
		if n >= 3 && isEximFlag(words[n-1]) {
			break
		}
	}
	if n < 4 || !isEximFlag(words[n-1]) || len(words[0]) != 10 || words[0][4] != '-' {
		return LogLine{}, false
	}
	l := LogLine{MTA: "exim", QueueID: words[n-2]}
	l.Timestamp = line[:len(words[0])+1+len(words[1])]
	if n >= 5 && (words[2][0] == '+' || words[2][0] == '-') {
		// "2026-11-27 12:00:01 +0100 MSGID ..." (log_timezone set).
		l.Timestamp = line[:len(words[0])+1+len(words[1])+1+len(words[2])]
	}
	switch words[n-1] {
	case "=>", "->":
		l.Outcome = LogSent
	case "**":
		l.Outcome = LogBounced
	case "==":
		l.Outcome = LogDeferred
	}
	addr := f
	if k := strings.IndexByte(addr, ' '); k >= 0 {
		addr, f = addr[:k], addr[k+1:]
	} else {
		f = ""
	}
	l.Recipient = strings.Trim(addr, "<>:")
	if h := logField(f, "H="); h != "" {
		l.Relay = h
		if k := strings.Index(f, "H="+h+" ["); k >= 0 {
			a := f[k+len(h)+4:]
			if e := strings.IndexByte(a, ']'); e >= 0 {
				l.RelayAddress = a[:e]
			}
		}
	}
	l.Router, l.Transport = logField(f, "R="), logField(f, "T=")
	if qt := logField(f, "QT="); qt != "" {
		l.Delay = eximDuration(qt)
	}
	// A delivery's confirmation is in C="..."; a failure's detail follows
	// the first ": " after the H=host [ip] part.
	if c := logField(f, "C="); l.Outcome == LogSent && c != "" {
		if k := strings.Index(f, `C="`); k >= 0 {
			c = f[k+3:]
			if e := strings.IndexByte(c, '"'); e >= 0 {
				c = c[:e]
			}
		}
		l.Reply, _ = ParseReply(c)
	} else if k := strings.Index(f, "]: "); k >= 0 {
		l.Reply, _ = ParseReply(f[k+3:])
	} else if k := strings.Index(f, ": "); k >= 0 {
		l.Reply, _ = ParseReply(f[k+2:])
	}
	return l, true
}

func isEximFlag(w string) bool { return w == "=>" || w == "->" || w == "**" || w == "==" }

// logField returns the value of key in "key=value, " or "key=value " lists;
// "<...>" around an address is removed.
func logField(s, key string) string {
	i := 0
	for {
		k := strings.Index(s[i:], key)
		if k < 0 {
			return ""
		}
		k += i
		if k == 0 || s[k-1] == ' ' || s[k-1] == ',' {
			v := s[k+len(key):]
			end := strings.IndexAny(v, ", ")
			if strings.HasPrefix(v, "<") {
				if e := strings.IndexByte(v, '>'); e >= 0 {
					return v[1:e]
				}
			}
			if end >= 0 {
				// "relay=mx.example.net. [192.0.2.5]" keeps the host only.
				v = v[:end]
			}
			return v
		}
		i = k + len(key)
	}
}

// eximDuration reads Exim's QT= and DT= times: "1.2s", "3m4s", "1h2m3s",
// "2d3h" (Exim specification, "Log files", the QT and DT log selectors).
func eximDuration(s string) time.Duration {
	var d time.Duration
	for s != "" {
		i := 0
		for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == '.') {
			i++
		}
		if i == 0 || i == len(s) {
			return d
		}
		f, err := strconv.ParseFloat(s[:i], 64)
		if err != nil || f > 1e7 {
			return d
		}
		unit := time.Second
		switch s[i] {
		case 'w':
			unit = 7 * 24 * time.Hour
		case 'd':
			unit = 24 * time.Hour
		case 'h':
			unit = time.Hour
		case 'm':
			unit = time.Minute
		case 's':
		default:
			return d
		}
		d += time.Duration(f * float64(unit))
		s = s[i+1:]
	}
	return d
}
