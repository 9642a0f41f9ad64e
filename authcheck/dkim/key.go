// DKIM public key records: parsing the selector._domainkey TXT record
// (RFC 6376 §3.6.1, RFC 8463 for ed25519) and judging the key (RFC 8301).

package dkim

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

	"github.com/bouncekit/bouncekit/authcheck/internal/syntax"
	"github.com/bouncekit/bouncekit/authcheck/resolve"
)

// KeyType is the k= tag of a key record; its values are the wire tokens.
type KeyType string

const (
	KeyRSA     KeyType = "rsa"     // RFC 6376 §3.6.1, the default
	KeyEd25519 KeyType = "ed25519" // RFC 8463 §4
)

// Key sizes of RFC 8301 §3.2: signers MUST use at least 1024 bits and
// SHOULD use 2048.
const (
	MinRSABits         = 1024
	RecommendedRSABits = 2048
)

// Sentinel errors of key parsing and lookup; a *KeyError wraps one of them.
var (
	ErrKeySyntax      = errors.New("malformed DKIM key record")
	ErrKeyUnsupported = errors.New("unsupported DKIM key type")
	ErrKeyRevoked     = errors.New("DKIM key revoked (empty p=)")
	ErrKeyMissing     = errors.New("no DKIM key record")
)

// KeyError is a key record that cannot be used.
type KeyError struct {
	Name string // selector._domainkey.domain, when known
	Tag  string // the tag at fault, if any
	Err  error  // one of the ErrDKIMKey* sentinels, or a *TagListError
	Msg  string
}

func (e *KeyError) Error() string {
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

func (e *KeyError) Unwrap() error { return e.Err }

// Key is a parsed DKIM key record. It is immutable after parsing and safe
// for concurrent use.
type Key struct {
	Version  string   // v=, "DKIM1" or empty
	Type     KeyType  // k=, rsa when absent
	Hashes   []string // h=, acceptable hash algorithms; nil means any
	Services []string // s=, "*" when absent
	Notes    string   // n=
	Testing  bool     // t=y: the domain is testing DKIM (RFC 6376 §3.6.1)
	Strict   bool     // t=s: i= must not be a subdomain of d=
	Revoked  bool     // p= present but empty (RFC 6376 §3.6.1)
	Bits     int      // RSA modulus size, 256 for ed25519, 0 when revoked
	// PublicKey is *rsa.PublicKey or ed25519.PublicKey; nil when revoked.
	PublicKey any
	Raw       string // the record as read
}

// ParseKey parses a DKIM key TXT record (RFC 6376 §3.6.1). A revoked key
// (empty p=) parses without error and has Revoked set. Errors are
// *KeyError wrapping ErrKeySyntax or ErrKeyUnsupported.
func ParseKey(txt string) (*Key, error) {
	tags, err := ParseTagList(txt)
	if err != nil {
		return nil, &KeyError{Err: ErrKeySyntax, Msg: err.Error()}
	}
	k := &Key{Type: KeyRSA, Raw: txt}
	var p *string
	for i, t := range tags {
		switch t.Name {
		case "v":
			// RFC 6376 §3.6.1: if present, v= MUST be the first tag and be "DKIM1".
			if i != 0 {
				return nil, &KeyError{Tag: "v", Err: ErrKeySyntax, Msg: "v= must be the first tag"}
			}
			if t.Value != "DKIM1" {
				return nil, &KeyError{Tag: "v", Err: ErrKeySyntax, Msg: fmt.Sprintf("version %q, want DKIM1", t.Value)}
			}
			k.Version = t.Value
		case "k":
			k.Type = KeyType(t.Value)
		case "h":
			k.Hashes = syntax.SplitColonList(t.Value)
		case "s":
			k.Services = syntax.SplitColonList(t.Value)
		case "n":
			k.Notes = t.Value
		case "t":
			for _, f := range syntax.SplitColonList(t.Value) {
				switch f {
				case "y":
					k.Testing = true
				case "s":
					k.Strict = true
				}
				// Unknown flags MUST be ignored (RFC 6376 §3.6.1).
			}
		case "p":
			v := syntax.StripFWS(t.Value)
			p = &v
		}
		// Unknown tags MUST be ignored (RFC 6376 §3.2).
	}
	if p == nil {
		return nil, &KeyError{Tag: "p", Err: ErrKeySyntax, Msg: "missing p= tag"}
	}
	if k.Type != KeyRSA && k.Type != KeyEd25519 {
		return nil, &KeyError{Tag: "k", Err: ErrKeyUnsupported, Msg: fmt.Sprintf("key type %q", k.Type)}
	}
	if *p == "" {
		k.Revoked = true
		return k, nil
	}
	der, err := base64.StdEncoding.DecodeString(*p)
	if err != nil {
		return nil, &KeyError{Tag: "p", Err: ErrKeySyntax, Msg: "p= is not base64: " + err.Error()}
	}
	switch k.Type {
	case KeyEd25519:
		// RFC 8463 §4: the raw 32-byte public key, not a SubjectPublicKeyInfo.
		if len(der) != ed25519.PublicKeySize {
			return nil, &KeyError{Tag: "p", Err: ErrKeySyntax, Msg: fmt.Sprintf("ed25519 key is %d bytes, want %d", len(der), ed25519.PublicKeySize)}
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
				return nil, &KeyError{Tag: "p", Err: ErrKeySyntax, Msg: fmt.Sprintf("k=rsa but p= holds a %T", key)}
			}
			pub = rk
		} else if rk, err2 := x509.ParsePKCS1PublicKey(der); err2 == nil {
			pub = rk
		} else {
			return nil, &KeyError{Tag: "p", Err: ErrKeySyntax, Msg: "p= is not an RSA public key: " + err.Error()}
		}
		k.PublicKey = pub
		k.Bits = pub.N.BitLen()
	}
	return k, nil
}

