// Package bouncekit tells an email sender what a bounce means and what to do
// about it. The module has four packages that compose in one direction:
//
//   - bounce reads what receivers send back: SMTP replies and enhanced status
//     codes (RFC 5321, RFC 3463), provider tags such as Apple's [CS01], the
//     errors Go SMTP clients return, and whole bounce messages (RFC 3464 DSNs
//     and the formats MTAs really send), from a reader, an mbox or a Maildir.
//   - classify turns a reply (plus what the queue knows: recipient, remote MX,
//     SMTP stage) into a verdict: severity (hard, soft, none), category, where
//     the fix lies, retry or not, suppress the address or not, slow the stream
//     down or not, the provider, and the rule that decided. Its rules are data
//     that users extend and pin in their own tests.
//   - segment takes delivery events (CSV, JSON lines, Postfix logs, PowerMTA,
//     KumoMTA, Amazon SES) and computes per-provider failure rates with
//     intervals and levels (watch, investigate, pause), compares failed and
//     delivered mail to find what only the failures share, and diagnoses the
//     cause. Aggregates stream and merge.
//   - authcheck checks the sender's DNS the way receivers do, one package per
//     protocol (authcheck/spf, dkim, dmarc, authres, dnsbl, mtasts, bimi,
//     rdns, envelope, psl) over the DNS layer authcheck/resolve; the root
//     runs them all (CheckSender) and reports coded findings.
//
// bounce imports none of the others; classify imports bounce; segment imports
// classify and bounce; authcheck imports at most bounce. The example binary
// in examples/bouncekit composes them all.
//
// The smallest composition, a mail queue deciding what to do with a reply:
//
//	reply, ok := bounce.FromError(err) // err from net/smtp or go-smtp
//	if !ok {
//		// no SMTP reply: a network error; retry later
//	}
//	v := classify.Default().Classify(&reply, classify.Context{Recipient: rcpt, RemoteMTA: mx})
//	switch {
//	case v.Suppress:
//		// the address is bad: stop and never send to it again
//	case v.Retry:
//		// transient: retry later (and throttle the provider if v.SlowDown)
//	default:
//		// hard for this message, but the address is fine: do not retry it
//	}
//
// For Apple's "554 5.7.1 [CS01] Message rejected due to local policy" the
// verdict is hard, content_policy, hint content, no retry and no suppression.
package bouncekit
