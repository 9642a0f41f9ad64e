package bounce

// This file names where a record's recipient was read from, so that a wrong
// reading can be traced to the field or the sentence that gave it.

// Source says which part of a report a Record's recipient was read from.
// The values are the tokens written in JSON and logs.
type Source string

// Sources, from the most to the least machine-readable.
const (
	// SourceNone: not recorded (a Record built by hand).
	SourceNone Source = ""
	// SourceFinalRecipient: the DSN's Final-Recipient field (RFC 3464
	// §2.3.2).
	SourceFinalRecipient Source = "final-recipient"
	// SourceOriginalRecipient: the DSN's Original-Recipient field (RFC 3464
	// §2.3.1), used when Final-Recipient is missing or is not an Internet
	// address (an X.400 O/R name, a local part, a file or a pipe).
	SourceOriginalRecipient Source = "original-recipient"
	// SourceActualRecipient: the X-Actual-Recipient field some MTAs add
	// to a DSN group.
	SourceActualRecipient Source = "x-actual-recipient"
	// SourceFailedRecipients: the X-Failed-Recipients header field Exim and
	// Gmail add to their notices.
	SourceFailedRecipients Source = "x-failed-recipients"
	// SourceText: a recipient line or sentence of the notice's text
	// ("<bob@example.org>: host ... said: 550 ...", "Delivery to the
	// following recipient failed permanently: bob@example.org").
	SourceText Source = "text"
	// SourceOriginalTo: the single To address of the returned message,
	// taken only when the notice names no recipient at all (Google Groups'
	// and some gateways' notices) and the original was not list mail.
	SourceOriginalTo Source = "original-to"
	// SourceFeedback: a feedback report's Original-Rcpt-To (RFC 5965
	// §3.2) or the complained-about message's To.
	SourceFeedback Source = "feedback"
	// SourceAutoReply: the sender of an automatic reply (RFC 3834).
	SourceAutoReply Source = "auto-reply"
	// SourceNotFound: the message is a bounce, but no reader found the
	// recipient it is about; Recipient is empty, the other fields hold
	// what the notice says.
	SourceNotFound Source = "not-found"
)

// String returns the token.
func (s Source) String() string { return string(s) }

// MarshalText implements encoding.TextMarshaler.
func (s Source) MarshalText() ([]byte, error) { return []byte(s), nil }

// maxSourceText bounds Record.SourceText: the field or line is evidence for
// a reader, not a copy of the notice.
const maxSourceText = 200

// sourceText trims a field value or a notice line to what Record.SourceText
// keeps.
func sourceText(s string) string {
	if needsCollapse(s) {
		s = collapseSpace(s)
	}
	if len(s) > maxSourceText {
		i := maxSourceText
		for i > 0 && s[i]&0xC0 == 0x80 {
			i-- // do not cut a UTF-8 sequence
		}
		s = s[:i]
	}
	return s
}

// kindSource is the Source of a record whose reader did not set one: the
// feedback and auto-reply readers take the address from their report's own
// fields; the others (Amazon SES notifications, fml) from the recipient
// field or line of their format.
func kindSource(k Kind) Source {
	switch k {
	case KindFeedback:
		return SourceFeedback
	case KindAutoReply:
		return SourceAutoReply
	}
	return SourceText
}

// needsCollapse reports whether s has white space other than single spaces
// between words, so that sourceText keeps a plain line without copying it.
func needsCollapse(s string) bool {
	if s == "" {
		return false
	}
	if s[0] == ' ' || s[len(s)-1] == ' ' {
		return true
	}
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\t', '\n', '\r', '\f', '\v':
			return true
		case ' ':
			if i+1 < len(s) && s[i+1] == ' ' {
				return true
			}
		}
	}
	return false
}
