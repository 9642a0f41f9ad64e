package inspect_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/bouncekit/bouncekit/authcheck/inspect"
)

// FuzzInspect: any bytes give a report whose counts add up, twice the same.
func FuzzInspect(f *testing.F) {
	f.Add([]byte(head + "\nhi\n"))
	f.Add([]byte(head + "Content-Type: multipart/alternative; boundary=b\n\n--b\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\nhi=\n--b\nContent-Type: text/html\n\n<a href=x>y</a>\n--b--\n"))
	f.Add([]byte("Content-Type: multipart/mixed; boundary=\"\"\n\n--\n"))
	f.Fuzz(func(t *testing.T, msg []byte) {
		r := inspect.Inspect(context.Background(), msg, inspect.Options{Now: now})
		passed, total := 0, 0
		for _, c := range r.Checks {
			switch c.Result {
			case inspect.Pass:
				passed++
				total++
			case inspect.Warn, inspect.Fail:
				total++
			case inspect.Info, inspect.Skip:
			default:
				t.Fatalf("%s: result %q", c.ID, c.Result)
			}
		}
		if passed != r.Passed || total != r.Total || len(r.Checks) != len(inspect.Checks()) {
			t.Fatalf("counts %d/%d, report %d/%d", passed, total, r.Passed, r.Total)
		}
		a, _ := json.Marshal(r)
		b, _ := json.Marshal(inspect.Inspect(context.Background(), msg, inspect.Options{Now: now}))
		if string(a) != string(b) {
			t.Fatal("not deterministic")
		}
	})
}

// FuzzHTMLLinks: every URL of any HTML lands in the inventory with a kind,
// and an http(s) URL that parses has a host.
func FuzzHTMLLinks(f *testing.F) {
	f.Add(`<a href="https://click.x.example/c?url=https%3A%2F%2Fy.example">y.example</a><img src="https://i.example/p.gif" width=1 height=1>`)
	f.Add(`<div style="display:none"><a href="http://[::1]:8080/">x</a></div><area href="mailto:a@b.example">`)
	f.Add(`<table background="https://bg.example/a.png"><tr><td><a href=https://xn--80ak6aa92e.com>apple.com</a>`)
	f.Fuzz(func(t *testing.T, body string) {
		msg := head + "MIME-Version: 1.0\nContent-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n" + body
		in := inspect.NewInput(inspect.CRLF([]byte(msg)), inspect.Options{Now: now})
		for _, l := range in.Links() {
			switch l.Kind {
			case inspect.KindLink, inspect.KindImage, inspect.KindTrackingPixel, inspect.KindUnsubscribe:
			default:
				t.Fatalf("kind %q", l.Kind)
			}
			if l.Count < 1 {
				t.Fatalf("count %d", l.Count)
			}
			if l.Err == "" && l.Host != "" && strings.HasPrefix(strings.ToLower(l.URL), "http") && l.Domain == "" && !strings.ContainsAny(l.Host, ":0123456789") {
				t.Fatalf("host %q without a domain", l.Host)
			}
		}
		for _, d := range in.Domains() {
			if d.Domain == "" || len(d.Sources) == 0 {
				t.Fatalf("domain %+v", d)
			}
		}
	})
}
