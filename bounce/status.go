package bounce

import (
	"errors"
	"fmt"
	"strconv"
)

// Status is an RFC 3463 enhanced mail system status code, class.subject.detail,
// such as 5.7.1. It is a small comparable value; the zero Status is invalid
// (IsValid reports false) and means "no enhanced code was given".
//
// Class is 2 (success), 4 (persistent transient failure) or 5 (permanent
// failure), RFC 3463 §3.1. Subject is 0-7, the subject classes of RFC 3463 §3.2
// (no other subject has ever been registered, and accepting others would read
// provider transaction IDs such as Yahoo's "4.16.55.1" as status codes).
// Detail is 0-999, RFC 3463 §3.3; details outside the IANA registry are valid
// (providers invent them: 5.7.515, 5.7.606, 5.4.316).
type Status struct {
	class, subject uint8
	detail         uint16
}

// ErrInvalidStatus is returned (wrapped in a *ParseError) for text that is not
// an RFC 3463 enhanced status code.
var ErrInvalidStatus = errors.New("invalid enhanced status code")

// NewStatus returns the Status class.subject.detail; it is invalid (zero) when
// any part is out of range.
func NewStatus(class, subject, detail int) Status {
	if (class != 2 && class != 4 && class != 5) || subject < 0 || subject > 7 || detail < 0 || detail > 999 {
		return Status{}
	}
	return Status{class: uint8(class), subject: uint8(subject), detail: uint16(detail)}
}

// ParseStatus parses an enhanced status code such as "5.7.1" (RFC 3463 §2:
// class "." subject "." detail, each subject and detail 1-3 digits without
// leading zeros beyond a single "0").
func ParseStatus(s string) (Status, error) {
	st, n := scanStatus(s)
	if n == 0 || n != len(s) {
		return Status{}, &ParseError{What: "status", Input: truncateForError(s), Err: ErrInvalidStatus}
	}
	return st, nil
}

// MustParseStatus is like ParseStatus but panics on error; for tests and
// package-level tables.
func MustParseStatus(s string) Status {
	st, err := ParseStatus(s)
	if err != nil {
		panic(err)
	}
	return st
}

// scanStatus reads an enhanced status code at the start of s and returns it
// with the number of bytes used, or n == 0 when s does not start with one.
// It does not check what follows the code.
func scanStatus(s string) (st Status, n int) {
	if len(s) < 5 || (s[0] != '2' && s[0] != '4' && s[0] != '5') || s[1] != '.' {
		return Status{}, 0
	}
	i := 2
	subj, k := scanNumber(s[i:], 3)
	if k == 0 || subj > 7 {
		return Status{}, 0
	}
	i += k
	if i >= len(s) || s[i] != '.' {
		return Status{}, 0
	}
	i++
	det, k := scanNumber(s[i:], 3)
	if k == 0 {
		return Status{}, 0
	}
	i += k
	return Status{class: s[0] - '0', subject: uint8(subj), detail: uint16(det)}, i
}

// scanNumber reads 1..max ASCII digits (RFC 3463: no leading zero unless the
// number is 0) and returns the value and digits used; 0 digits used means no
// number. A longer run of digits is not a number of this shape.
func scanNumber(s string, max int) (v, n int) {
	for n < len(s) && n <= max && s[n] >= '0' && s[n] <= '9' {
		v = v*10 + int(s[n]-'0')
		n++
	}
	if n == 0 || n > max || (n > 1 && s[0] == '0') {
		return 0, 0
	}
	return v, n
}

// IsValid reports whether st is a parsed status code (not the zero Status).
func (st Status) IsValid() bool { return st.class != 0 }

// Class returns 2, 4 or 5 (0 for the zero Status).
func (st Status) Class() int { return int(st.class) }

// Subject returns the subject sub-code, 0-7 (RFC 3463 §3.2).
func (st Status) Subject() int { return int(st.subject) }

// Detail returns the detail sub-code, 0-999 (RFC 3463 §3.3).
func (st Status) Detail() int { return int(st.detail) }

// Success reports whether st is a 2.X.X code (RFC 3463 §3.1).
func (st Status) Success() bool { return st.class == 2 }

// Transient reports whether st is a 4.X.X persistent transient failure.
func (st Status) Transient() bool { return st.class == 4 }

// Permanent reports whether st is a 5.X.X permanent failure.
func (st Status) Permanent() bool { return st.class == 5 }

// String returns the dotted form, "5.7.1", or "" for the zero Status.
func (st Status) String() string {
	if !st.IsValid() {
		return ""
	}
	var b [10]byte
	return string(st.appendTo(b[:0]))
}

// AppendText implements encoding.TextAppender: it appends the dotted form to
// b (nothing for the zero Status). The error is always nil.
func (st Status) AppendText(b []byte) ([]byte, error) { return st.appendTo(b), nil }

func (st Status) appendTo(b []byte) []byte {
	if !st.IsValid() {
		return b
	}
	b = strconv.AppendUint(b, uint64(st.class), 10)
	b = append(b, '.')
	b = strconv.AppendUint(b, uint64(st.subject), 10)
	b = append(b, '.')
	return strconv.AppendUint(b, uint64(st.detail), 10)
}

// MarshalText implements encoding.TextMarshaler; the zero Status marshals as
// empty text.
func (st Status) MarshalText() ([]byte, error) { return st.appendTo(nil), nil }

// UnmarshalText implements encoding.TextUnmarshaler; empty text gives the zero
// Status.
func (st *Status) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*st = Status{}
		return nil
	}
	v, err := ParseStatus(string(b))
	if err != nil {
		return err
	}
	*st = v
	return nil
}

// ParseError reports text that could not be read as what was asked for. It
// wraps one of the package's sentinel errors (ErrInvalidStatus, ErrEmptyReply,
// ErrReplyTooLong, ...), so callers can use errors.Is on the sentinel and
// errors.As on *ParseError for the input.
type ParseError struct {
	What  string // "status", "reply", ...
	Input string // the offending input, shortened to 64 bytes
	Err   error  // the sentinel
}

func (e *ParseError) Error() string {
	return fmt.Sprintf("bounce: parse %s %q: %v", e.What, e.Input, e.Err)
}

func (e *ParseError) Unwrap() error { return e.Err }

func truncateForError(s string) string {
	if len(s) > 64 {
		return s[:64] + "..."
	}
	return s
}
