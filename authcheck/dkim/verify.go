// DKIM signature verification on a whole message (RFC 6376 §6): header and
// body canonicalisation, rsa-sha256 and ed25519-sha256 (RFC 8463), with
// rsa-sha1 and short keys refused per RFC 8301.

package dkim

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"errors"
	"fmt"
	"hash"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/bouncekit/bouncekit/authcheck/resolve"
)

// Result is the outcome of verifying one signature; the values are the
// RFC 8601 §2.7.1 result tokens.
type Result string

const (
	None      Result = "none"      // RFC 8601 §2.7.1: the message was not signed
	Pass      Result = "pass"      // signature verified
	Fail      Result = "fail"      // signature or body hash did not verify, or was refused (RFC 8301)
	Neutral   Result = "neutral"   // the signature had syntax errors
	TempError Result = "temperror" // key lookup failed temporarily
	PermError Result = "permerror" // no usable key, expired signature, key/signature mismatch
)

// Verification is the result for one DKIM-Signature header.
type Verification struct {
	Result    Result
	Reason    string     // why, when not pass
	Domain    string     // d=, when readable
	Selector  string     // s=, when readable
	Signature *Signature // nil when the header did not parse
	Key       *Key       // the key used, when fetched
	Err       error      // the underlying error, if any
	// Notes are risks that do not change the result: l= leaving part of
	// the body unsigned (RFC 6376 §8.2), a key in testing mode, a key
	// below 2048 bits.
	Notes []string
	// UnsignedBodyBytes counts canonical body bytes beyond l= (0 without l=).
	UnsignedBodyBytes int64
}

// LogValue implements slog.LogValuer.
func (v Verification) LogValue() slog.Value {
	return slog.GroupValue(slog.String("result", string(v.Result)), slog.String("d", v.Domain),
		slog.String("s", v.Selector), slog.String("reason", v.Reason))
}

// Summary folds per-signature results into one token: none without
// signatures, pass if any signature passes, else the first of fail,
// temperror, permerror and neutral present. RFC 8601 §2.7.1 reports each
// signature on its own; this is for callers that want one word.
func Summary(vs []Verification) Result {
	if len(vs) == 0 {
		return None
	}
	for _, want := range []Result{Pass, Fail, TempError, PermError} {
		for _, v := range vs {
			if v.Result == want {
				return want
			}
		}
	}
	return Neutral
}

// Verifier verifies DKIM signatures. The zero value is not usable; set
// Resolver. It is safe for concurrent use if the Resolver is.
type Verifier struct {
	Resolver resolve.Resolver
	// Now is the clock used for x= expiry; time.Now when nil.
	Now func() time.Time
	// MaxSignatures caps the signatures verified per message (default 10);
	// further ones get permerror, so a message cannot make us do unbounded
	// key lookups.
	MaxSignatures int
	// MaxMessageBytes caps the message read (default 64 MiB).
	MaxMessageBytes int64
}

// ErrMessageTooLarge is returned when a message exceeds MaxMessageBytes.
var ErrMessageTooLarge = errors.New("message too large")

// Verify verifies every DKIM-Signature of the message read from msg
// with a default Verifier. See Verifier.Verify.
func Verify(ctx context.Context, r resolve.Resolver, msg io.Reader) ([]Verification, error) {
	return (&Verifier{Resolver: r}).Verify(ctx, msg)
}

