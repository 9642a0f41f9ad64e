package bounce

// This file holds the limits ParseMessage works under and the errors it
// returns when a message goes past them.

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
)

// Limits bounds the work ParseMessage does on one message. The zero value of
// each field means its default; a negative value means no limit (use with
// trusted input only).
type Limits struct {
	// MaxMessageBytes is the largest message read: default 32 MiB. Longer
	// input is cut there and parsed, and the error is a *LimitError.
	MaxMessageBytes int64
	// MaxDepth is how deeply multiparts and message/rfc822 parts may nest:
	// default 16. Deeper parts are kept as opaque bodies.
	MaxDepth int
	// MaxParts is the number of MIME parts read in one message: default
	// 1000. Further parts are ignored.
	MaxParts int
	// MaxHeaderBytes is the largest header block of the message or of one
	// part: default 1 MiB. Longer blocks are cut there.
	MaxHeaderBytes int
	// MaxRecords is the number of recipient records read from one
	// message: default 10,000 (RFC 5321 §4.5.3.1.8 asks servers to take
	// 100 recipients per transaction; a report on more is either a list
	// explosion or an attack). Further recipients are not read, and the
	// error is a *LimitError. Each record costs about 3 KB.
	MaxRecords int
}

// Default limits; see Limits.
const (
	DefaultMaxMessageBytes = 32 << 20
	DefaultMaxDepth        = 16
	DefaultMaxParts        = 1000
	DefaultMaxHeaderBytes  = 1 << 20
	DefaultMaxRecords      = 10000
)

func (l Limits) withDefaults() Limits {
	if l.MaxMessageBytes == 0 {
		l.MaxMessageBytes = DefaultMaxMessageBytes
	}
	if l.MaxDepth == 0 {
		l.MaxDepth = DefaultMaxDepth
	} else if l.MaxDepth < 0 {
		l.MaxDepth = 1 << 30
	}
	if l.MaxParts == 0 {
		l.MaxParts = DefaultMaxParts
	}
	if l.MaxHeaderBytes == 0 {
		l.MaxHeaderBytes = DefaultMaxHeaderBytes
	}
	if l.MaxRecords == 0 {
		l.MaxRecords = DefaultMaxRecords
	} else if l.MaxRecords < 0 {
		l.MaxRecords = 1 << 62
	}
	return l
}

// ErrLimit matches (errors.Is) every *LimitError.
var ErrLimit = errors.New("limit exceeded")

// ErrEmptyMessage is returned for input with no bytes (or only white space).
var ErrEmptyMessage = errors.New("empty message")

// LimitError reports that a message went past one of its Limits. The Report
// returned with it holds what was read up to that point.
type LimitError struct {
	// Limit names the Limits field: "MaxMessageBytes", "MaxDepth",
	// "MaxParts", "MaxHeaderBytes" or "MaxRecords".
	Limit string
	// Max is the limit's value.
	Max int64
}

func (e *LimitError) Error() string {
	return fmt.Sprintf("bounce: message exceeds %s (%d)", e.Limit, e.Max)
}

// Is makes errors.Is(err, ErrLimit) true.
func (e *LimitError) Is(target error) bool { return target == ErrLimit }

// full reports whether n records reach MaxRecords, and if so records the
// limit as the parse's error.
func (st *mimeState) full(n int) bool {
	if n < st.lim.MaxRecords {
		return false
	}
	st.fail("MaxRecords", int64(st.lim.MaxRecords))
	return true
}

// readLimited reads r up to limit bytes (none when limit < 0). It reads at
// most limit+1 bytes, whatever r is, and a longer input gives the first limit
// bytes and a *LimitError. The buffer is sized once from the length r
// reports (a *bytes.Reader, a regular file), capped at limit+1, so neither a
// large file nor a file that lies about its size makes it grow past the
// limit; a stream of unknown length grows it by doubling, never past limit+1.
func readLimited(r io.Reader, limit int64) ([]byte, error) {
	hint := int64(-1)
	if l, ok := r.(interface{ Len() int }); ok {
		hint = int64(l.Len())
	} else if f, ok := r.(interface{ Stat() (fs.FileInfo, error) }); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
			hint = fi.Size()
		}
	}
	capMax := int64(-1) // the largest buffer needed: limit+1 bytes
	if limit >= 0 {
		capMax = limit + 1
		r = io.LimitReader(r, capMax)
	}
	size := int64(32 << 10)
	if hint >= 0 {
		size = hint + 1 // one more byte to see the end of the input
	}
	if capMax >= 0 {
		size = min(size, capMax)
	}
	b := make([]byte, 0, max(size, 512))
	for {
		if len(b) == cap(b) {
			n := int64(cap(b)) * 2
			if capMax >= 0 {
				n = min(n, capMax)
			}
			if n <= int64(cap(b)) {
				n = int64(cap(b)) + 512 // only past a limit, which ends the read below
			}
			nb := make([]byte, len(b), n)
			copy(nb, b)
			b = nb
		}
		k, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+k]
		if limit >= 0 && int64(len(b)) > limit {
			return b[:limit], &LimitError{Limit: "MaxMessageBytes", Max: limit}
		}
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
	}
}
