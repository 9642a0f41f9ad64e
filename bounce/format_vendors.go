package bounce

// This file names the MTA or provider that wrote a bounce (Report.Format)
// from the marks each one leaves: its own header fields, its sender address,
// and the fixed sentences of its notice. The name is informational; records
// are read the same way whatever it is.

import "github.com/bouncekit/bouncekit/internal/ascii"

// formatSign is one mark of a format: a substring (lower case) of a header
// field value or of the notice text.
type formatSign struct {
	format string
	field  string // header field to search; "" for the notice text; "*" for the field's presence
	text   string
}

// formatSigns are tried in order; the first match names the format. More
// specific marks (providers) come before the MTA software they run.
var formatSigns = [...]formatSign{
	{"receivingses", "reporting-mta", "inbound-smtp."},
	{"powermta", "*", "x-powermta-bouncecategory"},
	{"amavis", "from", "content-filter at"},
	{"surfcontrol", "x-mailer", "surfcontrol"},
	{"sendgrid", "", "automatically generated message from sendgrid"},
	{"amazonworkmail", "", "an error occurred while trying to deliver the mail to the following recipients"},
	{"amazonses", "*", "x-ses-outgoing"},
	{"amazonses", "from", "amazonses.com"},
	{"amazonses", "", "notificationtype"},
	{"googlegroups", "x-failed-recipients", "@googlegroups.com"},
	{"googlegroups", "", "google groups"},
	{"gmail", "", "google tried to deliver your message"},
	{"gmail", "from", "mailer-daemon@googlemail.com"},
	{"office365", "*", "x-ms-exchange-crosstenant-originalarrivaltime"},
	{"outlook", "from", "outlook.com"},
	{"outlook", "from", "hotmail.com"},
	{"exchange2007", "", "diagnostic information for administrators"},
	{"exchange2003", "", "did not reach the following recipient"},
	{"yahoo", "", "sorry, we were unable to deliver your message to the following address"},
	{"yahoo", "from", "yahoo"},
	{"mailru", "from", "mail.ru"},
	{"yandex", "from", "yandex"},
	{"gmx", "from", "gmx."},
	{"zoho", "from", "zoho"},
	{"einsundeins", "from", "kundenserver"},
	{"mcafee", "*", "x-nai-header"},
	{"trendmicro", "from", "interscan"},
	{"barracuda", "", "barracuda"},
	{"barracuda", "reporting-mta", "barracuda"},
	{"mimecast", "", "mimecast"},
	{"messagelabs", "", "messagelabs"},
	{"activehunter", "", "active!hunter"},
	{"activehunter", "content-type", "active!hunter"},
	{"mfilter", "", "m-filter"},
	{"imailserver", "x-mailer", "ipswitch"},
	{"imailserver", "x-mailer", "<smtp32 v"},
	{"mxlogic", "", "mxl_mta"},
	{"mxlogic", "*", "x-mxl-notehash"},
	{"mailfoundry", "", "mailfoundry"},
	{"kddi", "from", "dion.ne.jp"},
	{"ezweb", "from", "ezweb.ne.jp"},
	{"verizon", "from", "vzwpix.com"},
	{"apachejames", "", "error message below:"},
	{"mailmarshal", "", "the following recipients were affected"},
	{"biglobe", "from", "biglobe.ne.jp"},
	{"bigfoot", "from", "bigfoot.com"},
	{"notes", "", "------- failure reasons"},
	{"domino", "", "lotus domino"},
	{"domino", "", "was not delivered to"},
	{"courier", "", "courier mail server"},
	{"opensmtpd", "", "this is the mailer-daemon, please do not reply"},
	{"dragonfly", "", "dragonfly mail agent"},
	{"qmail", "", "this is the qmail-send program"},
	{"qmail", "", "i'm afraid i wasn't able to deliver your message"},
	{"postfix", "", "this is the mail system at host"},
	{"postfix", "", "the postfix program"},
	{"postfix", "*", "x-postfix-queue-id"},
	{"messagingserver", "", "messaging server"},
	{"messagingserver", "received", "messaging server"},
	{"sendmail", "", "----- transcript of session follows -----"},
	{"sendmail", "", "the original message was received at"},
	{"exim", "*", "x-failed-recipients"},
	{"exim", "", "this message was created automatically by mail delivery software"},
	{"fml", "*", "x-ml-name"},
	{"fml", "*", "x-mlserver"},
}

// formatNotice is the set of the notice-text signs (field "") of
// formatSigns, found in one pass over a notice; bit[i] is the bit of
// formatSigns[i] in it, -1 for a sign of a header field.
var formatNotice = func() (n struct {
	set *phraseSet
	bit [len(formatSigns)]int8
}) {
	var texts []string
	for i, s := range formatSigns {
		n.bit[i] = -1
		if s.field == "" {
			n.bit[i] = int8(len(texts))
			texts = append(texts, s.text)
		}
	}
	n.set = newPhraseSet(texts, false)
	return n
}()

// detectFormat names the format of rep; the notice is the human-readable
// text. Without a mark it keeps what the reader set ("rfc3464") or says
// "text".
func detectFormat(rep *Report, notice string) string {
	// The marks are in the first lines of a notice; 1 KiB keeps the cost
	// flat for long ones. The signs are ASCII, so ASCII lower case is
	// enough, and it stays on the stack.
	var lowBuf [1 << 10]byte
	low := lowBuf[:min(len(notice), len(lowBuf))]
	for i := range low {
		c := notice[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		low[i] = c
	}
	inNotice := findPhrases(formatNotice.set, low)
	fieldNames := [...]string{"from", "x-mailer", "x-failed-recipients", "reporting-mta", "content-type"}
	var fieldValues [len(fieldNames)]string // read once, searched with ASCII case folded
	for i, n := range fieldNames {
		fieldValues[i] = rep.Header.Get(n)
	}
	for _, f := range rep.Fields { // the report's per-message fields (RFC 3464 §2.2)
		if ascii.EqualFold(f.Name, "Reporting-MTA") {
			fieldValues[3] = f.Value
		}
	}
	for i, s := range formatSigns {
		switch s.field {
		case "":
			if inNotice&(1<<formatNotice.bit[i]) != 0 {
				return s.format
			}
		case "*":
			if rep.Header.Has(s.text) {
				return s.format
			}
			for _, f := range rep.Fields {
				if ascii.EqualFold(f.Name, s.text) {
					return s.format
				}
			}
			for i := range rep.Records { // per-recipient extension fields
				for _, f := range rep.Records[i].Fields {
					if ascii.EqualFold(f.Name, s.text) {
						return s.format
					}
				}
			}
		case "received":
			// Any Received field: the bounce's own trace names the
			// software that generated it ("by H (Oracle Communications
			// Messaging Server ...)").
			for _, f := range rep.Header {
				if ascii.EqualFold(f.Name, "Received") && indexFold(f.Value, s.text) >= 0 {
					return s.format
				}
			}
		default:
			var v string
			for i, n := range fieldNames {
				if n == s.field {
					v = fieldValues[i]
				}
			}
			if indexFold(v, s.text) >= 0 {
				return s.format
			}
		}
	}
	if rep.Kind == KindDeliveryStatus {
		return "rfc3464"
	}
	return "text"
}
