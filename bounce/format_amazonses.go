package bounce

// This file is bouncekit's one decoder of Amazon SES event JSON, in every
// form AWS delivers it: the notification form ("notificationType", sent to
// SNS topics and by email,
// https://docs.aws.amazon.com/ses/latest/dg/notification-contents.html), the
// event-publishing form ("eventType", sent through configuration sets to SNS,
// Firehose or EventBridge,
// https://docs.aws.amazon.com/ses/latest/dg/event-publishing-retrieving-sns-contents.html),
// and either of them wrapped in an SNS envelope whose Message is the record
// as a JSON string. ParseSESEvent reads one record; readSESNotification reads
// one from a bounce email; segment's SES reader maps records to events.

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"
)

// SESEventType is the kind of an SES record; the values are SES's own
// tokens in both forms.
type SESEventType string

// SES record types.
const (
	SESBounce           SESEventType = "Bounce"
	SESComplaint        SESEventType = "Complaint"
	SESDelivery         SESEventType = "Delivery"
	SESDeliveryDelay    SESEventType = "DeliveryDelay"
	SESSend             SESEventType = "Send"
	SESReject           SESEventType = "Reject"
	SESOpen             SESEventType = "Open"
	SESClick            SESEventType = "Click"
	SESRenderingFailure SESEventType = "Rendering Failure"
	SESSubscription     SESEventType = "Subscription"
)

// SESBounceType is an SES bounceType: Permanent (do not send again),
// Transient (SES gave up on this message; a later one may get through) or
// Undetermined (SES could not tell).
type SESBounceType string

// SES bounce types.
const (
	SESPermanent    SESBounceType = "Permanent"
	SESTransient    SESBounceType = "Transient"
	SESUndetermined SESBounceType = "Undetermined"
)

// SES bounce subtypes (bounceSubType). Permanent: General, NoEmail,
// Suppressed, OnAccountSuppressionList. Transient: General, MailboxFull,
// MessageTooLarge, ContentRejected, AttachmentRejected. Undetermined:
// Undetermined.
const (
	SESSubGeneral                  = "General"
	SESSubNoEmail                  = "NoEmail"
	SESSubSuppressed               = "Suppressed"
	SESSubOnAccountSuppressionList = "OnAccountSuppressionList"
	SESSubMailboxFull              = "MailboxFull"
	SESSubMessageTooLarge          = "MessageTooLarge"
	SESSubContentRejected          = "ContentRejected"
	SESSubAttachmentRejected       = "AttachmentRejected"
	SESSubUndetermined             = "Undetermined"
)

// ErrNotSES is returned (in a *ParseError) for JSON that is not an SES
// record: no eventType or notificationType, or a type's object missing.
var ErrNotSES = errors.New("not an Amazon SES record")

// MaxSESRecordLen is the longest record ParseSESEvent reads: 4 MiB (SES
// messages carry at most 50 recipients; headers are cut by SES).
const MaxSESRecordLen = 4 << 20

// SESEvent is one SES record. Mail is always there; the object named by Type
// is set, the others are nil. An SESEvent holds no references to the input.
type SESEvent struct {
	Type SESEventType
	// EventPublishing is set for the "eventType" form, clear for the
	// "notificationType" form.
	EventPublishing bool
	// SNSMessageID is the SNS envelope's MessageId when the record came
	// wrapped in one.
	SNSMessageID string

	Mail          SESMail
	Bounce        *SESBounceInfo
	Complaint     *SESComplaintInfo
	Delivery      *SESDeliveryInfo
	DeliveryDelay *SESDeliveryDelayInfo
	Reject        *SESRejectInfo
}

