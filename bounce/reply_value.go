package bounce

// This file makes Reply a complete value, as netip.Addr is: a text form
// (String, AppendText, MarshalText, UnmarshalText), a JSON form with
// snake_case field names, and a slog.LogValuer. Flags marshal as their
// names.

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"strconv"
	"strings"
)

// String returns the reply in the one-line form of RFC 5321 §4.2: the basic
// code, the enhanced status code (RFC 3463 §2) and the text, each when
// present ("554 5.7.1 [CS01] Message rejected due to local policy").
// ParseReply reads it back to the same Code, Status, Text and Tags; the
// wrapper facts (Stage, RemoteHost, RemoteIP, DiagnosticType, Raw) are not
// part of the text form. The zero Reply gives "".
func (r Reply) String() string {
	b, _ := r.AppendText(make([]byte, 0, 8+len(r.Text)))
	return string(b)
}

// AppendText implements encoding.TextAppender: it appends the form String
// returns to b. The error is always nil.
func (r Reply) AppendText(b []byte) ([]byte, error) {
	start := len(b)
	if r.Code != 0 {
		b = strconv.AppendInt(b, int64(r.Code), 10)
	}
	if r.Status.IsValid() {
		if len(b) > start {
			b = append(b, ' ')
		}
		b = r.Status.appendTo(b)
	}
	if r.Text != "" {
		if len(b) > start {
			b = append(b, ' ')
		}
		b = append(b, r.Text...)
	}
	return b, nil
}

// MarshalText implements encoding.TextMarshaler with the form String returns.
func (r Reply) MarshalText() ([]byte, error) { return r.AppendText(nil) }

// UnmarshalText implements encoding.TextUnmarshaler by ParseReply. Empty text
// gives the zero Reply; text longer than MaxReplyLen gives the Reply read
// from its first MaxReplyLen bytes and the error.
func (r *Reply) UnmarshalText(b []byte) error {
	if len(strings.TrimSpace(string(b))) == 0 {
		*r = Reply{}
		return nil
	}
	v, err := ParseReply(string(b))
	*r = v
	return err
}

// replyJSON is the JSON form of a Reply. The field names are the contract
// that `bouncekit reply` prints and other programs read.
type replyJSON struct {
	Code           int        `json:"code"`
	Status         Status     `json:"status"`
	StatusName     string     `json:"status_name,omitempty"`
	Text           string     `json:"text"`
	Tags           []string   `json:"tags,omitempty"`
	Stage          Stage      `json:"stage,omitempty"`
	RemoteHost     string     `json:"remote_host,omitempty"`
	RemoteIP       netip.Addr `json:"remote_ip,omitzero"`
	DiagnosticType string     `json:"diagnostic_type,omitempty"`
	Flags          Flags      `json:"flags,omitzero"`
	Raw            string     `json:"raw,omitempty"`
}

// MarshalJSON gives the reply as an object with snake_case names: code,
// status ("5.7.1" or ""), status_name (the IANA registry's name of the
// status, when known), text, tags, stage, remote_host, remote_ip,
// diagnostic_type, flags (their names) and raw; empty optional fields are
// left out.
func (r Reply) MarshalJSON() ([]byte, error) {
	j := replyJSON{Code: r.Code, Status: r.Status, StatusName: r.Status.Describe(), Text: r.Text,
		Stage: r.Stage, RemoteHost: r.RemoteHost, RemoteIP: r.RemoteIP,
		DiagnosticType: r.DiagnosticType, Flags: r.Flags, Raw: r.Raw}
	if n := r.NumTags(); n > 0 {
		j.Tags = r.Tags[:n:n]
	}
	return json.Marshal(j)
}

// ErrBadReplyJSON reports a JSON reply that cannot be a Reply: more than
// MaxTags tags, a code outside 0-599, or an unknown stage.
var ErrBadReplyJSON = errors.New("invalid reply JSON")

