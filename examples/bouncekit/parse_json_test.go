package main

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/bouncekit/bouncekit/classify"
)

// encodingJSON is what parse wrote before appendJSON: encoding/json's
// Encoder with HTML escaping off, without its newline.
func encodingJSON(t testing.TB, r *parseRecord) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(r); err != nil {
		t.Fatal(err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

func TestParseRecordJSONMatchesEncodingJSON(t *testing.T) {
	for _, r := range []parseRecord{
		{},
		{File: "a.eml", Message: 3, Kind: "bounce", Recipient: "a@b", OriginalRecipient: "c@d", SourceText: "x",
			Code: 550, Feedback: "abuse", Retry: true, SlowDown: true, Severity: classify.Severity("hard")},
		{Diagnostic: "550 <a@b>: \"no\" \\ & <html>\n\r\t\b\f\x00\x1f\x7f é \u2028\u2029 \xff\xfe end", Message: -1, Code: -2},
	} {
		if got, want := r.appendJSON(nil), encodingJSON(t, &r); !bytes.Equal(got, want) {
			t.Errorf("appendJSON:\n%s\nencoding/json:\n%s", got, want)
		}
	}
}

func FuzzParseRecordJSON(f *testing.F) {
	f.Add("a.eml", "550 \"x\" \\ \n\x01\xff\u2028", "", 7, true)
	f.Add("", "", "src", -3, false)
	f.Fuzz(func(t *testing.T, a, b, c string, n int, flag bool) {
		r := parseRecord{File: a, Message: n, Kind: b, Format: c, Recipient: a + b, OriginalRecipient: c, Source: b,
			SourceText: a, Action: c, Status: b, Code: n * 7, Diagnostic: a + c, RemoteMTA: b, Command: c, Feedback: a,
			Severity: classify.Severity(b), Category: classify.Category(c), Hint: classify.Hint(a), Retry: flag,
			Suppress: !flag, SlowDown: flag, Provider: classify.Provider(c), Tag: a, Rule: b, Explanation: c + a}
		if got, want := r.appendJSON(nil), encodingJSON(t, &r); !bytes.Equal(got, want) {
			t.Fatalf("appendJSON:\n%q\nencoding/json:\n%q", got, want)
		}
	})
}
