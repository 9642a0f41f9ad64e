// SPF results (RFC 7208 §2.6) and the errors that explain permerror and
// temperror.

package authcheck

import (
	"errors"
	"fmt"

	"github.com/bouncekit/bouncekit/internal/ascii"
)

// SPFResult is the outcome of check_host(); its values are the RFC 7208
// §2.6 tokens used in Received-SPF and Authentication-Results headers. The
// zero value "" means no check was run.
type SPFResult string

// The SPF results.
const (
	SPFNone      SPFResult = "none"      // RFC 7208 §2.6.1: no record, or no usable domain
	SPFNeutral   SPFResult = "neutral"   // RFC 7208 §2.6.2: the domain makes no assertion (?, or no match)
	SPFPass      SPFResult = "pass"      // RFC 7208 §2.6.3: the client is authorised
	SPFFail      SPFResult = "fail"      // RFC 7208 §2.6.4: the client is not authorised
	SPFSoftFail  SPFResult = "softfail"  // RFC 7208 §2.6.5: probably not authorised (~)
	SPFTempError SPFResult = "temperror" // RFC 7208 §2.6.6: a transient DNS error
	SPFPermError SPFResult = "permerror" // RFC 7208 §2.6.7: the record cannot be interpreted
)

// ParseSPFResult reads an RFC 7208 result token, case-insensitively. The
// RFC 4408 spellings "error" and "unknown" map to temperror and permerror.
func ParseSPFResult(s string) (SPFResult, error) {
	switch ascii.Lower(s) {
	case "none":
		return SPFNone, nil
	case "neutral":
		return SPFNeutral, nil
	case "pass":
		return SPFPass, nil
	case "fail":
		return SPFFail, nil
	case "softfail":
		return SPFSoftFail, nil
	case "temperror", "error":
		return SPFTempError, nil
	case "permerror", "unknown":
		return SPFPermError, nil
	}
	return "", fmt.Errorf("spf: unknown result %q", s)
}

// String returns the RFC token.
func (r SPFResult) String() string { return string(r) }

// MarshalText implements encoding.TextMarshaler.
func (r SPFResult) MarshalText() ([]byte, error) { return []byte(r), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (r *SPFResult) UnmarshalText(b []byte) error {
	v, err := ParseSPFResult(string(b))
	if err != nil {
		return err
	}
	*r = v
	return nil
}

// Sentinels wrapped by SPFOutcome.Err and the SPF lint, for errors.Is.
var (
	ErrSPFSyntax           = errors.New("spf: syntax error")                                 // RFC 7208 §4.6
	ErrSPFMultipleRecords  = errors.New("spf: more than one v=spf1 record")                  // RFC 7208 §4.5
	ErrSPFNoRecord         = errors.New("spf: include or redirect target has no SPF record") // RFC 7208 §5.2, §6.1
	ErrSPFTooManyLookups   = errors.New("spf: more than 10 DNS-querying terms")              // RFC 7208 §4.6.4
	ErrSPFTooManyVoid      = errors.New("spf: more than 2 void lookups")                     // RFC 7208 §4.6.4
	ErrSPFTooManyMX        = errors.New("spf: mx mechanism with more than 10 MX records")    // RFC 7208 §4.6.4
	ErrSPFBadDomain        = errors.New("spf: malformed domain after macro expansion")       // RFC 7208 §7.3
	ErrSPFDNS              = errors.New("spf: DNS lookup failed")                            // RFC 7208 §4.4, §5
	ErrSPFRecursionTooDeep = errors.New("spf: include/redirect nesting too deep")            // bounded by §4.6.4
)

// SPFError says where evaluation stopped: the domain whose record was being
// evaluated and the term, with one of the sentinels above (and, for DNS
// failures, the *DNSError) wrapped.
type SPFError struct {
	Domain string
	Term   string
	Err    error
}

func (e *SPFError) Error() string {
	if e.Term == "" {
		return fmt.Sprintf("spf %s: %v", e.Domain, e.Err)
	}
	return fmt.Sprintf("spf %s: %s: %v", e.Domain, e.Term, e.Err)
}

func (e *SPFError) Unwrap() error { return e.Err }