// Verify reads a whole RFC 5322 message (CRLF or bare LF line endings) and
// verifies each DKIM-Signature header field, top first. A message with no
// signature gives an empty slice (RFC 8601 result none). The error is non-nil
// only when the message cannot be read.
func (v *Verifier) Verify(ctx context.Context, msg io.Reader) ([]Verification, error) {
	limit := v.MaxMessageBytes
	if limit <= 0 {
		limit = 64 << 20
	}
	var buf bytes.Buffer
	if l, ok := msg.(interface{ Len() int }); ok && int64(l.Len()) <= limit {
		// strings.Reader, bytes.Reader, bytes.Buffer: read in one allocation.
		buf.Grow(l.Len() + bytes.MinRead)
	}
	if _, err := buf.ReadFrom(io.LimitReader(msg, limit+1)); err != nil {
		return nil, fmt.Errorf("dkim: reading message: %w", err)
	}
	data := buf.Bytes()
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("dkim: %w (over %d bytes)", ErrMessageTooLarge, limit)
	}
	m := SplitMessage(data)
	maxSigs := v.MaxSignatures
	if maxSigs <= 0 {
		maxSigs = 10
	}
	now := time.Now
	if v.Now != nil {
		now = v.Now
	}
	keys := map[string]dkimKeyResult{}
	var out []Verification
	skipped := 0
	for i, f := range m.Headers {
		if !strings.EqualFold(f.Name, "DKIM-Signature") {
			continue
		}
		if len(out) >= maxSigs {
			skipped++
			continue
		}
		out = append(out, v.verifyOne(ctx, m, i, now(), keys))
	}
	if skipped > 0 {
		out = append(out, Verification{Result: PermError, Reason: fmt.Sprintf("%d more signatures not verified: more than %d signatures", skipped, maxSigs)})
	}
	return out, nil
}

type dkimKeyResult struct {
	key *Key
	err error
}

