package bounce_test

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"mime/quotedprintable"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/bouncekit/bouncekit/bounce"
	"golang.org/x/net/html/charset"
)

type wantRecord struct {
	recipient string
	action    bounce.Action
	status    string
	code      int
	stage     bounce.Stage
}

// formatCase is one hand-written message and what ParseMessage must read
// from it.
type formatCase struct {
	file    string
	kind    bounce.Kind
	format  string
	records []wantRecord
}

// checkFormatCases parses each case's file with every line end in eols and
// checks the kind, the format name and each record.
func checkFormatCases(t *testing.T, tests []formatCase, eols ...string) {
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join("testdata", "messages", tt.file))
			noErr(t, err)
			for _, eol := range eols {
				in := bytes.ReplaceAll(b, []byte("\n"), []byte(eol))
				rep, err := bounce.ParseMessage(bytes.NewReader(in))
				noErr(t, err)
				equal(t, tt.kind, rep.Kind, "kind (eol %q)", eol)
				equal(t, tt.format, rep.Format, "format (eol %q)", eol)
				mustEqual(t, len(tt.records), len(rep.Records), "records (eol %q): %+v", eol, rep.Records)
				for i, w := range tt.records {
					r := rep.Records[i]
					equal(t, w.recipient, r.Recipient, "recipient (eol %q)", eol)
					equal(t, w.action, r.Action, "action of %s (eol %q)", w.recipient, eol)
					if w.status == "" {
						isTrue(t, !r.Status.IsValid(), "no status expected for %s, got %v", w.recipient, r.Status)
					} else {
						equal(t, w.status, r.Status.String(), "status of %s (eol %q)", w.recipient, eol)
					}
					equal(t, w.code, r.Reply.Code, "reply code of %q", r.Diagnostic)
					if w.stage != "" {
						equal(t, w.stage, r.Stage, "stage of %s (eol %q)", w.recipient, eol)
					}
				}
			}
		})
	}
}

