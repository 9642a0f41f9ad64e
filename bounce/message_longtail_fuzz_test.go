package bounce_test

import (
	"bytes"
	"reflect"
	"testing"
	"unicode/utf8"

	"github.com/bouncekit/bouncekit/bounce"
)

// FuzzParseNoticeText parses notice bodies without a header (the header-less
// path of the text reader) and checks the record invariants: every record
// says where its recipient came from, only a not-found record has no
// recipient, SourceText is bounded valid UTF-8 when the input is, and the
// same input gives the same records.
func FuzzParseNoticeText(f *testing.F) {
	for _, s := range []string{
		"This is the mail system at host a.example.\n\n<b@example.net>: host c said: 550 5.1.1 no\n",
		"This message was created automatically by mail delivery software.\nA message that you sent has not yet been delivered to one or more of its\nrecipients.\n\n  d@example.net\n    Delay reason: 452 4.2.2 full\n",
		"Delivery has failed to these recipients or groups:\n\ne@example.net\nRemote Server returned '550 5.1.10 RESOLVER.ADR.RecipientNotFound'\n",
		"did not reach the following recipient(s):\n\nc=US;a= ;p=X;o=Y;dda:SMTP=f@example.net; on Mon\n",
		"** Address not found **\n\n> From: g@example.org\n> To: h@lists.example.org\n> Subject: x\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		msg := append([]byte("\n"), body...)
		rep, _ := bounce.ParseMessage(bytes.NewReader(msg))
		again, _ := bounce.ParseMessage(bytes.NewReader(msg))
		if !reflect.DeepEqual(rep.Records, again.Records) {
			t.Fatalf("two parses differ")
		}
		for i, r := range rep.Records {
			if r.Source == bounce.SourceNone {
				t.Errorf("record %d has no source: %+v", i, r)
			}
			if (r.Recipient == "") != (r.Source == bounce.SourceNotFound) && rep.Kind != bounce.KindFeedback {
				t.Errorf("record %d: recipient %q with source %s", i, r.Recipient, r.Source)
			}
			if len(r.SourceText) > 200 || utf8.ValidString(body) && !utf8.ValidString(r.SourceText) {
				t.Errorf("record %d: source text %q", i, r.SourceText)
			}
		}
	})
}
