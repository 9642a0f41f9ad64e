package inspect_test

import (
	"strings"
	"testing"

	"github.com/bouncekit/bouncekit/authcheck/inspect"
)

func TestHeaderFieldsKeepValueAndRawText(t *testing.T) {
	m := inspect.ParseMessage([]byte("Subject: one\r\n\ttwo\r\n  three\r\nX-Empty:\r\nDKIM-Signature: v=1;\r\n d=shop.example\r\n\r\nbody\r\n"), inspect.Limits{})
	want := []inspect.Field{
		{Name: "Subject", Value: "one two three", Raw: "Subject: one\r\n\ttwo\r\n  three"},
		{Name: "X-Empty", Value: "", Raw: "X-Empty:"},
		{Name: "DKIM-Signature", Value: "v=1; d=shop.example", Raw: "DKIM-Signature: v=1;\r\n d=shop.example"},
	}
	if len(m.Header) != len(want) {
		t.Fatalf("fields %+v", m.Header)
	}
	for i, f := range want {
		if m.Header[i] != f {
			t.Errorf("field %d: %+v, want %+v", i, m.Header[i], f)
		}
	}
	if string(m.Root.Raw) != "body\r\n" {
		t.Errorf("body %q", m.Root.Raw)
	}
}

func TestAFieldFoldedOverManyLinesIsReadWhole(t *testing.T) {
	msg := "Subject: a\r\n" + strings.Repeat(" b\r\n", 200000) + "\r\nbody"
	m := inspect.ParseMessage([]byte(msg), inspect.Limits{})
	if len(m.Header) != 1 || len(m.Header[0].Value) != 1+2*200000 {
		t.Fatalf("got %d fields, value of %d bytes", len(m.Header), len(m.Header[0].Value))
	}
}