func TestParseMessageFormats(t *testing.T) {
	tests := []formatCase{
		{"postfix-dsn.eml", bounce.KindDeliveryStatus, "postfix", []wantRecord{{"alice@icloud.com", bounce.ActionFailed, "5.7.1", 554, ""}}},
		{"sendmail-dsn-two.eml", bounce.KindDeliveryStatus, "sendmail", []wantRecord{
			{"bob@example.net", bounce.ActionFailed, "5.1.1", 550, ""},
			{"carol@example.com", bounce.ActionFailed, "5.2.2", 552, ""},
		}},
		{"exim-text.eml", bounce.KindBounce, "exim", []wantRecord{{"dave@example.net", bounce.ActionFailed, "5.1.1", 550, bounce.StageRCPT}}},
		{"qmail-text.eml", bounce.KindBounce, "qmail", []wantRecord{{"erin@example.jp", bounce.ActionFailed, "5.2.1", 550, ""}}},
		{"gmail-text.eml", bounce.KindBounce, "gmail", []wantRecord{{"frank@example.co.jp", bounce.ActionFailed, "5.1.1", 550, ""}}},
		{"arf.eml", bounce.KindFeedback, "arf", []wantRecord{{"grace@isp.example", "", "", 0, ""}}},
		{"autoreply.eml", bounce.KindAutoReply, "rfc3834", []wantRecord{{"heidi@example.org", "", "", 0, ""}}},
		{"not-bounce.eml", bounce.KindNone, "", nil},
		{"iso2022jp-text.eml", bounce.KindBounce, "text", []wantRecord{{"kenji@example.ne.jp", bounce.ActionFailed, "5.1.1", 550, ""}}},
		{"base64-latin1.eml", bounce.KindBounce, "text", []wantRecord{{"lena@example.de", bounce.ActionFailed, "5.2.2", 552, ""}}},
		{"office365-qp.eml", bounce.KindDeliveryStatus, "exchange2007", []wantRecord{{"mike@contoso.example", bounce.ActionFailed, "5.1.10", 550, ""}}},
		{"global-dsn.eml", bounce.KindDeliveryStatus, "rfc3464", []wantRecord{{"用户@例子.example", bounce.ActionFailed, "5.1.1", 550, ""}}},
		{"ses-notification.eml", bounce.KindBounce, "amazonses", []wantRecord{{"nina@example.net", bounce.ActionFailed, "5.1.1", 550, ""}}},
		{"qmail-queue-too-long.eml", bounce.KindBounce, "qmail", []wantRecord{{"quinn@example.net", bounce.ActionFailed, "4.4.1", 0, ""}}},
		{"sendmail-transcript.eml", bounce.KindDeliveryStatus, "sendmail", []wantRecord{
			{"rita@carrier.example", bounce.ActionFailed, "5.0.0", 550, bounce.StageDATA},
			{"sam@other.example", bounce.ActionFailed, "5.1.1", 550, bounce.StageRCPT},
		}},
		{"mfilter-text.eml", bounce.KindBounce, "mfilter", []wantRecord{{"tom@example.jp", bounce.ActionFailed, "", 550, bounce.StageDATA}}},
		{"dma-text.eml", bounce.KindBounce, "dragonfly", []wantRecord{{"uma@nowhere.example", bounce.ActionFailed, "", 0, ""}}},
		{"domino-text.eml", bounce.KindBounce, "domino", []wantRecord{{"vic@corp.example", bounce.ActionFailed, "", 0, ""}}},
		{"envelope-summary.eml", bounce.KindBounce, "apachejames", []wantRecord{{"wes@gw.example.net", bounce.ActionFailed, "", 550, ""}}},
		{"exim-local-dsn.eml", bounce.KindDeliveryStatus, "exim", []wantRecord{{"yuki@example.org", bounce.ActionFailed, "5.0.0", 0, ""}}},
		{"exchange2003-text.eml", bounce.KindBounce, "exchange2003", []wantRecord{{"zoe@corp.example", bounce.ActionFailed, "", 0, ""}}},
		{"truncated-multipart.eml", bounce.KindDeliveryStatus, "rfc3464", []wantRecord{{"oscar@example.org", bounce.ActionDelayed, "4.4.1", 421, ""}}},
	}
	checkFormatCases(t, tests, "\n", "\r\n", "\r")
}

func parseTestdata(t *testing.T, name string) *bounce.Report {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "messages", name))
	noErr(t, err)
	defer f.Close()
	rep, err := bounce.ParseMessage(f)
	noErr(t, err)
	return rep
}

func TestDSNFieldsAreMirroredAndKept(t *testing.T) {
	rep := parseTestdata(t, "postfix-dsn.eml")
	equal(t, "mx1.sender.example", rep.ReportingMTA)
	isTrue(t, !(rep.ArrivalDate.IsZero()))
	equal(t, "4B1C2D3E4F", bounce.Header(rep.Fields).Get("X-Postfix-Queue-ID"))
	r := rep.Records[0]
	equal(t, "alice@icloud.com", r.OriginalRecipient)
	equal(t, "mx01.mail.icloud.com", r.RemoteMTA)
	equal(t, "smtp", r.DiagnosticType)
	equal(t, "554 5.7.1 [CS01] Message rejected due to local policy.", r.Diagnostic)
	equal(t, "5.7.1", r.ReportedStatus.String())
	equal(t, "abc123", bounce.Header(r.Fields).Get("X-Custom-Trace"), "extension fields are kept")
	names := make([]string, len(r.Fields))
	for i, f := range r.Fields {
		names[i] = f.Name
	}
	equal(t, []string{"Final-Recipient", "Original-Recipient", "Action", "Status", "Remote-MTA", "Diagnostic-Code", "X-Custom-Trace"}, names, "fields in order")

	rep = parseTestdata(t, "truncated-multipart.eml")
	isTrue(t, !(rep.Records[0].WillRetryUntil.IsZero()))
}

