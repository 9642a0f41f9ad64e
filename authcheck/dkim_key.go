// DKIM public key records: parsing the selector._domainkey TXT record
// (RFC 6376 §3.6.1, RFC 8463 for ed25519) and judging the key (RFC 8301).

package authcheck

import (
	"context"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"strings"
)

// DKIMKeyType is the k= tag of a key record; its values are the wire tokens.
type DKIMKeyType string

const (
	DKIMKeyRSA     DKIMKeyType = "rsa"     // RFC 6376 §3.6.1, the default
	DKIMKeyEd25519 DKIMKeyType = "ed25519" // RFC 8463 §4
)

// Key sizes of RFC 8301 §3.2: signers MUST use at least 1024 bits and
// SHOULD use 2048.
const (
	DKIMMinRSABits         = 1024
	DKIMRecommendedRSABits = 2048
)

// Sentinel errors of key parsing and lookup; a *DKIMKeyError wraps one of them.
var (
	ErrDKIMKeySyntax      = errors.New("malformed DKIM key record")
	ErrDKIMKeyUnsupported = errors.New("unsupported DKIM key type")
	ErrDKIMKeyRevoked     = errors.New("DKIM key revoked (empty p=)")
	ErrDKIMKeyMissing     = errors.New("no DKIM key record")
)

// DKIMKeyError is a key record that cannot be used.
type DKIMKeyError struct {
	Name string // selector._domainkey.domain, when known
	Tag  string // the tag at fault, if any
	Err  error  // one of the ErrDKIMKey* sentinels, or a *TagListError
	Msg  string
}

func (e *DKIMKeyError) Error() string {
	var b strings.Builder
	b.WriteString("dkim key")
	if e.Name != "" {
		b.WriteString(" " + e.Name)
	}
	if e.Tag != "" {
		b.WriteString(" tag " + e.Tag)
	}
	b.WriteString(": ")
	b.WriteString(e.Err.Error())
	if e.Msg != "" {
		b.WriteString(": " + e.Msg)
	}
	return b.String()
}

func (e *DKIMKeyError) Unwrap() error { return e.Err }

// DKIMKey is a parsed DKIM key record. It is immutable after parsing and safe
// for concurrent use.
type DKIMKey struct {
	Version  string      // v=, "DKIM1" or empty
	Type     DKIMKeyType // k=, rsa when absent
	Hashes   []string    // h=, acceptable hash algorithms; nil means any
	Services []string    // s=, "*" when absent
	Notes    string      // n=
	Testing  bool        // t=y: the domain is testing DKIM (RFC 6376 §3.6.1)
	Strict   bool        // t=s: i= must not be a subdomain of d=
	Revoked  bool        // p= present but empty (RFC 6376 §3.6.1)
	Bits     int         // RSA modulus size, 256 for ed25519, 0 when revoked
	// PublicKey is *rsa.PublicKey or ed25519.PublicKey; nil when revoked.
	PublicKey any
	Raw       string // the record as read
}

