package segment

import (
	"errors"
	"fmt"
)

// Errors wrapped in a *RowError (or returned alone for whole-input
// problems). Callers branch on them with errors.Is.
var (
	ErrBadOutcome    = errors.New("unknown outcome")
	ErrBadTime       = errors.New("unreadable time")
	ErrBadValue      = errors.New("unreadable value")
	ErrNoRecipient   = errors.New("no recipient")
	ErrBadRecord     = errors.New("malformed record")
	ErrLineTooLong   = errors.New("line longer than MaxLineBytes")
	ErrMissingColumn = errors.New("required column missing from header")
	ErrUnknownFormat = errors.New("unknown event format")
	ErrBadAggregate  = errors.New("invalid aggregate data")
)

// RowError is one input row that could not be read as an event. Readers
// yield it and go on with the next row; Line is the 1-based line number
// where the row starts.
type RowError struct {
	Format Format
	Line   int
	Err    error
}

func (e *RowError) Error() string {
	return fmt.Sprintf("segment: %s line %d: %v", e.Format, e.Line, e.Err)
}

func (e *RowError) Unwrap() error { return e.Err }
