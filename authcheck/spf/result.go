// SPF results (RFC 7208 §2.6) and the errors that explain permerror and
// temperror.

package spf

import (
	"errors"
	"fmt"

	"github.com/bouncekit/bouncekit/internal/ascii"
)

// Result is the outcome of check_host(); its values are the RFC 7208
// §2.6 tokens used in Received-SPF and Authentication-Results headers. The
// zero value "" means no check was run.
type Result string

// The SPF results.
const (
	None      Result = "none"      // RFC 7208 §2.6.1: no record, or no usable domain
	Neutral   Result = "neutral"   // RFC 7208 §2.6.2: the domain makes no assertion (?, or no match)
	Pass      Result = "pass"      // RFC 7208 §2.6.3: the client is authorised
	Fail      Result = "fail"      // RFC 7208 §2.6.4: the client is not authorised
	SoftFail  Result = "softfail"  // RFC 7208 §2.6.5: probably not authorised (~)
	TempError Result = "temperror" // RFC 7208 §2.6.6: a transient DNS error
	PermError Result = "permerror" // RFC 7208 §2.6.7: the record cannot be interpreted
)

// ParseResult reads an RFC 7208 result token, case-insensitively. The
// RFC 4408 spellings "error" and "unknown" map to temperror and permerror.
func ParseResult(s string) (Result, error) {
	switch ascii.Lower(s) {
	case "none":
		return None, nil
	case "neutral":
		return Neutral, nil
	case "pass":
		return Pass, nil
	case "fail":
		return Fail, nil
	case "softfail":
		return SoftFail, nil
	case "temperror", "error":
		return TempError, nil
	case "permerror", "unknown":
		return PermError, nil
	}
	return "", fmt.Errorf("spf: unknown result %q", s)
}

// String returns the RFC token.
func (r Result) String() string { return string(r) }

// MarshalText implements encoding.TextMarshaler.
func (r Result) MarshalText() ([]byte, error) { return []byte(r), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (r *Result) UnmarshalText(b []byte) error {
	v, err := ParseResult(string(b))
	if err != nil {
		return err
	}
	*r = v
	return nil
}

// Sentinels wrapped by Outcome.Err and the SPF lint, for errors.Is.
var (
	ErrSyntax           = errors.New("spf: syntax error")                                 // RFC 7208 §4.6
	ErrMultipleRecords  = errors.New("spf: more than one v=spf1 record")                  // RFC 7208 §4.5
	ErrNoRecord         = errors.New("spf: include or redirect target has no SPF record") // RFC 7208 §5.2, §6.1
	ErrTooManyLookups   = errors.New("spf: more than 10 DNS-querying terms")              // RFC 7208 §4.6.4
	ErrTooManyVoid      = errors.New("spf: more than 2 void lookups")                     // RFC 7208 §4.6.4
	ErrTooManyMX        = errors.New("spf: mx mechanism with more than 10 MX records")    // RFC 7208 §4.6.4
	ErrBadDomain        = errors.New("spf: malformed domain after macro expansion")       // RFC 7208 §7.3
	ErrDNS              = errors.New("spf: DNS lookup failed")                            // RFC 7208 §4.4, §5
	ErrRecursionTooDeep = errors.New("spf: include/redirect nesting too deep")            // bounded by §4.6.4
)

// Error says where evaluation stopped: the domain whose record was being
// evaluated and the term, with one of the sentinels above (and, for DNS
// failures, the *resolve.Error) wrapped.
type Error struct {
	Domain string
	Term   string
	Err    error
}

func (e *Error) Error() string {
	if e.Term == "" {
		return fmt.Sprintf("spf %s: %v", e.Domain, e.Err)
	}
	return fmt.Sprintf("spf %s: %s: %v", e.Domain, e.Term, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }
