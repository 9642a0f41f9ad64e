package main

// This file writes parse's output lines without reflection: the bytes
// encoding/json writes for a parseRecord (with SetEscapeHTML(false)), which
// FuzzParseRecordJSON checks, at a fraction of its cost per record.

import (
	"strconv"
	"unicode/utf8"
)

// appendJSON appends r as encoding/json's Encoder (HTML escaping off)
// writes it, without the newline.
func (r *parseRecord) appendJSON(b []byte) []byte {
	b = append(b, `{"file":`...)
	b = appendJSONString(b, r.File)
	b = append(b, `,"message":`...)
	b = strconv.AppendInt(b, int64(r.Message), 10)
	b = appendField(b, "kind", r.Kind)
	b = appendField(b, "format", r.Format)
	b = appendField(b, "recipient", r.Recipient)
	if r.OriginalRecipient != "" {
		b = appendField(b, "original_recipient", r.OriginalRecipient)
	}
	b = appendField(b, "source", r.Source)
	if r.SourceText != "" {
		b = appendField(b, "source_text", r.SourceText)
	}
	b = appendField(b, "action", r.Action)
	b = appendField(b, "status", r.Status)
	b = append(b, `,"code":`...)
	b = strconv.AppendInt(b, int64(r.Code), 10)
	b = appendField(b, "diagnostic", r.Diagnostic)
	b = appendField(b, "remote_mta", r.RemoteMTA)
	b = appendField(b, "command", r.Command)
	if r.Feedback != "" {
		b = appendField(b, "feedback_type", r.Feedback)
	}
	b = appendField(b, "severity", string(r.Severity))
	b = appendField(b, "category", string(r.Category))
	b = appendField(b, "hint", string(r.Hint))
	b = appendBool(b, "retry", r.Retry)
	b = appendBool(b, "suppress", r.Suppress)
	b = appendBool(b, "slow_down", r.SlowDown)
	b = appendField(b, "provider", string(r.Provider))
	b = appendField(b, "tag", r.Tag)
	b = appendField(b, "rule", r.Rule)
	b = appendField(b, "explanation", r.Explanation)
	return append(b, '}')
}

// appendField appends `,"name":` and the JSON string of v; name needs no
// escaping.
func appendField(b []byte, name, v string) []byte {
	b = append(b, ',', '"')
	b = append(b, name...)
	b = append(b, '"', ':')
	return appendJSONString(b, v)
}

func appendBool(b []byte, name string, v bool) []byte {
	b = append(b, ',', '"')
	b = append(b, name...)
	b = append(b, '"', ':')
	return strconv.AppendBool(b, v)
}

// appendJSONString appends s as a JSON string (RFC 8259 §7) the way
// encoding/json does with HTML escaping off: the short escapes \b \f \n \r
// \t \" \\, \u00XX for other control bytes, \ufffd for each invalid UTF-8
// byte, and U+2028 and U+2029 escaped (JSONP safety, as encoding/json
// does).
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
