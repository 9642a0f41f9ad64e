// Tag-list parsing shared by the DKIM key and signature records (RFC 6376
// §3.2) and the DMARC, MTA-STS, TLS-RPT and BIMI records, which all reuse
// the same "tag=value; tag=value" grammar.

package dkim

import (
	"fmt"
	"strings"

	"github.com/bouncekit/bouncekit/authcheck/internal/syntax"
)

// MaxTagListLen is the longest tag-list parsed; longer input is rejected
// with a *TagListError before any work is done. DNS TXT records above a few
// kilobytes do not occur in practice, and signatures are header fields.
const MaxTagListLen = 64 << 10

// MaxTags is the most tags a tag-list may hold; real records have a dozen.
const MaxTags = 128

// Tag is one tag=value pair of a tag-list, as written (value trimmed of
// surrounding whitespace).
type Tag struct {
	Name, Value string
}

// TagListError is a tag-list that does not follow RFC 6376 §3.2.
type TagListError struct {
	Input  string // the record, truncated to 128 bytes
	Offset int    // byte offset of the problem in the input
	Reason string
}

func (e *TagListError) Error() string {
	return fmt.Sprintf("tag-list %q: at byte %d: %s", e.Input, e.Offset, e.Reason)
}

// ParseTagList splits s into tags, in order. A tag name must be
// ALPHA *(ALPHA / DIGIT / "_") and may appear only once (RFC 6376 §3.2:
// "Tags with duplicate names MUST NOT occur within a single tag-list").
// A trailing ";" is allowed. Names are kept as written; RFC 6376 tag
// names are case-sensitive.
func ParseTagList(s string) ([]Tag, error) {
	tags, _, err := ParseTagListOpt(s, false)
	return tags, err
}

// ParseTagListOpt is ParseTagList that, when lenient, skips empty tag-specs
// (";;") and counts them instead of failing, as DMARC receivers do.
func ParseTagListOpt(s string, lenient bool) ([]Tag, int, error) {
	empty := 0
	if len(s) > MaxTagListLen {
		return nil, 0, &TagListError{Input: syntax.Trunc(s), Offset: MaxTagListLen, Reason: fmt.Sprintf("longer than %d bytes", MaxTagListLen)}
	}
	var tags []Tag
	off := 0
	for off <= len(s) {
		end := strings.IndexByte(s[off:], ';')
		var spec string
		if end < 0 {
			spec = s[off:]
			end = len(s)
		} else {
			spec = s[off : off+end]
			end += off
		}
		if strings.TrimSpace(spec) == "" {
			// Empty spec: allowed only as the trailing ";" (or an empty list).
			if end < len(s) && strings.TrimSpace(s[end+1:]) != "" {
				if !lenient {
					return tags, empty, &TagListError{Input: syntax.Trunc(s), Offset: off, Reason: "empty tag-spec"}
				}
				empty++
				off = end + 1
				continue
			}
			break
		}
		eq := strings.IndexByte(spec, '=')
		if eq < 0 {
			return tags, empty, &TagListError{Input: syntax.Trunc(s), Offset: off, Reason: fmt.Sprintf("tag-spec %q has no '='", strings.TrimSpace(spec))}
		}
		name := strings.TrimSpace(spec[:eq])
		if !validTagName(name) {
			return tags, empty, &TagListError{Input: syntax.Trunc(s), Offset: off, Reason: fmt.Sprintf("invalid tag name %q", name)}
		}
		if len(tags) == MaxTags {
			return tags, empty, &TagListError{Input: syntax.Trunc(s), Offset: off, Reason: fmt.Sprintf("more than %d tags", MaxTags)}
		}
		for _, t := range tags {
			if t.Name == name {
				return tags, empty, &TagListError{Input: syntax.Trunc(s), Offset: off, Reason: fmt.Sprintf("duplicate tag %q", name)}
			}
		}
		tags = append(tags, Tag{Name: name, Value: strings.Trim(spec[eq+1:], " \t\r\n")})
		if end >= len(s) {
			break
		}
		off = end + 1
	}
	return tags, empty, nil
}

func validTagName(n string) bool {
	if n == "" || !syntax.Alpha(n[0]) {
		return false
	}
	for i := 1; i < len(n); i++ {
		c := n[i]
		if !syntax.Alpha(c) && !(c >= '0' && c <= '9') && c != '_' {
			return false
		}
	}
	return true
}
