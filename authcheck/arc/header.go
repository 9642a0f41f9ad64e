// Parsing of the three ARC header fields (RFC 8617 §4.1): their tag-lists,
// the instance tag and the fields each must and must not carry.

package arc

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/bouncekit/bouncekit/authcheck/dkim"
)

// Field names of the ARC header fields (RFC 8617 §4.1).
const (
	FieldSeal             = "ARC-Seal"
	FieldMessageSignature = "ARC-Message-Signature"
	FieldAuthResults      = "ARC-Authentication-Results"
)

// MaxInstance is the highest instance number allowed: RFC 8617 §4.2.1 says
// "The maximum value of i= is 50"; a chain with more sets fails.
const MaxInstance = 50

// ErrSyntax is wrapped by every *HeaderError: an ARC header field that does
// not follow RFC 8617 §4.1.
var ErrSyntax = errors.New("malformed ARC header field")

// HeaderError is an ARC header field that does not parse.
type HeaderError struct {
	Field  string // FieldSeal, FieldMessageSignature or FieldAuthResults
	Tag    string // the tag at fault, "" for the field as a whole
	Reason string
}

func (e *HeaderError) Error() string {
	if e.Tag == "" {
		return e.Field + ": " + e.Reason
	}
	return e.Field + " tag " + e.Tag + "=: " + e.Reason
}

// Unwrap returns ErrSyntax.
func (e *HeaderError) Unwrap() error { return ErrSyntax }

// Result is a chain validation status; the values are the cv= tokens of
// RFC 8617 §4.1.3 and the arc= result tokens of §8.2.
type Result string

// Chain validation statuses.
const (
	None Result = "none" // RFC 8617 §4.1.3: no ARC Sets (or, in an AS, the first hop)
	Pass Result = "pass" // §4.1.3: every set validated
	Fail Result = "fail" // §4.1.3: the chain is broken; the failing instance says where
)

// ParseResult reads a cv= token. The tokens are case-sensitive (RFC 8617
// §4.1.3 lists them in lower case; the ValiMail suite's as_format_tags_val_case
// refuses "Pass").
func ParseResult(s string) (Result, error) {
	switch r := Result(s); r {
	case None, Pass, Fail:
		return r, nil
	}
	return "", fmt.Errorf("arc: cv %q is not none, pass or fail", s)
}

// String returns the token.
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

// Seal is a parsed ARC-Seal (RFC 8617 §4.1.3).
type Seal struct {
	Instance  int
	Algorithm string       // a=: rsa-sha256 or ed25519-sha256
	KeyType   dkim.KeyType // from a=
	Hash      string       // from a=: sha256
	Signature []byte       // b=, decoded
	CV        Result       // cv=
	Domain    string       // d=
	Selector  string       // s=
	Timestamp time.Time    // t=, zero when absent
}

// MessageSignature is a parsed ARC-Message-Signature (RFC 8617 §4.1.2): a
// DKIM-Signature without v= whose i= is the instance.
type MessageSignature struct {
	Instance   int
	Algorithm  string
	KeyType    dkim.KeyType
	Hash       string
	Signature  []byte     // b=, decoded
	BodyHash   []byte     // bh=, decoded
	HeaderCan  dkim.Canon // c= header part; relaxed when c= is absent (see ParseMessageSignature)
	BodyCan    dkim.Canon // c= body part; relaxed when c= is absent
	Domain     string
	Selector   string
	Headers    []string // h=, as written
	BodyLength int64    // l=, -1 when absent
	Timestamp  time.Time
	Expiration time.Time // x=, zero when absent
}

// AuthResults is a parsed ARC-Authentication-Results (RFC 8617 §4.1.1):
// "i=" instance ";" and an Authentication-Results payload (RFC 8601).
type AuthResults struct {
	Instance   int
	AuthServID string // the authserv-id the payload starts with
	Payload    string // everything after "i=N;", trimmed, as written
}

func herr(field, tag, format string, a ...any) *HeaderError {
	return &HeaderError{Field: field, Tag: tag, Reason: fmt.Sprintf(format, a...)}
}

// parseInstance reads an i= value: 1*2DIGIT in 1..MaxInstance (RFC 8617
// §4.2.1).
func parseInstance(field, v string) (int, error) {
	if v == "" {
		return 0, herr(field, "i", "empty")
	}
	if len(v) > 2 {
		return 0, herr(field, "i", "%q is not an instance of 1 to %d", v, MaxInstance)
	}
	for i := 0; i < len(v); i++ {
		if v[i] < '0' || v[i] > '9' {
			return 0, herr(field, "i", "%q is not a number", v)
		}
	}
	n, _ := strconv.Atoi(v)
	if n < 1 || n > MaxInstance {
		return 0, herr(field, "i", "%d is outside 1 to %d (RFC 8617 §4.2.1)", n, MaxInstance)
	}
	return n, nil
}

