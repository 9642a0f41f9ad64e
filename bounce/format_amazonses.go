package bounce

// This file reads Amazon SES event notifications delivered by email through
// SNS: a JSON object with notificationType Bounce, Complaint or Delivery
// (https://docs.aws.amazon.com/ses/latest/dg/notification-contents.html).

import (
	"encoding/json"
	"strings"
)

type sesNotification struct {
	NotificationType string `json:"notificationType"`
	Bounce           struct {
		BounceType        string `json:"bounceType"`
		ReportingMTA      string `json:"reportingMTA"`
		BouncedRecipients []struct {
			EmailAddress   string `json:"emailAddress"`
			Action         string `json:"action"`
			Status         string `json:"status"`
			DiagnosticCode string `json:"diagnosticCode"`
		} `json:"bouncedRecipients"`
	} `json:"bounce"`
	Complaint struct {
		ComplainedRecipients []struct {
			EmailAddress string `json:"emailAddress"`
		} `json:"complainedRecipients"`
		ComplaintFeedbackType string `json:"complaintFeedbackType"`
		UserAgent             string `json:"userAgent"`
	} `json:"complaint"`
	Delivery struct {
		Recipients   []string `json:"recipients"`
		SMTPResponse string   `json:"smtpResponse"`
		ReportingMTA string   `json:"reportingMTA"`
	} `json:"delivery"`
	Mail struct {
		Source      string   `json:"source"`
		MessageID   string   `json:"messageId"`
		Destination []string `json:"destination"`
	} `json:"mail"`
}

// readSESNotification reads an SES notification from the notice text and
// reports whether it was one.
func readSESNotification(rep *Report, notice string) bool {
	i := strings.IndexByte(notice, '{')
	if i < 0 || !strings.Contains(notice, `"notificationType"`) {
		return false
	}
	j := strings.LastIndexByte(notice, '}')
	if j < i {
		return false
	}
	// SNS wraps long lines with "!" + line break + space; undo it.
	js := strings.ReplaceAll(notice[i:j+1], "!\n ", "")
	js = strings.ReplaceAll(js, "\n", "")
	var n sesNotification
	if err := json.Unmarshal([]byte(js), &n); err != nil {
		return false
	}
	rep.Format = "amazonses"
	switch n.NotificationType {
	case "Bounce":
		rep.Kind = KindBounce
		rep.ReportingMTA = typedValue(n.Bounce.ReportingMTA)
		for _, b := range n.Bounce.BouncedRecipients {
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
	case "Complaint":
		rep.Kind = KindFeedback
		t := strings.ToLower(n.Complaint.ComplaintFeedbackType)
		if t == "" {
			t = "abuse"
		}
		rep.Feedback = &Feedback{Type: t, UserAgent: n.Complaint.UserAgent, OriginalMailFrom: n.Mail.Source}
		for _, c := range n.Complaint.ComplainedRecipients {
			a := bareAddress(c.EmailAddress)
			rep.Feedback.OriginalRcptTo = append(rep.Feedback.OriginalRcptTo, a)
			rep.Records = append(rep.Records, Record{Recipient: a, FeedbackType: t})
		}
	case "Delivery":
		rep.Kind = KindDeliveryStatus
		rep.ReportingMTA = n.Delivery.ReportingMTA
		for _, a := range n.Delivery.Recipients {
			r := Record{Recipient: bareAddress(a), Action: ActionDelivered, Diagnostic: n.Delivery.SMTPResponse}
			if n.Delivery.SMTPResponse != "" {
				r.Reply = parseDiagnostic(n.Delivery.SMTPResponse, n.Delivery.SMTPResponse)
			}
			rep.Records = append(rep.Records, r)
		}
	default:
		return false
	}
	return len(rep.Records) > 0
}