// ParseDKIMKey parses a DKIM key TXT record (RFC 6376 §3.6.1). A revoked key
// (empty p=) parses without error and has Revoked set. Errors are
// *DKIMKeyError wrapping ErrDKIMKeySyntax or ErrDKIMKeyUnsupported.
func ParseDKIMKey(txt string) (*DKIMKey, error) {
	tags, err := parseTagList(txt)
	if err != nil {
		return nil, &DKIMKeyError{Err: ErrDKIMKeySyntax, Msg: err.Error()}
	}
	k := &DKIMKey{Type: DKIMKeyRSA, Raw: txt}
	var p *string
	for i, t := range tags {
		switch t.Name {
		case "v":
			// RFC 6376 §3.6.1: if present, v= MUST be the first tag and be "DKIM1".
			if i != 0 {
				return nil, &DKIMKeyError{Tag: "v", Err: ErrDKIMKeySyntax, Msg: "v= must be the first tag"}
			}
			if t.Value != "DKIM1" {
				return nil, &DKIMKeyError{Tag: "v", Err: ErrDKIMKeySyntax, Msg: fmt.Sprintf("version %q, want DKIM1", t.Value)}
			}
			k.Version = t.Value
		case "k":
			k.Type = DKIMKeyType(t.Value)
		case "h":
			k.Hashes = splitColonList(t.Value)
		case "s":
			k.Services = splitColonList(t.Value)
		case "n":
			k.Notes = t.Value
		case "t":
			for _, f := range splitColonList(t.Value) {
				switch f {
				case "y":
					k.Testing = true
				case "s":
					k.Strict = true
				}
				// Unknown flags MUST be ignored (RFC 6376 §3.6.1).
			}
		case "p":
			v := stripFWS(t.Value)
			p = &v
		}
		// Unknown tags MUST be ignored (RFC 6376 §3.2).
	}
	if p == nil {
		return nil, &DKIMKeyError{Tag: "p", Err: ErrDKIMKeySyntax, Msg: "missing p= tag"}
	}
	if k.Type != DKIMKeyRSA && k.Type != DKIMKeyEd25519 {
		return nil, &DKIMKeyError{Tag: "k", Err: ErrDKIMKeyUnsupported, Msg: fmt.Sprintf("key type %q", k.Type)}
	}
	if *p == "" {
		k.Revoked = true
		return k, nil
	}
	der, err := base64.StdEncoding.DecodeString(*p)
	if err != nil {
		return nil, &DKIMKeyError{Tag: "p", Err: ErrDKIMKeySyntax, Msg: "p= is not base64: " + err.Error()}
	}
	switch k.Type {
	case DKIMKeyEd25519:
		// RFC 8463 §4: the raw 32-byte public key, not a SubjectPublicKeyInfo.
		if len(der) != ed25519.PublicKeySize {
			return nil, &DKIMKeyError{Tag: "p", Err: ErrDKIMKeySyntax, Msg: fmt.Sprintf("ed25519 key is %d bytes, want %d", len(der), ed25519.PublicKeySize)}
		}
		k.PublicKey = ed25519.PublicKey(der)
		k.Bits = 256
	default:
		// RFC 6376 §3.6.1 says RSAPublicKey, but every signer publishes a
		// SubjectPublicKeyInfo; accept both as verifiers do.
		var pub *rsa.PublicKey
		if key, err := x509.ParsePKIXPublicKey(der); err == nil {
			rk, ok := key.(*rsa.PublicKey)
			if !ok {
				return nil, &DKIMKeyError{Tag: "p", Err: ErrDKIMKeySyntax, Msg: fmt.Sprintf("k=rsa but p= holds a %T", key)}
			}
			pub = rk
		} else if rk, err2 := x509.ParsePKCS1PublicKey(der); err2 == nil {
			pub = rk
		} else {
			return nil, &DKIMKeyError{Tag: "p", Err: ErrDKIMKeySyntax, Msg: "p= is not an RSA public key: " + err.Error()}
		}
		k.PublicKey = pub
		k.Bits = pub.N.BitLen()
	}
	return k, nil
}

// AllowsHash reports whether the key's h= tag admits hash h ("sha256").
func (k *DKIMKey) AllowsHash(h string) bool {
	return len(k.Hashes) == 0 || tagContainsFold(k.Hashes, h)
}

// allowsEmail reports whether the key's s= tag admits email (RFC 6376 §3.6.1).
func (k *DKIMKey) allowsEmail() bool {
	return len(k.Services) == 0 || tagContainsFold(k.Services, "*") || tagContainsFold(k.Services, "email")
}

func tagContainsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// LogValue implements slog.LogValuer.
func (k *DKIMKey) LogValue() slog.Value {
	return slog.GroupValue(slog.String("type", string(k.Type)), slog.Int("bits", k.Bits),
		slog.Bool("revoked", k.Revoked), slog.Bool("testing", k.Testing))
}

