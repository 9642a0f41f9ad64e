// Sealing (RFC 8617 §5.1): adding an ARC Set (AAR, AMS, AS) to a message,
// for tests of validators and for users who forward mail.

package arc

import (
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/bouncekit/bouncekit/authcheck/dkim"
)

// DefaultSignedHeaders is the h= of an AMS when Sealer.Headers is empty:
// the fields a forwarder should not change (RFC 6376 §5.4.1's list, with
// the List-Unsubscribe pair of RFC 8058 §4 and Feedback-ID).
var DefaultSignedHeaders = []string{
	"from", "to", "cc", "subject", "date", "message-id", "reply-to", "mime-version",
	"content-type", "content-transfer-encoding", "list-unsubscribe", "list-unsubscribe-post",
	"feedback-id", "dkim-signature", "arc-authentication-results",
}

// ErrChainFull is returned by Seal when the message already has MaxInstance
// sets (RFC 8617 §4.2.1).
var ErrChainFull = errors.New("arc: the chain already has the maximum number of sets")

// Sealer adds ARC Sets. Domain, Selector and Key are required; the zero
// value of the rest works. It is safe for concurrent use.
type Sealer struct {
	Domain, Selector string
	// Key is an *rsa.PrivateKey (rsa-sha256) or ed25519.PrivateKey
	// (ed25519-sha256, RFC 8463).
	Key crypto.Signer
	// Headers is the AMS h=; DefaultSignedHeaders when empty.
	Headers []string
	// AuthServID names this ADMD in the AAR (RFC 8601 §2.5); its
	// Authentication-Results fields are copied into the AAR when Seal is
	// given no results.
	AuthServID string
	// Time is the t= of the new set; time.Now when zero.
	Time time.Time
}

// Seal returns msg (LF or CRLF line endings) with CRLF line endings and a
// new ARC Set on top: ARC-Seal, ARC-Message-Signature and
// ARC-Authentication-Results, instance one above the highest present.
//
// cv is the chain validation status this hop computed (Validate):
// RFC 8617 §5.1.1 wants none on the first set and pass or fail above; a
// set after a failed chain is sealed with cv=fail. results is the AAR
// payload after the authserv-id ("spf=pass smtp.mailfrom=...; dkim=pass
// ..."); when empty, the results of the message's Authentication-Results
// fields for AuthServID are consolidated in order, one after the other (the
// suite README's convention), or "none" if there are none. A chain whose
// newest seal says cv=fail gets no further set: the error wraps
// ErrSealedFail.
func (s *Sealer) Seal(msg []byte, cv Result, results string) ([]byte, error) {
	if s.Domain == "" || s.Selector == "" || s.Key == nil {
		return nil, errors.New("arc: Sealer needs Domain, Selector and Key")
	}
	if !validDomain(s.Domain) {
		return nil, fmt.Errorf("arc: Sealer domain %q is not a domain name", s.Domain)
	}
	alg := "rsa-sha256"
	switch s.Key.(type) {
	case *rsa.PrivateKey:
	case ed25519.PrivateKey:
		alg = "ed25519-sha256"
	default:
		return nil, fmt.Errorf("arc: cannot seal with a %T", s.Key)
	}
	m := dkim.SplitMessage(msg)
	inst := highestInstance(m) + 1
	if sealedFail(m, inst-1) {
		// RFC 8617 §5.1.2: once a chain is sealed cv=fail no set may be
		// added (the signing suite's no_additional_sig).
		return nil, fmt.Errorf("arc: not sealing: %w", ErrSealedFail)
	}
	if inst > MaxInstance {
		return nil, ErrChainFull
	}
	if _, err := ParseResult(string(cv)); err != nil {
		return nil, err
	}
	if inst == 1 && cv != None {
		return nil, fmt.Errorf("arc: the first set must say cv=none (RFC 8617 §5.1.1), not %s", cv)
	}
	if inst > 1 && cv == None {
		return nil, fmt.Errorf("arc: set i=%d must say cv=pass or cv=fail (RFC 8617 §5.1.1)", inst)
	}
	id := s.AuthServID
	if id == "" {
		id = s.Domain
	}
	if results == "" {
		results = consolidate(m, id)
	}
	t := s.Time
	if t.IsZero() {
		t = time.Now()
	}
	ts := strconv.FormatInt(t.Unix(), 10)
	in := strconv.Itoa(inst)

	aar := []byte(FieldAuthResults + ": i=" + in + "; " + id + "; " + results + "\r\n")

	names := s.Headers
	if len(names) == 0 {
		names = DefaultSignedHeaders
	}
	for _, n := range names {
		if strings.EqualFold(n, FieldSeal) {
			return nil, errors.New("arc: the AMS must not sign ARC-Seal (RFC 8617 §4.1.2)")
		}
	}
	bh := sha256.Sum256(dkim.CanonBody(m.Body, dkim.CanonRelaxed))
	// The tag order and spacing are the suite README's standard form
	// (alphabetical, one space after each ';'), so signatures can be
	// compared with the signing suite's.
	amsTags := "a=" + alg + "; b=; bh=" + base64.StdEncoding.EncodeToString(bh[:]) +
		"; c=relaxed/relaxed; d=" + s.Domain + "; h=" + strings.Join(names, ":") +
		"; i=" + in + "; s=" + s.Selector + "; t=" + ts
	amsUnsigned := []byte(FieldMessageSignature + ": " + amsTags + "\r\n")
	// The new AAR sits above every existing field when the AMS is made.
	headers := append([]dkim.Header{{Name: FieldAuthResults, Raw: aar}}, m.Headers...)
	sig, err := sign(s.Key, dkim.HeaderHash("sha256", headers, names, amsUnsigned, dkim.CanonRelaxed))
	if err != nil {
		return nil, err
	}
	ams := []byte(FieldMessageSignature + ": " + strings.Replace(amsTags, "b=;", "b="+sig+";", 1) + "\r\n")

	asTags := "a=" + alg + "; b=; cv=" + string(cv) + "; d=" + s.Domain + "; i=" + in + "; s=" + s.Selector + "; t=" + ts
	asUnsigned := []byte(FieldSeal + ": " + asTags + "\r\n")
	sets, cerr := collect(m)
	if cerr != nil && cv != Fail {
		return nil, fmt.Errorf("arc: the existing chain is malformed, seal it with cv=fail: %w", cerr)
	}
	if cv == Fail {
		// RFC 8617 §5.1.2: after a failed chain the seal covers only the
		// new set, as a validator stops at the cv=fail anyway.
		sets = nil
	}
	sets = append(sets, Set{Instance: inst, aarRaw: aar, amsRaw: ams, sealRaw: asUnsigned})
	sig, err = sign(s.Key, sealDigest(sets))
	if err != nil {
		return nil, err
	}
	as := []byte(FieldSeal + ": " + strings.Replace(asTags, "b=;", "b="+sig+";", 1) + "\r\n")

	out := make([]byte, 0, len(as)+len(ams)+len(aar)+len(msg)+len(msg)/20)
	out = append(out, as...)
	out = append(out, ams...)
	out = append(out, aar...)
	for _, h := range m.Headers {
		out = append(out, h.Raw...)
	}
	out = append(out, "\r\n"...)
	return append(out, m.Body...), nil
}

