package classify

// This file classifies the per-recipient fields of a delivery status
// notification (RFC 3464 §2.3: Action, Status, Diagnostic-Code), where the
// reporting MTA's action says more than the last reply it saw.

import (
	"strings"

	"github.com/bouncekit/bouncekit/bounce"
)

// ClassifyDSN classifies one recipient of a delivery status notification
// (RFC 3464 §2.3): its Action ("failed", "delayed", "delivered", "relayed",
// "expanded"), its Status, and the parsed Diagnostic-Code when there was one
// (nil otherwise). Two pseudo-actions cover the other reports a bounce
// mailbox receives: "complaint" (RFC 5965 feedback report) and
// "auto-reply" (RFC 3834).
//
// The action refines the reply's verdict: "delayed" means the reporting MTA
// is still trying (soft, never suppressed; category expired unless the
// reply names a cause); "failed" after a transient reply means it gave up
// (hard, not suppressed; the category stays the transient cause's, as an
// expiry inherits the cause of the last deferral, and is expired only when
// that cause is unknown).
func (c *Classifier) ClassifyDSN(action string, status bounce.Status, diag *bounce.Reply, in Context) Verdict {
	action = strings.TrimSpace(action)
	switch {
	case strings.EqualFold(action, "delivered"), strings.EqualFold(action, "relayed"), strings.EqualFold(action, "expanded"):
		return Verdict{Severity: SeverityNone, Category: CategoryDelivered, Hint: HintNone,
			Provider: c.providerOnly(diag, in), Rule: "dsn-delivered", Explanation: "the DSN reports the message delivered, relayed or expanded (RFC 3464 §2.3.3)"}
	case strings.EqualFold(action, "complaint"), strings.EqualFold(action, "feedback"), strings.EqualFold(action, "abuse"):
		return Verdict{Severity: SeverityNone, Category: CategoryComplaint, Hint: HintReputation,
			Provider: c.providerOnly(diag, in), Rule: "dsn-complaint", Explanation: "a feedback report (RFC 5965): the recipient marked the message as spam; stop mailing them, the address is not bad"}
	case strings.EqualFold(action, "auto-reply"), strings.EqualFold(action, "autoreply"), strings.EqualFold(action, "vacation"):
		return Verdict{Severity: SeverityNone, Category: CategoryAutoReply, Hint: HintNone,
			Provider: c.providerOnly(diag, in), Rule: "dsn-auto-reply", Explanation: "an automatic reply (RFC 3834), not a failure"}
	}
	var rep bounce.Reply
	if diag != nil {
		rep = *diag
	}
	if !rep.Status.IsValid() && status.IsValid() {
		rep.Status = status
	}
	v := c.Classify(&rep, in)
	switch {
	case strings.EqualFold(action, "delayed"):
		// Still queued (RFC 3464 §2.3.3): soft, never suppressed. A delay
		// notice keeps the receiver's cause (a DNS error, a full disk at
		// the receiver); one without a usable cause, or where no server
		// answered at all (connection failures), is filed as expired, the
		// delivery-time family.
		v.Severity, v.Retry, v.Suppress = SeveritySoft, true, false
		if connectionRules[v.Rule] || v.Category == CategoryUnknown || v.Category == CategoryDelivered {
			v.Category, v.Hint = CategoryExpired, HintUnknown
			v.Rule, v.Explanation = "dsn-delayed", "the reporting MTA is still retrying (RFC 3464 action delayed); the delay has no more specific cause"
		}
	case strings.EqualFold(action, "failed"):
		if v.Severity == SeverityHard && v.Suppress && (rep.Class() == 4 || rep.Class() == 0 && status.Transient()) {
			// A transient failure the reporting MTA gave up on (RFC 3464
			// action failed with 4.x.x): final for this message, but the
			// receiver never said the address is bad for good, so the
			// address is not suppressed whatever the reply's words. (A
			// permanent reply nested in an expiry, "554 4.4.7 ... <550
			// 5.1.1 user unknown>", did say so.)
			v.Suppress = false
			v.Explanation = gaveUpExplanation
		}
		if v.Severity != SeverityHard {
			// The reporting MTA gave up after a transient reply: final
			// for this message, but a transient cause never suppresses.
			// The expiry inherits the cause of the last deferral
			// (provider-codes.md GN13); expired only when that cause is
			// unknown, or only vaguely worded ("temporarily unavailable")
			// while the notice itself names the queue lifetime as the
			// reason, or no server ever answered (connection failures:
			// there is no receiver's cause to inherit).
			v.Severity, v.Retry, v.Suppress = SeverityHard, false, false
			switch {
			case connectionRules[v.Rule] || vagueRules[v.Rule] && gaveUp(&rep) || v.Category == CategoryUnknown && rep.Class() == 4:
				v.Category, v.Hint = CategoryExpired, HintUnknown
				v.Rule, v.Explanation = "dsn-gave-up", "the reporting MTA gave up after transient failures (RFC 3464 action failed after connection failures or an unspecific 4.x.x): the queue lifetime ran out"
			case v.Category == CategoryDelivered || v.Category == CategoryUnknown:
				// No cause, or a text that reads as a success: the text
				// is not the reason.
				v.Category, v.Hint, v.Rule, v.Explanation = CategoryUnknown, HintUnknown, "dsn-failed", "the DSN says failed but gives no usable reason"
			case v.Category != CategoryExpired && rep.Class() != 0:
				// (A notice without any code was not a transient
				// failure: its rule's explanation stands.)
				v.Explanation = gaveUpExplanation
			}
		}
	}
	return v
}

// vagueRules are the built-in catch-all text rules: wording that says
// something failed without saying what ("service unavailable", "protocol
// error"), so a more specific cause in the reply's wrapper outranks them.
var vagueRules = map[string]bool{"generic-system": true, "generic-protocol": true}

// connectionRules are the rules for "could not connect" causes and the
// unspecific network status x.4.0: no receiver ever answered, so a delayed
// or failed record after them is an expiry, whereas one after a DNS error or
// a receiver's own answer keeps that cause's category.
var connectionRules = map[string]bool{
	"generic-connection": true, "rfc3463-x.4.1": true, "rfc3463-x.4.2": true, "rfc3463-x.4.0": true,
}

// gaveUpExplanation replaces the explanation of a transient cause when the
// reporting MTA gave up on it (action failed): the category stays the
// cause's (GN13), the verdict is final for this message.
const gaveUpExplanation = "the reporting MTA gave up after transient failures (RFC 3464 action failed): the category is the cause of the last deferral (provider-codes.md GN13); do not retry this message, do not suppress the address"

func (c *Classifier) providerOnly(diag *bounce.Reply, in Context) Provider {
	var r bounce.Reply
	if diag != nil {
		r = *diag
	}
	var ml matchList
	c.ac.scan(r.Text, &ml)
	return c.detectProvider(&r, in, &ml)
}

// gaveUp reports whether the notice says the reporting MTA gave up: the flag
// bounce's readers set on a record's reply, or, for a reply the caller
// parsed with ParseReply, bounce's own reading of its text.
func gaveUp(rep *bounce.Reply) bool {
	return rep.Flags.Has(bounce.FlagGaveUp) || bounce.SaysGaveUp(rep.Text)
}
