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
