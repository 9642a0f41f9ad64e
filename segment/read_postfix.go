package segment

// This file reads Postfix mail logs. bounce.ParseLogLine reads each line;
// here remains the bookkeeping across lines: which queue IDs are Postfix's
// own notices, which recipients are still deferred when qmgr expires a
// message, and the year of syslog time stamps.

import (
	"bytes"
	"strings"

	"github.com/bouncekit/bouncekit/bounce"
)

// maxPostfixPending bounds the deferred recipients remembered per input so
// that a later recipient-less "status=expired" line can be counted for each
// of them, and the queue IDs remembered as null-sender notices. Beyond it,
// new ones are not remembered (an expiry is then ignored rather than
// guessed, a notice counted as a send).
const maxPostfixPending = 100000

// readPostfix reads delivery lines of the Postfix smtp/lmtp/local/virtual/
// pipe agents:
//
//	Jun 15 10:00:01 mx postfix/smtp[123]: 4BxyZ: to=<a@icloud.com>, relay=mx01.mail.icloud.com[17.57.154.6]:25, delay=1.2, delays=0.1/0/0.5/0.6, dsn=5.7.1, status=bounced (host mx01.mail.icloud.com[17.57.154.6] said: 554 5.7.1 [CS01] Message rejected due to local policy (in reply to end of DATA command))
//
// status=sent, deferred, bounced and expired become events (expired as a
// bounce); every other line is ignored, except for what marks a queue ID as
// a notice (postfix/bounce's "sender non-delivery notification: QUEUEID",
// qmgr's "QUEUEID: from=<>,") and "QUEUEID: removed", which forgets it.
func (rd *Reader) readPostfix(s *lineScanner, yield func(Event, error) bool) {
	type pending struct{ rcpts, replies []string }
	waiting := map[string]*pending{}
	notices := map[string]bool{}
	years := newYearGuess(rd)
	var relays relayAttrs
	for b := range rd.lines(s, FormatPostfix, yield) {
		if !maybePostfixDelivery(b) {
			// Most lines of a mail log are not deliveries: read them for
			// what marks a notice without copying them.
			postfixBookkeeping(b, notices)
			rd.Stats.Ignored++
			continue
		}
		line := string(b)
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
		t, terr := parseSyslogTime(l.Timestamp, years, rd.loc())
		if terr != nil {
			if !yield(Event{}, rd.rowErr(FormatPostfix, s.line, terr)) {
				return
			}
			continue
		}
		if !rd.KeepNotSends {
			if qid != "" && notices[qid] {
				rd.Stats.notSend(NotSendNullSender)
				continue
			}
			if isPostfixLocal(&l) {
				rd.Stats.notSend(NotSendLocal)
				continue
			}
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
		ev := Event{Time: t, Recipient: rcpt, Outcome: out, ReplyText: reply, MessageID: qid, Delay: l.Delay}
		if l.Relay != "" {
			ev.Attrs = relays.attrs(l.Relay)
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

// postfixBookkeeping reads the lines that are not deliveries but say what
// a queue ID is: a notice Postfix made ("postfix/bounce[..]: 4ABC: sender
// non-delivery notification: 5DEF", also "delivery status notification",
// "delay notification", "postmaster non-delivery notification"), a message
// qmgr queued with the null sender ("5DEF: from=<>, size=..."), or one
// cleaned out ("5DEF: removed").
func postfixBookkeeping(line []byte, notices map[string]bool) {
	i := bytes.Index(line, []byte("]: "))
	if i < 0 || !bytes.Contains(line[:i], []byte("postfix")) {
		return
	}
	rest := line[i+3:]
	j := bytes.IndexByte(rest, ':')
	if j <= 0 || bytes.ContainsAny(rest[:j], " =<") {
		return
	}
	qid, msg := rest[:j], rest[j+1:]
	switch {
	case bytes.HasPrefix(msg, []byte(" from=<>,")):
		if len(notices) < maxPostfixPending {
			notices[string(qid)] = true
		}
	case bytes.HasPrefix(msg, []byte(" removed")):
		if len(notices) > 0 {
			delete(notices, string(qid))
		}
	case bytes.Contains(msg, []byte(" notification: ")):
		k := bytes.LastIndex(msg, []byte(" notification: "))
		if n := bytes.TrimSpace(msg[k+len(" notification: "):]); len(n) > 0 && !bytes.ContainsAny(n, " =<") && len(notices) < maxPostfixPending {
			notices[string(n)] = true
		}
	}
}

// isPostfixLocal reports a delivery to a mailbox on this host rather than a
// send: the local, virtual and pipe agents, relay=local/virtual/dovecot,
// and LMTP to a unix socket or a loopback address.
func isPostfixLocal(l *bounce.LogLine) bool {
	agent := l.Program
	if k := strings.LastIndexByte(agent, '/'); k >= 0 {
		agent = agent[k+1:]
	}
	switch agent {
	case "local", "virtual", "pipe":
		return true
	}
	switch strings.ToLower(l.Relay) {
	case "local", "virtual", "dovecot", "private", "maildrop", "procmail":
		return true
	}
	if agent == "lmtp" || strings.Contains(l.RelayAddress, "lmtp") {
		a := l.RelayAddress
		if a == "" || strings.IndexByte(a, '/') >= 0 || strings.HasPrefix(a, "127.") || a == "::1" || strings.EqualFold(l.Relay, "localhost") {
			return true
		}
	}
	return false
}

// maybePostfixDelivery is a quick test that a line can be a delivery (its
// message starts "QUEUEID: to="), found through the rare ']' that ends the
// program's PID; lines without one are tested for " status=".
func maybePostfixDelivery(b []byte) bool {
	i := bytes.IndexByte(b, ']')
	if i < 0 || i+3 >= len(b) || b[i+1] != ':' || b[i+2] != ' ' {
		return bytes.Contains(b, []byte(" status="))
	}
	rest := b[i+3:]
	j := bytes.IndexByte(rest, ':')
	if j < 0 || j+5 > len(rest) {
		return false
	}
	msg := rest[j+1:]
	switch {
	case bytes.HasPrefix(msg, []byte(" to=")):
		return true
	case bytes.HasPrefix(msg, []byte(" from=")):
		// qmgr's "from=<...>, status=expired, returned to sender"; its
		// "(queue active)" lines are the common case.
		return !bytes.HasSuffix(msg, []byte("(queue active)")) && bytes.Contains(msg, []byte(" status="))
	}
	return false
}

// relayAttrs shares one read-only []Attr{{"relay", host}} among the events
// to the same relay host: a log has a few hundred of them and millions of
// lines. At most maxRelayAttrs hosts are kept.
type relayAttrs map[string][]Attr

const maxRelayAttrs = 4096

func (r *relayAttrs) attrs(host string) []Attr {
	if a, ok := (*r)[host]; ok {
		return a
	}
	// Capacity 1: a caller that appends gets a copy, never a shared array.
	a := []Attr{{"relay", strings.Clone(host)}}[:1:1]
	if *r == nil {
		*r = relayAttrs{}
	}
	if len(*r) < maxRelayAttrs {
		(*r)[a[0].Value] = a
	}
	return a
}
