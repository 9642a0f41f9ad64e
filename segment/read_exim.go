package segment

// This file reads Exim main logs (Exim specification, chapter "Log files"):
//
//	2026-11-27 12:00:00 1vABCD-000123-AB <= news@shop.example H=app1 [192.0.2.7] P=esmtp S=1234 id=x@shop.example
//	2026-11-27 12:00:01 1vABCD-000123-AB => bob@example.org R=dnslookup T=remote_smtp H=mx.example.org [192.0.2.3] C="250 2.0.0 OK"
//	2026-11-27 12:00:01 1vABCD-000123-AB == ann@example.net R=dnslookup T=remote_smtp defer (-44) H=mx.example.net [192.0.2.4]: SMTP error from remote mail server after RCPT TO:<ann@example.net>: 451 4.7.1 Greylisted
//	2026-11-27 12:00:01 1vABCD-000123-AB ** cat@example.com R=dnslookup T=remote_smtp H=mx.example.com [192.0.2.5]: SMTP error from remote mail server after RCPT TO:<cat@example.com>: 550 5.1.1 User unknown
//
// "=>" (delivered) and "->" (delivered, another address of the same
// message), "**" (failed) and "==" (deferred) become events, keyed by the
// message ID and address. "<=" arrival lines with the null sender "<>" mark
// the message as Exim's own bounce notice; deliveries by a local transport
// are local deliveries.

import (
	"strings"

	"github.com/bouncekit/bouncekit/bounce"
)

func (rd *Reader) readExim(s *lineScanner, yield func(Event, error) bool) {
	notices := map[string]bool{}
	years := newYearGuess(rd)
	var relays relayAttrs
	for b := range rd.lines(s, FormatExim, yield) {
		line := string(b)
		l, perr := bounce.ParseLogLine(line)
		if perr != nil || l.MTA != "exim" {
			eximBookkeeping(line, notices)
			rd.Stats.Ignored++
			continue
		}
		t, terr := parseSyslogTime(l.Timestamp, years, rd.loc())
		if terr != nil {
			if !yield(Event{}, rd.rowErr(FormatExim, s.line, terr)) {
				return
			}
			continue
		}
		if !rd.KeepNotSends {
			if notices[l.QueueID] {
				rd.Stats.notSend(NotSendNullSender)
				continue
			}
			if isEximLocal(&l) {
				rd.Stats.notSend(NotSendLocal)
				continue
			}
		}
		if l.Recipient == "" {
			if !yield(Event{}, rd.rowErr(FormatExim, s.line, ErrNoRecipient)) {
				return
			}
			continue
		}
		var out Outcome
		switch l.Outcome {
		case bounce.LogSent:
			out = OutcomeDelivered
		case bounce.LogDeferred:
			out = OutcomeDeferred
		default:
			out = OutcomeBounced
		}
		ev := Event{Time: t, Recipient: l.Recipient, Outcome: out, ReplyText: l.Reply.Raw, MessageID: l.QueueID, Delay: l.Delay}
		if l.Relay != "" {
			ev.Attrs = relays.attrs(l.Relay)
		}
		rd.Stats.Events++
		if !yield(ev, nil) {
			return
		}
	}
}

// eximBookkeeping remembers messages received with the null sender
// ("MSGID <= <> ...") and forgets them at "MSGID Completed".
func eximBookkeeping(line string, notices map[string]bool) {
	f := strings.Fields(line)
	i := 2
	if i < len(f) && len(f[i]) == 5 && (f[i][0] == '+' || f[i][0] == '-') {
		i++
	}
	if i < len(f) && f[i][0] == '[' {
		i++
	}
	if i+1 >= len(f) {
		return
	}
	id := f[i]
	switch f[i+1] {
	case "<=":
		if i+2 < len(f) && f[i+2] == "<>" && len(notices) < maxPostfixPending {
			notices[id] = true
		}
	case "Completed":
		delete(notices, id)
	}
}

// isEximLocal reports a delivery by a local transport (appendfile, pipe or
// LMTP to this host): Exim's default configuration names them
// local_delivery, address_file, address_pipe, and sites dovecot_lmtp,
// virtual_delivery and the like. Remote SMTP transports carry H=.
func isEximLocal(l *bounce.LogLine) bool {
	t := strings.ToLower(l.Transport)
	if t == "" {
		return false
	}
	for _, w := range []string{"local", "address_file", "address_pipe", "appendfile", "dovecot", "lmtp", "virtual", "maildir", "mailbox"} {
		if strings.Contains(t, w) {
			return l.Relay == "" || l.RelayAddress == "" || strings.HasPrefix(l.RelayAddress, "127.") || l.RelayAddress == "::1"
		}
	}
	return false
}
