package bounce

import (
	"errors"
	"testing"
	"time"
)

func TestParseLogLine(t *testing.T) {
	tests := []struct {
		name    string
		line    string
		mta     string
		qid     string
		rcpt    string
		outcome LogOutcome
		relay   string
		status  string
		code    int
		tag     string
		noReply bool
	}{
		{"postfix CS01 bounce", "Nov 27 12:00:01 mta1 postfix/smtp[1234]: 4ABC123DEF: to=<bob@icloud.com>, relay=mx01.mail.icloud.com[17.57.154.6]:25, delay=1.2, delays=0.1/0/0.5/0.6, dsn=5.7.1, status=bounced (host mx01.mail.icloud.com[17.57.154.6] said: 554 5.7.1 [CS01] Message rejected due to local policy (in reply to end of DATA command))",
			"postfix", "4ABC123DEF", "bob@icloud.com", LogBounced, "mx01.mail.icloud.com", "5.7.1", 554, "CS01", false},
		{"postfix sent with ISO time stamp", "2026-11-27T12:00:02.123456+00:00 mta1 postfix/smtp[1234]: 5BCD: to=<ann@gmail.com>, relay=gmail-smtp-in.l.google.com[142.250.1.26]:25, delay=0.9, dsn=2.0.0, status=sent (250 2.0.0 OK  1700000000 a1si - gsmtp)",
			"postfix", "5BCD", "ann@gmail.com", LogSent, "gmail-smtp-in.l.google.com", "2.0.0", 250, "", false},
		{"postfix deferred on a local error", "Nov 27 12:00:03 mta1 postfix/smtp[99]: 6CDE: to=<x@example.org>, relay=none, delay=30, dsn=4.4.1, status=deferred (connect to mx.example.org[192.0.2.9]:25: Connection timed out)",
			"postfix", "6CDE", "x@example.org", LogDeferred, "", "4.4.1", 0, "", true},
		{"postfix expired from qmgr has no recipient", "Nov 28 12:00:03 mta1 postfix/qmgr[7]: 6CDE: from=<b@sender.example>, status=expired, returned to sender",
			"postfix", "6CDE", "", LogExpired, "", "", 0, "", false},
		{"exim failure", "2026-11-27 12:00:01 1abcDE-000123-AB ** bob@example.org R=dnslookup T=remote_smtp H=mx.example.org [192.0.2.3]: SMTP error from remote mail server after RCPT TO:<bob@example.org>: 550 5.1.1 User unknown",
			"exim", "1abcDE-000123-AB", "bob@example.org", LogBounced, "mx.example.org", "", 550, "", false},
		{"exim delivery", "2026-11-27 12:00:02 1abcDE-000124-AB => ann@example.org R=dnslookup T=remote_smtp H=mx.example.org [192.0.2.3] C=\"250 2.0.0 Ok: queued as ABC\"",
			"exim", "1abcDE-000124-AB", "ann@example.org", LogSent, "mx.example.org", "", 250, "", false},
		{"exim deferral", "2026-11-27 12:00:03 1abcDE-000125-AB == cat@example.org R=dnslookup T=remote_smtp defer (-44) H=mx.example.org [192.0.2.3]: SMTP error from remote mail server after RCPT TO:<cat@example.org>: 451 4.7.1 Greylisted",
			"exim", "1abcDE-000125-AB", "cat@example.org", LogDeferred, "mx.example.org", "", 451, "", false},
		{"sendmail user unknown", "Nov 27 12:00:01 host sm-mta[123]: xAB12345: to=<bob@example.net>, delay=00:00:01, xdelay=00:00:01, mailer=esmtp, pri=120000, relay=mx.example.net. [192.0.2.5], dsn=5.1.1, stat=User unknown",
			"sendmail", "xAB12345", "bob@example.net", LogBounced, "mx.example.net", "5.1.1", 0, "", false},
		{"sendmail deferred", "Nov 27 12:00:01 host sm-mta[123]: xAB12346: to=<c@example.net>, delay=00:00:01, mailer=esmtp, relay=mx.example.net. [192.0.2.5], dsn=4.0.0, stat=Deferred: 421 4.7.0 Try again later",
			"sendmail", "xAB12346", "c@example.net", LogDeferred, "mx.example.net", "4.0.0", 421, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := ParseLogLine(tt.line)
			if err != nil {
				t.Fatal(err)
			}
			if l.MTA != tt.mta || l.QueueID != tt.qid || l.Recipient != tt.rcpt || l.Outcome != tt.outcome || l.Relay != tt.relay {
				t.Errorf("got mta %q qid %q rcpt %q outcome %q relay %q", l.MTA, l.QueueID, l.Recipient, l.Outcome, l.Relay)
			}
			if l.Status.String() != tt.status {
				t.Errorf("Status = %q, want %q", l.Status, tt.status)
			}
			if l.Reply.Code != tt.code || l.Reply.Tag() != tt.tag || l.Reply.Flags.Has(FlagNoReply) != tt.noReply {
				t.Errorf("Reply = %d tag %q noreply %v", l.Reply.Code, l.Reply.Tag(), l.Reply.Flags.Has(FlagNoReply))
			}
		})
	}
}