// parseAlgorithm reads a=: rsa-sha256 (RFC 8617 §4.1.2 inherits RFC 6376's
// algorithms; rsa-sha1 is refused, RFC 8301 §3.1) or ed25519-sha256 (RFC
// 8463 §3).
func parseAlgorithm(field, v string) (string, dkim.KeyType, string, error) {
	switch v {
	case "rsa-sha256":
		return v, dkim.KeyRSA, "sha256", nil
	case "ed25519-sha256":
		return v, dkim.KeyEd25519, "sha256", nil
	case "":
		return "", "", "", herr(field, "a", "empty")
	}
	return "", "", "", herr(field, "a", "algorithm %q not accepted (rsa-sha256 or ed25519-sha256; RFC 8301 §3.1 refuses rsa-sha1)", v)
}

func parseBase64(field, tag, v string) ([]byte, error) {
	v = stripWSP(v)
	if v == "" {
		return nil, herr(field, tag, "empty")
	}
	b, err := base64.StdEncoding.DecodeString(v)
	if err != nil {
		return nil, herr(field, tag, "not base64: %v", err)
	}
	return b, nil
}

func parseTime(field, tag, v string) (time.Time, error) {
	if v == "" || len(v) > 12 {
		return time.Time{}, herr(field, tag, "%q is not a timestamp", v)
	}
	for i := 0; i < len(v); i++ {
		if v[i] < '0' || v[i] > '9' {
			return time.Time{}, herr(field, tag, "%q is not a timestamp", v)
		}
	}
	n, _ := strconv.ParseInt(v, 10, 64)
	return time.Unix(n, 0).UTC(), nil
}