// SESMail is the "mail" object: the message the record is about.
type SESMail struct {
	Timestamp        time.Time
	MessageID        string // SES's message ID
	Source           string // the envelope sender
	SourceARN        string
	SourceIP         string // the IP of the API caller
	SendingAccountID string
	CallerIdentity   string
	Destination      []string
	// Tags are the message tags sorted by name (ses:* tags included).
	Tags []SESTag
	// Headers are the original headers in their order, when SES includes
	// them.
	Headers []SESHeader
	// The commonHeaders object.
	Subject         string
	From, To        []string
	HeaderMessageID string
	Date            string
}

// SESTag is one message tag.
type SESTag struct {
	Name   string
	Values []string
}

// SESHeader is one original header.
type SESHeader struct{ Name, Value string }

// SESRecipient is one bounced or delayed recipient.
type SESRecipient struct {
	EmailAddress   string
	Action         string // "failed", "delayed"
	Status         string // the enhanced status code, "5.1.1"
	DiagnosticCode string // "smtp; 550 5.1.1 user unknown"
}

// SESBounceInfo is the "bounce" object.
type SESBounceInfo struct {
	Type              SESBounceType
	SubType           string
	Recipients        []SESRecipient
	Timestamp         time.Time
	FeedbackID        string
	ReportingMTA      string
	RemoteMTAIP       string
	BounceSummaryText string
}

// SESComplaintInfo is the "complaint" object.
type SESComplaintInfo struct {
	Recipients []string
	Timestamp  time.Time
	FeedbackID string
	// FeedbackType is complaintFeedbackType ("abuse", "fraud", "virus",
	// "not-spam", "other", RFC 5965 section 7.3), lower-cased; "" when the
	// provider sent no ARF report.
	FeedbackType string
	SubType      string // complaintSubType: "" or "OnAccountSuppressionList"
	UserAgent    string
	ArrivalDate  time.Time
}

// SESDeliveryInfo is the "delivery" object.
type SESDeliveryInfo struct {
	Timestamp            time.Time
	Recipients           []string
	SMTPResponse         string
	ReportingMTA         string
	RemoteMTAIP          string
	ProcessingTimeMillis int64
}

// SESDeliveryDelayInfo is the "deliveryDelay" object: SES is still trying.
type SESDeliveryDelayInfo struct {
	// DelayType is SES's reason: "InternalFailure", "General",
	// "MailboxFull", "SpamDetected", "RecipientServerError", "IPFailure",
	// "TransientCommunicationFailure", "BYOIPHostNameLookupUnavailable",
	// "Undetermined", "SendingDeferral".
	DelayType      string
	Recipients     []SESRecipient
	Timestamp      time.Time
	ExpirationTime time.Time
	ReportingMTA   string
}

// SESRejectInfo is the "reject" object: SES did not send the message.
type SESRejectInfo struct{ Reason string }