func TestOriginalFacts(t *testing.T) {
	rep := parseTestdata(t, "postfix-dsn.eml")
	o := rep.Original
	mustTrue(t, o != nil, "no original")
	isTrue(t, o.HeadersOnly)
	equal(t, "campaign-42.alice@sender.example", o.MessageID)
	equal(t, "Spring sale", o.Subject)
	equal(t, "news@sender.example", o.From)
	equal(t, []string{"alice@icloud.com"}, o.To)
	equal(t, "Spring News <spring.sender.example>", o.ListID)
	equal(t, "42:spring:sender", o.FeedbackID)
	equal(t, []bounce.Field{{Name: "X-Campaign-ID", Value: "spring-2025"}, {Name: "X-Mailgun-Tag", Value: "spring"}}, o.Campaign)
	equal(t, 1, len(o.AuthenticationResults))
	equal(t, []string{"sender.example"}, o.DKIMDomains)
	equal(t, []string{"sender.example", "sender.co.uk"}, o.Domains)

	rep = parseTestdata(t, "sendmail-dsn-two.eml")
	mustTrue(t, rep.Original != nil, "no original")
	isTrue(t, !(rep.Original.HeadersOnly))
	equal(t, []string{"example.org", "example.co.jp"}, rep.Original.Domains, "link hosts reduced to registrable domains")
}

func TestCharsetsDecode(t *testing.T) {
	rep := parseTestdata(t, "iso2022jp-text.eml")
	equal(t, "配信エラー", rep.Header.Get("Subject"))
	contains(t, rep.Records[0].Diagnostic, "ユーザーが存在しません")
	rep = parseTestdata(t, "base64-latin1.eml")
	contains(t, rep.Records[0].Diagnostic, "Mailbox voll")
}

func TestFeedbackReport(t *testing.T) {
	rep := parseTestdata(t, "arf.eml")
	mustTrue(t, rep.Feedback != nil, "no feedback")
	equal(t, "abuse", rep.Feedback.Type)
	equal(t, "192.0.2.1", rep.Feedback.SourceIP.String())
	equal(t, []string{"grace@isp.example"}, rep.Feedback.OriginalRcptTo)
	equal(t, "bounces@sender.example", rep.Feedback.OriginalMailFrom)
	equal(t, "abuse", rep.Records[0].FeedbackType)
}

func TestLimitsGiveTypedErrorsAndPartialResults(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "messages", "sendmail-dsn-two.eml"))
	noErr(t, err)

	p := bounce.Parser{Limits: bounce.Limits{MaxMessageBytes: int64(bytes.Index(b, []byte("Final-Recipient: RFC822; carol")))}}
	rep, err := p.Parse(bytes.NewReader(b))
	mustTrue(t, err != nil, "error expected")
	isTrue(t, errors.Is(err, bounce.ErrLimit))
	var le *bounce.LimitError
	mustTrue(t, errors.As(err, &le))
	equal(t, "MaxMessageBytes", le.Limit)
	mustTrue(t, rep != nil, "nil report")
	mustEqual(t, 1, len(rep.Records), "the record read before the cut is returned")
	equal(t, "bob@example.net", rep.Records[0].Recipient)

	p = bounce.Parser{Limits: bounce.Limits{MaxParts: 2}}
	_, err = p.Parse(bytes.NewReader(b))
	mustTrue(t, errors.As(err, &le))
	equal(t, "MaxParts", le.Limit)

	p = bounce.Parser{Limits: bounce.Limits{MaxHeaderBytes: 40}}
	_, err = p.Parse(bytes.NewReader(b))
	mustTrue(t, errors.As(err, &le))
	equal(t, "MaxHeaderBytes", le.Limit)

	var deep strings.Builder
	for i := range 100 {
		fmt.Fprintf(&deep, "Content-Type: multipart/mixed; boundary=\"b%d\"\n\n--b%d\n", i, i)
	}
	deep.WriteString("\nbody\n")
	p = bounce.Parser{Limits: bounce.Limits{MaxDepth: 5}}
	_, err = p.Parse(strings.NewReader(deep.String()))
	mustTrue(t, errors.As(err, &le))
	equal(t, "MaxDepth", le.Limit)
}