func (v *Verifier) verifyOne(ctx context.Context, m Message, idx int, now time.Time, keys map[string]dkimKeyResult) Verification {
	f := m.Headers[idx]
	sig, err := ParseSignature(f.Value())
	if err != nil {
		// RFC 8601 §2.7.1: neutral is for signatures with syntax errors.
		return Verification{Result: Neutral, Reason: err.Error(), Err: err}
	}
	res := Verification{Domain: sig.Domain, Selector: sig.Selector, Signature: sig}
	fail := func(r Result, e error, format string, a ...any) Verification {
		res.Result, res.Err, res.Reason = r, e, fmt.Sprintf(format, a...)
		return res
	}
	if sig.KeyType != KeyRSA && sig.KeyType != KeyEd25519 || sig.Hash != "sha256" && sig.Hash != "sha1" ||
		sig.KeyType == KeyEd25519 && sig.Hash != "sha256" {
		return fail(PermError, nil, "unsupported algorithm %q", sig.Algorithm)
	}
	// RFC 6376 §6.1.1: verifiers MAY consider an expired signature invalid; we do.
	if !sig.Expiration.IsZero() && now.After(sig.Expiration) {
		return fail(PermError, nil, "signature expired at %s", sig.Expiration.Format(time.RFC3339))
	}
	kname := KeyName(sig.Selector, sig.Domain)
	kr, ok := keys[kname]
	if !ok {
		kr.key, kr.err = LookupKey(ctx, v.Resolver, sig.Selector, sig.Domain)
		keys[kname] = kr
	}
	if kr.err != nil {
		if errors.Is(kr.err, ErrKeyMissing) || errors.Is(kr.err, ErrKeySyntax) || errors.Is(kr.err, ErrKeyUnsupported) {
			return fail(PermError, kr.err, "%v", kr.err)
		}
		// RFC 6376 §6.1.2 step 2: a DNS failure is TEMPFAIL.
		return fail(TempError, kr.err, "key lookup: %v", kr.err)
	}
	key := kr.key
	res.Key = key
	if key.Revoked {
		return fail(PermError, ErrKeyRevoked, "key %s revoked (empty p=)", kname)
	}
	if key.Type != sig.KeyType {
		return fail(PermError, nil, "key type %s does not match a=%s", key.Type, sig.Algorithm)
	}
	if !key.AllowsHash(sig.Hash) {
		return fail(PermError, nil, "key h= does not allow %s", sig.Hash)
	}
	if !key.allowsEmail() {
		return fail(PermError, nil, "key s= does not allow email")
	}
	if key.Strict {
		at := strings.LastIndexByte(sig.Identity, '@')
		if !strings.EqualFold(strings.TrimSuffix(sig.Identity[at+1:], "."), sig.Domain) {
			return fail(PermError, nil, "key t=s forbids i= subdomain %s", sig.Identity)
		}
	}
	if n := countHeaders(m.Headers, "From"); n > 1 {
		// RFC 6376 §8.15: an added From above the signed one is what a
		// recipient sees; only oversigning (from:from) prevents it.
		res.Notes = append(res.Notes, fmt.Sprintf("message has %d From header fields; only one is covered unless From is oversigned (RFC 6376 §8.15)", n))
	}
	if key.Testing {
		res.Notes = append(res.Notes, "key is in testing mode (t=y): receivers may treat failures as unsigned")
	}

	// Body hash (RFC 6376 §3.7).
	// The canonical body is streamed into the hash, cut at l= when set.
	hf := dkimHash(sig.Hash)
	var n int64
	if sig.BodyLength >= 0 {
		n = writeCanonBody(&prefixWriter{w: hf, left: sig.BodyLength}, m.Body, sig.BodyCan)
		if sig.BodyLength > n {
			return fail(PermError, nil, "l=%d is longer than the %d-byte canonical body", sig.BodyLength, n)
		}
		res.UnsignedBodyBytes = n - sig.BodyLength
		res.Notes = append(res.Notes, fmt.Sprintf("l= signs only %d body bytes (%d unsigned): content can be appended (RFC 6376 §8.2)", sig.BodyLength, res.UnsignedBodyBytes))
	} else {
		writeCanonBody(hf, m.Body, sig.BodyCan)
	}
	if !bytes.Equal(hf.Sum(nil), sig.BodyHash) {
		return fail(Fail, nil, "body hash mismatch (bh=)")
	}

	// Header hash (RFC 6376 §3.7, §5.4.2).
	hf = dkimHash(sig.Hash)
	writeSignedHeaders(hf, m.Headers, sig, idx)
	digest := hf.Sum(nil)
	switch k := key.PublicKey.(type) {
	case *rsa.PublicKey:
		ch := crypto.SHA256
		if sig.Hash == "sha1" {
			ch = crypto.SHA1
		}
		if err := rsa.VerifyPKCS1v15(k, ch, digest, sig.Signature); err != nil {
			return fail(Fail, err, "signature did not verify")
		}
		// RFC 8301 §3.2: keys under 1024 bits MUST NOT be considered valid.
		if key.Bits < MinRSABits {
			return fail(Fail, nil, "RSA key of %d bits is below the %d-bit minimum (RFC 8301 §3.2)", key.Bits, MinRSABits)
		}
		if key.Bits < RecommendedRSABits {
			res.Notes = append(res.Notes, fmt.Sprintf("RSA key of %d bits is below the recommended %d (RFC 8301 §3.2)", key.Bits, RecommendedRSABits))
		}
	case ed25519.PublicKey:
		// RFC 8463 §3: Ed25519 signs the SHA-256 hash of the header data.
		if !ed25519.Verify(k, digest, sig.Signature) {
			return fail(Fail, nil, "signature did not verify")
		}
	default:
		return fail(PermError, nil, "unusable key")
	}
	// RFC 8301 §3.1: verifiers MUST NOT consider rsa-sha1 signatures valid.
	if sig.Hash == "sha1" {
		return fail(Fail, nil, "rsa-sha1 verifies but is refused (RFC 8301 §3.1)")
	}
	res.Result = Pass
	return res
}

func dkimHash(name string) hash.Hash {
	if name == "sha1" {
		return sha1.New()
	}
	return sha256.New()
}

// writeSignedHeaders feeds the canonical signed header fields to w, then the
// signature's own header field with b= emptied and no trailing CRLF
// (RFC 6376 §3.7).
func writeSignedHeaders(w io.Writer, headers []Header, sig *Signature, sigIdx int) {
	writeHeaderHash(w, headers, sig.Headers, headers[sigIdx].Raw, sig.HeaderCan)
}

