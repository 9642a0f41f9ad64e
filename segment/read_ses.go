package segment

// This file maps Amazon SES records, decoded by bounce.ParseSESEvent, to
// events. bounceType and bounceSubType decide the outcome
// (https://docs.aws.amazon.com/ses/latest/dg/notification-contents.html#bounce-types):
//
//	Permanent    bounced; General is classified from the diagnostic, NoEmail,
//	             Suppressed and OnAccountSuppressionList suppress the address
//	Transient    deferred: SES gave up on this message, not on the address
//	Undetermined bounced
//	Complaint    complained, with its feedback type as attribute feedback_type
//	DeliveryDelay deferred (SES still trying; folds like a deferral)
//	Delivery     delivered
//	Send, Open, Click, Reject, Rendering Failure, Subscription: not outcomes.

import (
	"fmt"
	"strings"
	"time"

	"github.com/bouncekit/bouncekit/bounce"
	"github.com/bouncekit/bouncekit/classify"
)

// MaxSESRecipients limits the recipients read from one SES record; SES
// itself sends to at most 50 per message.
const MaxSESRecipients = 1000

// sesSuppressed is the verdict of an address SES will not send to: it is on
// SES's global or the account's suppression list, or the domain has no mail
// server (NoEmail). Retrying cannot help and the address must be suppressed.
func sesSuppressed(sub string, cat classify.Category) classify.Verdict {
	return classify.Verdict{Severity: classify.SeverityHard, Category: cat, Suppress: true,
		Rule: "ses." + sub, Explanation: "Amazon SES bounce subtype " + sub + ": do not send to this address again."}
}

func parseSESEvents(_ *Reader, rec []byte, evs []Event) ([]Event, bool, error) {
	s, err := bounce.ParseSESEvent(rec)
	if err != nil {
		// bounce.ErrNotSES or a JSON error, kept for errors.Is.
		return evs, false, fmt.Errorf("%w: %w", ErrBadRecord, err)
	}
	base := Event{MessageID: s.Mail.MessageID}
	if s.Mail.Subject != "" {
		base.Attrs = append(base.Attrs, Attr{"subject", s.Mail.Subject})
	}
	if len(s.Mail.From) > 0 {
		if d := (&Event{Recipient: s.Mail.From[0]}).Domain(); d != "" {
			base.Attrs = append(base.Attrs, Attr{"from_domain", d})
		}
	}
	if len(s.Mail.Tags) > 0 {
		meta := make(map[string]any, len(s.Mail.Tags))
		for _, t := range s.Mail.Tags {
			// SES adds its own ses:* tags (source IP of the API call,
			// configuration set...); they describe the caller, not the mail.
			if strings.HasPrefix(t.Name, "ses:") || len(t.Values) == 0 {
				continue
			}
			meta[t.Name] = t.Values[0]
		}
		metaToEvent(&base, meta)
	}
	add := func(out Outcome, rcpt, reply string, ts time.Time, v classify.Verdict, attr *Attr) error {
		if len(evs) >= MaxSESRecipients {
			return nil
		}
		if strings.TrimSpace(rcpt) == "" {
			return ErrNoRecipient
		}
		if ts.IsZero() {
			ts = s.Mail.Timestamp
		}
		if ts.IsZero() {
			return fmt.Errorf("%w: no timestamp in the record", ErrBadTime)
		}
		ev := base
		ev.Attrs = append([]Attr(nil), base.Attrs...)
		if attr != nil {
			ev.Attrs = append(ev.Attrs, *attr)
		}
		ev.Recipient, ev.Outcome, ev.ReplyText, ev.Time, ev.Verdict = bounceAddress(rcpt), out, reply, ts, v
		evs = append(evs, ev)
		return nil
	}
	switch s.Type {
	case bounce.SESBounce:
		b := s.Bounce
		out := OutcomeBounced
		var v classify.Verdict
		switch b.Type {
		case bounce.SESTransient:
			out = OutcomeDeferred
		case bounce.SESPermanent:
			switch b.SubType {
			case bounce.SESSubNoEmail:
				v = sesSuppressed(b.SubType, classify.CategoryRecipientUnknown)
			case bounce.SESSubSuppressed, bounce.SESSubOnAccountSuppressionList:
				v = sesSuppressed(b.SubType, classify.CategoryRecipientInactive)
			}
		}
		for _, r := range b.Recipients {
			reply := bounce.SESDiagnosticReply(r.DiagnosticCode)
			if reply == "" {
				reply = r.Status
			}
			if err = add(out, r.EmailAddress, reply, b.Timestamp, v, nil); err != nil {
				break
			}
		}
	case bounce.SESDelivery:
		for _, r := range s.Delivery.Recipients {
			if err = add(OutcomeDelivered, r, s.Delivery.SMTPResponse, s.Delivery.Timestamp, classify.Verdict{}, nil); err != nil {
				break
			}
		}
	case bounce.SESComplaint:
		c := s.Complaint
		var attr *Attr
		if c.FeedbackType != "" {
			attr = &Attr{"feedback_type", c.FeedbackType}
		}
		for _, r := range c.Recipients {
			if err = add(OutcomeComplained, r, "", c.Timestamp, classify.Verdict{}, attr); err != nil {
				break
			}
		}
	case bounce.SESDeliveryDelay:
		d := s.DeliveryDelay
		for _, r := range d.Recipients {
			reply := bounce.SESDiagnosticReply(r.DiagnosticCode)
			if reply == "" {
				reply = r.Status
			}
			if err = add(OutcomeDeferred, r.EmailAddress, reply, d.Timestamp, classify.Verdict{}, nil); err != nil {
				break
			}
		}
	default:
		// Send, Reject, Open, Click, Rendering Failure, Subscription: not
		// delivery outcomes.
		return evs, false, nil
	}
	if err != nil {
		return evs[:0], false, err
	}
	return evs, len(evs) > 0, nil
}

// bounceAddress strips a display name: SES writes complained and bounced
// recipients as given to it, "Bob <bob@example.com>" included.
func bounceAddress(a string) string {
	a = strings.TrimSpace(a)
	if i := strings.LastIndexByte(a, '<'); i >= 0 {
		if j := strings.IndexByte(a[i:], '>'); j > 0 {
			return a[i+1 : i+j]
		}
	}
	return a
}
