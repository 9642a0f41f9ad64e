package inspect_test

import (
	"context"
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bouncekit/bouncekit/authcheck/inspect"
)

var now = time.Date(2026, 11, 25, 15, 0, 0, 0, time.UTC)

func newsletter(t testing.TB) []byte {
	t.Helper()
	raw, err := os.ReadFile("testdata/newsletter.eml")
	if err != nil {
		t.Fatal(err)
	}
	return inspect.CRLF(raw)
}

func run(msg string) inspect.Report {
	return inspect.Inspect(context.Background(), inspect.CRLF([]byte(msg)), inspect.Options{Now: now})
}

func result(t *testing.T, r inspect.Report, id string) inspect.Finding {
	t.Helper()
	f, ok := r.Finding(id)
	if !ok {
		t.Fatalf("check %s did not run", id)
	}
	return f
}

func TestTheCheckListHasStableUniqueIDs(t *testing.T) {
	cs := inspect.Checks()
	if len(cs) < 40 {
		t.Fatalf("%d checks, want at least 40", len(cs))
	}
	seen := map[string]bool{}
	for _, c := range cs {
		if c.ID == "" || c.Group == "" || c.Ref == "" || c.Title == "" || c.Run == nil {
			t.Errorf("check %+v lacks id, group, title, reference or run", c.ID)
		}
		if seen[c.ID] {
			t.Errorf("duplicate id %s", c.ID)
		}
		seen[c.ID] = true
	}
}

func TestAWellFormedNewsletterFailsNothing(t *testing.T) {
	r := inspect.Inspect(context.Background(), newsletter(t), inspect.Options{Now: now})
	for _, f := range r.Checks {
		if f.Result == inspect.Fail || f.Result == inspect.Warn {
			t.Errorf("%s: %s %s", f.ID, f.Result, f.Detail)
		}
	}
	if r.Total == 0 || r.Passed != r.Total {
		t.Errorf("passed %d of %d", r.Passed, r.Total)
	}
	if len(r.Domains) != 1 || r.Domains[0].Domain != "shop.example" {
		t.Errorf("domains %+v", r.Domains)
	}
	kinds := map[inspect.LinkKind]int{}
	for _, l := range r.Links {
		kinds[l.Kind]++
	}
	if kinds[inspect.KindImage] != 1 || kinds[inspect.KindTrackingPixel] != 1 || kinds[inspect.KindUnsubscribe] < 2 || kinds[inspect.KindLink] < 1 {
		t.Errorf("link kinds %v", kinds)
	}
}

func TestTheJSONContract(t *testing.T) {
	r := inspect.Inspect(context.Background(), newsletter(t), inspect.Options{Now: now})
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"dkim", "spf", "dmarc", "arc", "checks", "passed", "total", "links", "domains", "filter"} {
		if _, ok := m[k]; !ok {
			t.Errorf("key %q missing", k)
		}
	}
	if string(m["dkim"]) != "[]" || string(m["filter"]) != "{}" {
		t.Errorf("empty sections must be [] and {}: dkim %s filter %s", m["dkim"], m["filter"])
	}
	var checks []map[string]any
	json.Unmarshal(m["checks"], &checks)
	for _, k := range []string{"id", "group", "result", "detail", "fix"} {
		if _, ok := checks[0][k]; !ok {
			t.Errorf("check key %q missing", k)
		}
	}
	var links []map[string]any
	json.Unmarshal(m["links"], &links)
	for _, k := range []string{"url", "host", "domain", "kind"} {
		if _, ok := links[0][k]; !ok {
			t.Errorf("link key %q missing", k)
		}
	}
	// Deterministic: the same input gives the same bytes.
	b2, _ := json.Marshal(inspect.Inspect(context.Background(), newsletter(t), inspect.Options{Now: now}))
	if string(b) != string(b2) {
		t.Error("two runs differ")
	}
}

const head = "From: Shop <news@shop.example>\nTo: kate@example.org\nSubject: Hello there\nDate: Wed, 25 Nov 2026 14:00:00 +0000\nMessage-ID: <a.1@shop.example>\n"

