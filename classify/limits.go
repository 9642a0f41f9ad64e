package classify

// This file holds the limits on what New compiles and ReadOptions reads,
// and the errors past them. Rules files come from operators, but a queue
// loads them at start-up and on reload: a file that is merely large must
// fail fast with a typed error, not cost gigabytes and minutes.

import (
	"errors"
	"fmt"
)

// Limits on the rules a Classifier compiles (see docs/reliability.md). With
// them the worst rules file ReadOptions accepts compiles in well under 2
// seconds and 100 MB.
const (
	// MaxPatternBytes is the largest total length, in bytes, of the
	// distinct text patterns (Any, All and None) of all rules, built-in
	// ones included: 1 MiB. The built-in rules use about 14 KiB.
	MaxPatternBytes = 1 << 20
	// MaxMatcherCells bounds the text matcher's transition table: its
	// states (at most one per pattern byte, fewer when patterns share a
	// prefix) times its byte classes (one per distinct byte the patterns
	// use, ASCII letters folded): 16 Mi cells, 64 MiB. The built-in rules
	// need about 0.5 Mi (9,450 states, 55 classes); ASCII rules may have
	// some 290,000 states, rules using 230 distinct bytes some 70,000.
	MaxMatcherCells = 16 << 20
	// MaxMatcherOutputs bounds the pattern ends the matcher records: each
	// state lists every pattern that ends there, its suffixes included
	// ("a", "aa", "aaa", ...): 1 Mi entries. Patterns that are not
	// suffixes of one another need one each.
	MaxMatcherOutputs = 1 << 20
)

// ErrRules is matched (errors.Is) by every error New and ReadOptions return:
// an invalid rule (*RuleError), a rules file that cannot be read or parsed,
// and rules past the limits (*LimitError).
var ErrRules = errors.New("invalid rules")

// ErrRulesTooLarge is matched by a *LimitError: rules past one of the
// documented limits (MaxRulesFileSize, MaxPatternBytes, MaxMatcherCells,
// MaxMatcherOutputs). More than MaxRules rules is a *RuleError wrapping
// ErrTooManyRules.
var ErrRulesTooLarge = errors.New("rules too large")

// LimitError reports rules, or a rules file, past one of the limits. It
// matches errors.Is(err, ErrRulesTooLarge) and errors.Is(err, ErrRules).
type LimitError struct {
	// Limit names the constant: "MaxRulesFileSize", "MaxPatternBytes",
	// "MaxMatcherCells" or "MaxMatcherOutputs".
	Limit string
	// Max is its value; Got what the rules needed, as far as counted
	// before stopping (at least Max+1).
	Max, Got int64
}

func (e *LimitError) Error() string {
	return fmt.Sprintf("classify: rules exceed %s (%d; need %d or more)", e.Limit, e.Max, e.Got)
}

// Is makes errors.Is(err, ErrRulesTooLarge) and errors.Is(err, ErrRules)
// true.
func (e *LimitError) Is(target error) bool { return target == ErrRulesTooLarge || target == ErrRules }

// Is makes errors.Is(err, ErrRules) true for every *RuleError, beside the
// sentinel it wraps.
func (e *RuleError) Is(target error) bool { return target == ErrRules }

// rulesFileError is a rules file that could not be read or parsed; it
// matches ErrRules and unwraps to the reader's or the JSON decoder's error
// (*json.SyntaxError, *json.UnmarshalTypeError, ...).
type rulesFileError struct{ err error }

func (e *rulesFileError) Error() string        { return "classify: reading rules: " + e.err.Error() }
func (e *rulesFileError) Unwrap() error        { return e.err }
func (e *rulesFileError) Is(target error) bool { return target == ErrRules }
