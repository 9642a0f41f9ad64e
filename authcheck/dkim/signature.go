// DKIM-Signature header field parsing (RFC 6376 §3.5).

package dkim

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/bouncekit/bouncekit/authcheck/internal/syntax"
)

// Canon is a canonicalisation algorithm (RFC 6376 §3.4); the values are
// the wire tokens.
type Canon string

const (
	CanonSimple  Canon = "simple"  // RFC 6376 §3.4.1, §3.4.3
	CanonRelaxed Canon = "relaxed" // RFC 6376 §3.4.2, §3.4.4
)

// MaxSignedHeaders bounds the h= list; real signatures name a few dozen
// fields at most.
const MaxSignedHeaders = 256

// ErrSignatureSyntax is wrapped by every *SignatureError.
var ErrSignatureSyntax = errors.New("malformed DKIM-Signature")

// SignatureError is a DKIM-Signature header that cannot be used.
type SignatureError struct {
	Tag string // the tag at fault, empty for the tag-list itself
	Msg string
}

func (e *SignatureError) Error() string {
	if e.Tag == "" {
		return "dkim signature: " + e.Msg
	}
	return "dkim signature tag " + e.Tag + ": " + e.Msg
}

func (e *SignatureError) Unwrap() error { return ErrSignatureSyntax }

// Signature is a parsed DKIM-Signature header field value.
type Signature struct {
	Version    string    // v=, always "1"
	Algorithm  string    // a=, e.g. "rsa-sha256"
	KeyType    KeyType   // from a=
	Hash       string    // from a=: "sha256" or "sha1"
	Signature  []byte    // b=, decoded
	BodyHash   []byte    // bh=, decoded
	HeaderCan  Canon     // c= header part, simple by default
	BodyCan    Canon     // c= body part, simple by default
	Domain     string    // d=, the SDID
	Headers    []string  // h=, the signed header field names
	Identity   string    // i=, the AUID; "@" + d= when absent
	BodyLength int64     // l=, -1 when absent
	Selector   string    // s=
	Timestamp  time.Time // t=, zero when absent
	Expiration time.Time // x=, zero when absent
	Raw        string    // the header field value as read
}

// ParseSignature parses the value of a DKIM-Signature header field
// (without the "DKIM-Signature:" name). Errors are *SignatureError
// wrapping ErrSignatureSyntax (RFC 6376 §6.1.1 PERMFAIL cases).
func ParseSignature(value string) (*Signature, error) {
	tags, err := ParseTagList(value)
	if err != nil {
		return nil, &SignatureError{Msg: err.Error()}
	}
	s := &Signature{BodyLength: -1, HeaderCan: CanonSimple, BodyCan: CanonSimple, Raw: value}
	seen := map[string]bool{}
	for _, t := range tags {
		seen[t.Name] = true
		v := t.Value
		switch t.Name {
		case "v":
			s.Version = v
		case "a":
			s.Algorithm = strings.ToLower(v)
			kt, h, ok := strings.Cut(s.Algorithm, "-")
			if !ok {
				return nil, &SignatureError{Tag: "a", Msg: fmt.Sprintf("algorithm %q is not key-hash", v)}
			}
			s.KeyType, s.Hash = KeyType(kt), h
		case "b":
			b, err := base64.StdEncoding.DecodeString(syntax.StripFWS(v))
			if err != nil {
				return nil, &SignatureError{Tag: "b", Msg: "not base64: " + err.Error()}
			}
			s.Signature = b
		case "bh":
			b, err := base64.StdEncoding.DecodeString(syntax.StripFWS(v))
			if err != nil {
				return nil, &SignatureError{Tag: "bh", Msg: "not base64: " + err.Error()}
			}
			s.BodyHash = b
		case "c":
			h, b, _ := strings.Cut(strings.ToLower(v), "/")
			s.HeaderCan = Canon(h)
			if b != "" {
				s.BodyCan = Canon(b)
			}
			for _, c := range []Canon{s.HeaderCan, s.BodyCan} {
				if c != CanonSimple && c != CanonRelaxed {
					return nil, &SignatureError{Tag: "c", Msg: fmt.Sprintf("unknown canonicalisation %q", c)}
				}
			}
		case "d":
			s.Domain = strings.ToLower(strings.TrimSuffix(v, "."))
		case "h":
			for h := range strings.SplitSeq(v, ":") {
				if h = syntax.StripFWS(h); h != "" {
					s.Headers = append(s.Headers, h)
				}
			}
			if len(s.Headers) > MaxSignedHeaders {
				return nil, &SignatureError{Tag: "h", Msg: fmt.Sprintf("%d signed header fields, more than %d", len(s.Headers), MaxSignedHeaders)}
			}
		case "i":
			s.Identity = v
		case "l":
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 0 {
				return nil, &SignatureError{Tag: "l", Msg: fmt.Sprintf("body length %q is not a non-negative number", v)}
			}
			s.BodyLength = n
		case "q":
			// Only dns/txt is defined (RFC 6376 §3.5); anything else cannot be fetched.
			ok := false
			for _, m := range strings.Split(v, ":") {
				if strings.EqualFold(syntax.StripFWS(m), "dns/txt") {
					ok = true
				}
			}
			if !ok {
				return nil, &SignatureError{Tag: "q", Msg: fmt.Sprintf("no supported query method in %q", v)}
			}
		case "s":
			s.Selector = v
		case "t", "x":
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 0 {
				return nil, &SignatureError{Tag: t.Name, Msg: fmt.Sprintf("time %q is not a number of seconds", v)}
			}
			if t.Name == "t" {
				s.Timestamp = time.Unix(n, 0).UTC()
			} else {
				s.Expiration = time.Unix(n, 0).UTC()
			}
		}
	}
	// RFC 6376 §6.1.1: a signature missing a required tag MUST be ignored.
	for _, req := range []string{"v", "a", "b", "bh", "d", "h", "s"} {
		if !seen[req] {
			return nil, &SignatureError{Tag: req, Msg: "required tag missing"}
		}
	}
	if s.Version != "1" {
		return nil, &SignatureError{Tag: "v", Msg: fmt.Sprintf("version %q, want 1", s.Version)}
	}
	if s.Domain == "" || s.Selector == "" {
		return nil, &SignatureError{Tag: "d", Msg: "empty d= or s="}
	}
	// RFC 6376 §5.4: the From header field MUST be signed.
	if !tagContainsFold(s.Headers, "from") {
		return nil, &SignatureError{Tag: "h", Msg: "From is not among the signed header fields"}
	}
	if s.Identity == "" {
		s.Identity = "@" + s.Domain
	} else {
		// RFC 6376 §3.5 i=: the domain MUST be the same as or a subdomain of d=.
		at := strings.LastIndexByte(s.Identity, '@')
		if at < 0 {
			return nil, &SignatureError{Tag: "i", Msg: fmt.Sprintf("identity %q has no @", s.Identity)}
		}
		if !syntax.IsSubdomainOrSame(s.Identity[at+1:], s.Domain) {
			return nil, &SignatureError{Tag: "i", Msg: fmt.Sprintf("identity %q is not within d=%s", s.Identity, s.Domain)}
		}
	}
	if !s.Timestamp.IsZero() && !s.Expiration.IsZero() && s.Expiration.Before(s.Timestamp) {
		return nil, &SignatureError{Tag: "x", Msg: "expiration before timestamp"}
	}
	return s, nil
}