// The JSON shapes, kept apart from the exported values so that the API does
// not change with SES's spelling (reportingMTA vs remoteMtaIp...).
type sesJSON struct {
	EventType        SESEventType `json:"eventType"`
	NotificationType SESEventType `json:"notificationType"`
	// SNS envelope.
	Type      string `json:"Type"`
	Message   string `json:"Message"`
	MessageID string `json:"MessageId"`

	Mail struct {
		Timestamp        sesTime             `json:"timestamp"`
		MessageID        string              `json:"messageId"`
		Source           string              `json:"source"`
		SourceARN        string              `json:"sourceArn"`
		SourceIP         string              `json:"sourceIp"`
		SendingAccountID string              `json:"sendingAccountId"`
		CallerIdentity   string              `json:"callerIdentity"`
		Destination      []string            `json:"destination"`
		Tags             map[string][]string `json:"tags"`
		Headers          []struct {
			Name  string `json:"name"`
			Value string `json:"value"`
		} `json:"headers"`
		CommonHeaders struct {
			Subject   string   `json:"subject"`
			From      []string `json:"from"`
			To        []string `json:"to"`
			MessageID string   `json:"messageId"`
			Date      string   `json:"date"`
		} `json:"commonHeaders"`
	} `json:"mail"`
	Bounce *struct {
		BounceType        SESBounceType      `json:"bounceType"`
		BounceSubType     string             `json:"bounceSubType"`
		BouncedRecipients []sesRecipientJSON `json:"bouncedRecipients"`
		Timestamp         sesTime            `json:"timestamp"`
		FeedbackID        string             `json:"feedbackId"`
		ReportingMTA      string             `json:"reportingMTA"`
		RemoteMtaIP       string             `json:"remoteMtaIp"`
		BounceSummaryText string             `json:"bounceSummaryText"`
	} `json:"bounce"`
	Complaint *struct {
		ComplainedRecipients []sesRecipientJSON `json:"complainedRecipients"`
		Timestamp            sesTime            `json:"timestamp"`
		FeedbackID           string             `json:"feedbackId"`
		FeedbackType         string             `json:"complaintFeedbackType"`
		SubType              string             `json:"complaintSubType"`
		UserAgent            string             `json:"userAgent"`
		ArrivalDate          sesTime            `json:"arrivalDate"`
	} `json:"complaint"`
	Delivery *struct {
		Timestamp            sesTime  `json:"timestamp"`
		Recipients           []string `json:"recipients"`
		SMTPResponse         string   `json:"smtpResponse"`
		ReportingMTA         string   `json:"reportingMTA"`
		RemoteMtaIP          string   `json:"remoteMtaIp"`
		ProcessingTimeMillis int64    `json:"processingTimeMillis"`
	} `json:"delivery"`
	DeliveryDelay *struct {
		DelayType         string             `json:"delayType"`
		DelayedRecipients []sesRecipientJSON `json:"delayedRecipients"`
		Timestamp         sesTime            `json:"timestamp"`
		ExpirationTime    sesTime            `json:"expirationTime"`
		ReportingMTA      string             `json:"reportingMTA"`
	} `json:"deliveryDelay"`
	Reject *struct {
		Reason string `json:"reason"`
	} `json:"reject"`
}

type sesRecipientJSON struct {
	EmailAddress   string `json:"emailAddress"`
	Action         string `json:"action"`
	Status         string `json:"status"`
	DiagnosticCode string `json:"diagnosticCode"`
}

// sesTime reads SES's ISO 8601 times ("2016-01-27T14:59:38.237Z", and the
// "2016-01-27T14:59:38.237-0800" some SNS deliveries carry); an empty or
// unreadable time is the zero time rather than an error, since the rest of
// the record is still worth reading.
type sesTime struct{ t time.Time }

func (s *sesTime) UnmarshalJSON(b []byte) error {
	var v string
	if json.Unmarshal(b, &v) != nil || v == "" {
		return nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.000Z0700", "2006-01-02T15:04:05Z0700"} {
		if t, err := time.Parse(layout, v); err == nil {
			s.t = t
			return nil
		}
	}
	return nil
}

