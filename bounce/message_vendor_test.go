package bounce_test

import (
	"testing"

	"github.com/bouncekit/bouncekit/bounce"
)

// TestParseVendorFormats reads the hand-written messages in the shapes of
// provider and vendor bounces (testdata/messages/README.md) and checks the
// kind, the format name given by format detection, and each record's
// recipient, action, status and reply code, for LF and CRLF line ends.
func TestParseVendorFormats(t *testing.T) {
	tests := []formatCase{
		{file: "courier-dsn.eml", kind: bounce.KindDeliveryStatus, format: "courier", records: []wantRecord{
			{"ada@example.net", bounce.ActionFailed, "5.1.1", 550, bounce.StageRCPT},
		}},
		{file: "opensmtpd-text.eml", kind: bounce.KindBounce, format: "opensmtpd", records: []wantRecord{
			{"celia@example.net", bounce.ActionFailed, "5.1.1", 550, ""},
			{"dmitri@example.org", bounce.ActionFailed, "5.2.2", 552, ""},
		}},
		{file: "yahoo-text.eml", kind: bounce.KindBounce, format: "yahoo", records: []wantRecord{
			{"felix@example.org", bounce.ActionFailed, "5.2.2", 552, bounce.StageRCPT},
		}},
		{file: "amazonworkmail-text.eml", kind: bounce.KindBounce, format: "amazonworkmail", records: []wantRecord{
			{"hugo@example.net", bounce.ActionFailed, "5.1.1", 550, ""},
		}},
		{file: "outlook-dsn.eml", kind: bounce.KindDeliveryStatus, format: "outlook", records: []wantRecord{
			{"jonas@example.net", bounce.ActionFailed, "5.1.1", 550, ""},
		}},
		// Zoho writes the reply as "ERROR_CODE :550, ERROR_CODE :5.1.1 ...".
		{file: "zoho-text.eml", kind: bounce.KindBounce, format: "zoho", records: []wantRecord{
			{"liam@example.net", bounce.ActionFailed, "5.1.1", 550, ""},
		}},
		{file: "mailru-text.eml", kind: bounce.KindBounce, format: "mailru", records: []wantRecord{
			{"nikolai@example.com", bounce.ActionFailed, "5.1.1", 550, bounce.StageRCPT},
		}},
		{file: "yandex-dsn.eml", kind: bounce.KindDeliveryStatus, format: "yandex", records: []wantRecord{
			{"pavel@example.com", bounce.ActionFailed, "5.1.1", 550, bounce.StageRCPT},
		}},
		// GMX quotes the remote reply without its three-digit code, so
		// there is no reply code to read.
		{file: "gmx-text.eml", kind: bounce.KindBounce, format: "gmx", records: []wantRecord{
			{"rosa@example.org", bounce.ActionFailed, "5.1.1", 0, bounce.StageRCPT},
		}},
		{file: "mcafee-dsn.eml", kind: bounce.KindDeliveryStatus, format: "mcafee", records: []wantRecord{
			{"taro@example.jp", bounce.ActionFailed, "5.1.1", 550, ""},
		}},
		{file: "trendmicro-text.eml", kind: bounce.KindBounce, format: "trendmicro", records: []wantRecord{
			{"vera@example.co.jp", bounce.ActionFailed, "5.1.1", 550, ""},
		}},
		// The Messaging Server name is only in the Received fields.
		{file: "messagingserver-dsn.eml", kind: bounce.KindDeliveryStatus, format: "messagingserver", records: []wantRecord{
			{"xenia@example.org", bounce.ActionFailed, "5.1.1", 550, ""},
		}},
		// MailMarshal writes the reply above the list of recipients.
		{file: "mailmarshal-text.eml", kind: bounce.KindBounce, format: "mailmarshal", records: []wantRecord{
			{"otto@example.com", bounce.ActionFailed, "5.1.1", 550, ""},
		}},
		// A post refused by Google Groups carries no status and no reply.
		{file: "googlegroups-text.eml", kind: bounce.KindBounce, format: "googlegroups", records: []wantRecord{
			{"bk-garden-club@googlegroups.com", bounce.ActionFailed, "", 0, ""},
		}},
	}
	checkFormatCases(t, tests, "\n", "\r\n")
}