func TestEmptyInput(t *testing.T) {
	for _, in := range []string{"", "\n", "  \r\n"} {
		rep, err := bounce.ParseMessage(strings.NewReader(in))
		isTrue(t, errors.Is(err, bounce.ErrEmptyMessage), "got %v", err)
		mustTrue(t, rep != nil, "nil report")
		equal(t, bounce.KindNone, rep.Kind)
	}
}

func TestCharsetTable(t *testing.T) {
	const reply = "550 5.1.1 <olga@example.ru>: "
	tests := []struct {
		charset, cte, text string
	}{
		{"Shift_JIS", "8bit", "宛先のユーザーは存在しません"},
		{"EUC-JP", "8bit", "宛先のユーザーは存在しません"},
		{"ISO-2022-JP", "7bit", "宛先のユーザーは存在しません"},
		{"windows-1251", "quoted-printable", "Почтовый ящик не существует"},
		{"KOI8-R", "base64", "Почтовый ящик не существует"},
		{"ISO-8859-2", "8bit", "Příjemce neexistuje"},
		{"windows-1252", "8bit", "Empfänger unbekannt – Postfach gelöscht"},
		{"GB18030", "base64", "收件人不存在"},
		{"UTF-8", "base64", "Получатель не найден"},
	}
	for _, tt := range tests {
		t.Run(tt.charset, func(t *testing.T) {
			enc, _ := charset.Lookup(tt.charset)
			mustTrue(t, enc != nil, "charset %s", tt.charset)
			body, err := enc.NewEncoder().Bytes([]byte("<olga@example.ru>:\n" + reply + tt.text + "\n"))
			noErr(t, err)
			subj, err := enc.NewEncoder().String(tt.text)
			noErr(t, err)
			switch tt.cte {
			case "base64":
				body = []byte(base64.StdEncoding.EncodeToString(body) + "\n")
			case "quoted-printable":
				var qp bytes.Buffer
				w := quotedprintable.NewWriter(&qp)
				w.Write(body)
				w.Close()
				body = qp.Bytes()
			}
			msg := "From: MAILER-DAEMON@mx.example.ru\nTo: shop@example.com\n" +
				"Subject: " + mime.BEncoding.Encode(tt.charset, subj) + "\n" +
				"Content-Type: text/plain; charset=\"" + tt.charset + "\"\nContent-Transfer-Encoding: " + tt.cte + "\n\n" + string(body)
			rep, err := bounce.ParseMessage(strings.NewReader(msg))
			noErr(t, err)
			equal(t, tt.text, rep.Header.Get("Subject"), "RFC 2047 subject")
			mustEqual(t, 1, len(rep.Records))
			contains(t, rep.Records[0].Diagnostic, tt.text)
			equal(t, 550, rep.Records[0].Reply.Code)
		})
	}
}

func TestRecordLogValue(t *testing.T) {
	rep := parseTestdata(t, "postfix-dsn.eml")
	var buf bytes.Buffer
	slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
		if a.Key == slog.TimeKey {
			return slog.Attr{}
		}
		return a
	}})).Info("bounce", "report", rep, "record", rep.Records[0])
	equal(t, "level=INFO msg=bounce report.kind=delivery_status report.format=postfix report.records=1 record.recipient=alice@icloud.com record.action=failed record.status=5.7.1 record.code=554 record.stage=DATA-END record.remote_mta=mx01.mail.icloud.com\n", buf.String())
}

