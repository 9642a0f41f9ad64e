package bounce

// This file holds the limits ParseMessage works under and the errors it
// returns when a message goes past them.

import (
	"errors"
	"fmt"
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
}

// Default limits; see Limits.
const (
	DefaultMaxMessageBytes = 32 << 20
	DefaultMaxDepth        = 16
	DefaultMaxParts        = 1000
	DefaultMaxHeaderBytes  = 1 << 20
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
	// "MaxParts" or "MaxHeaderBytes".
	Limit string
	// Max is the limit's value.
	Max int64
}

func (e *LimitError) Error() string {
	return fmt.Sprintf("bounce: message exceeds %s (%d)", e.Limit, e.Max)
}

// Is makes errors.Is(err, ErrLimit) true.
func (e *LimitError) Is(target error) bool { return target == ErrLimit }