// UnmarshalJSON reads the object MarshalJSON writes (status_name is
// ignored).
func (r *Reply) UnmarshalJSON(b []byte) error {
	var j replyJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	if len(j.Tags) > MaxTags {
		return fmt.Errorf("%w: %d tags, at most %d", ErrBadReplyJSON, len(j.Tags), MaxTags)
	}
	if j.Code < 0 || j.Code > 599 {
		return fmt.Errorf("%w: code %d", ErrBadReplyJSON, j.Code)
	}
	if j.Stage != StageUnknown && ParseStage(string(j.Stage)) != j.Stage {
		return fmt.Errorf("%w: stage %q", ErrBadReplyJSON, j.Stage)
	}
	v := Reply{Code: j.Code, Status: j.Status, Text: j.Text, Stage: j.Stage, RemoteHost: j.RemoteHost,
		RemoteIP: j.RemoteIP, DiagnosticType: j.DiagnosticType, Flags: j.Flags, Raw: j.Raw}
	copy(v.Tags[:], j.Tags)
	*r = v
	return nil
}

// LogValue implements slog.LogValuer: a group of the reply's code, status,
// text, and whichever of tags, stage, remote_host, remote_ip and flags are set.
func (r Reply) LogValue() slog.Value {
	attrs := make([]slog.Attr, 0, 8)
	attrs = append(attrs, slog.Int("code", r.Code), slog.String("status", r.Status.String()), slog.String("text", r.Text))
	if n := r.NumTags(); n > 0 {
		attrs = append(attrs, slog.Any("tags", r.Tags[:n:n]))
	}
	if r.Stage != StageUnknown {
		attrs = append(attrs, slog.String("stage", string(r.Stage)))
	}
	if r.RemoteHost != "" {
		attrs = append(attrs, slog.String("remote_host", r.RemoteHost))
	}
	if r.RemoteIP.IsValid() {
		attrs = append(attrs, slog.String("remote_ip", r.RemoteIP.String()))
	}
	if r.Flags != 0 {
		attrs = append(attrs, slog.String("flags", r.Flags.String()))
	}
	return slog.GroupValue(attrs...)
}

// ErrUnknownFlag reports a flag name that is not one of Flags.Names'.
var ErrUnknownFlag = errors.New("unknown reply flag")

// ParseFlags reads flag names as Flags.String writes them, joined by "|"
// (spaces and commas are accepted too); "" gives no flags.
func ParseFlags(s string) (Flags, error) {
	var f Flags
	for _, n := range strings.FieldsFunc(s, func(c rune) bool { return c == '|' || c == ',' || c == ' ' }) {
		g, ok := flagNamed(n)
		if !ok {
			return f, fmt.Errorf("%w: %q", ErrUnknownFlag, n)
		}
		f |= g
	}
	return f, nil
}

func flagNamed(n string) (Flags, bool) {
	for i, name := range flagNames {
		if name == n {
			return 1 << i, true
		}
	}
	return 0, false
}

// AppendText implements encoding.TextAppender with the form String returns.
func (f Flags) AppendText(b []byte) ([]byte, error) {
	sep := false
	for i, n := range flagNames {
		if f&(1<<i) != 0 {
			if sep {
				b = append(b, '|')
			}
			b, sep = append(b, n...), true
		}
	}
	return b, nil
}

// MarshalText implements encoding.TextMarshaler: the names joined by "|".
func (f Flags) MarshalText() ([]byte, error) { return f.AppendText(nil) }

// UnmarshalText implements encoding.TextUnmarshaler by ParseFlags.
func (f *Flags) UnmarshalText(b []byte) error {
	v, err := ParseFlags(string(b))
	if err != nil {
		return err
	}
	*f = v
	return nil
}

// MarshalJSON gives the flags as a JSON array of their names, in bit order
// (["class_mismatch","multiline"]); no flags give [].
func (f Flags) MarshalJSON() ([]byte, error) {
	names := f.Names()
	if names == nil {
		names = []string{}
	}
	return json.Marshal(names)
}

// UnmarshalJSON reads an array of names, or one string as UnmarshalText does.
func (f *Flags) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		return f.UnmarshalText([]byte(s))
	}
	var names []string
	if err := json.Unmarshal(b, &names); err != nil {
		return err
	}
	var v Flags
	for _, n := range names {
		g, ok := flagNamed(n)
		if !ok {
			return fmt.Errorf("%w: %q", ErrUnknownFlag, n)
		}
		v |= g
	}
	*f = v
	return nil
}
