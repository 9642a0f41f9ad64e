// Organisational domains by the Public Suffix List (RFC 7489 §3.2), the
// method DMARC used before RFC 9989 replaced it with a DNS tree walk.

package psl

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/idna"
	"golang.org/x/net/publicsuffix"
)

// ErrNoOrgDomain means a name has no registrable domain: it is empty, a
// public suffix itself, or malformed.
var ErrNoOrgDomain = errors.New("no organisational domain")

// OrgDomain returns the organisational domain of name by the Public Suffix
// List bundled in golang.org/x/net/publicsuffix (RFC 7489 §3.2: the public
// suffix plus one label). The result is lower case; a name written in
// U-labels gets its answer in U-labels too. A public suffix, a name with a
// leading dot or an empty label gives an error wrapping ErrNoOrgDomain.
func OrgDomain(name string) (string, error) {
	d := strings.ToLower(strings.TrimSuffix(name, "."))
	if d == "" || strings.HasPrefix(d, ".") || strings.Contains(d, "..") {
		return "", fmt.Errorf("org domain of %q: %w", name, ErrNoOrgDomain)
	}
	unicode := false
	for i := 0; i < len(d); i++ {
		if d[i] >= utf8.RuneSelf {
			unicode = true
			break
		}
	}
	if unicode {
		a, err := idna.Lookup.ToASCII(d)
		if err != nil {
			return "", fmt.Errorf("org domain of %q: %w: %v", name, ErrNoOrgDomain, err)
		}
		d = a
	}
	org, err := publicsuffix.EffectiveTLDPlusOne(d)
	if err != nil {
		return "", fmt.Errorf("org domain of %q: %w: %v", name, ErrNoOrgDomain, err)
	}
	if unicode {
		if u, err := idna.Lookup.ToUnicode(org); err == nil {
			org = u
		}
	}
	return org, nil
}

// OrgDomainOrSelf is OrgDomain that falls back to the name itself, as
// relaxed alignment needs (RFC 7489 §3.1).
func OrgDomainOrSelf(name string) string {
	if o, err := OrgDomain(name); err == nil {
		return o
	}
	return strings.ToLower(strings.TrimSuffix(name, "."))
}
