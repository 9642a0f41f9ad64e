// Package queue shows bouncekit inside a mail queue: send a message with an
// SMTP client, read the reply out of the client's error, classify it, and
// decide: give up without suppressing, retry later (and slow down), or
// suppress the recipient. Copy Decide into your queue.
package queue

import (
	"fmt"
	"net/smtp"
	"strings"
	"time"

	"github.com/bouncekit/bouncekit/bounce"
	"github.com/bouncekit/bouncekit/classify"
)

// Action is what the queue does with one message to one recipient.
type Action string

// Actions.
const (
	Delivered Action = "delivered"
	// GiveUp: the message will not be accepted as it is; do not retry it,
	// but keep the address (CS01, DMARC, reputation, content...).
	GiveUp Action = "give up, keep address"
	// Suppress: the address itself is bad; never send to it again.
	Suppress Action = "suppress address"
	// Retry: transient; try again at Decision.At.
	Retry Action = "retry later"
	// RetrySlow: transient and the provider asks for less traffic: retry
	// later and throttle the stream to that provider.
	RetrySlow Action = "retry later, slow down provider"
)

// Decision is the queue's answer for one attempt.
type Decision struct {
	Recipient string
	Action    Action
	At        time.Time // when to retry, for Retry and RetrySlow
	Verdict   classify.Verdict
	Reply     bounce.Reply
}

// Decide turns the error of one delivery attempt into a Decision. err is what
// net/smtp (or github.com/emersion/go-smtp) returned; mx is the host the
// client talked to; attempt counts from 1 and first is the time of the first
// attempt. An error with no SMTP reply (a timeout, a refused connection) is a
// network failure and is retried like any transient failure.
func Decide(c *classify.Classifier, p classify.RetryPolicy, err error, rcpt, mx string, attempt int, first time.Time) Decision {
	d := Decision{Recipient: rcpt}
	if err == nil {
		d.Action = Delivered
		return d
	}
	reply, ok := bounce.FromError(err)
	if !ok {
		// No reply: classify the error text, which reads as a local error.
		reply, _ = bounce.ParseReply(err.Error())
	}
	d.Reply = reply
	d.Verdict = c.Classify(&reply, classify.Context{Recipient: rcpt, RemoteMTA: mx})
	switch rd := p.Decide(d.Verdict, attempt, first); {
	case d.Verdict.Suppress:
		d.Action = Suppress
	case rd.Retry && d.Verdict.SlowDown:
		d.Action, d.At = RetrySlow, rd.At
	case rd.Retry:
		d.Action, d.At = Retry, rd.At
	default:
		d.Action = GiveUp
	}
	return d
}

// Send delivers msg to one recipient through the SMTP server at addr and
// returns the client's error: nil when the message was accepted, else the
// error of the command that failed (RCPT TO, DATA or the end of DATA).
func Send(addr, helo, from, rcpt string, msg string) error {
	c, err := smtp.Dial(addr)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.Hello(helo); err != nil {
		return err
	}
	if err := c.Mail(from); err != nil {
		return err
	}
	if err := c.Rcpt(rcpt); err != nil {
		return err
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write([]byte(strings.ReplaceAll(msg, "\n", "\r\n"))); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err // the reply to the end of DATA
	}
	return c.Quit()
}

// String prints a decision on one line.
func (d Decision) String() string {
	if d.Action == Delivered {
		return fmt.Sprintf("%s: delivered", d.Recipient)
	}
	prov := ""
	if d.Verdict.Provider != "" {
		prov = ", provider " + string(d.Verdict.Provider)
	}
	return fmt.Sprintf("%s: %s (%s %s%s, rule %s)", d.Recipient, d.Action,
		d.Verdict.Severity, d.Verdict.Category, prov, d.Verdict.Rule)
}