// validDomain accepts a d= value: dot-separated labels of letters, digits
// and hyphens (RFC 6376 §3.5 domain-name), no empty label.
func validDomain(d string) bool {
	if d == "" || len(d) > 253 {
		return false
	}
	for _, l := range strings.Split(strings.TrimSuffix(d, "."), ".") {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for i := 0; i < len(l); i++ {
			c := l[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	return true
}

func stripWSP(s string) string {
	if !strings.ContainsAny(s, " \t\r\n") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ' ', '\t', '\r', '\n':
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

func tagList(field, value string) ([]dkim.Tag, error) {
	tags, err := dkim.ParseTagList(value)
	if err != nil {
		return nil, &HeaderError{Field: field, Reason: err.Error()}
	}
	return tags, nil
}

// ParseSeal parses the value of an ARC-Seal header field (without the
// name). Required tags: i, a, b, cv, d, s (RFC 8617 §4.1.3); t is optional;
// h= is forbidden ("the ARC-Seal MUST NOT contain an h= tag", §4.1.3).
// Unknown tags are ignored (RFC 6376 §3.2). Errors are *HeaderError.
func ParseSeal(value string) (*Seal, error) {
	const f = FieldSeal
	tags, err := tagList(f, value)
	if err != nil {
		return nil, err
	}
	s := &Seal{}
	seen := 0
	const (
		hasI = 1 << iota
		hasA
		hasB
		hasCV
		hasD
		hasS
	)
	for _, t := range tags {
		v := t.Value
		switch t.Name {
		case "i":
			if s.Instance, err = parseInstance(f, v); err != nil {
				return nil, err
			}
			seen |= hasI
		case "a":
			if s.Algorithm, s.KeyType, s.Hash, err = parseAlgorithm(f, v); err != nil {
				return nil, err
			}
			seen |= hasA
		case "b":
			if s.Signature, err = parseBase64(f, "b", v); err != nil {
				return nil, err
			}
			seen |= hasB
		case "cv":
			if s.CV, err = ParseResult(v); err != nil {
				return nil, herr(f, "cv", "%q is not none, pass or fail", v)
			}
			seen |= hasCV
		case "d":
			if !validDomain(v) {
				return nil, herr(f, "d", "%q is not a domain name", v)
			}
			s.Domain = strings.ToLower(v)
			seen |= hasD
		case "s":
			if v == "" {
				return nil, herr(f, "s", "empty")
			}
			s.Selector = v
			seen |= hasS
		case "t":
			if s.Timestamp, err = parseTime(f, "t", v); err != nil {
				return nil, err
			}
		case "h":
			return nil, herr(f, "h", "an ARC-Seal must not carry h= (RFC 8617 §4.1.3)")
		}
	}
	for _, m := range []struct {
		bit int
		tag string
	}{{hasI, "i"}, {hasA, "a"}, {hasB, "b"}, {hasCV, "cv"}, {hasD, "d"}, {hasS, "s"}} {
		if seen&m.bit == 0 {
			return nil, herr(f, m.tag, "missing (required by RFC 8617 §4.1.3)")
		}
	}
	return s, nil
}

// ParseMessageSignature parses the value of an ARC-Message-Signature
// header field. Required tags: i, a, b, bh, d, h, s (RFC 8617 §4.1.2 and
// RFC 6376 §3.5 without v=); c, l, t, x are optional. h= may be empty (the
// suite's ams_fields_h_empty) but must not name ARC-Seal (RFC 8617 §4.1.2:
// ARC-Seal fields are not signed by the AMS). Errors are *HeaderError.
//
// An AMS without c= is read as relaxed/relaxed, not as DKIM's simple/simple
// default (RFC 6376 §3.5): the ARC-Seal is always relaxed (RFC 8617
// §5.1.1), and the interoperability suite (case ams_fields_c_na) expects a
// c=-less AMS to validate that way. c=relaxed alone means relaxed/simple, as
// in DKIM.
func ParseMessageSignature(value string) (*MessageSignature, error) {
	const f = FieldMessageSignature
	tags, err := tagList(f, value)
	if err != nil {
		return nil, err
	}
	s := &MessageSignature{HeaderCan: dkim.CanonRelaxed, BodyCan: dkim.CanonRelaxed, BodyLength: -1}
	seen := map[string]bool{}
	for _, t := range tags {
		v := t.Value
		seen[t.Name] = true
		switch t.Name {
		case "i":
			if s.Instance, err = parseInstance(f, v); err != nil {
				return nil, err
			}
		case "a":
			if s.Algorithm, s.KeyType, s.Hash, err = parseAlgorithm(f, v); err != nil {
				return nil, err
			}
		case "b":
			if s.Signature, err = parseBase64(f, "b", v); err != nil {
				return nil, err
			}
		case "bh":
			if s.BodyHash, err = parseBase64(f, "bh", v); err != nil {
				return nil, err
			}
		case "c":
			hc, bc, ok := strings.Cut(v, "/")
			if !ok {
				bc = string(dkim.CanonSimple)
			}
			for _, c := range []string{hc, bc} {
				if c != string(dkim.CanonSimple) && c != string(dkim.CanonRelaxed) {
					return nil, herr(f, "c", "%q is not simple or relaxed (RFC 6376 §3.5)", v)
				}
			}
			s.HeaderCan, s.BodyCan = dkim.Canon(hc), dkim.Canon(bc)
		case "d":
			if !validDomain(v) {
				return nil, herr(f, "d", "%q is not a domain name", v)
			}
			s.Domain = strings.ToLower(v)
		case "s":
			if v == "" {
				return nil, herr(f, "s", "empty")
			}
			s.Selector = v
		case "h":
			for _, name := range strings.Split(v, ":") {
				name = strings.TrimSpace(stripWSP(name))
				if name == "" {
					continue
				}
				if strings.EqualFold(name, FieldSeal) {
					return nil, herr(f, "h", "signs ARC-Seal, which the AMS must not cover (RFC 8617 §4.1.2)")
				}
				if len(s.Headers) == dkim.MaxSignedHeaders {
					return nil, herr(f, "h", "more than %d names", dkim.MaxSignedHeaders)
				}
				s.Headers = append(s.Headers, name)
			}
		case "l":
			if v == "" || len(v) > 18 || strings.Trim(v, "0123456789") != "" {
				return nil, herr(f, "l", "%q is not a length", v)
			}
			s.BodyLength, _ = strconv.ParseInt(v, 10, 64)
		case "t":
			if s.Timestamp, err = parseTime(f, "t", v); err != nil {
				return nil, err
			}
		case "x":
			if s.Expiration, err = parseTime(f, "x", v); err != nil {
				return nil, err
			}
		}
	}
	for _, tag := range []string{"i", "a", "b", "bh", "d", "h", "s"} {
		if !seen[tag] {
			return nil, herr(f, tag, "missing (required by RFC 8617 §4.1.2)")
		}
	}
	return s, nil
}

// ParseAuthResults parses the value of an ARC-Authentication-Results
// header field: "i=" instance ";" then an authserv-id and results (RFC 8617
// §4.1.1). The i= tag must come first and be followed by ";". Only the
// authserv-id of the payload is read; the results are kept as written.
func ParseAuthResults(value string) (*AuthResults, error) {
	const f = FieldAuthResults
	v := strings.TrimLeft(value, " \t\r\n")
	if !strings.HasPrefix(v, "i") {
		return nil, herr(f, "i", "the value must start with i= (RFC 8617 §4.1.1)")
	}
	rest := strings.TrimLeft(v[1:], " \t\r\n")
	if !strings.HasPrefix(rest, "=") {
		return nil, herr(f, "i", "the value must start with i= (RFC 8617 §4.1.1)")
	}
	rest = rest[1:]
	semi := strings.IndexByte(rest, ';')
	if semi < 0 {
		return nil, herr(f, "i", "no ';' after the instance (RFC 8617 §4.1.1)")
	}
	n, err := parseInstance(f, strings.Trim(rest[:semi], " \t\r\n"))
	if err != nil {
		return nil, err
	}
	payload := strings.Trim(rest[semi+1:], " \t\r\n")
	id := payload
	if i := strings.IndexAny(id, "; \t\r\n("); i >= 0 {
		id = id[:i]
	}
	if id == "" {
		return nil, herr(f, "", "no authserv-id after the instance (RFC 8601 §2.2)")
	}
	return &AuthResults{Instance: n, AuthServID: id, Payload: payload}, nil
}