func TestParseLogLineSkipsOtherLines(t *testing.T) {
	for _, line := range []string{
		"Nov 27 12:00:00 mta1 postfix/smtpd[88]: connect from unknown[192.0.2.1]",
		"Nov 27 12:00:00 mta1 postfix/qmgr[7]: 4ABC: from=<a@b.example>, size=1234, nrcpt=1 (queue active)",
		"2026-11-27 12:00:00 1abcDE-000123-AB <= a@b.example H=client [192.0.2.1] P=esmtp S=1234",
		"",
		"garbage",
	} {
		if _, err := ParseLogLine(line); !errors.Is(err, ErrNotDeliveryLine) {
			t.Errorf("ParseLogLine(%q) err = %v, want ErrNotDeliveryLine", line, err)
		}
	}
}

func FuzzParseLogLine(f *testing.F) {
	f.Add("Nov 27 12:00:01 mta1 postfix/smtp[1234]: 4ABC: to=<b@icloud.com>, relay=mx[1.2.3.4]:25, dsn=5.7.1, status=bounced (host mx[1.2.3.4] said: 554 5.7.1 [CS01] x (in reply to end of DATA command))")
	f.Add("2026-11-27 12:00:01 1abcDE-000123-AB ** bob@example.org H=mx [192.0.2.3]: 550 5.1.1 User unknown")
	f.Add("Nov 27 12:00:01 host sm-mta[123]: xAB: to=<b@x>, relay=mx. [1.2.3.4], dsn=5.1.1, stat=User unknown")
	f.Fuzz(func(t *testing.T, line string) {
		a, errA := ParseLogLine(line)
		b, errB := ParseLogLine(line)
		if a != b || (errA == nil) != (errB == nil) {
			t.Fatal("not deterministic")
		}
		if errA == nil && a.Outcome == "" {
			t.Fatal("delivery line without outcome")
		}
	})
}

func TestParseLogLineReadsTheFieldsOfEachShape(t *testing.T) {
	tests := []struct {
		name, line                                       string
		ts, host, prog, relay, relayAddr, router, transp string
		delay                                            time.Duration
	}{
		{"RFC 3164 with a one-digit day", "Jan  1 10:00:00 mx postfix/smtp[11]: 4AAA: to=<a@gmail.com>, relay=gmail-smtp-in.l.google.com[142.250.1.26]:25, delay=1801, dsn=2.0.0, status=sent (250 ok)",
			"Jan  1 10:00:00", "mx", "postfix/smtp", "gmail-smtp-in.l.google.com", "142.250.1.26", "", "", 1801 * time.Second},
		{"RFC 5424", "<22>1 2026-06-15T10:00:02Z mx postfix/smtp 123 - - F2: to=<b@example.net>, relay=mx.example.net[192.0.2.1]:25, delay=0.5, dsn=2.0.0, status=sent (250 ok)",
			"2026-06-15T10:00:02Z", "mx", "postfix/smtp", "mx.example.net", "192.0.2.1", "", "", 500 * time.Millisecond},
		{"LMTP to a socket", "Nov 27 12:00:04 mx postfix/lmtp[17]: 4DDD: to=<ops@shop.example>, relay=mail.shop.example[private/dovecot-lmtp], delay=0.1, dsn=2.0.0, status=sent (250 2.0.0 Saved)",
			"Nov 27 12:00:04", "mx", "postfix/lmtp", "mail.shop.example", "private/dovecot-lmtp", "", "", 100 * time.Millisecond},
		{"Exim with a zone and QT", "2026-11-27 12:00:01 +0100 1vABCD-000123-AB => bob@example.org R=dnslookup T=remote_smtp H=mx.example.org [192.0.2.3] QT=1m2s C=\"250 OK\"",
			"2026-11-27 12:00:01 +0100", "", "", "mx.example.org", "192.0.2.3", "dnslookup", "remote_smtp", 62 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := ParseLogLine(tt.line)
			if err != nil {
				t.Fatal(err)
			}
			if l.Timestamp != tt.ts || l.Host != tt.host || l.Program != tt.prog || l.Relay != tt.relay || l.RelayAddress != tt.relayAddr ||
				l.Router != tt.router || l.Transport != tt.transp || l.Delay != tt.delay {
				t.Errorf("got ts %q host %q prog %q relay %q [%q] R=%q T=%q delay %v", l.Timestamp, l.Host, l.Program, l.Relay, l.RelayAddress, l.Router, l.Transport, l.Delay)
			}
		})
	}
}
