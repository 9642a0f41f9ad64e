package bounce

import (
	"strings"
	"testing"
)

func TestRemoteMTAIsReducedToTheHost(t *testing.T) {
	for in, want := range map[string]string{
		"gmail-smtp-in.l.google.com. (142.250.1.26, the server for the domain gmail.com.)": "gmail-smtp-in.l.google.com",
		"mx01.mail.icloud.com": "mx01.mail.icloud.com",
		"mx.example.org.":      "mx.example.org",
		"[192.0.2.1]":          "[192.0.2.1]",
		"":                     "",
	} {
		if got := mtaName(in); got != want {
			t.Errorf("mtaName(%q) = %q, want %q", in, got, want)
		}
	}
	msg := "From: MAILER-DAEMON@googlemail.com\nTo: b@sender.example\nSubject: Delivery Status Notification (Failure)\nMIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"g\"\n\n--g\nContent-Type: text/plain\n\nAddress not found\n\n--g\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; googlemail.com\n\nFinal-Recipient: rfc822; nobody@gmail.com\nAction: failed\nStatus: 5.1.1\nRemote-MTA: dns; gmail-smtp-in.l.google.com. (142.250.1.26, the server for the domain gmail.com.)\nDiagnostic-Code: smtp; 550 5.1.1 The email account that you tried to reach does not exist. - gsmtp\n\n--g--\n"
	rep, err := ParseMessage(strings.NewReader(msg))
	if err != nil || len(rep.Records) != 1 {
		t.Fatalf("ParseMessage: %v, %d records", err, len(rep.Records))
	}
	if got := rep.Records[0].RemoteMTA; got != "gmail-smtp-in.l.google.com" {
		t.Errorf("RemoteMTA = %q", got)
	}
}
