package segment

// This file reads Amazon SES event JSON.

import (
	"encoding/json"
	"fmt"
	"strings"
)

// sesRecord is the part of an Amazon SES event we read. Event publishing
// uses "eventType", SNS notifications "notificationType"; the payloads are
// the same (https://docs.aws.amazon.com/ses/latest/dg/event-publishing-retrieving-sns-contents.html).
type sesRecord struct {
	EventType        string `json:"eventType"`
	NotificationType string `json:"notificationType"`
	// SNS envelope: the record is a JSON string in Message.
	Type    string `json:"Type"`
	Message string `json:"Message"`

	Mail struct {
		Timestamp     string              `json:"timestamp"`
		MessageID     string              `json:"messageId"`
		SourceIP      string              `json:"sourceIp"`
		Tags          map[string][]string `json:"tags"`
		CommonHeaders struct {
			Subject string   `json:"subject"`
			From    []string `json:"from"`
		} `json:"commonHeaders"`
	} `json:"mail"`
	Bounce *struct {
		BounceType        string         `json:"bounceType"`
		BounceSubType     string         `json:"bounceSubType"`
		BouncedRecipients []sesRecipient `json:"bouncedRecipients"`
		Timestamp         string         `json:"timestamp"`
	} `json:"bounce"`
	Delivery *struct {
		Timestamp    string   `json:"timestamp"`
		Recipients   []string `json:"recipients"`
		SMTPResponse string   `json:"smtpResponse"`
		RemoteMTAIP  string   `json:"remoteMtaIp"`
	} `json:"delivery"`
	Complaint *struct {
		ComplainedRecipients []sesRecipient `json:"complainedRecipients"`
		Timestamp            string         `json:"timestamp"`
		FeedbackType         string         `json:"complaintFeedbackType"`
	} `json:"complaint"`
	DeliveryDelay *struct {
		DelayType         string         `json:"delayType"`
		DelayedRecipients []sesRecipient `json:"delayedRecipients"`
		Timestamp         string         `json:"timestamp"`
	} `json:"deliveryDelay"`
}

type sesRecipient struct {
	EmailAddress   string `json:"emailAddress"`
	Status         string `json:"status"`
	DiagnosticCode string `json:"diagnosticCode"`
}

// MaxSESRecipients limits the recipients read from one SES record; SES
// itself sends to at most 50 per message.
const MaxSESRecipients = 1000

func parseSESEvents(rd *Reader, line []byte, evs []Event) ([]Event, bool, error) {
	var rec sesRecord
	if err := json.Unmarshal(line, &rec); err != nil {
		return evs, false, fmt.Errorf("%w: %v", ErrBadRecord, err)
	}
	if rec.Type == "Notification" && rec.Message != "" && rec.EventType == "" && rec.NotificationType == "" {
		var inner sesRecord
		if err := json.Unmarshal([]byte(rec.Message), &inner); err != nil {
			return evs, false, fmt.Errorf("%w: SNS Message: %v", ErrBadRecord, err)
		}
		rec = inner
	}
	kind := rec.EventType
	if kind == "" {
		kind = rec.NotificationType
	}
	base := Event{MessageID: rec.Mail.MessageID}
	if s := rec.Mail.CommonHeaders.Subject; s != "" {
		base.Attrs = append(base.Attrs, Attr{"subject", s})
	}
	if len(rec.Mail.CommonHeaders.From) > 0 {
		if d := (&Event{Recipient: rec.Mail.CommonHeaders.From[0]}).Domain(); d != "" {
			base.Attrs = append(base.Attrs, Attr{"from_domain", d})
		}
	}
	if len(rec.Mail.Tags) > 0 {
		meta := make(map[string]any, len(rec.Mail.Tags))
		for k, v := range rec.Mail.Tags {
			// SES adds its own ses:* tags (source IP of the API call,
			// configuration set...); they describe the caller, not the mail.
			if strings.HasPrefix(k, "ses:") || len(v) == 0 {
				continue
			}
			meta[k] = v[0]
		}
		metaToEvent(&base, meta)
	}
	add := func(out Outcome, rcpt, reply, ts string) error {
		if len(evs) >= MaxSESRecipients {
			return nil
		}
		if strings.TrimSpace(rcpt) == "" {
			return ErrNoRecipient
		}
		ev := base
		ev.Attrs = append([]Attr(nil), base.Attrs...)
		ev.Recipient, ev.Outcome, ev.ReplyText = rcpt, out, reply
		if ts == "" {
			ts = rec.Mail.Timestamp
		}
		t, err := parseTime(ts, rd.loc())
		if err != nil {
			return err
		}
		ev.Time = t
		evs = append(evs, ev)
		return nil
	}
	var err error
	switch kind {
	case "Bounce":
		if rec.Bounce == nil {
			return evs, false, fmt.Errorf("%w: Bounce without bounce object", ErrBadRecord)
		}
		// A Transient bounce is SES giving up after retries or a soft
		// failure it reports once; it is still a failed delivery.
		for _, r := range rec.Bounce.BouncedRecipients {
			reply := strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(r.DiagnosticCode, "smtp;"), "smtp; "))
			if reply == "" {
				reply = r.Status
			}
			if err = add(OutcomeBounced, r.EmailAddress, reply, rec.Bounce.Timestamp); err != nil {
				break
			}
		}
	case "Delivery":
		if rec.Delivery == nil {
			return evs, false, fmt.Errorf("%w: Delivery without delivery object", ErrBadRecord)
		}
		for _, r := range rec.Delivery.Recipients {
			if err = add(OutcomeDelivered, r, rec.Delivery.SMTPResponse, rec.Delivery.Timestamp); err != nil {
				break
			}
		}
	case "Complaint":
		if rec.Complaint == nil {
			return evs, false, fmt.Errorf("%w: Complaint without complaint object", ErrBadRecord)
		}
		for _, r := range rec.Complaint.ComplainedRecipients {
			if err = add(OutcomeComplained, r.EmailAddress, "", rec.Complaint.Timestamp); err != nil {
				break
			}
		}
	case "DeliveryDelay":
		if rec.DeliveryDelay == nil {
			return evs, false, fmt.Errorf("%w: DeliveryDelay without deliveryDelay object", ErrBadRecord)
		}
		for _, r := range rec.DeliveryDelay.DelayedRecipients {
			reply := strings.TrimSpace(strings.TrimPrefix(r.DiagnosticCode, "smtp;"))
			if reply == "" {
				reply = r.Status
			}
			if err = add(OutcomeDeferred, r.EmailAddress, reply, rec.DeliveryDelay.Timestamp); err != nil {
				break
			}
		}
	case "":
		return evs, false, fmt.Errorf("%w: no eventType or notificationType", ErrBadRecord)
	default:
		// Send, Reject, Open, Click, Rendering Failure, Subscription: not
		// delivery outcomes.
		return evs, false, nil
	}
	if err != nil {
		return evs[:0], false, err
	}
	return evs, len(evs) > 0, nil
}