// ParseSESEvent reads one SES record in either form, bare or in an SNS
// envelope (a JSON object whose "Type" is "Notification" and whose
// "Message" holds the record as a string). It returns ErrNotSES (in a
// *ParseError) for JSON that is not an SES record, ErrReplyTooLong for a
// record over MaxSESRecordLen, and a JSON syntax error otherwise wrapped the
// same way.
func ParseSESEvent(data []byte) (SESEvent, error) {
	if len(data) > MaxSESRecordLen {
		return SESEvent{}, &ParseError{What: "SES record", Input: truncateForError(string(data)), Err: ErrReplyTooLong}
	}
	var j sesJSON
	if err := json.Unmarshal(data, &j); err != nil {
		return SESEvent{}, &ParseError{What: "SES record", Input: truncateForError(string(data)), Err: err}
	}
	sns := ""
	if j.Type == "Notification" && j.Message != "" && j.EventType == "" && j.NotificationType == "" {
		sns = j.MessageID
		msg := j.Message
		j = sesJSON{}
		if err := json.Unmarshal([]byte(msg), &j); err != nil {
			return SESEvent{}, &ParseError{What: "SES record in SNS Message", Input: truncateForError(msg), Err: err}
		}
	}
	ev := SESEvent{Type: j.EventType, EventPublishing: j.EventType != "", SNSMessageID: sns}
	if ev.Type == "" {
		ev.Type = j.NotificationType
	}
	if ev.Type == "" {
		return SESEvent{}, &ParseError{What: "SES record", Input: truncateForError(string(data)), Err: ErrNotSES}
	}
	m := &j.Mail
	ev.Mail = SESMail{
		Timestamp: m.Timestamp.t, MessageID: m.MessageID, Source: m.Source, SourceARN: m.SourceARN,
		SourceIP: m.SourceIP, SendingAccountID: m.SendingAccountID, CallerIdentity: m.CallerIdentity,
		Destination: m.Destination, Subject: m.CommonHeaders.Subject, From: m.CommonHeaders.From,
		To: m.CommonHeaders.To, HeaderMessageID: m.CommonHeaders.MessageID, Date: m.CommonHeaders.Date,
	}
	for _, h := range m.Headers {
		ev.Mail.Headers = append(ev.Mail.Headers, SESHeader{h.Name, h.Value})
	}
	for name, vals := range m.Tags {
		ev.Mail.Tags = append(ev.Mail.Tags, SESTag{name, vals})
	}
	slices.SortFunc(ev.Mail.Tags, func(x, y SESTag) int { return strings.Compare(x.Name, y.Name) })
	missing := false
	switch ev.Type {
	case SESBounce:
		if b := j.Bounce; b != nil {
			ev.Bounce = &SESBounceInfo{Type: b.BounceType, SubType: b.BounceSubType, Recipients: sesRecipients(b.BouncedRecipients),
				Timestamp: b.Timestamp.t, FeedbackID: b.FeedbackID, ReportingMTA: b.ReportingMTA, RemoteMTAIP: b.RemoteMtaIP,
				BounceSummaryText: b.BounceSummaryText}
		} else {
			missing = true
		}
	case SESComplaint:
		if c := j.Complaint; c != nil {
			ev.Complaint = &SESComplaintInfo{Timestamp: c.Timestamp.t, FeedbackID: c.FeedbackID,
				FeedbackType: strings.ToLower(c.FeedbackType), SubType: c.SubType, UserAgent: c.UserAgent, ArrivalDate: c.ArrivalDate.t}
			for _, r := range c.ComplainedRecipients {
				ev.Complaint.Recipients = append(ev.Complaint.Recipients, r.EmailAddress)
			}
		} else {
			missing = true
		}
	case SESDelivery:
		if d := j.Delivery; d != nil {
			ev.Delivery = &SESDeliveryInfo{Timestamp: d.Timestamp.t, Recipients: d.Recipients, SMTPResponse: d.SMTPResponse,
				ReportingMTA: d.ReportingMTA, RemoteMTAIP: d.RemoteMtaIP, ProcessingTimeMillis: d.ProcessingTimeMillis}
		} else {
			missing = true
		}
	case SESDeliveryDelay:
		if d := j.DeliveryDelay; d != nil {
			ev.DeliveryDelay = &SESDeliveryDelayInfo{DelayType: d.DelayType, Recipients: sesRecipients(d.DelayedRecipients),
				Timestamp: d.Timestamp.t, ExpirationTime: d.ExpirationTime.t, ReportingMTA: d.ReportingMTA}
		} else {
			missing = true
		}
	case SESReject:
		if r := j.Reject; r != nil {
			ev.Reject = &SESRejectInfo{Reason: r.Reason}
		}
	}
	if missing {
		return SESEvent{}, &ParseError{What: "SES " + string(ev.Type) + " record", Input: truncateForError(string(data)), Err: ErrNotSES}
	}
	return ev, nil
}

func sesRecipients(rs []sesRecipientJSON) []SESRecipient {
	out := make([]SESRecipient, 0, len(rs))
	for _, r := range rs {
		out = append(out, SESRecipient(r))
	}
	return out
}

