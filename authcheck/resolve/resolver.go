// The Resolver interface every check takes, its MX value and the typed DNS
// errors, with the helpers the protocol packages share.

package resolve

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"sync"

	"github.com/bouncekit/bouncekit/authcheck/internal/syntax"
)

// Resolver is the DNS interface every check uses. Every method takes the
// context first and must return within its deadline.
//
// Errors keep the DNS outcomes apart (they matter to SPF, RFC 7208 §4.4 and
// §5): a name that does not exist is ErrNXDomain, a name with no record of the
// type is ErrNoData, a server failure is ErrServFail, a timeout is
// ErrTimeout and a server that cannot be reached (connection refused) is
// ErrUnreachable, each wrapped in a *Error. Implementations must be safe for
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

// Sentinel DNS outcomes; a *Error wraps exactly one of them.
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

// Error is a failed DNS lookup.
type Error struct {
	Name string // the queried name
	Type string // "TXT", "A", "AAAA", "MX", "PTR"
	Err  error  // one of the sentinels above
}

func (e *Error) Error() string { return fmt.Sprintf("dns %s %s: %v", e.Type, e.Name, e.Err) }
func (e *Error) Unwrap() error { return e.Err }

// IsNotFound reports whether err means the record does not exist
// (NXDOMAIN or NODATA): an RFC 7208 §4.6.4 "void lookup".
func IsNotFound(err error) bool { return errors.Is(err, ErrNXDomain) || errors.Is(err, ErrNoData) }

// Sentinels of LookupVersionedTXT.
var (
	// ErrRecordMissing: a versioned TXT record (MTA-STS, TLS-RPT, BIMI) is
	// not published.
	ErrRecordMissing = errors.New("record not published")
	// ErrRecordMultiple: several records of the same version at one name,
	// which the RFCs say to treat as none.
	ErrRecordMultiple = errors.New("several records published")
)

// LookupVersionedTXT returns the one TXT record at name whose first tag is
// v=<version>. None gives ErrRecordMissing (or the DNS error, when it is not
// NXDOMAIN/NODATA); more than one gives ErrRecordMultiple.
func LookupVersionedTXT(ctx context.Context, r Resolver, name, version string) (string, error) {
	txts, err := r.LookupTXT(ctx, name)
	if err != nil {
		if IsNotFound(err) {
			return "", fmt.Errorf("%s: %w", name, ErrRecordMissing)
		}
		return "", err
	}
	var found []string
	for _, t := range txts {
		if v, _, _ := strings.Cut(t, ";"); strings.EqualFold(syntax.StripFWS(v), "v="+version) {
			found = append(found, t)
		}
	}
	switch len(found) {
	case 0:
		return "", fmt.Errorf("%s: no v=%s record: %w", name, version, ErrRecordMissing)
	case 1:
		return found[0], nil
	}
	return "", fmt.Errorf("%s: %d v=%s records: %w", name, len(found), version, ErrRecordMultiple)
}

// LookupIP returns the A and AAAA records of name; the error is set only
// for failures other than "not found" when nothing was found.
func LookupIP(ctx context.Context, r Resolver, name string) ([]netip.Addr, error) {
	var a, aaaa []netip.Addr
	var errA, errAAAA error
	var wg sync.WaitGroup
	wg.Go(func() { a, errA = r.LookupA(ctx, name) })
	wg.Go(func() { aaaa, errAAAA = r.LookupAAAA(ctx, name) })
	wg.Wait()
	out := append(a, aaaa...)
	if len(out) > 0 {
		return out, nil
	}
	for _, err := range []error{errA, errAAAA} {
		if err != nil && !IsNotFound(err) {
			return nil, err
		}
	}
	return nil, nil
}
