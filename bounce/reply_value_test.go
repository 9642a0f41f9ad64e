package bounce_test

import (
	"bytes"
	"encoding"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/bouncekit/bouncekit/bounce"
)

var (
	_ encoding.TextAppender    = bounce.Reply{}
	_ encoding.TextMarshaler   = bounce.Reply{}
	_ encoding.TextUnmarshaler = (*bounce.Reply)(nil)
	_ json.Marshaler           = bounce.Reply{}
	_ json.Unmarshaler         = (*bounce.Reply)(nil)
	_ slog.LogValuer           = bounce.Reply{}
	_ encoding.TextAppender    = bounce.Flags(0)
	_ encoding.TextAppender    = bounce.Status{}
)

// The text form parses back to the same code, status, text and tags.
func TestReplyTextRoundTrip(t *testing.T) {
	for _, in := range []string{
		"host mx01.mail.icloud.com[17.57.154.6] said: 554 5.7.1 [CS01] Message rejected due to local policy (in reply to end of DATA command)",
		"550-5.7.26 This mail has been blocked because the sender is\r\n550 5.7.26 unauthenticated. - gsmtp",
		"421 4.7.0 [TSS04] Messages from 192.0.2.1 temporarily deferred",
		"Remote Server returned '550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found'",
		"connect to mx.example.org[192.0.2.7]:25: Connection refused",
		"#5.0.0 X-Notes; User unknown",
		"250 ok",
	} {
		r, err := bounce.ParseReply(in)
		if err != nil {
			t.Fatal(err)
		}
		s := r.String()
		var back bounce.Reply
		if err := back.UnmarshalText([]byte(s)); err != nil {
			t.Fatalf("%q: %v", s, err)
		}
		if back.Code != r.Code || back.Status != r.Status || back.Text != r.Text || back.Tags != r.Tags {
			t.Errorf("%q -> %q -> code %d status %s text %q tags %v; want %d %s %q %v",
				in, s, back.Code, back.Status, back.Text, back.Tags, r.Code, r.Status, r.Text, r.Tags)
		}
		b, _ := r.AppendText([]byte("x:"))
		if string(b) != "x:"+s {
			t.Errorf("AppendText = %q", b)
		}
	}
	if s := (bounce.Reply{}).String(); s != "" {
		t.Errorf("zero Reply = %q", s)
	}
	var z bounce.Reply
	if err := z.UnmarshalText(nil); err != nil || z.Code != 0 {
		t.Errorf("empty text: %v %+v", err, z)
	}
}

func TestReplyJSON(t *testing.T) {
	r, _ := bounce.ParseReply("host mx01.mail.icloud.com[17.57.154.6] said: 554 5.7.1 [CS01] Message rejected due to local policy (in reply to end of DATA command)")
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]any{"code": 554.0, "status": "5.7.1", "stage": "DATA-END",
		"remote_host": "mx01.mail.icloud.com", "remote_ip": "17.57.154.6"} {
		if m[k] != want {
			t.Errorf("%s = %v, want %v (%s)", k, m[k], want, b)
		}
	}
	if tags, _ := m["tags"].([]any); len(tags) != 1 || tags[0] != "CS01" {
		t.Errorf("tags = %v", m["tags"])
	}
	if _, ok := m["flags"]; ok {
		t.Errorf("no flags should leave flags out: %s", b)
	}
	var back bounce.Reply
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back != r {
		t.Errorf("JSON round trip:\n got %+v\nwant %+v", back, r)
	}

	// Flags are their names.
	r2, _ := bounce.ParseReply("421-5.7.32 first\r\n421 5.7.32 second")
	b, _ = json.Marshal(r2)
	if !bytes.Contains(b, []byte(`"flags":["class_mismatch","multiline"]`)) {
		t.Errorf("flags not as names: %s", b)
	}
	for _, bad := range []string{`{"tags":["a","b","c","d","e"]}`, `{"code":999}`, `{"stage":"LUNCH"}`, `{"flags":["nope"]}`, `{"status":"9.9"}`} {
		if err := json.Unmarshal([]byte(bad), &back); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
	if err := json.Unmarshal([]byte(`{"code":999}`), &back); !errors.Is(err, bounce.ErrBadReplyJSON) {
		t.Errorf("err = %v, want ErrBadReplyJSON", err)
	}
}

func TestFlagsText(t *testing.T) {
	f := bounce.FlagClassMismatch | bounce.FlagGaveUp
	b, _ := f.MarshalText()
	if string(b) != "class_mismatch|gave_up" || f.String() != string(b) {
		t.Errorf("MarshalText = %q, String = %q", b, f.String())
	}
	var g bounce.Flags
	if err := g.UnmarshalText(b); err != nil || g != f {
		t.Errorf("UnmarshalText = %v, %v", g, err)
	}
	if err := json.Unmarshal([]byte(`"multiline|no_reply"`), &g); err != nil || g != bounce.FlagMultiline|bounce.FlagNoReply {
		t.Errorf("JSON string form = %v, %v", g, err)
	}
	if _, err := bounce.ParseFlags("multiline|bogus"); !errors.Is(err, bounce.ErrUnknownFlag) {
		t.Errorf("err = %v", err)
	}
	if b, _ := json.Marshal(bounce.Flags(0)); string(b) != "[]" {
		t.Errorf("no flags = %s", b)
	}
}

func TestReplyLogValue(t *testing.T) {
	r, _ := bounce.ParseReply("host mx01.mail.icloud.com[17.57.154.6] said: 554 5.7.1 [CS01] Message rejected due to local policy (in reply to end of DATA command)")
	var buf bytes.Buffer
	slog.New(slog.NewTextHandler(&buf, nil)).Info("bounce", "reply", r)
	out := buf.String()
	for _, want := range []string{"reply.code=554", "reply.status=5.7.1", `reply.text="[CS01] Message rejected due to local policy"`,
		"reply.tags=[CS01]", "reply.stage=DATA-END", "reply.remote_host=mx01.mail.icloud.com", "reply.remote_ip=17.57.154.6"} {
		if !strings.Contains(out, want) {
			t.Errorf("log line lacks %s: %s", want, out)
		}
	}
	if strings.Contains(out, "reply.flags") {
		t.Errorf("no flags should log none: %s", out)
	}
}