// DKIMKeyName returns the DNS name of a key record: selector._domainkey.domain
// (RFC 6376 §3.6.2.1).
func DKIMKeyName(selector, domain string) string {
	return selector + "._domainkey." + strings.TrimSuffix(domain, ".")
}

// LookupDKIMKey fetches and parses the key for selector at domain through r
// (which follows CNAMEs, as delegated selectors need). A name with no key
// gives a *DKIMKeyError wrapping ErrDKIMKeyMissing; a DNS failure other than
// NXDOMAIN/NODATA is returned as the resolver's *DNSError so callers can tell
// a temperror from a missing key. When several TXT records are served the
// first that parses is used (RFC 6376 §6.1.2 leaves the choice to verifiers).
func LookupDKIMKey(ctx context.Context, r Resolver, selector, domain string) (*DKIMKey, error) {
	name := DKIMKeyName(selector, domain)
	txts, err := r.LookupTXT(ctx, name)
	if err != nil {
		// A CNAME loop or a bad name is permanent: no key can be had there.
		if IsNotFound(err) || errors.Is(err, ErrCNAMELoop) || errors.Is(err, ErrBadName) {
			return nil, &DKIMKeyError{Name: name, Err: ErrDKIMKeyMissing, Msg: err.Error()}
		}
		return nil, err
	}
	if len(txts) == 0 {
		return nil, &DKIMKeyError{Name: name, Err: ErrDKIMKeyMissing}
	}
	var firstErr error
	for _, t := range txts {
		k, err := ParseDKIMKey(t)
		if err == nil {
			return k, nil
		}
		if firstErr == nil {
			var ke *DKIMKeyError
			if errors.As(err, &ke) {
				ke.Name = name
			}
			firstErr = err
		}
	}
	return nil, firstErr
}

// DKIMKeyStatus summarises a key check; the values are stable tokens.
type DKIMKeyStatus string

const (
	DKIMKeyOK        DKIMKeyStatus = "ok"        // a usable key
	DKIMKeyMissing   DKIMKeyStatus = "missing"   // no record at the selector (RFC 6376 §6.1.2)
	DKIMKeyRevoked   DKIMKeyStatus = "revoked"   // empty p= (RFC 6376 §3.6.1)
	DKIMKeyInvalid   DKIMKeyStatus = "invalid"   // the record does not parse
	DKIMKeyTempError DKIMKeyStatus = "temperror" // DNS failure: unknown, not missing
)

// DKIMKeyCheck is the result of CheckDKIMKey.
type DKIMKeyCheck struct {
	Selector string        `json:"selector"`
	Domain   string        `json:"domain"`
	Name     string        `json:"name"`
	Status   DKIMKeyStatus `json:"status"`
	Key      *DKIMKey      `json:"-"`
	Err      error         `json:"-"`
}

// CheckDKIMKey looks up and judges the key published for selector at domain.
func CheckDKIMKey(ctx context.Context, r Resolver, selector, domain string) DKIMKeyCheck {
	c := DKIMKeyCheck{Selector: selector, Domain: domain, Name: DKIMKeyName(selector, domain)}
	c.Key, c.Err = LookupDKIMKey(ctx, r, selector, domain)
	switch {
	case c.Err == nil && c.Key.Revoked:
		c.Status = DKIMKeyRevoked
	case c.Err == nil:
		c.Status = DKIMKeyOK
	case errors.Is(c.Err, ErrDKIMKeyMissing):
		c.Status = DKIMKeyMissing
	case errors.Is(c.Err, ErrDKIMKeySyntax), errors.Is(c.Err, ErrDKIMKeyUnsupported):
		c.Status = DKIMKeyInvalid
	default:
		c.Status = DKIMKeyTempError
	}
	return c
}
