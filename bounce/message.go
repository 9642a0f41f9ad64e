package bounce

// This file holds ParseMessage, the entry point that reads one bounce message
// (RFC 3464 delivery status notification, RFC 5965 feedback report, RFC 3834
// auto-reply, or an MTA's plain-text bounce) into a Report.

import (
	"bytes"
	"io"
	"log/slog"
	"net/netip"
	"strings"
	"time"
)

// Kind says what a message is.
type Kind string

// Kinds.
const (
	// KindDeliveryStatus: an RFC 3464 / RFC 6533 delivery status
	// notification (multipart/report; report-type=delivery-status).
	KindDeliveryStatus Kind = "delivery_status"
	// KindBounce: a non-delivery notice in an MTA's own text format.
	KindBounce Kind = "bounce"
	// KindFeedback: an RFC 5965 feedback (complaint) report.
	KindFeedback Kind = "feedback"
	// KindAutoReply: an RFC 3834 automatic reply (vacation, out of office).
	KindAutoReply Kind = "auto_reply"
	// KindNone: not a report of any kind.
	KindNone Kind = "none"
)

// Action is the RFC 3464 §2.3.3 action field of a recipient record.
type Action string

// Actions (RFC 3464 §2.3.3).
const (
	ActionNone      Action = ""
	ActionFailed    Action = "failed"
	ActionDelayed   Action = "delayed"
	ActionDelivered Action = "delivered"
	ActionRelayed   Action = "relayed"
	ActionExpanded  Action = "expanded"
)

// Report is what ParseMessage read from one message. It is a plain value
// owned by the caller; it is not safe to modify from several goroutines.
type Report struct {
	// Kind says what the message is; Format names the reader that
	// recognised it ("rfc3464", "postfix", "exim", "qmail", "arf",
	// "rfc3834", ...; "" for KindNone).
	Kind   Kind
	Format string
	// Header is the header of the report message itself.
	Header Header

	// Per-message DSN fields (RFC 3464 §2.2), "" when absent.
	ReportingMTA       string
	DSNGateway         string
	ReceivedFromMTA    string
	OriginalEnvelopeID string
	ArrivalDate        time.Time
	// Fields holds every per-message field in order, extension and X-
	// fields included.
	Fields []Field

	// Records has one entry per recipient, in the order they appear.
	Records []Record

	// Feedback is set for KindFeedback.
	Feedback *Feedback

	// Original describes the returned message, nil when none was included.
	Original *Original
}

// Record is one recipient of a report: an RFC 3464 §2.3 per-recipient
// group, or what was read for one recipient from a text bounce, an ARF
// report or an auto-reply.
type Record struct {
	// Recipient is the bare address (Final-Recipient, or the address the
	// text names); OriginalRecipient is the RFC 3461 ORCPT when given.
	Recipient         string
	OriginalRecipient string
	Action            Action
	// Status is the RFC 3463 code: the enhanced code of the remote reply
	// when it has one, else the Status field of the DSN, else a code the
	// text gives; zero when the bounce gave none.
	Status Status
	// ReportedStatus is the Status field of the DSN as written (RFC 3464
	// §2.3.4), zero for text bounces.
	ReportedStatus Status
	// Reply is the SMTP reply read with ParseReply from the
	// Diagnostic-Code or the bounce text.
	Reply Reply
	// Diagnostic is the raw diagnostic text (Diagnostic-Code without its
	// type, or the text a plain bounce gives for this recipient);
	// DiagnosticType is the RFC 3464 §2.3.6 type ("smtp", "x-unix", ...).
	Diagnostic     string
	DiagnosticType string
	// RemoteMTA is the host of the Remote-MTA field (without "dns;").
	RemoteMTA string
	// Stage is the SMTP stage the failure happened at, from the reply or
	// from text such as "in reply to RCPT TO command".
	Stage           Stage
	LastAttemptDate time.Time
	WillRetryUntil  time.Time
	FinalLogID      string
	// FeedbackType is the RFC 5965 §3.1 Feedback-Type for KindFeedback.
	FeedbackType string
	// Fields holds every field of the group in order, including unknown
	// and X- fields.
	Fields []Field
	// Source says where Recipient was read from (a DSN field,
	// X-Failed-Recipients, a line of the notice, ...) and SourceText is
	// that field's value or that line as written (white space collapsed,
	// at most 200 bytes), so a wrong reading can be traced. SourceNotFound
	// marks a recognised bounce that names no recipient: Recipient is
	// then empty.
	Source     Source
	SourceText string
}

// Feedback holds the RFC 5965 §3.1 fields of a feedback report.
type Feedback struct {
	Type             string // Feedback-Type: abuse, fraud, virus, other, not-spam, auth-failure, opt-out
	UserAgent        string
	Version          string
	SourceIP         netip.Addr
	OriginalMailFrom string
	OriginalRcptTo   []string
	ArrivalDate      time.Time
	ReportingMTA     string
	ReportedDomain   []string
	ReportedURI      []string
	AuthFailure      string
	Fields           []Field
}

