package classify

import (
	"strings"

	"github.com/bouncekit/bouncekit/bounce"
	"github.com/bouncekit/bouncekit/internal/ascii"
)

// ClassifyRecord classifies one recipient record rec of a parsed bounce
// message rep (bounce.ParseMessage): the kind of the report decides
// complaints and auto-replies, the RFC 3464 action refines the reply's
// verdict (see ClassifyDSN), and the record's Remote-MTA, recipient and stage
// are the context; the report's Format decides notices that carry no SMTP
// reply (Google Groups). It is the call a bounce-mailbox processor makes per
// record.
func (c *Classifier) ClassifyRecord(rep *bounce.Report, rec *bounce.Record) Verdict {
	in := Context{Recipient: rec.Recipient, RemoteMTA: rec.RemoteMTA, Stage: rec.Stage}
	action := string(rec.Action)
	switch rep.Kind {
	case bounce.KindFeedback:
		action = "complaint"
	case bounce.KindAutoReply:
		action = "auto-reply"
	}
	if rep.Kind == bounce.KindAutoReply && saysAddressInvalid(rec.Diagnostic) {
		// An automatic reply (RFC 3834) in which the mailbox says it is
		// not, or no longer, a valid address: what a bounce for an
		// unknown or closed mailbox says, sent by the mailbox itself.
		return Verdict{Severity: SeverityHard, Category: CategoryRecipientInactive, Hint: HintRecipient, Suppress: true,
			Provider: c.providerOnly(&rec.Reply, in), Rule: "auto-reply-address-invalid",
			Explanation: "an automatic reply saying the address is not, or no longer, in use: suppress it"}
	}
	v := c.ClassifyDSN(action, rec.Status, &rec.Reply, in)
	if rep.Kind == bounce.KindFeedback && rec.FeedbackType == "opt-out" {
		// An unsubscribe request (a List-Unsubscribe mailto: sent by the
		// recipient's mail client): not a spam report, but the recipient
		// asks the same thing, to stop receiving this list.
		v.Hint, v.Rule = HintRecipient, "dsn-opt-out"
		v.Explanation = "an unsubscribe request (List-Unsubscribe, RFC 2369) sent by the recipient's mail client: remove the address from this list; the address is not bad"
	}
	if rep.Format == "googlegroups" && rec.Reply.Code == 0 && (v.Category == CategoryUnknown || v.Category == CategoryExpired) && v.Severity != SeverityNone {
		// Google Groups' notice carries no SMTP reply, only a localised
		// "the group may not exist, or you may not have permission to
		// post": the sender may not post to this group.
		v.Category, v.Hint, v.Suppress, v.Retry = CategorySenderRejected, HintRecipient, false, false
		v.Severity, v.Rule, v.Explanation = SeverityHard, "googlegroups-notice", "a Google Groups notice: the group does not exist or does not accept posts from this sender; ask the group owner, do not suppress"
		if v.Provider == "" {
			v.Provider = ProviderGoogle
		}
	}
	return v
}

// addressInvalidWords are what automatic replies say when the mailbox is not
// a valid address, or is closed: Exchange transport rules' and hosted
// mailboxes' "this address is no longer in use", "... is not a valid user".
// An out-of-office ("I no longer have access to email until Monday") says
// none of them.
var addressInvalidWords = [...]string{
	"not a valid user", "not a valid e-mail address", "not a valid email address", "no longer a valid",
	"is no longer valid", "address is no longer in use", "account is no longer in use", "mailbox is no longer in use",
	"address is no longer active", "account is no longer active", "mailbox is no longer active",
	"address has been deactivated", "account has been deactivated", "account has been closed", "mailbox has been closed",
	"address no longer exists", "mailbox no longer exists", "address does not exist", "mailbox does not exist",
}

// saysAddressInvalid reports whether an auto-reply's text says the address
// is not, or no longer, valid.
func saysAddressInvalid(text string) bool {
	if text == "" {
		return false
	}
	lower := ascii.Lower(text)
	for _, w := range addressInvalidWords {
		if strings.Contains(lower, w) {
			return true
		}
	}
	return false
}