func TestChecksFindWhatIsWrong(t *testing.T) {
	tests := []struct {
		name, id string
		msg      string
		want     inspect.Result
		detail   string
	}{
		{"no Message-ID fails", "header.message-id", strings.Replace(head, "Message-ID: <a.1@shop.example>\n", "", 1) + "\nhi\n", inspect.Fail, "no Message-ID"},
		{"a Message-ID without brackets fails", "header.message-id", strings.Replace(head, "<a.1@shop.example>", "a.1@shop.example", 1) + "\nhi\n", inspect.Fail, "not <left@right>"},
		{"a Date an hour ahead fails", "header.date", strings.Replace(head, "14:00:00", "16:30:00", 1) + "\nhi\n", inspect.Fail, "in the future"},
		{"a Date that does not parse fails", "header.date", strings.Replace(head, "Wed, 25 Nov 2026 14:00:00 +0000", "yesterday", 1) + "\nhi\n", inspect.Fail, "does not parse"},
		{"two From fields fail", "header.from", head + "From: other@shop.example\n\nhi\n", inspect.Fail, "2 From fields"},
		{"two addresses in From fail", "header.from", strings.Replace(head, "Shop <news@shop.example>", "a@shop.example, b@shop.example", 1) + "\nhi\n", inspect.Fail, "2 addresses"},
		{"a repeated Subject fails", "header.single-instance", head + "Subject: again\n\nhi\n", inspect.Fail, "Subject ×2"},
		{"http List-Unsubscribe warns", "header.list-unsubscribe", head + "List-Unsubscribe: <http://shop.example/u>\n\nhi\n", inspect.Warn, "is http"},
		{"List-Unsubscribe-Post without https fails", "header.one-click", head + "List-Unsubscribe: <mailto:u@shop.example>\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\n\nhi\n", inspect.Fail, "without an https URI"},
		{"a wrong List-Unsubscribe-Post value fails", "header.one-click", head + "List-Unsubscribe: <https://shop.example/u>\nList-Unsubscribe-Post: One-Click\n\nhi\n", inspect.Fail, "not \"List-Unsubscribe=One-Click\""},
		{"unsigned one-click fields warn", "header.one-click", head + "List-Unsubscribe: <https://shop.example/u>\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\n\nhi\n", inspect.Warn, "no DKIM-Signature"},
		{"a List-Id without a dot fails", "header.list-id", head + "List-Id: <news>\n\nhi\n", inspect.Fail, "List-Id"},
		{"a Feedback-ID with an empty field fails", "header.feedback-id", head + "Feedback-ID: a::shop\n\nhi\n", inspect.Fail, "Feedback-ID"},
		{"Amazon SES's Feedback-ID form is read", "header.feedback-id", head + "Feedback-ID: 1.us-west-2.c55J8LO2Yl1R0Ht+ysI6VjzUH6Cvo3dHPF80AUVC/G8=:AmazonSES\n\nhi\n", inspect.Warn, "sender id AmazonSES"},
		{"a Feedback-ID with a space fails", "header.feedback-id", head + "Feedback-ID: camp 1:shop\n\nhi\n", inspect.Fail, "Feedback-ID"},
		{"a gmail.com From without its signature fails", "header.freemail-from", strings.Replace(head, "news@shop.example", "shop.news@gmail.com", 1) + "\nhi\n", inspect.Fail, "free-mail"},
		{"a display name naming another address fails", "header.display-name", strings.Replace(head, "Shop <news@shop.example>", "\"support@bank.example\" <x@shop.example>", 1) + "\nhi\n", inspect.Fail, "support@bank.example"},
		{"a bidi override in the display name fails", "header.display-name", strings.Replace(head, "Shop <", "=?utf-8?q?Shop=E2=80=AE?= <", 1) + "\nhi\n", inspect.Fail, "U+202E"},
		{"a misaligned MAIL FROM warns", "header.envelope-alignment", "Return-Path: <b@esp.example>\n" + head + "\nhi\n", inspect.Warn, "not aligned"},
		{"raw UTF-8 in the header warns", "header.8bit", strings.Replace(head, "Hello there", "Grüße", 1) + "\nhi\n", inspect.Warn, "raw 8-bit"},
		{"a line over 998 octets fails", "mime.line-length", head + "\n" + strings.Repeat("x", 1200) + "\n", inspect.Fail, "1200 octets"},
		{"a bare LF in a CRLF message fails", "mime.bare-lf", strings.ReplaceAll(head, "\n", "\r\n") + "\r\nhi\nthere\r\n", inspect.Fail, "1 bare LF"},
		{"an unparsable Content-Type fails", "mime.content-type", head + "MIME-Version: 1.0\nContent-Type: text/\n\nhi\n", inspect.Fail, "Content-Type"},
		{"an unclosed boundary warns", "mime.boundary", head + "MIME-Version: 1.0\nContent-Type: multipart/alternative; boundary=b\n\n--b\nContent-Type: text/plain\n\nhi\n", inspect.Warn, "no close delimiter"},
		{"a missing boundary fails", "mime.boundary", head + "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=zz\n\nhi\n", inspect.Fail, "never appears"},
		{"an unknown charset fails", "mime.charset", head + "MIME-Version: 1.0\nContent-Type: text/plain; charset=klingon\n\nhi\n", inspect.Fail, "unknown charset"},
		{"invalid UTF-8 fails", "mime.charset", head + "MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\nhi \xff\xfe\n", inspect.Fail, "invalid UTF-8"},
		{"8-bit data in a 7bit part fails", "mime.transfer-encoding", head + "MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\nGrüße\n", inspect.Fail, "8-bit data in a 7bit part"},
		{"broken base64 fails", "mime.transfer-encoding", head + "MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\n!!!notbase64\n", inspect.Fail, "base64"},
		{"HTML without text warns", "mime.text-alternative", head + "MIME-Version: 1.0\nContent-Type: text/html; charset=utf-8\n\n<p>hi</p>\n", inspect.Warn, "without a text/plain"},
		{"a stub text part warns", "mime.text-html-agree", head + "MIME-Version: 1.0\nContent-Type: multipart/alternative; boundary=b\n\n--b\nContent-Type: text/plain\n\nView in browser\n--b\nContent-Type: text/html\n\n<p>" + strings.Repeat("many different words appear here in this newsletter about coats scarves boots gloves hats socks ", 2) + "</p>\n--b--\n", inspect.Warn, "stub"},
		{"HTML over 102 KB warns", "mime.size", head + "MIME-Version: 1.0\nContent-Type: text/html; charset=utf-8\n\n" + strings.Repeat("<p>some words in a paragraph of the newsletter</p>\n", 2200), inspect.Warn, "102 KB"},
		{"an exe attachment fails", "mime.attachments", head + "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\nhi\n--b\nContent-Type: application/octet-stream; name=invoice.exe\nContent-Disposition: attachment; filename=invoice.exe\nContent-Transfer-Encoding: base64\n\nTVqQAA==\n--b--\n", inspect.Fail, "invoice.exe"},
		{"a Mailchimp merge tag fails", "content.merge-tags", head + "\nHi *|FNAME|*,\n", inspect.Fail, "*|FNAME|*"},
		{"a Handlebars tag in the subject fails", "content.merge-tags", strings.Replace(head, "Hello there", "Hello {{first_name}}", 1) + "\nhi\n", inspect.Fail, "Subject: {{first_name}}"},
		{"a bracket tag fails", "content.merge-tags", head + "\nDear [FirstName],\n", inspect.Fail, "[FirstName]"},
		{"a hash tag fails", "content.merge-tags", head + "\nDear #name#,\n", inspect.Fail, "#name#"},
		{"a %%tag%% fails", "content.merge-tags", head + "\nDear %%First_Name%%,\n", inspect.Fail, "%%First_Name%%"},
		{"a ${tag} fails", "content.merge-tags", head + "\nDear ${user.name},\n", inspect.Fail, "${user.name}"},
		{"an image-only message fails", "content.image-text-ratio", head + "Content-Type: text/html\n\n<img src=\"https://shop.example/a.jpg\" alt=\"sale\">\n", inspect.Fail, "only 0 words"},
		{"an image without alt warns", "content.image-alt", head + "Content-Type: text/html\n\n<p>" + strings.Repeat("word ", 40) + "</p><img src=\"https://shop.example/a.jpg\">\n", inspect.Warn, "without alt"},
		{"a hidden link fails", "content.hidden-text", head + "Content-Type: text/html\n\n<div style=\"display: none\"><a href=\"https://x.example/\">x</a></div><p>hi</p>\n", inspect.Fail, "hidden"},
		{"much hidden text warns", "content.hidden-text", head + "Content-Type: text/html\n\n<p>hi</p>" + strings.Repeat("<span style=\"font-size:0px\">cheap watches replica</span>", 5) + "\n", inspect.Warn, "hidden text"},
		{"a data URI image warns", "content.data-uri", head + "Content-Type: text/html\n\n<p>hi</p><img alt=\"x\" src=\"data:image/png;base64,iVBORw0KGgo=\">\n", inspect.Warn, "data:"},
		{"a meta refresh fails", "content.meta-refresh", head + "Content-Type: text/html\n\n<meta http-equiv=\"Refresh\" content=\"0;url=https://x.example/\"><p>hi</p>\n", inspect.Fail, "meta refresh"},
		{"an onclick handler fails", "content.script", head + "Content-Type: text/html\n\n<p onclick=\"x()\">hi</p>\n", inspect.Fail, "1 script"},
		{"an iframe fails", "content.embed", head + "Content-Type: text/html\n\n<iframe src=\"https://x.example/\"></iframe><p>hi</p>\n", inspect.Fail, "iframe"},
		{"a plain http link warns", "links.http", head + "\nsee http://shop.example/sale\n", inspect.Warn, "http://shop.example/sale"},
		{"an IP-literal link fails", "links.ip-literal", head + "\nsee https://192.0.2.7/login\n", inspect.Fail, "192.0.2.7"},
		{"a decimal IP link fails", "links.ip-literal", head + "\nsee http://3232235777/login\n", inspect.Fail, "3232235777"},
		{"a shortener fails", "links.shortener", head + "\nsee https://bit.ly/3xYz\n", inspect.Fail, "bit.ly"},
		{"a redirect with its target is listed", "links.redirect", head + "\nsee https://u123.ct.sendgrid.net/ls/click?upn=abc&url=https%3A%2F%2Fwww.shop.example%2Fsale\n", inspect.Info, "u123.ct.sendgrid.net (sendgrid) → https://www.shop.example/sale"},
		{"anchor text naming another domain fails", "links.anchor-mismatch", head + "Content-Type: text/html\n\n<p>Log in at <a href=\"https://login.evil.example/\">www.bank.example</a></p>\n", inspect.Fail, "www.bank.example → login.evil.example"},
		{"anchor text matching the redirect target passes", "links.anchor-mismatch", head + "Content-Type: text/html\n\n<p><a href=\"https://click.esp.example/c?url=https%3A%2F%2Fwww.shop.example%2F\">www.shop.example</a></p>\n", inspect.Pass, ""},
		{"a mixed-script host fails", "links.homoglyph", head + "\nsee https://xn--pypal-4ve.example/ now\n", inspect.Fail, "mixes Latin"},
		{"a look-alike of the From domain fails", "links.homoglyph", head + "\nsee https://www.sh0p.example/ now\n", inspect.Fail, "reads as shop.example"},
		{"userinfo in a URL fails", "links.userinfo", head + "\nsee https://www.bank.example@evil.example/ now\n", inspect.Fail, "bank.example@evil"},
		{"bulk mail without a body unsubscribe link fails", "links.unsubscribe", head + "List-Id: News <news.shop.example>\n\nhi\n", inspect.Fail, "List-Id field"},
		{"bulk mail without one-click fails", "bulk.one-click-unsubscribe", head + "Precedence: bulk\n\nhi\n", inspect.Fail, "no one-click"},
		{"transactional mail is exempt from one-click", "bulk.one-click-unsubscribe", head + "\nyour password reset code is 1234\n", inspect.Skip, "transactional"},
		{"an ESP-only DKIM domain fails alignment", "bulk.dkim-signed", head + "DKIM-Signature: v=1; a=rsa-sha256; d=esp.example; s=k1; h=from; bh=x; b=y\n\nhi\n", inspect.Fail, "none aligned"},
		{"a subdomain DKIM d= is aligned", "bulk.dmarc-alignment", head + "DKIM-Signature: v=1; a=rsa-sha256; d=mail.shop.example; s=k1; h=from; bh=x; b=y\n\nhi\n", inspect.Pass, "DKIM d=mail.shop.example"},
		{"a look-alike domain pair fails", "domains.lookalike", head + "Reply-To: help@shop-example.example\nContent-Type: text/html\n\n<a href=\"https://rn.example/\">a</a><a href=\"https://m.example/\">b</a>\n", inspect.Fail, "read alike"},
		{"no content filter skips with the reason", "filter.spamd", head + "\nhi\n", inspect.Skip, "not configured"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := result(t, run(tt.msg), tt.id)
			if f.Result != tt.want || !strings.Contains(f.Detail, tt.detail) {
				t.Fatalf("%s: got %s %q, want %s containing %q", tt.id, f.Result, f.Detail, tt.want, tt.detail)
			}
			if (f.Result == inspect.Fail || f.Result == inspect.Warn) && f.Fix == "" {
				t.Errorf("a %s finding without a fix", f.Result)
			}
		})
	}
}

