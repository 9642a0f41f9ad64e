package bounce_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/bouncekit/bouncekit/bounce"
)

// The notices below are hand-written in the shapes the MTAs' own templates
// give (Postfix bounce(8), Exim's warning and failure texts, Office 365 and
// Exchange NDRs, RFC 3464 §2.3.2 address types); none is a copy of a corpus
// or suite file.

type longtailCase struct {
	name    string
	msg     string
	kind    bounce.Kind
	records []wantSourced
}

type wantSourced struct {
	recipient string
	original  string
	action    bounce.Action
	status    string
	source    bounce.Source
}

func parseString(t *testing.T, msg string) *bounce.Report {
	t.Helper()
	rep, err := bounce.ParseMessage(strings.NewReader(msg))
	if err != nil {
		t.Fatalf("ParseMessage: %v", err)
	}
	return rep
}

func checkLongtail(t *testing.T, tests []longtailCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := parseString(t, tt.msg)
			equal(t, tt.kind, rep.Kind, "kind")
			if !equal(t, len(tt.records), len(rep.Records), "records: %s", recordList(rep)) {
				return
			}
			for i, w := range tt.records {
				r := rep.Records[i]
				equal(t, w.recipient, r.Recipient, "recipient %d", i)
				equal(t, w.original, r.OriginalRecipient, "original recipient %d", i)
				equal(t, w.action, r.Action, "action %d", i)
				equal(t, w.status, r.Status.String(), "status %d", i)
				equal(t, w.source, r.Source, "source %d", i)
				if w.source != bounce.SourceNotFound {
					isTrue(t, r.SourceText != "", "record %d has no source text", i)
				}
			}
		})
	}
}

// TestParseDelayWarnings: text notices that say the message is still
// queued give action delayed; a 5xx in the same notice stays failed; a
// notice that says delivery failed, or that the MTA gave up, is a failure
// even with a 4xx, whatever the original's subject says.
func TestParseDelayWarnings(t *testing.T) {
	checkLongtail(t, []longtailCase{
		{name: "Exim warning naming the delay reason", kind: bounce.KindBounce, msg: "From: Mail Delivery System <Mailer-Daemon@mx.example.org>\n" +
			"Subject: Warning: message 1abcDE-000001-AB delayed 24 hours\n\n" +
			"This message was created automatically by mail delivery software.\n" +
			"A message that you sent has not yet been delivered to one or more of its\n" +
			"recipients after more than 24 hours on the queue on mx.example.org.\n\n" +
			"The address to which the message has not yet been delivered is:\n\n" +
			"  ines@example.net\n" +
			"    Delay reason: SMTP error from remote mail server after RCPT TO:<ines@example.net>:\n" +
			"    host mx.example.net [192.0.2.7]: 452 4.2.2 Mailbox full\n\n" +
			"No action is required on your part. Delivery attempts will continue for\nsome time.\n",
			records: []wantSourced{{"ines@example.net", "", bounce.ActionDelayed, "4.2.2", bounce.SourceText}}},
		{name: "Postfix delay warning with no reply code", kind: bounce.KindBounce, msg: "From: MAILER-DAEMON@mx.example.org (Mail Delivery System)\n" +
			"Subject: Delayed Mail (still being retried)\n\n" +
			"This is the mail system at host mx.example.org.\n\n" +
			"####################################################################\n" +
			"# THIS IS A WARNING ONLY.  YOU DO NOT NEED TO RESEND YOUR MESSAGE. #\n" +
			"####################################################################\n\n" +
			"Your message could not be delivered for more than 4 hour(s).\n" +
			"It will be retried until it is 5 day(s) old.\n\n" +
			"<jon@example.net>: connect to mx.example.net[192.0.2.9]:25: Connection refused\n",
			records: []wantSourced{{"jon@example.net", "", bounce.ActionDelayed, "", bounce.SourceText}}},
		{name: "a failure notice whose original was about a delay", kind: bounce.KindBounce, msg: "From: postmaster@mx.example.org\nSubject: Undeliverable: Delayed delivery of your order\n\n" +
			"Delivery has failed to these recipients or groups:\n\nquinn@example.net\nThe e-mail address you entered couldn't be found.\n\n" +
			"Diagnostic information for administrators:\n\nquinn@example.net\nRemote Server returned '450 4.2.0 mailbox temporarily unavailable'\n",
			records: []wantSourced{{"quinn@example.net", "", bounce.ActionFailed, "4.2.0", bounce.SourceText}}},
		{name: "a DSN group with Will-Retry-Until and no Action is a delay", kind: bounce.KindDeliveryStatus, msg: x400DSN(
			"Final-Recipient: rfc822; nils@example.net\nStatus: 4.4.1\nWill-Retry-Until: Fri, 9 Jan 2026 10:00:00 +0000\n"),
			records: []wantSourced{{"nils@example.net", "", bounce.ActionDelayed, "4.4.1", bounce.SourceFinalRecipient}}},
		{name: "a delay DSN whose header lost its MIME Content-Type", kind: bounce.KindBounce, msg: "From: Mailer-Daemon@mx.example.org (Mail Delivery System)\n" +
			"Subject: Delayed Mail (still being retried)\n\nThis is a MIME-encapsulated message.\n\n--B_1\nContent-type: text/plain\nContent-description: Notification\n\n" +
			"THIS IS A WARNING ONLY.  YOU DO NOT NEED TO RESEND YOUR MESSAGE.\n\n--B_1\nContent-type: message/delivery-status\n\n" +
			"Reporting-MTA: dns; mx.example.org\n\nFinal-Recipient: rfc822; rita@example.net\nAction: delayed\nStatus: 4.4.0\n" +
			"Diagnostic-Code: smtp; 421 4.4.0 no MXs for this domain could be reached at this time\n\n--B_1\nContent-type: text/rfc822-headers\n\n" +
			"Received: from a.example.org by mx.example.org\nFrom: sender@example.org\nTo: rita@example.net\nSubject: hi\n\n--B_1--\n",
			records: []wantSourced{{"rita@example.net", "", bounce.ActionDelayed, "4.4.0", bounce.SourceFinalRecipient}}},
		{name: "qmail gives up on a transient failure", kind: bounce.KindBounce, msg: "From: MAILER-DAEMON@mx.example.org\nSubject: failure notice\n\n" +
			"Hi. This is the qmail-send program at mx.example.org.\n" +
			"I'm afraid I wasn't able to deliver your message to the following addresses.\n" +
			"This is a permanent error; I've given up. Sorry it didn't work out.\n\n" +
			"<kai@example.net>:\n192.0.2.11 does not like recipient.\nRemote host said: 451 4.3.0 Temporary failure\n" +
			"I'm not going to try again; this message has been in the queue too long.\n",
			records: []wantSourced{{"kai@example.net", "", bounce.ActionFailed, "4.3.0", bounce.SourceText}}},
	})
}

