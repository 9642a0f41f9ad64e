package bounce

import (
	"errors"
	"net/netip"
	"strings"
)

// Reply is one SMTP reply (RFC 5321 §4.2) as read from wherever it was found:
// a bare reply, a multi-line reply, a DSN Diagnostic-Code, or an MTA's wrapper
// text around it ("host H[IP] said: ...", "SMTP error from remote mail server
// after RCPT TO:<x>: ...", "Remote Server returned '...'", ...).
//
// Reply is a plain value, safe to copy and to use from several goroutines.
// Its string fields are substrings of the parsed input where possible, so
// parsing a single-line reply allocates nothing.
type Reply struct {
	// Code is the RFC 5321 basic reply code (200-599), 0 when none was given.
	Code int
	// Status is the RFC 3463 enhanced status code; the zero Status when none
	// was given.
	Status Status
	// Text is the human-readable text with the codes, continuation prefixes
	// and wrapper removed.
	Text string
	// Tags are provider tags found in the text, in order of appearance, such
	// as "CS01" (from "[CS01]"), "S3150" (from "(S3150)"), "AUP#CXBL",
	// "IB212", "OFR004_104", "TSS04". Unused slots are "".
	Tags [MaxTags]string
	// Stage is the SMTP stage the reply answered, when the wrapper says it.
	Stage Stage
	// RemoteHost and RemoteIP name the server that answered, when the
	// wrapper says it.
	RemoteHost string
	RemoteIP   netip.Addr
	// DiagnosticType is the RFC 3464 §2.3.6 diagnostic-type of a
	// Diagnostic-Code value ("smtp", "x-postfix", "x-unix"), lower-cased
	// only if the input was; "" when the input had none.
	DiagnosticType string
	// Flags record what the parser noticed; see the Flag constants.
	Flags Flags
	// Raw is the input the Reply was read from (after trimming surrounding
	// white space).
	Raw string
}

// MaxTags is the number of provider tags a Reply keeps; further tags are
// ignored (and FlagTagsTruncated is set).
const MaxTags = 4

// MaxReplyLen is the longest input ParseReply reads: 64 KiB. RFC 5321 §4.5.3.1.5
// limits a reply line to 512 octets; multi-line replies and MTA wrappers are
// longer, but nothing real comes near this. Longer input gives ErrReplyTooLong
// together with the Reply read from the first MaxReplyLen bytes.
const MaxReplyLen = 64 << 10

// Errors returned by ParseReply, wrapped in a *ParseError.
var (
	ErrEmptyReply   = errors.New("empty reply")
	ErrReplyTooLong = errors.New("reply longer than MaxReplyLen")
)

// Tag returns the first provider tag, or "".
func (r *Reply) Tag() string { return r.Tags[0] }

// NumTags returns how many Tags are set.
func (r *Reply) NumTags() int {
	n := 0
	for n < MaxTags && r.Tags[n] != "" {
		n++
	}
	return n
}

// HasCode reports whether the reply carried a basic or an enhanced code.
func (r *Reply) HasCode() bool { return r.Code != 0 || r.Status.IsValid() }

// Class returns the reply's class: 2, 4 or 5 from the basic code when there
// is one, else from the enhanced status, else 0. When the two disagree
// (FlagClassMismatch) the basic code wins, because it is what the SMTP client
// acts on (RFC 5321 §4.2.1); the classifier may decide otherwise.
func (r *Reply) Class() int {
	if r.Code != 0 {
		return r.Code / 100
	}
	return r.Status.Class()
}

// Permanent reports whether the reply is a permanent failure (class 5).
func (r *Reply) Permanent() bool { return r.Class() == 5 }

// Transient reports whether the reply is a transient failure (class 4).
func (r *Reply) Transient() bool { return r.Class() == 4 }

// Stage is the SMTP stage a reply answered. Values are the SMTP command names
// of RFC 5321 §4.1.1, with "CONNECT" for the greeting and "DATA-END" for the
// reply to the end-of-data indication (RFC 5321 §4.1.1.4).
type Stage string

// Stages.
const (
	StageUnknown   Stage = ""
	StageConnect   Stage = "CONNECT"
	StageHELO      Stage = "HELO" // HELO or EHLO
	StageSTARTTLS  Stage = "STARTTLS"
	StageAUTH      Stage = "AUTH"
	StageMAIL      Stage = "MAIL"
	StageRCPT      Stage = "RCPT"
	StageDATA      Stage = "DATA"
	StageEndOfData Stage = "DATA-END"
	StageBDAT      Stage = "BDAT"
	StageQUIT      Stage = "QUIT"
)

// Flags is a set of observations about a parsed Reply.
type Flags uint16

// Flag values.
const (
	// FlagClassMismatch: the enhanced status class contradicts the basic
	// code (e.g. "421 5.7.32", "452 5.2.2"); both are kept as given.
	FlagClassMismatch Flags = 1 << iota
	// FlagMultiline: the reply had several lines (RFC 5321 §4.2.1).
	FlagMultiline
	// FlagInconsistentLines: continuation lines carried different codes.
	FlagInconsistentLines
	// FlagTruncated: the input was longer than MaxReplyLen.
	FlagTruncated
	// FlagTagsTruncated: more than MaxTags tags were present.
	FlagTagsTruncated
	// FlagInvalidUTF8: the input was not valid UTF-8 (kept as is).
	FlagInvalidUTF8
	// FlagControlChars: the input held NUL or other control characters.
	FlagControlChars
	// FlagNoReply: the text is a local MTA error with no SMTP reply in it
	// (connection refused, DNS failure, ...).
	FlagNoReply
	// FlagSubjectMismatch: the classes agree but the enhanced status's
	// subject contradicts the basic code: "452 4.1.1 user over quota"
	// (452 and 552 are storage replies, RFC 5321 §4.2.2; X.1.X is an
	// address status, RFC 3463 §3.2). Both are kept as given.
	FlagSubjectMismatch
	// FlagGaveUp: the text is the sending MTA's own statement that it
	// stopped retrying (qmail-send: "I'm not going to try again; this
	// message has been in the queue too long"): the failure is final
	// whatever the class of the last reply, and its cause is the queue
	// lifetime, not the address. The DSN and text readers set it on their
	// records' replies; ParseReply does not. See SaysGaveUp.
	FlagGaveUp
)

// Has reports whether all flags in f2 are set in f.
func (f Flags) Has(f2 Flags) bool { return f&f2 == f2 }

// flagNames are the wire names of the flags, in bit order.
var flagNames = [...]string{"class_mismatch", "multiline", "inconsistent_lines", "truncated",
	"tags_truncated", "invalid_utf8", "control_chars", "no_reply", "subject_mismatch", "gave_up"}

// Names returns the names of the flags set in f ("class_mismatch",
// "multiline", "inconsistent_lines", "truncated", "tags_truncated",
// "invalid_utf8", "control_chars", "no_reply", "subject_mismatch",
// "gave_up"), in bit
// order; nil when none is set.
func (f Flags) Names() []string {
	var out []string
	for i, n := range flagNames {
		if f&(1<<i) != 0 {
			out = append(out, n)
		}
	}
	return out
}

// String returns the names of the flags set in f, joined by "|", or "".
func (f Flags) String() string { return strings.Join(f.Names(), "|") }
