package segment

import (
	"strings"
	"time"

	"github.com/bouncekit/bouncekit/bounce"
)

// maxPostfixPending bounds the deferred recipients remembered per queue ID
// so that a later "status=expired" line without a recipient can be counted
// for each of them. Beyond it, new deferrals are not remembered (their
// expiry is then ignored rather than guessed).
const maxPostfixPending = 100000

// readPostfix reads delivery lines of the Postfix smtp/lmtp/local/virtual
// agents:
//
//	Jun 15 10:00:01 mx postfix/smtp[123]: 4BxyZ: to=<a@icloud.com>, relay=mx01.mail.icloud.com[17.57.154.6]:25, delay=1.2, delays=0.1/0/0.5/0.6, dsn=5.7.1, status=bounced (host mx01.mail.icloud.com[17.57.154.6] said: 554 5.7.1 [CS01] Message rejected due to local policy (in reply to end of DATA command))
//
// status=sent, deferred, bounced and expired become events (expired as a
// bounce); every other line is ignored.
func (rd *Reader) readPostfix(s *lineScanner, yield func(Event, error) bool) {
	type pending struct{ rcpts, replies []string }
	waiting := map[string]*pending{}
	year := rd.Year
	if year == 0 {
		year = time.Now().Year()
	}
	for b := range rd.lines(s, FormatPostfix, yield) {
		line := string(b)
		// bounce.ParseLogLine reads the line (Postfix, and Exim and Sendmail
		// lines too); here only the bookkeeping across lines remains.
		l, perr := bounce.ParseLogLine(line)
		if perr != nil {
			rd.Stats.Ignored++ // not a delivery attempt (or longer than any)
			continue
		}
		var out Outcome
		switch l.Outcome {
		case bounce.LogSent:
			out = OutcomeDelivered
		case bounce.LogDeferred:
			out = OutcomeDeferred
		default: // bounced, expired
			out = OutcomeBounced
		}
		reply, qid, rcpt := l.Reply.Raw, l.QueueID, l.Recipient
		t, terr := parsePostfixTime(line, year, rd.loc())
		if terr != nil {
			if !yield(Event{}, rd.rowErr(FormatPostfix, s.line, terr)) {
				return
			}
			continue
		}
		if rcpt == "" {
			// qmgr's "from=<...>, status=expired, returned to sender" names no
			// recipient: count each recipient deferred before under this ID.
			if l.Outcome == bounce.LogExpired && qid != "" {
				if p := waiting[qid]; p != nil {
					delete(waiting, qid)
					for i, r := range p.rcpts {
						rd.Stats.Events++
						if !yield(Event{Time: t, Recipient: r, Outcome: OutcomeBounced, ReplyText: p.replies[i], MessageID: qid}, nil) {
							return
						}
					}
					continue
				}
			}
			if !strings.Contains(line, " to=<") {
				rd.Stats.Ignored++ // a status line about the message, not a recipient
				continue
			}
			if !yield(Event{}, rd.rowErr(FormatPostfix, s.line, ErrNoRecipient)) {
				return
			}
			continue
		}
		ev := Event{Time: t, Recipient: rcpt, Outcome: out, ReplyText: reply, MessageID: qid}
		if l.Relay != "" {
			ev.Attrs = []Attr{{"relay", l.Relay}}
		}
		if qid != "" {
			switch out {
			case OutcomeDeferred:
				p := waiting[qid]
				if p == nil && len(waiting) < maxPostfixPending {
					p = &pending{}
					waiting[qid] = p
				}
				if p != nil {
					found := false
					for i, r := range p.rcpts {
						if r == rcpt {
							p.replies[i], found = reply, true
						}
					}
					if !found {
						p.rcpts = append(p.rcpts, rcpt)
						p.replies = append(p.replies, reply)
					}
				}
			default:
				if p := waiting[qid]; p != nil {
					for i, r := range p.rcpts {
						if r == rcpt {
							p.rcpts = append(p.rcpts[:i], p.rcpts[i+1:]...)
							p.replies = append(p.replies[:i], p.replies[i+1:]...)
							break
						}
					}
					if len(p.rcpts) == 0 {
						delete(waiting, qid)
					}
				}
			}
		}
		rd.Stats.Events++
		if !yield(ev, nil) {
			return
		}
	}
}

// parsePostfixTime reads the syslog timestamp at the start of a line: RFC
// 3339 ("2026-06-15T10:00:01.123456+00:00", rsyslog high precision) or the
// traditional "Jun 15 10:00:01", which has no year.
func parsePostfixTime(line string, year int, loc *time.Location) (time.Time, error) {
	if len(line) >= 10 && line[0] >= '0' && line[0] <= '9' {
		tok := line
		if i := strings.IndexByte(tok, ' '); i >= 0 {
			tok = tok[:i]
		}
		return parseTime(tok, loc)
	}
	if len(line) < 15 {
		return time.Time{}, ErrBadTime
	}
	t, err := time.ParseInLocation("Jan _2 15:04:05", line[:15], loc)
	if err != nil {
		return time.Time{}, ErrBadTime
	}
	return t.AddDate(year-t.Year(), 0, 0), nil
}
