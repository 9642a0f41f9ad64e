package classify

import (
	"strings"
	"testing"

	"github.com/bouncekit/bouncekit/bounce"
)

func TestClassifyRecordUsesKindActionAndContext(t *testing.T) {
	dsn := "From: MAILER-DAEMON@mta1.sender.example\nTo: bounces@sender.example\nSubject: Undelivered Mail Returned to Sender\nMIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\n\n--b\nContent-Type: text/plain\n\nYour message could not be delivered.\n\n--b\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mta1.sender.example\n\nFinal-Recipient: rfc822; kate@icloud.com\nAction: failed\nStatus: 5.7.1\nRemote-MTA: dns; mx01.mail.icloud.com\nDiagnostic-Code: smtp; 554 5.7.1 [CS01] Message rejected due to local policy\n\n--b--\n"
	rep, err := bounce.ParseMessage(strings.NewReader(dsn))
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Records) != 1 {
		t.Fatalf("%d records", len(rep.Records))
	}
	v := Default().ClassifyRecord(rep, &rep.Records[0])
	if v.Severity != SeverityHard || v.Category != CategoryContentPolicy || v.Suppress || v.Retry || v.Provider != "apple" {
		t.Errorf("CS01 record: %+v", v)
	}

	rec := bounce.Record{Recipient: "ann@example.org"}
	if v := Default().ClassifyRecord(&bounce.Report{Kind: bounce.KindFeedback}, &rec); v.Category != CategoryComplaint || v.Severity != SeverityNone {
		t.Errorf("feedback record: %+v", v)
	}
	if v := Default().ClassifyRecord(&bounce.Report{Kind: bounce.KindAutoReply}, &rec); v.Category != CategoryAutoReply || v.Severity != SeverityNone {
		t.Errorf("auto-reply record: %+v", v)
	}
	delayed := bounce.Record{Recipient: "bob@gmail.com", Action: bounce.ActionDelayed, Status: bounce.MustParseStatus("4.2.2")}
	if v := Default().ClassifyRecord(&bounce.Report{Kind: bounce.KindDeliveryStatus}, &delayed); v.Severity != SeveritySoft || !v.Retry || v.Suppress {
		t.Errorf("delayed record: %+v", v)
	}
}

// A Google Groups notice has no SMTP reply and is localised: the report's
// format decides it (a hand-written message in Google Groups' layout).
func TestClassifyRecordGoogleGroupsNotice(t *testing.T) {
	msg := "From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>\nTo: ann@sender.example\nSubject: Nachricht nicht zugestellt\nX-Failed-Recipients: katzen@googlegroups.com\nAuto-Submitted: auto-replied\nContent-Type: text/plain; charset=UTF-8\n\n" +
		"Hallo ann@sender.example,\n\nSie erhalten diese Nachricht, weil die Gruppe katzen vielleicht nicht existiert oder Sie dort nichts veröffentlichen dürfen.\n\nDas Google Groups-Team\n"
	rep, err := bounce.ParseMessage(strings.NewReader(msg))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Format != "googlegroups" || len(rep.Records) != 1 {
		t.Fatalf("format %q, %d records", rep.Format, len(rep.Records))
	}
	v := Default().ClassifyRecord(rep, &rep.Records[0])
	if v.Category != CategorySenderRejected || v.Severity != SeverityHard || v.Suppress || v.Retry || v.Rule != "googlegroups-notice" {
		t.Errorf("Google Groups notice: %+v", v)
	}
	// The same record from another format stays unknown.
	other := *rep
	other.Format = "sendmail"
	if v := Default().ClassifyRecord(&other, &rep.Records[0]); v.Category == CategorySenderRejected {
		t.Errorf("not a Google Groups notice: %+v", v)
	}
}