// TestParserConcurrentUse: one Parser shared by goroutines gives each the
// same reports as a lone call (run with -race).
func TestParserConcurrentUse(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "messages", "*.eml"))
	noErr(t, err)
	var msgs [][]byte
	var want []string
	p := bounce.Parser{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		noErr(t, err)
		msgs = append(msgs, b)
		rep, _ := p.ParseBytes(b)
		want = append(want, recordSummary(rep))
	}
	var wg sync.WaitGroup
	errs := make(chan string, 8*len(msgs))
	for range 8 {
		wg.Go(func() {
			for i, b := range msgs {
				rep, _ := p.ParseBytes(b)
				if got := recordSummary(rep); got != want[i] {
					errs <- fmt.Sprintf("%s: %s, want %s", files[i], got, want[i])
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

func TestPersonalMailIsNotABounce(t *testing.T) {
	for _, msg := range []string{
		"From: Ann <ann@example.com>\nTo: team@example.com\nSubject: Our bounce rates in March\n\nNumbers attached.\n\nann@example.com\n",
		"From: Ann <ann@example.com>\nTo: hr@example.com\nSubject: Re: rejected offer\n\nPlease write to\n<bob@example.org>\n",
		"From: Ann <ann@example.com>\nTo: shop@example.com\nAuto-Submitted: auto-replied\nSubject: Automatic reply: your order was rejected\n\nI am away.\n\nann@example.com\n",
		// A newsletter about mail, and a reply in a conversation about a
		// failure: their subjects alone do not make them notices.
		"From: News <news@list.example>\nTo: ann@example.com\nList-Id: <news.list.example>\nList-Unsubscribe: <mailto:leave@list.example>\nSubject: Mail delivery tips for the holidays\n\nWrite to support@list.example with questions.\n",
		"From: Ann <ann@example.com>\nTo: ops@example.com\nSubject: Re: delivery failure to our partner\n\nMail to frank@partner.example fails with 550 5.1.1 user unknown.\n",
		"From: Ann <ann@example.com>\nTo: ops@example.com\nSubject: Fwd: Re: Undeliverable: invoice\n\nWhat does this mean? Mail to frank@partner.example bounced.\n",
	} {
		rep, err := bounce.ParseMessage(strings.NewReader(msg))
		noErr(t, err)
		isTrue(t, rep.Kind == bounce.KindNone || rep.Kind == bounce.KindAutoReply, "kind %s for %q", rep.Kind, msg)
		if rep.Kind == bounce.KindNone {
			equal(t, 0, len(rep.Records))
		}
	}
	// A bounce forwarded by a person is still read.
	b, err := os.ReadFile(filepath.Join("testdata", "messages", "qmail-text.eml"))
	noErr(t, err)
	fwd := "From: Ann <ann@example.com>\nTo: ops@example.com\nSubject: Fwd: failure notice\n\n" + strings.SplitN(string(b), "\n\n", 2)[1]
	rep, err := bounce.ParseMessage(strings.NewReader(fwd))
	noErr(t, err)
	mustEqual(t, 1, len(rep.Records))
	equal(t, "erin@example.jp", rep.Records[0].Recipient)
}

// A notice without a reply code gives its reason in the paragraph after
// the sentence naming the recipient ("... your mail to <addr>.") or after
// an introduction ending in a colon ("because:").
func TestParseMessageReasonParagraph(t *testing.T) {
	for file, want := range map[string]string{
		"dma-text.eml":    "DNS lookup failure: host nowhere.example not found",
		"domino-text.eml": "because: User vic (vic@corp.example) not listed in Domino Directory",
		// Exim's local delivery: the reason under "generated by addr".
		"exim-local-dsn.eml": "mailbox is full: retry timeout exceeded",
		// The reason where the recipient is named again, not the
		// summary of the original ("To: addr / Subject: ...").
		"exchange2003-text.eml": "The recipient name is not recognized",
		// The error above an envelope summary, not "Size (in bytes): 250".
		"envelope-summary.eml": "550 - Requested action not taken: no such user here",
		// "reject reason: X" above "target mail address: addr".
		"reason-field.eml": "reject reason: Mailbox full",
		// A summary of the original spaced out by blank lines, then the
		// failure sentence, which is all the notice says.
		"spaced-summary.eml": "Did not reach the following recipient",
	} {
		b, err := os.ReadFile(filepath.Join("testdata", "messages", file))
		noErr(t, err)
		for _, eol := range []string{"\n", "\r\n", "\r"} {
			rep, err := bounce.ParseMessage(bytes.NewReader(bytes.ReplaceAll(b, []byte("\n"), []byte(eol))))
			noErr(t, err)
			if len(rep.Records) != 1 || !strings.Contains(rep.Records[0].Diagnostic, want) {
				t.Errorf("%s (eol %q): records %+v, want one whose diagnostic holds %q", file, eol, rep.Records, want)
			}
		}
	}
}

// A Sendmail summary line whose reason has no reply code of its own
// ("Remote protocol error") takes the server's reply from the transcript
// above it; one with its own code keeps it.
func TestSendmailSummaryTakesSessionReply(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "messages", "sendmail-v5-session.eml"))
	noErr(t, err)
	for _, eol := range []string{"\n", "\r\n"} {
		rep, err := bounce.ParseMessage(bytes.NewReader(bytes.ReplaceAll(b, []byte("\n"), []byte(eol))))
		noErr(t, err)
		byRcpt := map[string]bounce.Record{}
		for _, r := range rep.Records {
			byRcpt[r.Recipient] = r
		}
		kim, lee, mia := byRcpt["kim@example.org"], byRcpt["lee@example.org"], byRcpt["mia@other.example"]
		// The nearest reply above mia's summary answered another
		// recipient's RCPT: mia keeps her own summary.
		equal(t, 554, mia.Reply.Code, "mia: %+v", rep.Records)
		if strings.Contains(mia.Diagnostic, "Relaying denied") {
			t.Errorf("mia's diagnostic took another recipient's reply: %q", mia.Diagnostic)
		}
		equal(t, "kim@example.org", kim.Recipient)
		equal(t, 501, kim.Reply.Code, "kim's reply is the server's 501")
		equal(t, bounce.StageMAIL, kim.Reply.Stage)
		equal(t, "mailin1.example.org", kim.Reply.RemoteHost)
		if !strings.Contains(kim.Diagnostic, "open relay") {
			t.Errorf("kim's diagnostic %q", kim.Diagnostic)
		}
		equal(t, "lee@example.org", lee.Recipient)
		equal(t, 554, lee.Reply.Code, "lee's summary has its own reason")
		if !strings.Contains(lee.Diagnostic, "Host unknown") || strings.Contains(lee.Diagnostic, "open relay") {
			t.Errorf("lee's diagnostic %q", lee.Diagnostic)
		}
	}
}

// An fml error notice names the list in its first paragraph; a post that
// the list distributes (X-MLServer, but from the poster and with the
// poster's Message-ID) is not a notice.
func TestFMLNotice(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "messages", "fml-notice.eml"))
	noErr(t, err)
	rep, err := bounce.ParseMessage(bytes.NewReader(b))
	noErr(t, err)
	equal(t, bounce.KindBounce, rep.Kind)
	equal(t, "fml", rep.Format)
	if len(rep.Records) != 1 || rep.Records[0].Recipient != "cats@lists.example.jp" || !strings.Contains(rep.Records[0].Diagnostic, "Duplicated Message-ID") {
		t.Fatalf("records %+v", rep.Records)
	}
	post := "From: ann@sender.example\nTo: cats@lists.example.jp\nSubject: [cats:00042] Meow\nMessage-ID: <20210429.2@sender.example>\nX-MLServer: fml [fml 4.0.3 release (20011202/4.0.3)]\nX-ML-Name: cats\n\nMeow, see <cats@lists.example.jp>.\n"
	rep, err = bounce.ParseMessage(strings.NewReader(post))
	noErr(t, err)
	if len(rep.Records) != 0 {
		t.Errorf("a list post read as %s with records %+v", rep.Kind, rep.Records)
	}
}

// TestFormatMarks checks the marks that name a report's writer
// (Report.Format), on small hand-written messages: a header field, a
// sentence of the notice, a per-message or a per-recipient DSN field.
func TestFormatMarks(t *testing.T) {
	dsn := func(header, notice, msgField, rcptField string) string {
		return "From: " + header + "\nSubject: Delivery Status Notification (Failure)\nMIME-Version: 1.0\n" +
			"Content-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\n\n--b\nContent-Type: text/plain\n\n" +
			notice + "\n\n--b\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mta.sender.example\n" + msgField +
			"\nFinal-Recipient: rfc822; ann@example.net\nAction: failed\nStatus: 5.1.1\n" + rcptField +
			"Diagnostic-Code: smtp; 550 5.1.1 unknown user\n\n--b--\n"
	}
	text := func(from, notice string) string {
		return "From: " + from + "\nSubject: Returned mail: see transcript for details\n\n" + notice + "\n\n<ann@example.net>: 550 5.1.1 unknown user\n"
	}
	for want, msg := range map[string]string{
		"receivingses": strings.Replace(dsn("postmaster@mail.example.jp", "Your message could not be delivered.", "", ""), "Reporting-MTA: dns; mta.sender.example", "Reporting-MTA: dns; inbound-smtp.us-west-2.amazonaws.com", 1),
		"powermta":     dsn("postmaster@mta.sender.example", "Delivery report.", "", "X-PowerMTA-BounceCategory: bad-mailbox\n"),
		"amavis":       dsn(`"Content-filter at mx.example.net" <postmaster@mx.example.net>`, "The message was blocked.", "", ""),
		"surfcontrol":  strings.Replace(dsn("MAILER-DAEMON@example.net", "Undeliverable.", "", ""), "MIME-Version: 1.0\n", "MIME-Version: 1.0\nX-Mailer: SurfControl E-mail Filter\n", 1),
		"sendgrid":     dsn("MAILER-DAEMON@mail.example.jp", "This is an automatically generated message from SendGrid.", "", ""),
		"apachejames":  text("postmaster@gw.example.net", "Error: Invalid user address\nError message below:\n550 - Requested action not taken: no such user here"),
		"mailmarshal":  text("postmaster@example.net", "Could not be delivered because of 550 5.1.1 User unknown\nThe following recipients were affected:"),
		"biglobe":      text("postmaster@biglobe.ne.jp", "This is a MIME-encapsulated message."),
		"bigfoot":      text("MAILER-DAEMON@bigfoot.com", "The original message was received."),
		"activehunter": "From: MAILER-DAEMON@example.ed.jp\nSubject: Undelivered Mail\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"=_Active!Hunter_1\"\n\n--=_Active!Hunter_1\nContent-Type: text/plain\n\n<ann@example.net>: 550 5.1.1 unknown user\n\n--=_Active!Hunter_1--\n",
		"imailserver":  strings.Replace(text("postmaster@example.org", "Unknown user"), "\nSubject:", "\nX-Mailer: <SMTP32 v8.22>\nSubject:", 1),
		"mxlogic":      strings.Replace(text("MAILER-DAEMON@relay0.example.net", "This message was created automatically."), "\nSubject:", "\nX-MXL-NoteHash: 00ff\nSubject:", 1),
		"barracuda":    strings.Replace(dsn("MAILER-DAEMON@example.jp", "Undeliverable.", "", ""), "Reporting-MTA: dns; mta.sender.example", "Reporting-MTA: dns; barracuda.example.jp", 1),
	} {
		rep, err := bounce.ParseMessage(strings.NewReader(msg))
		noErr(t, err)
		if len(rep.Records) == 0 || rep.Format != want {
			t.Errorf("%s: format %q, %d records (kind %s)", want, rep.Format, len(rep.Records), rep.Kind)
		}
	}
}

// The caller's Limits hold inside the message too: a forwarded bounce
// quoted in the text is parsed under the same limits, and a limit it hits
// is the parse's error, with the records read.
func TestLimitsHoldForAQuotedBounce(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "messages", "qmail-text.eml"))
	noErr(t, err)
	inner := strings.Replace(string(b), "\n", "\nX-Padding: "+strings.Repeat("x", 600)+"\n", 1)
	fwd := "From: Ann <ann@example.com>\nTo: ops@example.com\nSubject: Fwd: failure notice\n\n" + inner
	rep, err := bounce.ParseMessage(strings.NewReader(fwd))
	noErr(t, err)
	mustEqual(t, 1, len(rep.Records), "default limits read the forwarded bounce")
	p := bounce.Parser{Limits: bounce.Limits{MaxHeaderBytes: 400}}
	rep, err = p.Parse(strings.NewReader(fwd))
	var le *bounce.LimitError
	mustTrue(t, errors.As(err, &le), "error %v", err)
	equal(t, "MaxHeaderBytes", le.Limit)
	mustTrue(t, rep != nil, "nil report")
}
