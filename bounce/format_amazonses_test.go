package bounce

import (
	"errors"
	"strconv"
	"testing"
	"time"
)

const sesBounceJSON = `{"notificationType":"Bounce","bounce":{"feedbackId":"fb1","bounceType":"Permanent","bounceSubType":"OnAccountSuppressionList",
 "bouncedRecipients":[{"emailAddress":"bob@example.com","action":"failed","status":"5.1.1","diagnosticCode":"smtp; 550 5.1.1 user unknown"}],
 "timestamp":"2026-11-27T12:00:01.000Z","reportingMTA":"dns; a1.amazonses.com","remoteMtaIp":"192.0.2.9"},
 "mail":{"timestamp":"2026-11-27T12:00:00.000Z","messageId":"0100-abc","source":"news@shop.example","sourceIp":"192.0.2.1",
 "destination":["bob@example.com"],"tags":{"z":["1"],"campaign":["spring"]},"commonHeaders":{"subject":"Sale","from":["Shop <news@shop.example>"]}}}`

func TestParseSESEventReadsBothFormsAndTheSNSEnvelope(t *testing.T) {
	check := func(t *testing.T, ev SESEvent, publishing bool) {
		t.Helper()
		if ev.Type != SESBounce || ev.EventPublishing != publishing || ev.Bounce == nil {
			t.Fatalf("event %+v", ev)
		}
		b := ev.Bounce
		if b.Type != SESPermanent || b.SubType != SESSubOnAccountSuppressionList || b.FeedbackID != "fb1" || b.RemoteMTAIP != "192.0.2.9" ||
			len(b.Recipients) != 1 || b.Recipients[0].Status != "5.1.1" || !b.Timestamp.Equal(time.Date(2026, 11, 27, 12, 0, 1, 0, time.UTC)) {
			t.Errorf("bounce %+v", b)
		}
		if m := ev.Mail; m.MessageID != "0100-abc" || m.Subject != "Sale" || len(m.Tags) != 2 || m.Tags[0].Name != "campaign" || m.SourceIP != "192.0.2.1" {
			t.Errorf("mail %+v", m)
		}
	}
	ev, err := ParseSESEvent([]byte(sesBounceJSON))
	if err != nil {
		t.Fatal(err)
	}
	check(t, ev, false)
	published := `{"eventType":"Bounce"` + sesBounceJSON[len(`{"notificationType":"Bounce"`):]
	if ev, err = ParseSESEvent([]byte(published)); err != nil {
		t.Fatal(err)
	}
	check(t, ev, true)
	sns := `{"Type":"Notification","MessageId":"sns-1","Message":` + strconv.Quote(sesBounceJSON) + `}`
	if ev, err = ParseSESEvent([]byte(sns)); err != nil {
		t.Fatal(err)
	}
	check(t, ev, false)
	if ev.SNSMessageID != "sns-1" {
		t.Errorf("SNS message ID %q", ev.SNSMessageID)
	}
}

func TestParseSESEventTypes(t *testing.T) {
	mail := `,"mail":{"timestamp":"2026-11-27T12:00:00Z","messageId":"m"}}`
	tests := []struct {
		json string
		ok   func(SESEvent) bool
	}{
		{`{"eventType":"Complaint","complaint":{"complaintFeedbackType":"ABUSE","complainedRecipients":[{"emailAddress":"a@b.c"}]}` + mail,
			func(e SESEvent) bool {
				return e.Complaint.FeedbackType == "abuse" && e.Complaint.Recipients[0] == "a@b.c"
			}},
		{`{"eventType":"DeliveryDelay","deliveryDelay":{"delayType":"MailboxFull","expirationTime":"2026-11-28T12:00:00Z","delayedRecipients":[{"emailAddress":"a@b.c","status":"4.2.2"}]}` + mail,
			func(e SESEvent) bool {
				return e.DeliveryDelay.DelayType == "MailboxFull" && e.DeliveryDelay.Recipients[0].Status == "4.2.2" && !e.DeliveryDelay.ExpirationTime.IsZero()
			}},
		{`{"notificationType":"Delivery","delivery":{"recipients":["a@b.c"],"smtpResponse":"250 ok","processingTimeMillis":546}` + mail,
			func(e SESEvent) bool {
				return e.Delivery.ProcessingTimeMillis == 546 && e.Delivery.SMTPResponse == "250 ok"
			}},
		{`{"eventType":"Reject","reject":{"reason":"Bad content"}` + mail, func(e SESEvent) bool { return e.Reject.Reason == "Bad content" }},
		{`{"eventType":"Open","open":{}` + mail, func(e SESEvent) bool { return e.Type == SESOpen }},
	}
	for _, tt := range tests {
		ev, err := ParseSESEvent([]byte(tt.json))
		if err != nil || !tt.ok(ev) {
			t.Errorf("%s: %+v, %v", tt.json, ev, err)
		}
	}
	for _, bad := range []string{`{"foo":1}`, `{"eventType":"Bounce"}`, `{"notificationType":`, `[1]`} {
		var pe *ParseError
		if _, err := ParseSESEvent([]byte(bad)); !errors.As(err, &pe) {
			t.Errorf("%s: %v, want a *ParseError", bad, err)
		}
	}
	if _, err := ParseSESEvent([]byte(`{"foo":1}`)); !errors.Is(err, ErrNotSES) {
		t.Errorf("not SES: %v", err)
	}
}

func TestSESDiagnosticReply(t *testing.T) {
	for in, want := range map[string]string{"smtp; 550 5.1.1 user unknown": "550 5.1.1 user unknown", "smtp;550 x": "550 x", "550 plain": "550 plain", "": ""} {
		if got := SESDiagnosticReply(in); got != want {
			t.Errorf("%q: %q, want %q", in, got, want)
		}
	}
}

func FuzzParseSESEvent(f *testing.F) {
	f.Add([]byte(sesBounceJSON))
	f.Add([]byte(`{"Type":"Notification","Message":"{\"eventType\":\"Open\",\"open\":{}}"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		ev, err := ParseSESEvent(data)
		if err != nil {
			return
		}
		if ev.Type == "" {
			t.Fatal("no type without an error")
		}
		switch ev.Type {
		case SESBounce:
			if ev.Bounce == nil {
				t.Fatal("Bounce without its object")
			}
		case SESComplaint:
			if ev.Complaint == nil {
				t.Fatal("Complaint without its object")
			}
		}
	})
}
