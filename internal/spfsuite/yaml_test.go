package spfsuite

import (
	"reflect"
	"testing"
)

func TestParseDocumentsReadsTheSubset(t *testing.T) {
	src := `# comment
description: >-
  folded
  text
tests:
  one:
    result: [ pass, "fail" ]
    mailfrom: ""
    plain: a b # trailing comment
      continued
zonedata:
  "quoted key":
    - SPF: [ "v=spf1 ip4:", '192.0.2.5 -all' ]
    - TXT: "tab\there \x41\u00e9 \"q\""
    - TIMEOUT
    - MX: [10, mx.example.com]
  lit:
    - TXT: |
        line one
        line two
---
description: second
`
	docs, err := ParseDocuments(src)
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) != 2 {
		t.Fatalf("got %d documents", len(docs))
	}
	m := docs[0].(*Map)
	if got := m.Get("description"); got != "folded text" {
		t.Errorf("folded block: %q", got)
	}
	one := m.Get("tests").(*Map).Get("one").(*Map)
	if got := one.Get("result"); !reflect.DeepEqual(got, []Node{"pass", "fail"}) {
		t.Errorf("flow sequence: %#v", got)
	}
	if got := one.Get("mailfrom"); got != "" {
		t.Errorf("empty quoted: %q", got)
	}
	if got := one.Get("plain"); got != "a b continued" {
		t.Errorf("plain multi-line: %q", got)
	}
	q := m.Get("zonedata").(*Map).Get("quoted key").([]Node)
	if len(q) != 4 {
		t.Fatalf("sequence of %d", len(q))
	}
	if got := q[0].(*Map).Get("SPF"); !reflect.DeepEqual(got, []Node{"v=spf1 ip4:", "192.0.2.5 -all"}) {
		t.Errorf("quoted flow items: %#v", got)
	}
	if got := q[1].(*Map).Get("TXT"); got != "tab\there Aé \"q\"" {
		t.Errorf("escapes: %q", got)
	}
	if q[2] != "TIMEOUT" {
		t.Errorf("bare scalar item: %#v", q[2])
	}
	lit := m.Get("zonedata").(*Map).Get("lit").([]Node)[0].(*Map).Get("TXT")
	if lit != "line one\nline two\n" {
		t.Errorf("literal block: %q", lit)
	}
	if got := docs[1].(*Map).Get("description"); got != "second" {
		t.Errorf("second document: %q", got)
	}
}

func TestParseDocumentsRejectsBadInput(t *testing.T) {
	for _, src := range []string{
		"a: \"unterminated\n",
		"a: [1, 2\n",
		"a: b\n   c: d\nnot a key\n",
		"a: \"bad \\q escape\"\n",
		"a: \"short \\x4\"\n",
	} {
		if _, err := ParseDocuments(src); err == nil {
			t.Errorf("accepted %q", src)
		}
	}
}

func FuzzParseDocuments(f *testing.F) {
	f.Add("a: b\n")
	f.Add("tests:\n  x:\n    result: [pass]\n---\nzonedata:\n  a.b:\n    - SPF: \"v=spf1\"\n")
	f.Add("- |\n  lit\n- >-\n  fold\n")
	f.Fuzz(func(t *testing.T, src string) {
		a, errA := ParseDocuments(src)
		b, errB := ParseDocuments(src)
		if (errA == nil) != (errB == nil) || !reflect.DeepEqual(a, b) {
			t.Fatalf("not deterministic on %q", src)
		}
		_, _ = Parse(src)
	})
}
