package bounce

// This file decides whether a message without an RFC 3464 report is a bounce
// at all: its subject, its sender, and whether it is a reply in a conversation
// or list mail that only talks about delivery.

import (
	"bytes"
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
	if hasAutoReplySubject(strings.ToLower(h.Get("Subject"))) && !opensAsNotice(notice) {
		// An out-of-office reply relayed from a mailer daemon's address
		// (Amazon SES forwards them from MAILER-DAEMON@amazonses.com) is
		// an automatic reply, RFC 3834, not a bounce.
		return false
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
	if opensAsNotice(notice) {
		// Whoever sent it (a forwarding person, a gateway that rewrote
		// the sender, or no header at all when only the text is at
		// hand), a text that opens with an MTA's own notice sentence is
		// that MTA's notice.
		return true
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

// noticeOpenings are sentences that MTAs write at the start of their
// non-delivery and delay notices, and people do not: Postfix's bounce(8)
// templates, Sendmail's and Exim's notice texts, qmail-send's, Exchange's
// and Office 365's NDR bodies, Gmail's, Lotus Notes', MDaemon's, Yahoo's and
// the generic Microsoft and Novell wordings. Lower case; matched in the
// first lines of the notice only, so that a quoted notice further down a
// person's message does not count.
var noticeOpenings = [...]string{
	"this is the mail system at host",                                        // Postfix bounce(8)
	"i'm sorry to have to inform you that your message could not",            // Postfix
	"this message was created automatically by mail delivery software",       // Exim
	"a message that you sent could not be delivered to one or more of",       // Exim
	"a message that you sent has not yet been delivered to one or more",      // Exim delay
	"hi. this is the qmail-send program",                                     // qmail
	"i'm afraid i wasn't able to deliver your message",                       // qmail
	"----- the following addresses had permanent fatal errors",               // Sendmail
	"----- transcript of session follows -----",                              // Sendmail
	"delivery has failed to these recipients or groups",                      // Exchange 2007+, Office 365
	"your message did not reach some or all of the intended recipients",      // Exchange 2003
	"the following recipient(s) cannot be reached",                           // Exchange 5.5/2000
	"your message couldn't be delivered",                                     // Office 365
	"delivery to the following recipient failed permanently",                 // Gmail
	"delivery to the following recipients failed",                            // Exchange, MDaemon
	"there was a temporary problem delivering your message",                  // Gmail delay
	"** address not found **",                                                // Gmail
	"** message not delivered **",                                            // Gmail
	"** delivery incomplete **",                                              // Gmail delay
	"message delivery to the following recipient",                            // Gmail, Google Workspace
	"your message was not delivered to",                                      // Lotus Notes
	"the following addresses had delivery problems",                          // Novell GroupWise, MDaemon
	"could not be delivered to the following recipients",                     // MDaemon, IMail
	"sorry, we were unable to deliver your message to the following address", // Yahoo
	"unable to deliver message to the following recipients",                  // Exchange, hosted gateways
	"this is an automatically generated delivery status notification",        // Gmail, Exchange
	"your message cannot be delivered to the following recipients",           // hosted gateways
	"your message has been delayed",                                          // Office 365 delay
	"delivery is delayed to these recipients or groups",                      // Exchange delay
	"the following message to <",                                             // Exchange 5.5 ("... was undeliverable")
	"rejected your message to the following e",                               // Exchange ("... e-mail addresses:")
	"diagnostic information for administrators",                              // Exchange 2007+
	"this is the mail delivery agent at",                                     // Symantec Email Security.cloud
	"i was unable to deliver your message to the following addresses",        // MessageLabs, Symantec
	// Exchange and Office 365 NDRs in other languages: the opening line
	// and the administrators' section heading.
	"die zustellung an folgende empfänger oder gruppen ist fehlgeschlagen", // de
	"diagnoseinformationen für administratoren",                            // de
	"la remise à ces destinataires ou groupes a échoué",                    // fr
	"informations de diagnostic pour les administrateurs",                  // fr
	"uw bericht kan niet worden bezorgd bij de volgende geadresseerden",    // nl
	"diagnostische gegevens voor beheerders",                               // nl
	"error en la entrega a estos destinatarios o grupos",                   // es
	"información de diagnóstico para administradores",                      // es
	"recapito non riuscito a questi destinatari o gruppi",                  // it
	"informazioni di diagnostica per gli amministratori",                   // it
	"falha na entrega para estes destinatários ou grupos",                  // pt
	"informações de diagnóstico para administradores",                      // pt
}

// noticeOpeningPairs are openings written around the recipient's address:
// Office 365's "Your message to bob@example.org couldn't be delivered."
// Both halves must be in the first lines, with one address between them.
var noticeOpeningPairs = [...][2]string{
	{"your message to ", "couldn't be delivered"},
	{"your message to ", "could not be delivered"},
}

// opensAsNotice reports whether the first lines of notice hold one of the
// noticeOpenings.
func opensAsNotice(notice string) bool {
	// About the first forty lines, and at most 8 KiB: where an MTA puts
	// its explanation.
	head := notice[:min(len(notice), 8<<10)]
	for i, n := 0, 0; n < 40; n++ {
		j := strings.IndexByte(head[i:], '\n')
		if j < 0 {
			break
		}
		i += j + 1
		if n == 39 {
			head = head[:i]
		}
	}
	// Folded into a buffer on the stack: this runs on every message that
	// has no report part.
	var buf [8 << 10]byte
	h := appendFoldSpace(buf[:0], head)
	for _, k := range noticeOpeningBytes {
		if bytes.Contains(h, k) {
			return true
		}
	}
	for _, p := range noticeOpeningPairs {
		// The recipient's address between the halves, as the MTA
		// writes it: "Your message to the board could not be
		// delivered today" is a person's sentence.
		if i := bytes.Index(h, []byte(p[0])); i >= 0 {
			between := h[i+len(p[0]):]
			if j := bytes.Index(between, []byte(p[1])); j > 0 && j < 256 && bytes.Count(between[:j], []byte(" ")) <= 1 && bytes.IndexByte(between[:j], '@') >= 0 {
				return true
			}
		}
	}
	return false
}

// noticeOpeningBytes are the noticeOpenings as byte slices, converted once.
var noticeOpeningBytes = func() [][]byte {
	out := make([][]byte, len(noticeOpenings))
	for i, k := range noticeOpenings {
		out[i] = []byte(k)
	}
	return out
}()

// isBounceOfBounce reports whether a notice that returned a bounce (its
// original, inner, is itself a notice from a mail system) failed to deliver
// that bounce: it is the mail system's own notice, not a person or a
// postmaster forwarding the bounce (it comes from the null reverse path,
// RFC 5321 §4.5.5, or opens with an MTA's notice sentence, and its subject
// is not a forward's), and it names the address the returned bounce was
// sent to. A gateway that wraps a bounce it passes on (an empty list of
// its own, the real notice attached) names nobody and is read through.
func isBounceOfBounce(h, inner Header, notice string) bool {
	to := listAddresses(inner.Get("To"))
	if len(to) != 1 || !containsFold(notice, to[0]) {
		return false
	}
	subj := strings.ToLower(strings.TrimSpace(h.Get("Subject")))
	for _, p := range [...]string{"fwd:", "fw:", "tr:", "wg:"} {
		if strings.HasPrefix(subj, p) {
			return false
		}
	}
	return strings.TrimSpace(h.Get("Return-Path")) == "<>" || opensAsNotice(notice)
}

// foldSpace returns s in ASCII lower case with every run of white space
// made one space and the ends trimmed, in one allocation: the form the
// notice phrases are matched in.
func foldSpace(s string) string {
	return string(appendFoldSpace(make([]byte, 0, len(s)), s))
}

// appendFoldSpace appends the foldSpace form of s to b.
func appendFoldSpace(b []byte, s string) []byte {
	space := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			space = len(b) > 0
			continue
		case 'A' <= c && c <= 'Z':
			c += 'a' - 'A'
		}
		if space {
			b = append(b, ' ')
			space = false
		}
		b = append(b, c)
	}
	return b
}

// isSurelyNotice reports whether a message read as a bounce is a mail
// system's notice beyond doubt, so that one naming no recipient still gets a
// record: the mail system sent it (MAILER-DAEMON, postmaster, the null
// reverse path of RFC 5321 §4.5.5), it carries X-Failed-Recipients, or it
// opens with an MTA's notice sentence. A subject alone ("Your delivery
// notification" from a shop's no-reply address) is not enough.
func isSurelyNotice(h Header, notice string) bool {
	return h.Has("X-Failed-Recipients") || isBounceSender(h) || strings.TrimSpace(h.Get("Return-Path")) == "<>" || opensAsNotice(notice)
}