// Parser reads messages under configurable Limits. The zero Parser uses
// the default limits. A Parser is safe for concurrent use.
type Parser struct {
	Limits Limits
}

// ParseMessage reads one message with the default Limits; see
// Parser.Parse.
func ParseMessage(r io.Reader) (*Report, error) {
	var p Parser
	return p.Parse(r)
}

// Parse reads one message from r. The Report is never nil. On a read error
// or a *LimitError it holds whatever was read before the error. Empty input
// gives ErrEmptyMessage and a Report of KindNone.
//
// Reading stops at Limits.MaxMessageBytes plus one byte whatever r is (a
// file, a pipe, a network stream): memory is bounded by the limit, never by
// the input. A longer message gives a *LimitError and the Report of its
// first MaxMessageBytes bytes.
func (p *Parser) Parse(r io.Reader) (*Report, error) {
	lim := p.Limits.withDefaults()
	b, readErr := readLimited(r, lim.MaxMessageBytes)
	rep, err := p.ParseBytes(b)
	if readErr != nil {
		return rep, readErr
	}
	return rep, err
}

// ParseBytes is Parse over a message already in memory. b is not modified
// and not retained.
func (p *Parser) ParseBytes(b []byte) (*Report, error) {
	lim := p.Limits.withDefaults()
	var err error
	if lim.MaxMessageBytes > 0 && int64(len(b)) > lim.MaxMessageBytes {
		b = b[:lim.MaxMessageBytes]
		err = &LimitError{Limit: "MaxMessageBytes", Max: lim.MaxMessageBytes}
	}
	b = normalizeEOL(b)
	if len(bytes.TrimSpace(b)) == 0 {
		if err == nil {
			err = ErrEmptyMessage
		}
		return &Report{Kind: KindNone}, err
	}
	st := &mimeState{lim: lim}
	root := st.parseEntity(b, 0)
	rep := analyse(st, root, 0)
	if err == nil {
		err = st.err
	}
	return rep, err
}

