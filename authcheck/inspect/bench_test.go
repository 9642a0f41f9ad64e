package inspect_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/bouncekit/bouncekit/authcheck/inspect"
)

// newsletter100K builds a 100 KB newsletter of the usual shape: a
// multipart/alternative with a quoted-printable text part and a table-laid
// HTML part of product blocks, each with an image, tracked links and prices.
func newsletter100K() []byte {
	var h, t strings.Builder
	h.WriteString(`<html><head><style>td{font-family:Arial}</style></head><body><div style="display:none;max-height:0;overflow:hidden">This week's picks</div><table width="600">`)
	for i := 0; h.Len() < 90*1024; i++ {
		fmt.Fprintf(&h, `<tr><td><a href="https://click.shop.example/ls/click?upn=%d&url=https%%3A%%2F%%2Fwww.shop.example%%2Fp%%2F%d"><img src="https://img.shop.example/p/%d.jpg" alt="Product %d" width="280" height="280"></a></td>`, i, i, i, i)
		fmt.Fprintf(&h, `<td><p style="font-size:16px">Wool coat number %d, warm and light, in four colours.</p><p><a href="https://www.shop.example/p/%d">See it</a> for only 89.00 EUR</p></td></tr>`+"\n", i, i)
		fmt.Fprintf(&t, "Wool coat number %d, warm and light, in four colours: https://www.shop.example/p/%d\n", i, i)
	}
	h.WriteString(`</table><p><a href="https://www.shop.example/unsub?u=1">Unsubscribe</a></p><img src="https://img.shop.example/o.gif" width="1" height="1" alt=""></body></html>`)
	msg := "From: Shop <news@shop.example>\r\nTo: kate@example.org\r\nSubject: This week\r\nDate: Wed, 25 Nov 2026 14:00:00 +0000\r\nMessage-ID: <w.1@shop.example>\r\n" +
		"List-Unsubscribe: <https://www.shop.example/unsub?u=1>\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: multipart/alternative; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" +
		strings.ReplaceAll(t.String(), "\n", "\r\n") + "\r\n--b\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" + strings.ReplaceAll(h.String(), "\n", "\r\n") + "\r\n--b--\r\n"
	return []byte(msg)
}

func BenchmarkInspect100KNewsletter(b *testing.B) {
	msg := newsletter100K()
	b.SetBytes(int64(len(msg)))
	b.ReportAllocs()
	for b.Loop() {
		inspect.Inspect(context.Background(), msg, inspect.Options{Now: now})
	}
}

func BenchmarkParseMessage100KNewsletter(b *testing.B) {
	msg := newsletter100K()
	b.SetBytes(int64(len(msg)))
	b.ReportAllocs()
	for b.Loop() {
		inspect.ParseMessage(msg, inspect.Limits{})
	}
}

func BenchmarkLinks100KNewsletter(b *testing.B) {
	msg := newsletter100K()
	b.SetBytes(int64(len(msg)))
	b.ReportAllocs()
	for b.Loop() {
		inspect.NewInput(msg, inspect.Options{Now: now}).Links()
	}
}

func TestTheBenchmarkNewsletterIsAbout100KB(t *testing.T) {
	msg := newsletter100K()
	if len(msg) < 95*1024 || len(msg) > 140*1024 {
		t.Fatalf("%d bytes", len(msg))
	}
	r := inspect.Inspect(context.Background(), msg, inspect.Options{Now: now})
	if len(r.Links) < 300 {
		t.Fatalf("%d links", len(r.Links))
	}
}

// hostile is a message of the inspector's limits: thousands of distinct
// hosts, pixels and anchors naming other domains.
func hostile() []byte {
	var h strings.Builder
	for i := range 4000 {
		fmt.Fprintf(&h, `<a href="https://h%d.example%d.com/?url=https://t%d.example/">www.d%d.example</a><img src="https://p%d.example/x.gif" width=1 height=1>`+"\n", i, i, i, i, i)
	}
	return []byte(head + "Content-Type: text/html\r\n\r\n" + h.String())
}

func BenchmarkInspectHostileLinks(b *testing.B) {
	msg := hostile()
	b.SetBytes(int64(len(msg)))
	b.ReportAllocs()
	for b.Loop() {
		inspect.Inspect(context.Background(), msg, inspect.Options{Now: now})
	}
}
