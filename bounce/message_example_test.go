package bounce_test

import (
	"fmt"
	"strings"

	"github.com/bouncekit/bouncekit/bounce"
)

func ExampleParseMessage() {
	msg := `From: MAILER-DAEMON@mx.example.org (Mail Delivery System)
To: news@sender.example
Subject: Undelivered Mail Returned to Sender
Content-Type: multipart/report; report-type=delivery-status; boundary="b"

--b
Content-Type: text/plain

<alice@icloud.com>: host mx01.mail.icloud.com[17.57.154.6] said: 554 5.7.1
    [CS01] Message rejected due to local policy (in reply to end of DATA command)

--b
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.org

Final-Recipient: rfc822; alice@icloud.com
Action: failed
Status: 5.7.1
Remote-MTA: dns; mx01.mail.icloud.com
Diagnostic-Code: smtp; 554 5.7.1 [CS01] Message rejected due to local policy

--b
Content-Type: text/rfc822-headers

From: News <news@sender.example>
To: alice@icloud.com
Subject: Spring sale
Message-ID: <42@sender.example>

--b--
`
	rep, err := bounce.ParseMessage(strings.NewReader(msg))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(rep.Kind, rep.Format, rep.ReportingMTA)
	for _, r := range rep.Records {
		fmt.Println(r.Recipient, r.Action, r.Status, r.Reply.Code, r.RemoteMTA, r.Stage)
	}
	fmt.Println(rep.Original.MessageID, rep.Original.Subject, rep.Original.Domains)
	// Output:
	// delivery_status rfc3464 mx.example.org
	// alice@icloud.com failed 5.7.1 554 mx01.mail.icloud.com DATA-END
	// 42@sender.example Spring sale [sender.example]
}

func ExampleReadMbox() {
	mbox := `From MAILER-DAEMON Mon Mar  3 10:00:00 2025
From: MAILER-DAEMON@mail.example.jp
Subject: failure notice

Hi. This is the qmail-send program at mail.example.jp.

<erin@example.jp>:
Remote host said: 550 5.1.1 <erin@example.jp>: no such user

From MAILER-DAEMON Mon Mar  3 10:00:01 2025
From: Heidi <heidi@example.org>
Subject: Automatic reply: hello
Auto-Submitted: auto-replied

I am away.
`
	for m, err := range bounce.ReadMbox(strings.NewReader(mbox)) {
		if err != nil {
			fmt.Println(err)
			break
		}
		for _, r := range m.Report.Records {
			fmt.Println(m.Index, m.Report.Kind, r.Recipient, r.Status)
		}
	}
	// Output:
	// 0 bounce erin@example.jp 5.1.1
	// 1 auto_reply heidi@example.org
}

// A delay warning's text alone (no header) is read as such, and each record
// says which line its recipient came from.
func ExampleRecord_source() {
	text := `This is the mail system at host mx.example.org.

####################################################################
# THIS IS A WARNING ONLY.  YOU DO NOT NEED TO RESEND YOUR MESSAGE. #
####################################################################

<bob@example.net>: host mx.example.net[192.0.2.7] said: 452 4.2.2 Mailbox
    full (in reply to RCPT TO command)
`
	rep, _ := bounce.ParseMessage(strings.NewReader("\n" + text))
	for _, r := range rep.Records {
		fmt.Println(r.Recipient, r.Action, r.Status, r.Source)
		fmt.Println(r.SourceText)
	}
	// Output:
	// bob@example.net delayed 4.2.2 text
	// <bob@example.net>: host mx.example.net[192.0.2.7] said: 452 4.2.2 Mailbox
}
