package segment

// This file holds the outcome rules: one outcome per message and
// recipient. A source logs attempts (Postfix logs every deferral of a queue
// entry, KumoMTA every TransientFailure, SES a DeliveryDelay); a report
// counts outcomes. The rules, in docs/segment.md "Outcomes":
//
//   - The key is the message ID and the recipient (KeyOf).
//   - A key's outcome is its last final status, delivered or bounced,
//     wherever it appears; "last" is the latest Time, and at equal times
//     bounced before delivered, then the reply text, so the result never
//     depends on the order events arrive in.
//   - A key with only temporary failures (deferrals) is deferred, with the
//     latest of them.
//   - A complaint does not change the outcome (it is about mail already
//     delivered); a key keeps its first complaint, counted beside it.
//   - The outcome carries Attempts (the delivery attempts folded) and Delay
//     (the time from the key's first attempt, or the source's own delay
//     when longer).
//
// KeyState is the fold; it is small and mergeable, so the same rules run
// in one process (Dedup) or spread out (group events by Key, fold each
// group, merge partial states), and both give the same outcomes by
// construction.

import (
	"strings"
	"time"
)

// Key identifies one message to one recipient.
type Key struct {
	MessageID string
	// Recipient is ASCII-lower-cased: sources differ in the case they log
	// an address in (RFC 5321 section 2.4 leaves the local part's case to
	// the receiving host, and mailbox providers ignore it).
	Recipient string
}

// KeyOf returns the key of ev; ok is false when ev has no message ID (a CSV
// without a message_id column), in which case the event is an outcome of
// its own.
func KeyOf(ev *Event) (k Key, ok bool) {
	if ev.MessageID == "" || ev.Recipient == "" {
		return Key{}, false
	}
	return Key{ev.MessageID, lowerASCII(ev.Recipient)}, true
}

func lowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			return strings.ToLower(s)
		}
	}
	return s
}

// KeyState is the fold of one key's events. The zero KeyState is empty.
// Add and Merge are order-independent: any grouping and order of a key's
// events gives the same Outcomes.
type KeyState struct {
	// out is the winning final status, or the latest deferral when there
	// is none yet; complaint the first complaint.
	out       Event
	complaint *Event
	// Attempts counts the delivered, bounced and deferred events folded.
	Attempts int
	// First is the time of the earliest attempt (zero when none had one).
	First time.Time
}

// rank orders outcomes for the fold: a final status beats a deferral
// whatever the times; bounced beats delivered at equal times (a
// conservative reading of two finals logged in the same instant).
func rank(o Outcome) int {
	switch o {
	case OutcomeBounced:
		return 3
	case OutcomeDelivered:
		return 2
	case OutcomeDeferred:
		return 1
	}
	return 0
}

func isFinal(o Outcome) bool { return o == OutcomeDelivered || o == OutcomeBounced }

// beats reports whether a should be the key's outcome rather than b.
func beats(a, b *Event) bool {
	if b.Outcome == "" {
		return true
	}
	if fa, fb := isFinal(a.Outcome), isFinal(b.Outcome); fa != fb {
		return fa
	}
	if !a.Time.Equal(b.Time) {
		return a.Time.After(b.Time)
	}
	if ra, rb := rank(a.Outcome), rank(b.Outcome); ra != rb {
		return ra > rb
	}
	if a.ReplyText != b.ReplyText {
		return a.ReplyText > b.ReplyText
	}
	return a.Recipient > b.Recipient
}

// earlier orders complaints: the first one counts.
func earlier(a, b *Event) bool {
	if !a.Time.Equal(b.Time) {
		return a.Time.Before(b.Time)
	}
	if fa, fb := a.Attr("feedback_type"), b.Attr("feedback_type"); fa != fb {
		return fa < fb
	}
	return a.Recipient+"\x00"+a.ReplyText < b.Recipient+"\x00"+b.ReplyText
}

// Add folds one event into the state. Events of another key must not be
// added (the state does not check).
func (s *KeyState) Add(ev *Event) {
	switch ev.Outcome {
	case OutcomeComplained:
		if s.complaint == nil || earlier(ev, s.complaint) {
			c := *ev
			s.complaint = &c
		}
		return
	case OutcomeDelivered, OutcomeBounced, OutcomeDeferred:
	default:
		return
	}
	n := max(ev.Attempts, 1)
	s.Attempts += n
	if !ev.Time.IsZero() && (s.First.IsZero() || ev.Time.Before(s.First)) {
		s.First = ev.Time
	}
	if d := ev.Time.Add(-ev.Delay); ev.Delay > 0 && ev.Attempts > 1 && !ev.Time.IsZero() && d.Before(s.First) {
		// A folded outcome carries its own first attempt in Delay.
		s.First = d
	}
	if beats(ev, &s.out) {
		s.out = *ev
	}
}

// Merge folds another partial state of the same key into s.
func (s *KeyState) Merge(o *KeyState) {
	if o.complaint != nil && (s.complaint == nil || earlier(o.complaint, s.complaint)) {
		c := *o.complaint
		s.complaint = &c
	}
	s.Attempts += o.Attempts
	if !o.First.IsZero() && (s.First.IsZero() || o.First.Before(s.First)) {
		s.First = o.First
	}
	if o.out.Outcome != "" && beats(&o.out, &s.out) {
		s.out = o.out
	}
}

// Final reports whether the state has a final status (delivered or
// bounced): later deferrals of the key cannot change it.
func (s *KeyState) Final() bool { return isFinal(s.out.Outcome) }

// Outcomes returns the key's outcome event (with Attempts and Delay set),
// then its complaint when there is one; nil for an empty state.
func (s *KeyState) Outcomes() []Event { return s.AppendOutcomes(nil) }

// AppendOutcomes appends Outcomes to dst.
func (s *KeyState) AppendOutcomes(dst []Event) []Event {
	if s.out.Outcome != "" {
		dst = append(dst, s.out)
		ev := &dst[len(dst)-1]
		ev.Attempts = s.Attempts
		if !s.First.IsZero() && !ev.Time.IsZero() {
			if d := ev.Time.Sub(s.First); d > ev.Delay {
				ev.Delay = d
			}
		}
	}
	if s.complaint != nil {
		dst = append(dst, *s.complaint)
	}
	return dst
}

// Fold applies the outcome rules to events of any keys and returns one
// outcome per key (plus a complaint per key that had one), in the order each
// key was first seen; events without a key are returned as they are, in
// place. It is Dedup without a memory cap, for a slice.
func Fold(events []Event) []Event {
	type slot struct {
		key   Key
		keyed bool
		ev    Event
	}
	var order []slot
	states := map[Key]*KeyState{}
	for i := range events {
		ev := &events[i]
		k, ok := KeyOf(ev)
		if !ok {
			order = append(order, slot{ev: *ev})
			continue
		}
		s := states[k]
		if s == nil {
			s = &KeyState{}
			states[k] = s
			order = append(order, slot{key: k, keyed: true})
		}
		s.Add(ev)
	}
	var out []Event
	for _, sl := range order {
		if !sl.keyed {
			out = append(out, sl.ev)
			continue
		}
		out = append(out, states[sl.key].Outcomes()...)
	}
	return out
}