// writeHeaderHash is HeaderHash writing to w.
func writeHeaderHash(w io.Writer, headers []Header, names []string, selfRaw []byte, c Canon) {
	// Index the fields by lower-case name once, so selection is linear in
	// the message and the h= list.
	byName := make(map[string][]int, len(names))
	for _, name := range names {
		byName[strings.ToLower(name)] = nil
	}
	for i, h := range headers {
		k := strings.ToLower(h.Name)
		if idx, ok := byName[k]; ok {
			byName[k] = append(idx, i)
		}
	}
	var buf []byte
	for _, name := range names {
		// RFC 6376 §5.4.2: take instances from the bottom up; a name with
		// no unused instance contributes nothing.
		k := strings.ToLower(name)
		idx := byName[k]
		if len(idx) == 0 {
			continue
		}
		i := idx[len(idx)-1]
		byName[k] = idx[:len(idx)-1]
		buf = canonHeader(buf[:0], headers[i].Raw, c)
		w.Write(buf)
	}
	self := stripSigValue(selfRaw)
	buf = canonHeader(buf[:0], self, c)
	w.Write(bytes.TrimSuffix(buf, []byte("\r\n")))
}

func countHeaders(hs []Header, name string) int {
	n := 0
	for _, h := range hs {
		if strings.EqualFold(h.Name, name) {
			n++
		}
	}
	return n
}

// stripSigValue empties the b= tag of a raw DKIM-Signature header field.
func stripSigValue(raw []byte) []byte {
	colon := bytes.IndexByte(raw, ':')
	out := append([]byte(nil), raw[:colon+1]...)
	rest := raw[colon+1:]
	for len(rest) > 0 {
		semi := bytes.IndexByte(rest, ';')
		var spec []byte
		if semi < 0 {
			spec, rest = rest, nil
		} else {
			spec, rest = rest[:semi+1], rest[semi+1:]
		}
		eq := bytes.IndexByte(spec, '=')
		if eq >= 0 && string(bytes.TrimSpace(spec[:eq])) == "b" {
			out = append(out, spec[:eq+1]...)
			if semi >= 0 {
				out = append(out, ';')
			} else if bytes.HasSuffix(spec, []byte("\r\n")) {
				out = append(out, "\r\n"...)
			}
			continue
		}
		out = append(out, spec...)
	}
	return out
}

// canonHeader appends the canonical form of one raw header field (name,
// colon, value, CRLF) to dst.
func canonHeader(dst, raw []byte, c Canon) []byte {
	if c == CanonSimple {
		// RFC 6376 §3.4.1: unchanged.
		return append(dst, raw...)
	}
	// RFC 6376 §3.4.2: lowercase the name, unfold, compress WSP, trim the
	// value, no WSP around the colon.
	colon := bytes.IndexByte(raw, ':')
	name := bytes.TrimRight(raw[:colon], " \t")
	for _, b := range name {
		if b >= 'A' && b <= 'Z' {
			b += 'a' - 'A'
		}
		dst = append(dst, b)
	}
	dst = append(dst, ':')
	dst = appendCompressedWSP(dst, raw[colon+1:])
	return append(dst, '\r', '\n')
}

// appendCompressedWSP appends v with CR and LF removed, WSP runs turned into
// one space and leading and trailing WSP dropped.
func appendCompressedWSP(dst, v []byte) []byte {
	space := false
	started := false
	for _, b := range v {
		switch b {
		case '\r', '\n':
			continue
		case ' ', '\t':
			space = true
			continue
		}
		if space && started {
			dst = append(dst, ' ')
		}
		space = false
		started = true
		dst = append(dst, b)
	}
	return dst
}

// canonBody returns the canonical body (RFC 6376 §3.4.3, §3.4.4). The body
// has CRLF line endings.
func canonBody(body []byte, c Canon) []byte {
	var b bytes.Buffer
	writeCanonBody(&b, body, c)
	return b.Bytes()
}

