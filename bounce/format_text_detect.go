package bounce

// This file decides whether a message without an RFC 3464 report is a bounce
// at all: its subject, its sender, and whether it is a reply in a conversation
// or list mail that only talks about delivery.

import (
	"strings"
)

// isBounceMessage reports whether a message without a report part is a
// non-delivery notice: it is sent by the mail system (RFC 5321 §4.5.5 null
// sender, MAILER-DAEMON, postmaster) or says so in its subject, or carries
// Exim's X-Failed-Recipients.
func isBounceMessage(h Header, notice string) bool {
	if h.Has("X-Failed-Recipients") {
		return true
	}
	if isBounceSender(h) {
		return true
	}
	from := strings.ToLower(h.Get("From"))
	auto := isAutomaticSender(h, from)
	if auto {
		// Automatic senders: a bounce when the text says so.
		head := strings.ToLower(notice[:min(len(notice), 4096)])
		for _, k := range [...]string{"could not be delivered", "was not delivered", "undeliverable", "delivery failed",
			"unable to deliver", "permanent error", "delivery has failed", "failed to deliver", "invalid user address",
			"rejected by", "did not reach"} {
			if strings.Contains(head, k) {
				return true
			}
		}
	}
	subj := strings.ToLower(h.Get("Subject"))
	// Phrases only non-delivery notices use in a subject; a person
	// forwarding one ("Fwd: Returned mail: ...") still hands over a bounce.
	// A person's reply in a conversation ("Re: delivery failure to our
	// partner") and list mail (a newsletter on "mail delivery tips") are
	// not notices, whatever their subject says: from a person or a list,
	// the subject alone decides nothing.
	if !auto && (isReplySubject(subj) || isListMessage(h)) {
		return false
	}
	for _, k := range [...]string{"undeliver", "delivery status notification", "delivery failure", "delivery failed",
		"failure notice", "returned mail", "mail delivery failed", "mail delivery failure", "mail delivery error", "mail delivery problem", "delivery has failed", "non-delivery", "nondelivery",
		"non delivery", "could not be delivered", "not delivered", "mail system error", "delivery problem",
		"returned to sender", "delivery notification", "メールエラー", "不達", "mail failure", "failed delivery",
		"delivery error", "warning: could not", "delayed mail"} {
		if strings.Contains(subj, k) {
			return true
		}
	}
	// Words people also use ("bounce rates", "rejected offer"): only from
	// an automatic sender.
	if auto && !hasAutoReplySubject(subj) {
		for _, k := range [...]string{"bounce", "rejected", "error sending", "not member", "mail error", "message you sent"} {
			if strings.Contains(subj, k) {
				return true
			}
		}
	}
	return false
}

// isReplySubject reports whether a lower-cased subject starts as a reply
// in a conversation does ("re:", and the German, Scandinavian and Dutch
// forms), after any forwarding prefix.
func isReplySubject(subj string) bool {
	subj = strings.TrimSpace(subj)
	for {
		cut := false
		for _, p := range [...]string{"fwd:", "fw:", "tr:", "wg:"} {
			if strings.HasPrefix(subj, p) {
				subj, cut = strings.TrimSpace(subj[len(p):]), true
			}
		}
		if !cut {
			break
		}
	}
	for _, p := range [...]string{"re:", "aw:", "sv:", "antw:"} {
		if strings.HasPrefix(subj, p) {
			return true
		}
	}
	return false
}

// isListMessage reports whether a message was sent to a mailing list or as
// bulk mail: List-Id or List-Unsubscribe (RFC 2919, RFC 2369), or
// Precedence: bulk or list.
func isListMessage(h Header) bool {
	if h.Has("List-Id") || h.Has("List-Unsubscribe") {
		return true
	}
	switch strings.ToLower(strings.TrimSpace(h.Get("Precedence"))) {
	case "bulk", "list":
		return true
	}
	return false
}

// isAutomaticSender reports whether a message comes from software rather
// than a person: the null reverse path (RFC 5321 §4.5.5), Auto-Submitted
// (RFC 3834 §5), a no-reply address, or a list manager's address (owner-,
// -admin, -request, -owner; RFC 2142 names).
func isAutomaticSender(h Header, from string) bool {
	if strings.TrimSpace(h.Get("Return-Path")) == "<>" {
		return true
	}
	if as := strings.ToLower(strings.TrimSpace(h.Get("Auto-Submitted"))); as != "" && as != "no" {
		return true
	}
	for _, k := range [...]string{"post_master", "no-reply", "noreply", "do-not-reply", "donotreply", "owner-", "-admin@",
		"-request@", "-owner@", "mailman", "majordomo"} {
		if strings.Contains(from, k) {
			return true
		}
	}
	return false
}

// isBounceSender reports whether the From names the mail system
// (MAILER-DAEMON, postmaster, "Mail Delivery System", ...).
func isBounceSender(h Header) bool {
	from := strings.ToLower(h.Get("From"))
	for _, k := range [...]string{"mailer-daemon", "mailer_daemon", "mail-daemon", "postmaster", "mail delivery", "maildelivery", "mail.delivery", "mail administrator", "system administrator", "ndr administrator"} {
		if strings.Contains(from, k) {
			return true
		}
	}
	return false
}