// TestParseRecipientSources: where each record's recipient came from.
func TestParseRecipientSources(t *testing.T) {
	checkLongtail(t, []longtailCase{
		{name: "a body-only Postfix notice", kind: bounce.KindBounce, msg: "\nThis is the mail system at host mx.example.org.\n\n" +
			"I'm sorry to have to inform you that your message could not\nbe delivered to one or more recipients.\n\n" +
			"<lea@example.net>: host mx.example.net[192.0.2.3] said: 550 5.1.1\n" +
			"    <bounces+x1@mailer.example.org>: Recipient address rejected (in reply to RCPT TO command)\n",
			records: []wantSourced{{"lea@example.net", "", bounce.ActionFailed, "5.1.1", bounce.SourceText}}},
		{name: "Postfix names the alias the sender used", kind: bounce.KindBounce, msg: "From: MAILER-DAEMON@mx.example.org\nSubject: Undelivered Mail Returned to Sender\n\n" +
			"This is the mail system at host mx.example.org.\n\n" +
			"<final@example.net> (expanded from <listed@example.org>): host mx.example.net[192.0.2.3]\n" +
			"    said: 550 5.1.1 User unknown (in reply to RCPT TO command)\n",
			records: []wantSourced{{"final@example.net", "listed@example.org", bounce.ActionFailed, "5.1.1", bounce.SourceText}}},
		{name: "an X.400 Final-Recipient falls back to Original-Recipient", kind: bounce.KindDeliveryStatus, msg: x400DSN(
			"Original-Recipient: rfc822;mia@example.net\nFinal-Recipient: x400; /C=DE/ADMD=/PRMD=example/O=Example/S=Mia/\n" +
				"Action: failed\nStatus: 5.1.1\n"),
			records: []wantSourced{{"mia@example.net", "mia@example.net", bounce.ActionFailed, "5.1.1", bounce.SourceOriginalRecipient}}},
		{name: "an X.400 Final-Recipient alone falls back to the text", kind: bounce.KindDeliveryStatus, msg: x400DSN(
			"Final-Recipient: x400; /C=DE/ADMD=/PRMD=example/O=Example/S=Nils/\nAction: failed\nStatus: 5.1.1\n"),
			records: []wantSourced{{"nils@example.net", "", bounce.ActionFailed, "5.1.1", bounce.SourceText}}},
		{name: "Office 365: the administrators' section gives the reply; the sender's address is not a recipient", kind: bounce.KindBounce, msg: "\n" +
			"Your message to olga@example.net couldn't be delivered.\nolga wasn't found at example.net.\n\n" +
			"Diagnostic information for administrators:\n\nGenerating server: mail.example.net\n\n" +
			"olga@example.net\nRemote Server returned '550 5.1.10 RESOLVER.ADR.RecipientNotFound; not found'\n\n" +
			"Original Message Details\nSender Address: bounces+77@mailer.example.org\n",
			records: []wantSourced{{"olga@example.net", "", bounce.ActionFailed, "5.1.10", bounce.SourceText}}},
		{name: "a test sent to oneself", kind: bounce.KindBounce, msg: "From: MAILER-DAEMON@mx.example.org\nTo: pia@example.org\nSubject: Undelivered Mail Returned to Sender\n\n" +
			"This is the mail system at host mx.example.org.\n\n" +
			"pia@example.org: host mx.example.org[192.0.2.4] said: 552 5.2.2 Mailbox full\n\n" +
			"--- Below this line is a copy of the message.\n\nFrom: pia@example.org\nTo: pia@example.org\nSubject: test\n\nhello\n",
			records: []wantSourced{{"pia@example.org", "", bounce.ActionFailed, "5.2.2", bounce.SourceText}}},
		{name: "a help text's addresses are neither recipients nor versions statuses", kind: bounce.KindBounce, msg: "From: postmaster@mx.example.org\nSubject: Undeliverable: hello\n\n" +
			"Your message did not reach some or all of the intended recipients.\n\n" +
			"The following recipient(s) cannot be reached:\n\n      rolf@example.net on 01/02/2026\n" +
			"            550 5.1.1 No such user\n\n" +
			"If you think this is wrong, contact postmaster@example.org or write to help@example.org.\n" +
			"Generated by MDaemon version 5.0.5\n",
			records: []wantSourced{{"rolf@example.net", "", bounce.ActionFailed, "5.1.1", bounce.SourceText}}},
		{name: "a recognised bounce that names nobody still gives a record", kind: bounce.KindBounce, msg: "From: Mail Delivery System <MAILER-DAEMON@mx.example.org>\nSubject: Mail delivery failed\n\n" +
			"This message was created automatically by mail delivery software.\n\n" +
			"A message that you sent could not be delivered to one or more of its recipients.\n" +
			"550 5.7.1 Message rejected as spam\n",
			records: []wantSourced{{"", "", bounce.ActionFailed, "5.7.1", bounce.SourceNotFound}}},
		{name: "a '> ' quoted original header gives no recipient", kind: bounce.KindBounce, msg: "From: MAILER-DAEMON@mx.example.org\nSubject: Mail delivery failed\n\n" +
			"Your message could not be delivered to one or more recipients:\n\n  tara@example.net: 550 5.1.1 mailbox unknown\n\n" +
			"> From: sam@example.org\n> To: team@lists.example.org\n> Subject: hi\n",
			records: []wantSourced{{"tara@example.net", "", bounce.ActionFailed, "5.1.1", bounce.SourceText}}},
		{name: "a list's address in the original's To is not the recipient", kind: bounce.KindBounce, msg: "From: MAILER-DAEMON@mx.example.org\nSubject: Undelivered Mail Returned to Sender\n\n" +
			"Your mail could not be delivered.\n\n--- Below this line is a copy of the message.\n\n" +
			"From: sam@example.org\nTo: team@lists.example.org\nList-Id: <team.lists.example.org>\nMessage-ID: <1@example.org>\nSubject: hi\n\nhi\n",
			records: []wantSourced{{"", "", bounce.ActionFailed, "", bounce.SourceNotFound}}},
	})
}