// AllowsHash reports whether the key's h= tag admits hash h ("sha256").
func (k *Key) AllowsHash(h string) bool {
	return len(k.Hashes) == 0 || tagContainsFold(k.Hashes, h)
}

// allowsEmail reports whether the key's s= tag admits email (RFC 6376 §3.6.1).
func (k *Key) allowsEmail() bool {
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
func (k *Key) LogValue() slog.Value {
	return slog.GroupValue(slog.String("type", string(k.Type)), slog.Int("bits", k.Bits),
		slog.Bool("revoked", k.Revoked), slog.Bool("testing", k.Testing))
}

// KeyName returns the DNS name of a key record: selector._domainkey.domain
// (RFC 6376 §3.6.2.1).
func KeyName(selector, domain string) string {
	return selector + "._domainkey." + strings.TrimSuffix(domain, ".")
}

// LookupKey fetches and parses the key for selector at domain through r
// (which follows CNAMEs, as delegated selectors need). A name with no key
// gives a *KeyError wrapping ErrKeyMissing; a DNS failure other than
// NXDOMAIN/NODATA is returned as the resolver's *resolve.Error so callers can tell
// a temperror from a missing key. When several TXT records are served the
// first that parses is used (RFC 6376 §6.1.2 leaves the choice to verifiers).
func LookupKey(ctx context.Context, r resolve.Resolver, selector, domain string) (*Key, error) {
	name := KeyName(selector, domain)
	txts, err := r.LookupTXT(ctx, name)
	if err != nil {
		// A CNAME loop or a bad name is permanent: no key can be had there.
		if resolve.IsNotFound(err) || errors.Is(err, resolve.ErrCNAMELoop) || errors.Is(err, resolve.ErrBadName) {
			return nil, &KeyError{Name: name, Err: ErrKeyMissing, Msg: err.Error()}
		}
		return nil, err
	}
	if len(txts) == 0 {
		return nil, &KeyError{Name: name, Err: ErrKeyMissing}
	}
	var firstErr error
	for _, t := range txts {
		k, err := ParseKey(t)
		if err == nil {
			return k, nil
		}
		if firstErr == nil {
			var ke *KeyError
			if errors.As(err, &ke) {
				ke.Name = name
			}
			firstErr = err
		}
	}
	return nil, firstErr
}

// KeyStatus summarises a key check; the values are stable tokens.
type KeyStatus string

const (
	KeyOK        KeyStatus = "ok"        // a usable key
	KeyMissing   KeyStatus = "missing"   // no record at the selector (RFC 6376 §6.1.2)
	KeyRevoked   KeyStatus = "revoked"   // empty p= (RFC 6376 §3.6.1)
	KeyInvalid   KeyStatus = "invalid"   // the record does not parse
	KeyTempError KeyStatus = "temperror" // DNS failure: unknown, not missing
)

// KeyCheck is the result of CheckKey.
type KeyCheck struct {
	Selector string    `json:"selector"`
	Domain   string    `json:"domain"`
	Name     string    `json:"name"`
	Status   KeyStatus `json:"status"`
	Key      *Key      `json:"-"`
	Err      error     `json:"-"`
}

// CheckKey looks up and judges the key published for selector at domain.
func CheckKey(ctx context.Context, r resolve.Resolver, selector, domain string) KeyCheck {
	c := KeyCheck{Selector: selector, Domain: domain, Name: KeyName(selector, domain)}
	c.Key, c.Err = LookupKey(ctx, r, selector, domain)
	switch {
	case c.Err == nil && c.Key.Revoked:
		c.Status = KeyRevoked
	case c.Err == nil:
		c.Status = KeyOK
	case errors.Is(c.Err, ErrKeyMissing):
		c.Status = KeyMissing
	case errors.Is(c.Err, ErrKeySyntax), errors.Is(c.Err, ErrKeyUnsupported):
		c.Status = KeyInvalid
	default:
		c.Status = KeyTempError
	}
	return c
}