// SESDiagnosticReply returns the SMTP reply in an SES diagnostic code,
// without its RFC 3464 type ("smtp; 550 5.1.1 user unknown" gives "550
// 5.1.1 user unknown").
func SESDiagnosticReply(code string) string {
	code = strings.TrimSpace(code)
	if i := strings.IndexByte(code, ';'); i > 0 && i <= 12 && !strings.ContainsAny(code[:i], " \t") {
		return strings.TrimSpace(code[i+1:])
	}
	return code
}

// readSESNotification reads an SES notification from the notice text and
// reports whether it was one.
func readSESNotification(rep *Report, notice string) bool {
	i := strings.IndexByte(notice, '{')
	if i < 0 || !strings.Contains(notice, `"notificationType"`) && !strings.Contains(notice, `"eventType"`) {
		return false
	}
	j := strings.LastIndexByte(notice, '}')
	if j < i {
		return false
	}
	// SNS wraps long lines with "!" + line break + space; undo it.
	js := strings.ReplaceAll(notice[i:j+1], "!\n ", "")
	js = strings.ReplaceAll(js, "\n", "")
	n, err := ParseSESEvent([]byte(js))
	if err != nil {
		return false
	}
	rep.Format = "amazonses"
	switch n.Type {
	case SESBounce:
		rep.Kind = KindBounce
		rep.ReportingMTA = typedValue(n.Bounce.ReportingMTA)
		for _, b := range n.Bounce.Recipients {
			r := Record{Recipient: bareAddress(b.EmailAddress), Action: parseAction(b.Action)}
			if st, k := scanStatus(b.Status); k > 0 {
				r.Status = st
			}
			if b.DiagnosticCode != "" {
				r.Diagnostic, r.DiagnosticType = splitType(b.DiagnosticCode)
				r.Reply = parseDiagnostic(b.DiagnosticCode, r.Diagnostic)
			}
			rep.Records = append(rep.Records, r)
		}
	case SESComplaint:
		rep.Kind = KindFeedback
		t := n.Complaint.FeedbackType
		if t == "" {
			t = "abuse"
		}
		rep.Feedback = &Feedback{Type: t, UserAgent: n.Complaint.UserAgent, OriginalMailFrom: n.Mail.Source}
		for _, c := range n.Complaint.Recipients {
			a := bareAddress(c)
			rep.Feedback.OriginalRcptTo = append(rep.Feedback.OriginalRcptTo, a)
			rep.Records = append(rep.Records, Record{Recipient: a, FeedbackType: t})
		}
	case SESDelivery:
		rep.Kind = KindDeliveryStatus
		rep.ReportingMTA = n.Delivery.ReportingMTA
		for _, a := range n.Delivery.Recipients {
			r := Record{Recipient: bareAddress(a), Action: ActionDelivered, Diagnostic: n.Delivery.SMTPResponse}
			if n.Delivery.SMTPResponse != "" {
				r.Reply = parseDiagnostic(n.Delivery.SMTPResponse, n.Delivery.SMTPResponse)
			}
			rep.Records = append(rep.Records, r)
		}
	case SESDeliveryDelay:
		rep.Kind = KindDeliveryStatus
		rep.ReportingMTA = typedValue(n.DeliveryDelay.ReportingMTA)
		for _, b := range n.DeliveryDelay.Recipients {
			r := Record{Recipient: bareAddress(b.EmailAddress), Action: ActionDelayed}
			if st, k := scanStatus(b.Status); k > 0 {
				r.Status = st
			}
			if b.DiagnosticCode != "" {
				r.Diagnostic, r.DiagnosticType = splitType(b.DiagnosticCode)
				r.Reply = parseDiagnostic(b.DiagnosticCode, r.Diagnostic)
			}
			rep.Records = append(rep.Records, r)
		}
	default:
		return false
	}
	return len(rep.Records) > 0
}
