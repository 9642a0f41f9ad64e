package segment

import (
	"fmt"
	"strings"
	"time"

	"github.com/bouncekit/bouncekit/bounce"
	"github.com/bouncekit/bouncekit/classify"
)

// Outcome is what happened to one message for one recipient. The values are
// the wire tokens used in the CSV and JSON formats.
type Outcome string

// Outcomes.
const (
	OutcomeDelivered  Outcome = "delivered"
	OutcomeBounced    Outcome = "bounced"
	OutcomeDeferred   Outcome = "deferred"
	OutcomeComplained Outcome = "complained"
)

// ParseOutcome reads an outcome token. Besides the four wire tokens it
// accepts the words MTAs and ESPs use for them: "sent", "delivery",
// "bounce", "failed", "expired", "rejected", "delay", "deferral",
// "transient", "complaint", "fbl" (case-insensitive).
func ParseOutcome(s string) (Outcome, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "delivered", "sent", "delivery", "d", "success":
		return OutcomeDelivered, nil
	case "bounced", "bounce", "failed", "hard", "expired", "rejected", "b", "rb":
		return OutcomeBounced, nil
	case "deferred", "deferral", "delay", "delayed", "transient", "soft", "t":
		return OutcomeDeferred, nil
	case "complained", "complaint", "fbl", "f", "abuse":
		return OutcomeComplained, nil
	}
	return "", fmt.Errorf("%w: %q", ErrBadOutcome, s)
}

// Attr is one free attribute of an event: subject, from domain, link host,
// a personalised field... Keys are compared as given.
type Attr struct {
	Key, Value string
}

// Event is one delivery outcome for one recipient. Readers fill what their
// format carries; everything else stays zero.
//
// Reply and Verdict may be left zero: Aggregate.Add reads and classifies
// ReplyText itself (with a cache keyed by the text) when Verdict.Category is
// empty and the outcome is not delivered.
type Event struct {
	Time      time.Time
	Recipient string
	Outcome   Outcome
	// ReplyText is the SMTP reply or diagnostic as logged.
	ReplyText string
	Reply     bounce.Reply
	Verdict   classify.Verdict

	Campaign  string
	Template  string
	SendingIP string
	MessageID string
	// Transactional marks receipts, password resets, login codes...
	Transactional bool
	// SubscriberAge is how long the recipient had been subscribed when the
	// message was sent; 0 when not known. SignupDate is used instead when
	// SubscriberAge is 0 and both it and Time are set.
	SubscriberAge time.Duration
	SignupDate    time.Time

	// Attrs are the free attributes in the order the source gave them.
	// Readers may share one Attrs array among events (the relay of a mail
	// log line): treat it as read-only, or copy it before changing it.
	Attrs []Attr

	// Attempts is how many delivery attempts (deferrals and the final
	// status) the outcome folds together: set by Fold and Dedup, 0 on an
	// event read straight from a source (one attempt).
	Attempts int
	// Delay is the time from the message's arrival (or its first attempt
	// seen) to this outcome: Postfix's delay=, Exim's QT=, or, after
	// folding, the time since the key's first attempt when that is longer.
	Delay time.Duration
}

// Attr returns the value of the free attribute named key, or "".
func (e *Event) Attr(key string) string {
	for _, a := range e.Attrs {
		if a.Key == key {
			return a.Value
		}
	}
	return ""
}

// Domain returns the recipient's domain, lower-cased only if it was given so,
// or "" when the recipient has no "@".
func (e *Event) Domain() string {
	r := e.Recipient
	if i := strings.LastIndexByte(r, '@'); i >= 0 {
		r = r[i+1:]
	} else {
		return ""
	}
	return strings.TrimSuffix(strings.TrimSuffix(r, ">"), ".")
}

// age returns the subscriber age, or -1 when not known.
func (e *Event) age() time.Duration {
	if e.SubscriberAge > 0 {
		return e.SubscriberAge
	}
	if !e.SignupDate.IsZero() && !e.Time.IsZero() {
		return e.Time.Sub(e.SignupDate)
	}
	return -1
}

// AgeBucket names the subscriber-age bucket used as the "subscriber_age"
// attribute: "new" (under 30 days), "established" (30-365 days), "old" (over
// a year), or "" when not known. New and old subscribers failing alike is one
// of the escalation signals.
func AgeBucket(d time.Duration) string {
	switch {
	case d < 0:
		return ""
	case d < 30*24*time.Hour:
		return "new"
	case d <= 365*24*time.Hour:
		return "established"
	}
	return "old"
}