// analyse decides what the parsed message is and reads its records. st is
// the parse's state: parts met inside (a quoted original, a forwarded
// bounce) count against the same Limits, and a limit they hit is the
// parse's error.
func analyse(st *mimeState, root *part, depth int) *Report {
	rep := &Report{Kind: KindNone, Header: root.header}
	var (
		dsnParts []*part
		arfPart  *part
		texts    []*part
		orig     *part
	)
	// Look through the report's own parts; a message/rfc822 part is the
	// returned original and is not searched for reports.
	root.walk(func(p *part) bool {
		switch p.ctype {
		case "message/delivery-status", "message/global-delivery-status":
			dsnParts = append(dsnParts, p)
		case "message/feedback-report":
			if arfPart == nil {
				arfPart = p
			}
		case "message/rfc822", "message/global", "text/rfc822-headers", "text/rfc822-header",
			"message/rfc822-headers", "message/global-headers":
			if orig == nil {
				orig = p
			}
			return false
		default:
			if len(p.parts) == 0 && (strings.HasPrefix(p.ctype, "text/") || p.ctype == "") {
				if p.name == "" && !isAttachment(p) || p.ctype == "text/plain" && len(texts) == 0 {
					texts = append(texts, p)
				}
			}
		}
		return true
	})
	notice, quoted := noticeText(texts)
	rep.Original = readOriginal(st, orig, quoted)

	// unnamed: the message is a bounce by its DSN part or its text, so
	// one that names no recipient still gets a record (readUnnamedBounce).
	unnamed := false
	switch {
	case arfPart != nil:
		readFeedback(st, rep, arfPart)
	case len(dsnParts) > 0:
		unnamed = true
		for _, d := range dsnParts {
			readDSN(st, rep, d.body)
		}
		if len(rep.Records) == 0 {
			// A report part with no usable group: fall back to the text.
			readTextBounce(st, rep, notice)
		}
		if rep.Kind == KindNone && len(rep.Records) > 0 {
			rep.Kind = KindDeliveryStatus
		}
		if len(rep.Records) == 1 && !strings.Contains(rep.Records[0].Recipient, "@") {
			// Exim names a local delivery (a file or a pipe) in
			// Final-Recipient; the address is in X-Failed-Recipients.
			// Before reading the text, which names the address.
			if a := listAddresses(rep.Header.Get("X-Failed-Recipients")); len(a) == 1 {
				rep.Records[0].Recipient = a[0]
				rep.Records[0].Source, rep.Records[0].SourceText = SourceFailedRecipients, sourceText(rep.Header.Get("X-Failed-Recipients"))
			}
		}
		if len(rep.Records) > 0 {
			fillFromText(st, rep, notice)
		}
	case readSESNotification(rep, notice):
	case readJMRP(rep):
	case readUnsubscribeRequest(rep):
	case readFMLNotice(rep, notice):
	case isBounceMessage(root.header, notice):
		unnamed = isSurelyNotice(root.header, notice)
		readTextBounce(st, rep, notice)
	}
	if len(rep.Records) == 0 && depth < 2 && (rep.Kind == KindBounce || rep.Kind == KindNone) {
		// A bounce forwarded inside another message (a postmaster passing
		// on what it received): read the inner message.
		var inner *part
		switch {
		case orig != nil && len(orig.parts) > 0:
			inner = orig.parts[0]
		case quoted != "":
			inner = st.parseEntity([]byte(strings.TrimLeft(quoted, "\n")), 1)
		}
		if inner != nil && isBounceSender(inner.header) {
			if rep.Kind != KindNone && isBounceOfBounce(root.header, inner.header, notice) {
				readBounceOfBounce(rep, inner.header, notice)
			} else if sub := analyse(st, inner, depth+1); len(sub.Records) > 0 {
				sub.Header = rep.Header
				return sub
			}
		}
	}
	if unnamed && len(rep.Records) == 0 && (rep.Kind == KindBounce || rep.Kind == KindDeliveryStatus) {
		readUnnamedBounce(rep, notice)
	}
	if rep.Kind == KindNone && isAutoReply(root.header) {
		readAutoReply(rep)
		autoReplyText(rep, notice)
	}
	if rep.Kind != KindNone && rep.Format == "" {
		rep.Format = detectFormat(rep, notice)
	}
	if len(rep.Records) > st.lim.MaxRecords {
		// Readers that stop at the limit themselves (DSN and text
		// bounces) never get here; the others are cut.
		st.full(len(rep.Records))
		rep.Records = rep.Records[:st.lim.MaxRecords]
	}
	var tr *transcript // read once for all the records
	for i := range rep.Records {
		r := &rep.Records[i]
		finishRecord(r)
		if r.Source == SourceNone {
			r.Source = kindSource(rep.Kind)
		}
		if r.FeedbackType == "" {
			if tr == nil {
				tr = readTranscript(notice)
			}
			// The stage stated by a session transcript in the notice
			// (">>> DATA" then "<<< 550 ..."). It outranks the stage read
			// from the reply alone: only the whole transcript shows that
			// a reply read after ">>> DATA" answered a pipelined RCPT.
			if st := tr.stage(r.Recipient); st != StageUnknown {
				r.Stage = st
				if r.Reply.Stage != StageUnknown {
					r.Reply.Stage = st
				}
			}
		}
	}
	return rep
}

func isAttachment(p *part) bool {
	d := strings.ToLower(p.header.Get("Content-Disposition"))
	return strings.HasPrefix(d, "attachment")
}

// finishRecord derives the fields computed from others.
func finishRecord(r *Record) {
	if !r.Status.IsValid() {
		r.Status = r.Reply.Status
	}
	if r.Stage == StageUnknown {
		r.Stage = r.Reply.Stage
	}
	if r.Stage == StageUnknown {
		r.Stage = stageFromText(r.Diagnostic)
	}
	if r.Action == ActionNone && r.FeedbackType == "" && r.Source != SourceAutoReply && (r.Reply.HasCode() || r.Status.IsValid() || r.Diagnostic != "") {
		switch {
		case r.Status.Transient() || !r.Status.IsValid() && r.Reply.Transient():
			r.Action = ActionDelayed
		case r.Status.Success():
			r.Action = ActionDelivered
		default:
			r.Action = ActionFailed
		}
	}
}

// LogValue implements slog.LogValuer: the fields a log line about a bounced
// recipient needs.
func (r Record) LogValue() slog.Value {
	attrs := []slog.Attr{slog.String("recipient", r.Recipient), slog.String("action", string(r.Action))}
	if r.Status.IsValid() {
		attrs = append(attrs, slog.String("status", r.Status.String()))
	}
	if r.Reply.Code != 0 {
		attrs = append(attrs, slog.Int("code", r.Reply.Code))
	}
	if r.Stage != StageUnknown {
		attrs = append(attrs, slog.String("stage", string(r.Stage)))
	}
	if r.RemoteMTA != "" {
		attrs = append(attrs, slog.String("remote_mta", r.RemoteMTA))
	}
	if r.FeedbackType != "" {
		attrs = append(attrs, slog.String("feedback_type", r.FeedbackType))
	}
	return slog.GroupValue(attrs...)
}

// LogValue implements slog.LogValuer: kind, format and record count.
func (rep *Report) LogValue() slog.Value {
	return slog.GroupValue(slog.String("kind", string(rep.Kind)), slog.String("format", rep.Format), slog.Int("records", len(rep.Records)))
}