func TestDomainsListEveryPlaceADomainAppears(t *testing.T) {
	msg := "Return-Path: <b@bounce.esp.example>\n" + head +
		"DKIM-Signature: v=1; a=rsa-sha256; d=esp.example; s=k1; h=from; bh=x; b=y\nContent-Type: text/html\n\n" +
		"<a href=\"https://click.track.example/c?url=https%3A%2F%2Fwww.partner.example%2Fx\">x</a><img src=\"https://cdn.images.example/a.png\" alt=\"\">\n"
	r := run(msg)
	got := map[string][]string{}
	var order []string
	for _, d := range r.Domains {
		got[d.Domain] = d.Sources
		order = append(order, d.Domain)
	}
	want := map[string][]string{
		"shop.example":    {"from", "message-id"},
		"esp.example":     {"envelope", "dkim"},
		"track.example":   {"link"},
		"partner.example": {"redirect"},
		"images.example":  {"image"},
	}
	for d, srcs := range want {
		if !slices.Equal(got[d], srcs) {
			t.Errorf("%s: sources %v, want %v", d, got[d], srcs)
		}
	}
	if len(order) != len(want) {
		t.Errorf("domains %v", order)
	}
}

func TestExtraChecksAndAuthPlugIn(t *testing.T) {
	extra := inspect.Check{ID: "auth.test", Group: inspect.GroupAuthentication, Title: "t", Ref: "test",
		Run: func(_ context.Context, in *inspect.Input) inspect.Finding {
			if in.Auth == nil || len(in.Auth.DKIM) != 1 {
				return inspect.Finding{Result: inspect.Fail, Detail: "no auth"}
			}
			return inspect.Finding{Result: inspect.Pass, Detail: in.Auth.DKIM[0].Result}
		}}
	r := inspect.Inspect(context.Background(), newsletter(t), inspect.Options{Now: now, Extra: []inspect.Check{extra},
		Auth: func(_ context.Context, in *inspect.Input) inspect.Auth {
			d := in.DKIMTags()[0]
			return inspect.Auth{DKIM: []inspect.DKIM{{Domain: d["d"], Selector: d["s"], Algorithm: d["a"], Result: "pass"}}, ARC: &inspect.ARC{CV: "none"}}
		}})
	f := result(t, r, "auth.test")
	if f.Result != inspect.Pass || f.Group != inspect.GroupAuthentication || f.Detail != "pass" {
		t.Fatalf("extra check: %+v", f)
	}
	if len(r.DKIM) != 1 || r.DKIM[0].Domain != "shop.example" || r.ARC == nil || r.ARC.CV != "none" {
		t.Fatalf("auth sections not filled: %+v %+v", r.DKIM, r.ARC)
	}
	if r.Checks[len(r.Checks)-1].ID != "auth.test" {
		t.Error("extra checks run after the built-in ones")
	}
}