func sign(k crypto.Signer, digest []byte) (string, error) {
	var b []byte
	var err error
	switch key := k.(type) {
	case ed25519.PrivateKey:
		b = ed25519.Sign(key, digest)
	case *rsa.PrivateKey:
		b, err = rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, digest)
	}
	if err != nil {
		return "", fmt.Errorf("arc: signing: %w", err)
	}
	return base64.StdEncoding.EncodeToString(b), nil
}

// highestInstance is the largest i= among the ARC fields that parse.
func highestInstance(m dkim.Message) int {
	n := 0
	for _, h := range m.Headers {
		switch {
		case strings.EqualFold(h.Name, FieldSeal), strings.EqualFold(h.Name, FieldMessageSignature):
			n = max(n, looseInstance(h.Value()))
		case strings.EqualFold(h.Name, FieldAuthResults):
			if a, err := ParseAuthResults(h.Value()); err == nil {
				n = max(n, a.Instance)
			}
		}
	}
	return n
}

// sealedFail reports whether the ARC-Seal of instance n says cv=fail.
func sealedFail(m dkim.Message, n int) bool {
	for _, h := range m.Headers {
		if strings.EqualFold(h.Name, FieldSeal) {
			if as, err := ParseSeal(h.Value()); err == nil && as.Instance == n && as.CV == Fail {
				return true
			}
		}
	}
	return false
}

// consolidate gathers the results of the Authentication-Results fields
// whose authserv-id is id, in message order (the suite README's "AR
// Consolidation"), joined with "; ".
func consolidate(m dkim.Message, id string) string {
	var out []string
	for _, h := range m.Headers {
		if !strings.EqualFold(h.Name, "Authentication-Results") {
			continue
		}
		v := strings.Join(strings.Fields(h.Value()), " ")
		parts := splitResults(v)
		if len(parts) == 0 {
			continue
		}
		sid := strings.Fields(parts[0])
		if len(sid) == 0 || !strings.EqualFold(sid[0], id) {
			continue
		}
		for _, p := range parts[1:] {
			if p = strings.TrimSpace(p); p != "" && p != "none" {
				out = append(out, p)
			}
		}
	}
	if len(out) == 0 {
		return "none"
	}
	return strings.Join(out, "; ")
}

// splitResults splits an Authentication-Results value at the ';' that are
// outside comments and quoted strings (RFC 8601 §2.2).
func splitResults(v string) []string {
	var parts []string
	depth, quoted, start := 0, false, 0
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case c == '\\' && (quoted || depth > 0):
			i++
		case c == '"' && depth == 0:
			quoted = !quoted
		case c == '(' && !quoted:
			depth++
		case c == ')' && !quoted && depth > 0:
			depth--
		case c == ';' && !quoted && depth == 0:
			parts = append(parts, v[start:i])
			start = i + 1
		}
	}
	return append(parts, v[start:])
}