// TestParseBounceOfBounce: a notice that could not deliver a bounce reports
// its own failure (the address the returned bounce went to), not the
// returned bounce's.
func TestParseBounceOfBounce(t *testing.T) {
	checkLongtail(t, []longtailCase{
		{name: "a double bounce", kind: bounce.KindBounce, msg: "Return-Path: <>\nFrom: MAILER-DAEMON@relay.example.org\nSubject: Undelivered Mail Returned to Sender\n" +
			"MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"b1\"\n\n--b1\nContent-Type: text/plain\n\n" +
			"This is the mail system at host relay.example.org.\n\nThe bounce to bounces@sender.example.com could not be delivered:\n" +
			"the mailbox was disabled.\n\n--b1\nContent-Type: message/rfc822\n\n" +
			"From: MAILER-DAEMON@mx.example.net\nTo: bounces@sender.example.com\nSubject: Undelivered Mail Returned to Sender\n\n" +
			"This is the mail system at host mx.example.net.\n\n<tom@example.net>: host mx.example.net said: 550 5.1.1 unknown\n--b1--\n",
			records: []wantSourced{{"bounces@sender.example.com", "", bounce.ActionFailed, "", bounce.SourceText}}},
		{name: "a double bounce naming the address only in passing", kind: bounce.KindBounce, msg: "Return-Path: <>\nFrom: MAILER-DAEMON@relay.example.org\nSubject: Undelivered Mail Returned to Sender\n" +
			"MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"b1\"\n\n--b1\nContent-Type: text/plain\n\n" +
			"This is the mail system at host relay.example.org.\n\nThe returned message could not be delivered as\n" +
			"the mailbox of bounces@sender.example.com is disabled.\n\n--b1\nContent-Type: message/rfc822\n\n" +
			"From: MAILER-DAEMON@mx.example.net\nTo: bounces@sender.example.com\nSubject: Undelivered Mail Returned to Sender\n\n" +
			"This is the mail system at host mx.example.net.\n\n<tom@example.net>: host mx.example.net said: 550 5.1.1 unknown\n--b1--\n",
			records: []wantSourced{{"bounces@sender.example.com", "", bounce.ActionFailed, "", bounce.SourceOriginalTo}}},
		{name: "a postmaster forwarding a bounce hands over the inner one", kind: bounce.KindBounce, msg: "From: postmaster@example.org\nSubject: Fwd: Undelivered Mail Returned to Sender\n" +
			"MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"b1\"\n\n--b1\nContent-Type: text/plain\n\n" +
			"FYI, see below.\n\n--b1\nContent-Type: message/rfc822\n\n" +
			"From: MAILER-DAEMON@mx.example.net\nTo: bounces@sender.example.com\nSubject: Undelivered Mail Returned to Sender\n\n" +
			"This is the mail system at host mx.example.net.\n\n<tom@example.net>: host mx.example.net said: 550 5.1.1 unknown\n--b1--\n",
			records: []wantSourced{{"tom@example.net", "", bounce.ActionFailed, "5.1.1", bounce.SourceText}}},
	})
}