var crlf = []byte("\r\n")

// writeCanonBody writes the canonical body to w without building it in
// memory and returns its length.
func writeCanonBody(w io.Writer, body []byte, c Canon) int64 {
	if c == CanonSimple {
		// RFC 6376 §3.4.3: drop trailing empty lines; an empty body
		// becomes one CRLF.
		for bytes.HasSuffix(body, crlf) {
			body = body[:len(body)-2]
		}
		w.Write(body)
		w.Write(crlf)
		return int64(len(body)) + 2
	}
	// RFC 6376 §3.4.4: compress WSP runs to one space, drop WSP at line
	// ends, drop trailing empty lines (held back until a non-empty line
	// shows they are not trailing); an empty body stays empty.
	var n int64
	pending := 0
	line := make([]byte, 0, 256)
	for len(body) > 0 {
		raw := body
		if i := bytes.Index(body, crlf); i >= 0 {
			raw, body = body[:i], body[i+2:]
		} else {
			body = nil
		}
		line = line[:0]
		space := false
		for _, b := range raw {
			if b == ' ' || b == '\t' {
				space = true
				continue
			}
			if space {
				line = append(line, ' ')
				space = false
			}
			line = append(line, b)
		}
		if len(line) == 0 {
			pending++
			continue
		}
		for ; pending > 0; pending-- {
			w.Write(crlf)
			n += 2
		}
		w.Write(line)
		w.Write(crlf)
		n += int64(len(line)) + 2
	}
	return n
}

// prefixWriter passes on only the first left bytes written to it (DKIM
// l=) and swallows the rest.
type prefixWriter struct {
	w    io.Writer
	left int64
}

func (p *prefixWriter) Write(b []byte) (int, error) {
	if p.left <= 0 {
		return len(b), nil
	}
	if int64(len(b)) > p.left {
		p.w.Write(b[:p.left])
		p.left = 0
		return len(b), nil
	}
	p.left -= int64(len(b))
	return p.w.Write(b)
}

// Header is one raw header field including its folding and final CRLF.
type Header struct {
	Name string
	Raw  []byte
}

func (h Header) Value() string {
	i := bytes.IndexByte(h.Raw, ':')
	return string(h.Raw[i+1:])
}

type Message struct {
	Headers []Header
	Body    []byte
}

// SplitMessage turns bare LF into CRLF and splits the header fields from the
// body. Lines of the header without a colon are skipped.
func SplitMessage(data []byte) Message {
	if bytes.IndexByte(data, '\n') >= 0 && !bytes.Contains(data, []byte("\r\n")) {
		data = bytes.ReplaceAll(data, []byte("\n"), []byte("\r\n"))
	} else if bytes.Count(data, []byte("\n")) != bytes.Count(data, []byte("\r\n")) {
		// Mixed endings: normalise lone LFs.
		var b bytes.Buffer
		for i, c := range data {
			if c == '\n' && (i == 0 || data[i-1] != '\r') {
				b.WriteByte('\r')
			}
			b.WriteByte(c)
		}
		data = b.Bytes()
	}
	var m Message
	for len(data) > 0 {
		if bytes.HasPrefix(data, []byte("\r\n")) {
			m.Body = data[2:]
			return m
		}
		end := 0
		for {
			i := bytes.Index(data[end:], []byte("\r\n"))
			if i < 0 {
				end = len(data)
				break
			}
			end += i + 2
			if end >= len(data) || (data[end] != ' ' && data[end] != '\t') {
				break
			}
		}
		raw := data[:end]
		data = data[end:]
		colon := bytes.IndexByte(raw, ':')
		if colon <= 0 || raw[0] == ' ' || raw[0] == '\t' {
			continue
		}
		m.Headers = append(m.Headers, Header{Name: string(bytes.TrimRight(raw[:colon], " \t")), Raw: raw})
	}
	return m
}