func TestStoredDropsTheMboxFromLine(t *testing.T) {
	got := string(inspect.Stored([]byte("From MAILER-DAEMON Tue Jun 11 19:13:34 2024\nFrom: a@b.example\n\nhi\n")))
	if got != "From: a@b.example\r\n\r\nhi\r\n" {
		t.Errorf("%q", got)
	}
}

func TestCRLF(t *testing.T) {
	if got := string(inspect.CRLF([]byte("a\nb\n"))); got != "a\r\nb\r\n" {
		t.Errorf("LF file: %q", got)
	}
	if got := string(inspect.CRLF([]byte("a\r\nb\nc"))); got != "a\r\nb\nc" {
		t.Errorf("a message with CRLF must stay as it is: %q", got)
	}
}

func TestLimitsBoundHostileStructure(t *testing.T) {
	var b strings.Builder
	b.WriteString(head)
	for i := range 50 {
		b.WriteString("Content-Type: multipart/mixed; boundary=b" + strings.Repeat("x", i) + "\n\n--b" + strings.Repeat("x", i) + "\n")
	}
	r := inspect.Inspect(context.Background(), []byte(b.String()), inspect.Options{Now: now})
	f := result(t, r, "mime.limits")
	if f.Result != inspect.Warn || !strings.Contains(f.Detail, "deeper than 20") {
		t.Fatalf("mime.limits: %+v", f)
	}
	m := inspect.ParseMessage([]byte(strings.Repeat("X-A: b\n", 2000)+"\nbody"), inspect.Limits{})
	if len(m.Header) != 1000 {
		t.Fatalf("header fields read: %d, want the 1000 of the limit", len(m.Header))
	}
}