// x400DSN wraps one per-recipient group in an RFC 3464 report whose text names
// nils@example.net, for the X.400 cases.
func x400DSN(group string) string {
	return "From: MAILER-DAEMON@gw.example.net\nSubject: Delivery Status Notification (Failure)\nMIME-Version: 1.0\n" +
		"Content-Type: multipart/report; report-type=delivery-status; boundary=\"r1\"\n\n" +
		"--r1\nContent-Type: text/plain\n\nDelivery to the following recipient failed permanently:\n\n     nils@example.net\n\n" +
		"--r1\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; gw.example.net\n\n" + group +
		"\n--r1--\n"
}

// TestParseOddSenders: MDaemon's "> addr" list, Exchange 5.5's X.400
// "dda:SMTP=" recipient line, and an auto-reply's text kept for the
// classifier.
func TestParseOddSenders(t *testing.T) {
	checkLongtail(t, []longtailCase{
		{name: "MDaemon lists recipients after '> '", kind: bounce.KindBounce, msg: "From: MDaemon@mail.example.org\nSubject: Permanent Delivery Failure\n\n" +
			"The attached message had PERMANENT fatal delivery errors!\n\n" +
			"The following addresses had delivery problems:\n\n> uma@example.net\n\n--- Session Transcript ---\n" +
			" Mon 2026-01-05 10:00:01: <-- 550 5.1.1 <uma@example.net>... User unknown\n--- End Transcript ---\n",
			records: []wantSourced{{"uma@example.net", "", bounce.ActionFailed, "5.1.1", bounce.SourceText}}},
		{name: "Exchange 5.5 names the recipient in an X.400 dda attribute", kind: bounce.KindBounce, msg: "From: System Administrator <postmaster@ex55.example.org>\n" +
			"To: sender@example.com\nSubject: Undeliverable: hello\n\nYour message\n\n  To:      Vic Example\n  Subject: hello\n" +
			"  Sent:    Mon, 5 Jan 2026 10:00:00 +0100\n\ndid not reach the following recipient(s):\n\n" +
			"c=US;a= ;p=Example;o=EX55;dda:SMTP=vic@example.net; on Mon, 5 Jan 2026 10:00:05 +0100\n" +
			"    The recipient name is not recognized\n    MSEXCH:IMS:Example:Site:EX55 0 (000C05A6) Unknown Recipient\n",
			records: []wantSourced{{"vic@example.net", "", bounce.ActionFailed, "", bounce.SourceText}}},
		{name: "a product version in the reason is no status", kind: bounce.KindBounce, msg: "From: MDaemon@mail.example.org\nSubject: Permanent Delivery Failure\n\n" +
			"The attached message had PERMANENT fatal delivery errors!\n\nThe following addresses had delivery problems:\n\n" +
			"> sven@example.net (user not known here; MDaemon version 5.0.5)\n",
			records: []wantSourced{{"sven@example.net", "", bounce.ActionFailed, "", bounce.SourceText}}},
	})
	rep := parseString(t, "From: Walt <walt@example.net>\nTo: sender@example.com\nSubject: Automatic reply: hello\nAuto-Submitted: auto-replied\n\n"+
		"This address is no longer in use. walt@example.net is not a valid user;\nplease write to info@example.net instead.\n\nWalt\n")
	mustEqual(t, bounce.KindAutoReply, rep.Kind)
	mustEqual(t, 1, len(rep.Records))
	r := rep.Records[0]
	equal(t, "walt@example.net", r.Recipient)
	equal(t, bounce.SourceAutoReply, r.Source)
	equal(t, bounce.ActionNone, r.Action, "an auto-reply reports no delivery action")
	isTrue(t, strings.Contains(r.Diagnostic, "not a valid user"), "diagnostic %q", r.Diagnostic)
}

