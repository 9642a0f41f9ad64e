// Package authcheck checks a sender's DNS the way receivers do: SPF (RFC 7208),
// DKIM keys and signatures (RFC 6376), DMARC discovery and alignment (RFC 7489,
// RFC 9989), reverse DNS and HELO, MTA-STS (RFC 8461), TLS-RPT (RFC 8460), BIMI
// records and DNS blocklists (RFC 5782), all through the small Resolver
// interface below.
package authcheck

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
)

// Resolver is the DNS interface every check uses. Every method takes the
// context first and must return within its deadline.
//
// Errors keep the DNS outcomes apart (they matter to SPF, RFC 7208 §4.4 and
// §5): a name that does not exist is ErrNXDomain, a name with no record of the
// type is ErrNoData, a server failure is ErrServFail, a timeout is
// ErrTimeout and a server that cannot be reached (connection refused) is
// ErrUnreachable, each wrapped in a *DNSError. Implementations must be safe for
// concurrent use.
type Resolver interface {
	// LookupTXT returns one string per TXT record, the record's
	// character-strings concatenated with nothing in between (RFC 7208 §3.3).
	LookupTXT(ctx context.Context, name string) ([]string, error)
	// LookupA and LookupAAAA return the addresses of name, CNAMEs followed.
	LookupA(ctx context.Context, name string) ([]netip.Addr, error)
	LookupAAAA(ctx context.Context, name string) ([]netip.Addr, error)
	// LookupMX returns the MX records of name, in the order served.
	LookupMX(ctx context.Context, name string) ([]MX, error)
	// LookupPTR returns the names an address maps back to (RFC 1035 §3.5).
	LookupPTR(ctx context.Context, addr netip.Addr) ([]string, error)
}

// MX is one MX record.
type MX struct {
	Pref uint16
	Host string // without the trailing dot
}

// Sentinel DNS outcomes; a *DNSError wraps exactly one of them.
var (
	ErrNXDomain = errors.New("no such domain (NXDOMAIN)")
	ErrNoData   = errors.New("no record of that type (NODATA)")
	ErrServFail = errors.New("server failure (SERVFAIL)")
	ErrTimeout  = errors.New("timeout")
	ErrRefused  = errors.New("query refused")
	// ErrUnreachable: no server answered at all for a network reason
	// other than a timeout (connection refused, network unreachable).
	ErrUnreachable = errors.New("DNS server unreachable")
	ErrCNAMELoop   = errors.New("CNAME chain too long or looping")
)

// DNSError is a failed DNS lookup.
type DNSError struct {
	Name string // the queried name
	Type string // "TXT", "A", "AAAA", "MX", "PTR"
	Err  error  // one of the sentinels above
}

func (e *DNSError) Error() string { return fmt.Sprintf("dns %s %s: %v", e.Type, e.Name, e.Err) }
func (e *DNSError) Unwrap() error { return e.Err }

// IsNotFound reports whether err means the record does not exist
// (NXDOMAIN or NODATA): an RFC 7208 §4.6.4 "void lookup".
func IsNotFound(err error) bool { return errors.Is(err, ErrNXDomain) || errors.Is(err, ErrNoData) }
