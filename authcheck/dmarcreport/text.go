package dmarcreport

// This file turns the bytes of a report document into valid UTF-8 that
// encoding/xml accepts: XML 1.0 §2.2 allows only some characters, §4.3.3
// names the encodings, and reporters get both wrong (Latin-1 organisation
// names, stray control characters, UTF-16 from Windows tools).

import (
	"bytes"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// cleanText returns b as UTF-8 holding only characters XML 1.0 allows,
// noting each change in rs. b is not modified.
func cleanText(b []byte, rs *repairs) []byte {
	switch {
	case bytes.HasPrefix(b, []byte{0xFE, 0xFF}), bytes.HasPrefix(b, []byte{0xFF, 0xFE}):
		b = decodeUTF16(b)
		rs.add(RepairEncoding, "UTF-16 document read as UTF-8")
	case bytes.HasPrefix(b, []byte{0xEF, 0xBB, 0xBF}):
		b = b[3:]
	}
	if enc := declaredEncoding(b); enc != "" && !isASCII(b) {
		switch enc {
		case "utf-8", "utf8", "us-ascii", "ascii":
		case "iso-8859-1", "latin1", "latin-1", "iso8859-1", "windows-1252", "cp1252", "iso-8859-15":
			if !utf8.Valid(b) {
				b = decodeLatin1(b)
				rs.add(RepairEncoding, "document in "+enc+" converted to UTF-8")
			} else {
				rs.add(RepairEncoding, "document declared "+enc+" but is UTF-8")
			}
		default:
			rs.add(RepairEncoding, "charset "+enc+" read as UTF-8")
		}
	}
	if ok, _ := xmlChars(b); ok {
		return b
	}
	out := make([]byte, 0, len(b))
	var badUTF8, badChar bool
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		switch {
		case r == utf8.RuneError && n <= 1:
			out = utf8.AppendRune(out, utf8.RuneError)
			badUTF8 = true
		case !isXMLChar(r):
			badChar = true
		default:
			out = append(out, b[i:i+n]...)
		}
		i += n
	}
	if badUTF8 {
		rs.add(RepairEncoding, "invalid UTF-8 replaced with U+FFFD")
	}
	if badChar {
		rs.add(RepairEncoding, "characters XML does not allow removed")
	}
	return out
}

// xmlChars reports whether b is valid UTF-8 holding only XML characters.
func xmlChars(b []byte) (bool, int) {
	for i := 0; i < len(b); {
		c := b[i]
		if c < utf8.RuneSelf {
			if c < 0x20 && c != '\t' && c != '\n' && c != '\r' {
				return false, i
			}
			i++
			continue
		}
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n <= 1 || !isXMLChar(r) {
			return false, i
		}
		i += n
	}
	return true, len(b)
}

// isXMLChar is the Char production of XML 1.0 §2.2.
func isXMLChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D ||
		r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD ||
		r >= 0x10000 && r <= 0x10FFFF
}

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// declaredEncoding returns the lower-case encoding of the XML declaration
// at the start of b, "" when there is none.
func declaredEncoding(b []byte) string {
	b = bytes.TrimLeft(b, " \t\r\n")
	if !bytes.HasPrefix(b, []byte("<?xml")) {
		return ""
	}
	end := bytes.Index(b, []byte("?>"))
	if end < 0 || end > 512 {
		return ""
	}
	decl := string(b[:end])
	i := strings.Index(decl, "encoding")
	if i < 0 {
		return ""
	}
	rest := strings.TrimLeft(decl[i+len("encoding"):], " \t\r\n=")
	if rest == "" || rest[0] != '"' && rest[0] != '\'' {
		return ""
	}
	q := rest[0]
	rest = rest[1:]
	if j := strings.IndexByte(rest, q); j >= 0 {
		return strings.ToLower(rest[:j])
	}
	return ""
}

func decodeLatin1(b []byte) []byte {
	out := make([]byte, 0, len(b)+len(b)/8)
	for _, c := range b {
		out = utf8.AppendRune(out, rune(c))
	}
	return out
}

func decodeUTF16(b []byte) []byte {
	big := b[0] == 0xFE
	b = b[2:]
	u := make([]uint16, 0, len(b)/2)
	for i := 0; i+1 < len(b); i += 2 {
		if big {
			u = append(u, uint16(b[i])<<8|uint16(b[i+1]))
		} else {
			u = append(u, uint16(b[i+1])<<8|uint16(b[i]))
		}
	}
	return []byte(string(utf16.Decode(u)))
}
