package classify

import "github.com/bouncekit/bouncekit/bounce"

// ClassifyRecord classifies one recipient record rec of a parsed bounce
// message rep (bounce.ParseMessage): the kind of the report decides
// complaints and auto-replies, the RFC 3464 action refines the reply's
// verdict (see ClassifyDSN), and the record's Remote-MTA, recipient and stage
// are the context. It is the call a bounce-mailbox processor makes per
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
	return c.ClassifyDSN(action, rec.Status, &rec.Reply, in)
}