// An unsubscribe request that Apple Mail sends to a List-Unsubscribe mailto:
// address is a complaint-family report of type opt-out (hand-written in the
// shape Apple Mail uses).
func TestClassifyRecordUnsubscribeRequest(t *testing.T) {
	msg := "From: kate@icloud.com\nTo: opt-out-42@lists.sender.example\nSubject: unsubscribe\nAuto-Submitted: auto-replied\nX-Apple-Unsubscribe: true\nContent-Type: text/plain; charset=UTF-8\n\nApple Mail sent this email to unsubscribe from the message \"Weekly news\".\n"
	rep, err := bounce.ParseMessage(strings.NewReader(msg))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Kind != bounce.KindFeedback || rep.Format != "apple-unsubscribe" || len(rep.Records) != 1 || rep.Records[0].Recipient != "kate@icloud.com" || rep.Records[0].FeedbackType != "opt-out" {
		t.Fatalf("kind %q format %q records %+v", rep.Kind, rep.Format, rep.Records)
	}
	v := Default().ClassifyRecord(rep, &rep.Records[0])
	if v.Category != CategoryComplaint || v.Severity != SeverityNone || v.Suppress || v.Rule != "dsn-opt-out" || v.Hint != HintRecipient {
		t.Errorf("unsubscribe request: %+v", v)
	}
	// Without Apple's marker the same message is an auto-reply.
	rep, _ = bounce.ParseMessage(strings.NewReader(strings.Replace(msg, "X-Apple-Unsubscribe: true\n", "", 1)))
	if rep.Kind != bounce.KindAutoReply {
		t.Errorf("without X-Apple-Unsubscribe: kind %q", rep.Kind)
	}
}

// TestClassifyRecordDelaysAndGiveUps: a delay warning is soft, never
// suppressed, and keeps the category of its cause; a DSN that failed a
// recipient after a 4.x.x is final but never suppresses the address, even
// when the transient reply's words name an unknown user.
func TestClassifyRecordDelaysAndGiveUps(t *testing.T) {
	c := Default()
	tests := []struct {
		name     string
		action   bounce.Action
		reply    string
		severity Severity
		category Category
	}{
		{"a delayed full mailbox", bounce.ActionDelayed, "452 4.2.2 Mailbox full", SeveritySoft, CategoryMailboxFull},
		{"a delay after a PTR refusal", bounce.ActionDelayed, "450 4.7.25 Client host rejected: cannot find your hostname", SeveritySoft, CategoryAuthFailure},
		{"a delay whose server never answered", bounce.ActionDelayed, "connect to mx.example.net[192.0.2.9]:25: Connection refused", SeveritySoft, CategoryExpired},
		{"failed after a 4.1.1 user unknown", bounce.ActionFailed, "450 4.1.1 <x@example.net>: Recipient address rejected: User unknown in local recipient table", SeverityHard, CategoryRecipientUnknown},
		{"failed after a full mailbox", bounce.ActionFailed, "452 4.2.2 Mailbox full", SeverityHard, CategoryMailboxFull},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, _ := bounce.ParseReply(tt.reply)
			rec := bounce.Record{Recipient: "x@example.net", Action: tt.action, Reply: r, Status: r.Status}
			v := c.ClassifyRecord(&bounce.Report{Kind: bounce.KindBounce}, &rec)
			if v.Severity != tt.severity || v.Category != tt.category {
				t.Errorf("got %s/%s (rule %s), want %s/%s", v.Severity, v.Category, v.Rule, tt.severity, tt.category)
			}
			if v.Suppress {
				t.Errorf("suppressed (rule %s): a transient failure never suppresses", v.Rule)
			}
			if tt.action == bounce.ActionDelayed && !v.Retry {
				t.Error("a delay is still being retried")
			}
		})
	}
}

// TestClassifyRecordAutoReplies: an automatic reply is not a failure unless
// it says the address is not, or no longer, valid.
func TestClassifyRecordAutoReplies(t *testing.T) {
	c := Default()
	for _, tt := range []struct {
		text     string
		category Category
		suppress bool
	}{
		{"I am out of the office until Monday and will reply on my return.", CategoryAutoReply, false},
		{"This address is no longer in use. walt@example.net is not a valid user.", CategoryRecipientInactive, true},
		{"Thank you for your message. This mailbox has been closed; please write to info@example.net.", CategoryRecipientInactive, true},
	} {
		rec := bounce.Record{Recipient: "walt@example.net", Diagnostic: tt.text, Source: bounce.SourceAutoReply}
		v := c.ClassifyRecord(&bounce.Report{Kind: bounce.KindAutoReply}, &rec)
		if v.Category != tt.category || v.Suppress != tt.suppress {
			t.Errorf("%q: got %s suppress=%v (rule %s), want %s suppress=%v", tt.text, v.Category, v.Suppress, v.Rule, tt.category, tt.suppress)
		}
	}
}
