package bounce

// This file tells a delay warning from a non-delivery notice among the
// plain-text notices: a warning says the message has not been delivered yet
// and that the MTA keeps trying (RFC 3464 §2.3.3 action "delayed"), a
// non-delivery notice that it gave up.

import (
	"strings"

	"github.com/bouncekit/bouncekit/internal/ascii"
)

// delaySubjects are subject phrases of delay warnings: Sendmail's
// "Warning: could not send message for past 4 hours", Exim's "Warning:
// message 1abc-... delayed 24 hours", Postfix's "Delayed Mail (still being
// retried)", Exchange's and Office 365's "Delivery delayed:", Notes' and
// MDaemon's "Delivery Status Notification (Delay)" and "Message delayed".
// Lower case.
var delaySubjects = [...]string{
	"warning: could not send message for past", "still being retried", "delayed mail", "delivery delayed",
	"delivery status notification (delay)", "message delayed", "delivery delay notification", "delay notification",
	"mail delivery delayed", "delivery incomplete", "delayed delivery", "delivery delay",
}

// delaySentences are sentences with which the delay warnings of the same
// MTAs say the message is still queued and will be retried. Lower case,
// white space collapsed.
var delaySentences = [...]string{
	"has not yet been delivered",                            // Exim
	"delivery attempts will continue",                       // Exim
	"this is a warning only",                                // Postfix
	"you do not need to resend your message",                // Postfix, Oracle Messaging Server
	"will be retried until it is",                           // Postfix
	"warning message only",                                  // Sendmail, Exchange ("THIS IS A WARNING MESSAGE ONLY")
	"will keep trying until message is",                     // Sendmail
	"transient non-fatal errors",                            // Sendmail
	"delivery is delayed to these recipients",               // Exchange 2007+, Office 365
	"delivery to the following recipients has been delayed", // Exchange 2003
	"there was a temporary problem delivering your message", // Gmail
	"will retry for",                                        // Gmail ("Gmail will retry for 46 more hours")
	"the server will keep trying",                           // Office 365, MDaemon
	"will continue to try to deliver",                       // Lotus Notes, GroupWise
	"still trying to deliver",                               // hosted gateways
	"will be retried",                                       // MDaemon, IMail ("... will be retried for N days")
	"delivery will be attempted again",                      // Exchange 5.5
	"no action is required on your part",                    // Exim
	"only a temporary failure report",                       // OpenSMTPD
	"is kept in the queue",                                  // OpenSMTPD
	// The same meaning in the words of MTAs not named above.
	"will retry", "will try again", "will keep trying", "will continue trying", "will be re-tried", "retrying",
	"not yet been delivered", "has not been delivered yet", "still queued", "remains in the queue", "queued for retry",
	"has been delayed", "is delayed", "delivery delayed",
}

// failureSentences say the MTA stopped: a notice that says so is not a
// delay warning even if it also quotes a retry schedule ("... will be
// retried until ...; delivery failed permanently").
var failureSentences = [...]string{
	"failed permanently", "permanent error", "permanent fatal error", "not going to try again",
	"in the queue too long", "gave up", "giving up", "retry timeout exceeded", "has been returned",
	"could not be delivered to one or more of its recipients. this is a permanent",
}

// noticeHead is the start of a notice as the delay and failure wordings are
// matched: its first 2 KiB (the explanation MTAs open with), lower case,
// white space folded.
func noticeHead(notice string) string { return foldSpace(notice[:min(len(notice), 2<<10)]) }

// noticeIsDelay reports whether a plain-text notice (its header h and the
// noticeHead of its text) is a delay warning: its subject or its first lines say the message
// is still being retried, and nothing there says the MTA gave up.
func noticeIsDelay(h Header, head string) bool {
	if findPhrases(failureSentenceSet, head) != 0 {
		return false
	}
	subj := strings.ToLower(strings.TrimSpace(h.Get("Subject")))
	if strings.HasPrefix(subj, "warning: message") && strings.Contains(subj, " delayed ") {
		return true // Exim
	}
	// A failure notice's subject ends with the original's ("Undeliverable:
	// Delayed shipment"), so its words say nothing about a delay.
	failureSubject := false
	for _, p := range [...]string{"undeliverable", "undelivered", "returned mail", "failure notice", "mail delivery failed",
		"delivery status notification (failure)", "non-delivery", "nondeliverable", "delivery failure"} {
		failureSubject = failureSubject || strings.HasPrefix(subj, p)
	}
	for _, k := range delaySubjects {
		if !failureSubject && strings.Contains(subj, k) {
			return true
		}
	}
	return findPhrases(delaySentenceSet, head) != 0
}

// The sentence lists as phrase sets, each found in one pass over a head.
var (
	failureSentenceSet = newPhraseSet(failureSentences[:], false)
	delaySentenceSet   = newPhraseSet(delaySentences[:], false)
	failureOpeningSet  = newPhraseSet(failureOpenings[:], false)
)

// failureOpenings are what a non-delivery notice says at its start: the
// message was not delivered and will not be (Postfix, Exim, qmail,
// Exchange, Office 365, Gmail, Notes wordings). Lower case.
var failureOpenings = [...]string{
	"could not be delivered", "couldn't be delivered", "delivery has failed", "was not delivered", "undeliverable",
	"wasn't able to deliver", "unable to deliver", "failed permanently", "permanent error", "permanent fatal",
	"did not reach", "delivery failed", "could not deliver",
}

// noticeIsFailure reports whether a plain-text notice (its noticeHead) that
// is not a delay warning says the message was not delivered: its record with a 4xx reply
// is then a final failure (the MTA gave up, as after a queue lifetime),
// not a delay.
func noticeIsFailure(head string) bool {
	return findPhrases(failureOpeningSet, head) != 0
}

// markDelays sets action delayed on the records of a delay warning that the
// text read (a record that came with its own DSN Action field keeps it; one
// whose reply is a permanent failure stays failed: a warning lists what is
// still queued, and a 5xx is not), and action failed on the 4xx records of
// a notice that says delivery failed.
func markDelays(rep *Report, notice string) {
	if len(rep.Records) == 0 {
		return
	}
	head := noticeHead(notice)
	if !noticeIsDelay(rep.Header, head) {
		if noticeIsFailure(head) {
			for i := range rep.Records {
				if r := &rep.Records[i]; r.Action == ActionDelayed && !hasField(r.Fields, "Action") {
					r.Action = ActionFailed
				}
			}
		}
		return
	}
	for i := range rep.Records {
		r := &rep.Records[i]
		if hasField(r.Fields, "Action") || r.Reply.Permanent() || r.Status.Permanent() {
			continue
		}
		r.Action = ActionDelayed
	}
}

func hasField(fs []Field, name string) bool {
	for _, f := range fs {
		if ascii.EqualFold(f.Name, name) {
			return true
		}
	}
	return false
}