// TestSourceTextBounded: SourceText is evidence, at most 200 bytes of valid
// UTF-8 however long the line it quotes; Source marshals as its token.
func TestSourceTextBounded(t *testing.T) {
	long := strings.Repeat("é ", 300)
	rep := parseString(t, "From: MAILER-DAEMON@mx.example.org\nSubject: Undelivered Mail Returned to Sender\n\n"+
		"This is the mail system at host mx.example.org.\n\n<zoe@example.net>: host mx.example.net said: 550 5.1.1 "+long+"\n")
	mustEqual(t, 1, len(rep.Records))
	st := rep.Records[0].SourceText
	isTrue(t, len(st) <= 200 && len(st) > 0, "source text of %d bytes", len(st))
	isTrue(t, utf8.ValidString(st), "source text cut inside a UTF-8 sequence: %q", st)
	b, err := bounce.SourceFinalRecipient.MarshalText()
	mustEqual(t, nil, err)
	equal(t, "final-recipient", string(b))
}

// TestParsePeopleAndShopsAreNotNotices: a person's sentence that resembles
// a notice, and an automatic sender whose subject alone has delivery words,
// give no record.
func TestParsePeopleAndShopsAreNotNotices(t *testing.T) {
	for _, tt := range []struct{ name, msg string }{
		{"a person's 'your message to ... could not be delivered'", "From: Ann <ann@example.org>\nTo: bob@example.net\nSubject: board meeting\n\n" +
			"Hi Bob,\n\nyour message to the board could not be delivered today, the printer was down.\nThe original message was received at 10am.\n\nAnn\n"},
		{"a shop's delivery notification", "From: Shop <noreply@shop.example>\nTo: bob@example.net\nSubject: Your delivery notification\n" +
			"List-Unsubscribe: <mailto:unsub@shop.example>\n\nYour parcel 123 will arrive on Monday.\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rep := parseString(t, tt.msg)
			equal(t, 0, len(rep.Records), "records: %s", recordList(rep))
		})
	}
}
