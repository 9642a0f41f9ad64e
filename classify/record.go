package classify

import "github.com/bouncekit/bouncekit/bounce"

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
