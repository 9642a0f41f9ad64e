// DKIM-Signature header field parsing (RFC 6376 §3.5).

package authcheck

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// DKIMCanon is a canonicalisation algorithm (RFC 6376 §3.4); the values are
// the wire tokens.
type DKIMCanon string

const (
	DKIMCanonSimple  DKIMCanon = "simple"  // RFC 6376 §3.4.1, §3.4.3
	DKIMCanonRelaxed DKIMCanon = "relaxed" // RFC 6376 §3.4.2, §3.4.4
)

// MaxDKIMSignedHeaders bounds the h= list; real signatures name a few dozen
// fields at most.
const MaxDKIMSignedHeaders = 256

// ErrDKIMSignatureSyntax is wrapped by every *DKIMSignatureError.
var ErrDKIMSignatureSyntax = errors.New("malformed DKIM-Signature")

// DKIMSignatureError is a DKIM-Signature header that cannot be used.
type DKIMSignatureError struct {
	Tag string // the tag at fault, empty for the tag-list itself
	Msg string
}

func (e *DKIMSignatureError) Error() string {
	if e.Tag == "" {
		return "dkim signature: " + e.Msg
	}
	return "dkim signature tag " + e.Tag + ": " + e.Msg
}

func (e *DKIMSignatureError) Unwrap() error { return ErrDKIMSignatureSyntax }

// DKIMSignature is a parsed DKIM-Signature header field value.
type DKIMSignature struct {
	Version    string      // v=, always "1"
	Algorithm  string      // a=, e.g. "rsa-sha256"
	KeyType    DKIMKeyType // from a=
	Hash       string      // from a=: "sha256" or "sha1"
	Signature  []byte      // b=, decoded
	BodyHash   []byte      // bh=, decoded
	HeaderCan  DKIMCanon   // c= header part, simple by default
	BodyCan    DKIMCanon   // c= body part, simple by default
	Domain     string      // d=, the SDID
	Headers    []string    // h=, the signed header field names
	Identity   string      // i=, the AUID; "@" + d= when absent
	BodyLength int64       // l=, -1 when absent
	Selector   string      // s=
	Timestamp  time.Time   // t=, zero when absent
	Expiration time.Time   // x=, zero when absent
	Raw        string      // the header field value as read
}

// ParseDKIMSignature parses the value of a DKIM-Signature header field
// (without the "DKIM-Signature:" name). Errors are *DKIMSignatureError
// wrapping ErrDKIMSignatureSyntax (RFC 6376 §6.1.1 PERMFAIL cases).
func ParseDKIMSignature(value string) (*DKIMSignature, error) {
	tags, err := parseTagList(value)
	if err != nil {
		return nil, &DKIMSignatureError{Msg: err.Error()}
	}
	s := &DKIMSignature{BodyLength: -1, HeaderCan: DKIMCanonSimple, BodyCan: DKIMCanonSimple, Raw: value}
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
				return nil, &DKIMSignatureError{Tag: "a", Msg: fmt.Sprintf("algorithm %q is not key-hash", v)}
			}
			s.KeyType, s.Hash = DKIMKeyType(kt), h
		case "b":
			b, err := base64.StdEncoding.DecodeString(stripFWS(v))
			if err != nil {
				return nil, &DKIMSignatureError{Tag: "b", Msg: "not base64: " + err.Error()}
			}
			s.Signature = b
		case "bh":
			b, err := base64.StdEncoding.DecodeString(stripFWS(v))
			if err != nil {
				return nil, &DKIMSignatureError{Tag: "bh", Msg: "not base64: " + err.Error()}
			}
			s.BodyHash = b
		case "c":
			h, b, _ := strings.Cut(strings.ToLower(v), "/")
			s.HeaderCan = DKIMCanon(h)
			if b != "" {
				s.BodyCan = DKIMCanon(b)
			}
			for _, c := range []DKIMCanon{s.HeaderCan, s.BodyCan} {
				if c != DKIMCanonSimple && c != DKIMCanonRelaxed {
					return nil, &DKIMSignatureError{Tag: "c", Msg: fmt.Sprintf("unknown canonicalisation %q", c)}
				}
			}
		case "d":
			s.Domain = strings.ToLower(strings.TrimSuffix(v, "."))
		case "h":
			for h := range strings.SplitSeq(v, ":") {
				if h = stripFWS(h); h != "" {
					s.Headers = append(s.Headers, h)
				}
			}
			if len(s.Headers) > MaxDKIMSignedHeaders {
				return nil, &DKIMSignatureError{Tag: "h", Msg: fmt.Sprintf("%d signed header fields, more than %d", len(s.Headers), MaxDKIMSignedHeaders)}
			}
		case "i":
			s.Identity = v
		case "l":
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 0 {
				return nil, &DKIMSignatureError{Tag: "l", Msg: fmt.Sprintf("body length %q is not a non-negative number", v)}
			}
			s.BodyLength = n
		case "q":
			// Only dns/txt is defined (RFC 6376 §3.5); anything else cannot be fetched.
			ok := false
			for _, m := range strings.Split(v, ":") {
				if strings.EqualFold(stripFWS(m), "dns/txt") {
					ok = true
				}
			}
			if !ok {
				return nil, &DKIMSignatureError{Tag: "q", Msg: fmt.Sprintf("no supported query method in %q", v)}
			}
		case "s":
			s.Selector = v
		case "t", "x":
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 0 {
				return nil, &DKIMSignatureError{Tag: t.Name, Msg: fmt.Sprintf("time %q is not a number of seconds", v)}
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
			return nil, &DKIMSignatureError{Tag: req, Msg: "required tag missing"}
		}
	}
	if s.Version != "1" {
		return nil, &DKIMSignatureError{Tag: "v", Msg: fmt.Sprintf("version %q, want 1", s.Version)}
	}
	if s.Domain == "" || s.Selector == "" {
		return nil, &DKIMSignatureError{Tag: "d", Msg: "empty d= or s="}
	}
	// RFC 6376 §5.4: the From header field MUST be signed.
	if !tagContainsFold(s.Headers, "from") {
		return nil, &DKIMSignatureError{Tag: "h", Msg: "From is not among the signed header fields"}
	}
	if s.Identity == "" {
		s.Identity = "@" + s.Domain
	} else {
		// RFC 6376 §3.5 i=: the domain MUST be the same as or a subdomain of d=.
		at := strings.LastIndexByte(s.Identity, '@')
		if at < 0 {
			return nil, &DKIMSignatureError{Tag: "i", Msg: fmt.Sprintf("identity %q has no @", s.Identity)}
		}
		if !isSubdomainOrSame(s.Identity[at+1:], s.Domain) {
			return nil, &DKIMSignatureError{Tag: "i", Msg: fmt.Sprintf("identity %q is not within d=%s", s.Identity, s.Domain)}
		}
	}
	if !s.Timestamp.IsZero() && !s.Expiration.IsZero() && s.Expiration.Before(s.Timestamp) {
		return nil, &DKIMSignatureError{Tag: "x", Msg: "expiration before timestamp"}
	}
	return s, nil
}
