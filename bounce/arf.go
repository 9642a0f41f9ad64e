package bounce

// This file recognises the two kinds of automatic mail that are not bounces:
// RFC 5965 feedback (complaint) reports and RFC 3834 automatic replies.

import (
	"net/netip"
	"strings"
)

// readFeedback reads an RFC 5965 §3 message/feedback-report part. Each
// Original-Rcpt-To (or, when absent, the original's To) becomes a Record
// carrying the feedback type.
func readFeedback(st *mimeState, rep *Report, p *part) {
	rep.Kind = KindFeedback
	rep.Format = "arf"
	h, _ := st.readHeader(normalizeEOL(p.body), false)
	fb := &Feedback{Fields: h}
	for _, f := range h {
		v := strings.TrimSpace(f.Value)
		switch strings.ToLower(f.Name) {
		case "feedback-type":
			fb.Type = strings.ToLower(v)
		case "user-agent":
			fb.UserAgent = v
		case "version":
			fb.Version = v
		case "source-ip":
			if f := strings.Fields(v); len(f) > 0 {
				if a, err := netip.ParseAddr(strings.Trim(f[0], "[]")); err == nil {
					fb.SourceIP = a
				}
			}
		case "original-mail-from":
			fb.OriginalMailFrom = bareAddress(v)
		case "original-rcpt-to", "removal-recipient":
			if a := bareAddress(v); a != "" {
				fb.OriginalRcptTo = append(fb.OriginalRcptTo, a)
			}
		case "arrival-date", "received-date":
			fb.ArrivalDate = parseDate(v)
		case "reporting-mta":
			fb.ReportingMTA = typedValue(v)
		case "reported-domain":
			fb.ReportedDomain = append(fb.ReportedDomain, v)
		case "reported-uri":
			fb.ReportedURI = append(fb.ReportedURI, v)
		case "auth-failure":
			fb.AuthFailure = v
		}
	}
	if fb.Type == "" {
		fb.Type = "other"
	}
	rep.Feedback = fb
	rcpts := fb.OriginalRcptTo
	if len(rcpts) == 0 && rep.Original != nil {
		rcpts = rep.Original.To
	}
	for _, a := range rcpts {
		rep.Records = append(rep.Records, Record{Recipient: a, FeedbackType: fb.Type, Fields: h})
	}
}

// isAutoReply reports whether the header marks an RFC 3834 automatic reply:
// Auto-Submitted: auto-replied (§5.1), or the older vendor markers
// (X-Autoreply, X-Autorespond, Precedence: auto_reply) and the subject
// prefixes that Exchange, Gmail and vacation(1) use.
func isAutoReply(h Header) bool {
	if strings.HasPrefix(strings.ToLower(strings.TrimSpace(h.Get("Auto-Submitted"))), "auto-replied") {
		return true
	}
	if h.Has("X-Autoreply") || h.Has("X-Autorespond") || h.Has("X-Autoresponse") ||
		strings.EqualFold(strings.TrimSpace(h.Get("Precedence")), "auto_reply") {
		return true
	}
	return hasAutoReplySubject(strings.ToLower(h.Get("Subject")))
}

// hasAutoReplySubject reports whether a lower-cased subject starts the way
// Exchange, Gmail and vacation(1) start automatic replies.
func hasAutoReplySubject(subj string) bool {
	subj = strings.TrimSpace(subj)
	for _, p := range [...]string{"auto:", "automatic reply", "autoreply", "auto reply", "auto-reply", "out of office",
		"out of the office", "away from", "vacation", "réponse automatique", "automatische antwort", "abwesenheit",
		"respuesta automática", "risposta automatica", "自動応答", "自动回复"} {
		if strings.HasPrefix(subj, p) {
			return true
		}
	}
	return false
}

// readAutoReply records the replier (the From of the auto-reply) as the one
// recipient: the message says that address is away.
func readAutoReply(rep *Report) {
	rep.Kind = KindAutoReply
	rep.Format = "rfc3834"
	if a := listAddresses(rep.Header.Get("From")); len(a) > 0 {
		rep.Records = append(rep.Records, Record{Recipient: a[0]})
	}
}

// readUnsubscribeRequest recognises the message a mail client sends to a
// List-Unsubscribe mailto: address (RFC 2369 §3.2) on the user's behalf:
// Apple Mail marks it "X-Apple-Unsubscribe: true". It is read as a feedback
// report of type "opt-out" (the ARF type for unsubscribe requests) whose one
// record is the unsubscribing address, the From of the request. It reports
// whether the message was one.
func readUnsubscribeRequest(rep *Report) bool {
	if !strings.EqualFold(strings.TrimSpace(rep.Header.Get("X-Apple-Unsubscribe")), "true") {
		return false
	}
	a := listAddresses(rep.Header.Get("From"))
	if len(a) == 0 {
		return false
	}
	rep.Kind = KindFeedback
	rep.Format = "apple-unsubscribe"
	rep.Feedback = &Feedback{Type: "opt-out"}
	rep.Records = append(rep.Records, Record{Recipient: a[0], FeedbackType: "opt-out"})
	return true
}

// readJMRP recognises the complaint format of Microsoft's Junk Mail
// Reporting Program (the older Hotmail/Outlook.com feedback loop): no
// feedback-report part, a "complaint about message from IP" subject from
// staff@hotmail.com, and the reported message attached. It reports whether
// the message was one.
func readJMRP(rep *Report) bool {
	subj := rep.Header.Get("Subject")
	if !strings.Contains(subj, "omplaint") || !strings.Contains(strings.ToLower(subj), "complaint about message from") {
		return false
	}
	rep.Kind = KindFeedback
	rep.Format = "jmrp"
	rep.Feedback = &Feedback{Type: "abuse"}
	if rep.Original != nil {
		rep.Feedback.OriginalRcptTo = rep.Original.To
		for _, a := range rep.Original.To {
			rep.Records = append(rep.Records, Record{Recipient: a, FeedbackType: "abuse"})
		}
	}
	return true
}
