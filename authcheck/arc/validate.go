// Chain validation (RFC 8617 §5.2): collect the ARC Sets, check their
// structure, verify the newest ARC-Message-Signature and every ARC-Seal.

package arc

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/bouncekit/bouncekit/authcheck/dkim"
	"github.com/bouncekit/bouncekit/authcheck/resolve"
)

// Sentinels a ChainError wraps, for callers that branch on why a chain
// failed (errors.Is). A DNS failure while fetching a key is wrapped as the
// resolver's *resolve.Error instead, and Validation.Temporary is set.
var (
	// ErrStructure: sets missing, duplicated or out of sequence, more than
	// MaxInstance, or a cv= that contradicts its position (RFC 8617 §5.2
	// steps 1 and 3, §4.1.3).
	ErrStructure = errors.New("ARC chain structure is invalid")
	// ErrSealedFail: the newest ARC-Seal says cv=fail, which ends the chain
	// (RFC 8617 §5.2 step 2).
	ErrSealedFail = errors.New("newest ARC-Seal says cv=fail")
	// ErrBodyHash: the newest AMS bh= does not match the body.
	ErrBodyHash = errors.New("ARC-Message-Signature body hash does not match")
	// ErrSignature: an AMS or AS signature does not verify (dkim.ErrBadSignature
	// is wrapped too).
	ErrSignature = errors.New("ARC signature does not verify")
	// ErrKey: no usable key at s=/d= (missing, revoked, wrong type, not
	// allowed for the hash).
	ErrKey = errors.New("no usable ARC key")
	// ErrExpired: the newest AMS carries an x= in the past.
	ErrExpired = errors.New("ARC-Message-Signature expired")
	// ErrMessageTooLarge: the message is over Validator.MaxMessageBytes.
	ErrMessageTooLarge = errors.New("message too large")
)

// ChainError says where and why a chain failed.
type ChainError struct {
	Instance int    // the ARC Set at fault, 0 when it could not be told
	Field    string // FieldSeal, FieldMessageSignature, FieldAuthResults or ""
	Err      error  // a sentinel above, a *HeaderError or a DNS error
	Reason   string
}

func (e *ChainError) Error() string {
	var b strings.Builder
	b.WriteString("arc")
	if e.Instance > 0 {
		fmt.Fprintf(&b, " i=%d", e.Instance)
	}
	if e.Field != "" {
		b.WriteString(" " + e.Field)
	}
	b.WriteString(": ")
	b.WriteString(e.Reason)
	return b.String()
}

// Unwrap returns the cause.
func (e *ChainError) Unwrap() error { return e.Err }

// Set is one ARC Set: the three fields sharing an instance number.
type Set struct {
	Instance         int
	Seal             *Seal
	MessageSignature *MessageSignature
	AuthResults      *AuthResults

	sealRaw, amsRaw, aarRaw []byte // the raw header fields, CRLF included
}

// Validation is the outcome of validating a message's chain. It is plain
// data, safe to share once returned.
type Validation struct {
	// Result is the chain validation status (RFC 8617 §5.2).
	Result Result
	// Instances is the number of ARC Sets (the highest instance seen).
	Instances int
	// FailedInstance is the set at fault when Result is fail (0 when the
	// fault is not in one set, such as more sets than MaxInstance).
	FailedInstance int
	// Reason says why, when Result is not pass.
	Reason string
	// Err is the *ChainError when Result is fail.
	Err error
	// Temporary is set when the failure came from a DNS error other than a
	// missing record: retrying later may pass (RFC 8617 §5.2 has no
	// temperror, so the status is still fail).
	Temporary bool
	// Sets are the parsed sets in instance order (only when the structure
	// was valid). Their AuthResults say what each hop saw.
	Sets []Set
}

// LogValue implements slog.LogValuer.
func (v Validation) LogValue() slog.Value {
	return slog.GroupValue(slog.String("cv", string(v.Result)), slog.Int("instances", v.Instances),
		slog.Int("failed_instance", v.FailedInstance), slog.String("reason", v.Reason))
}

// Validator validates ARC chains. The zero value is not usable: set
// Resolver. It is safe for concurrent use if the Resolver is.
type Validator struct {
	Resolver resolve.Resolver
	// Now is the clock for the AMS x= expiry; time.Now when nil.
	Now func() time.Time
	// MaxMessageBytes caps the message (default 64 MiB).
	MaxMessageBytes int
}

// Validate validates the chain of msg (CRLF or bare LF line endings) with
// keys fetched through r. See Validator.Validate.
func Validate(ctx context.Context, r resolve.Resolver, msg []byte) Validation {
	return (&Validator{Resolver: r}).Validate(ctx, msg)
}

// Validate runs RFC 8617 §5.2 on msg: no ARC fields gives none; any
// malformed field, missing, duplicated or out-of-sequence set, a newest
// cv=fail, a failing newest ARC-Message-Signature or any failing ARC-Seal
// gives fail with the instance and the reason; otherwise pass. Older
// ARC-Message-Signatures are not verified (§5.2 step 5 makes that optional;
// intermediaries may legitimately break them). At most MaxInstance+1 key
// lookups are made.
func (v *Validator) Validate(ctx context.Context, msg []byte) Validation {
	limit := v.MaxMessageBytes
	if limit <= 0 {
		limit = 64 << 20
	}
	if len(msg) > limit {
		return failed(0, &ChainError{Err: ErrMessageTooLarge, Reason: fmt.Sprintf("message over %d bytes", limit)})
	}
	m := dkim.SplitMessage(msg)
	return v.validate(ctx, m)
}

func failed(n int, e *ChainError) Validation {
	return Validation{Result: Fail, Instances: n, FailedInstance: e.Instance, Reason: e.Error(), Err: e}
}

// collect gathers and parses the ARC fields of m into sets indexed by
// instance (RFC 8617 §5.2 step 1). It returns the sets 1..N, or a
// *ChainError.
func collect(m dkim.Message) ([]Set, *ChainError) {
	var byInst [MaxInstance + 1]Set
	count, highest := 0, 0
	for _, h := range m.Headers {
		var field string
		switch {
		case strings.EqualFold(h.Name, FieldSeal):
			field = FieldSeal
		case strings.EqualFold(h.Name, FieldMessageSignature):
			field = FieldMessageSignature
		case strings.EqualFold(h.Name, FieldAuthResults):
			field = FieldAuthResults
		default:
			continue
		}
		count++
		if count > 3*MaxInstance {
			return nil, &ChainError{Err: ErrStructure, Reason: fmt.Sprintf("more than %d ARC header fields (RFC 8617 §4.2.1 allows %d sets)", 3*MaxInstance, MaxInstance)}
		}
		val := h.Value()
		var inst int
		var perr error
		var dup bool
		switch field {
		case FieldSeal:
			var s *Seal
			if s, perr = ParseSeal(val); perr == nil {
				inst = s.Instance
				dup = byInst[inst].Seal != nil
				byInst[inst].Seal, byInst[inst].sealRaw = s, h.Raw
			}
		case FieldMessageSignature:
			var s *MessageSignature
			if s, perr = ParseMessageSignature(val); perr == nil {
				inst = s.Instance
				dup = byInst[inst].MessageSignature != nil
				byInst[inst].MessageSignature, byInst[inst].amsRaw = s, h.Raw
			}
		case FieldAuthResults:
			var a *AuthResults
			if a, perr = ParseAuthResults(val); perr == nil {
				inst = a.Instance
				dup = byInst[inst].AuthResults != nil
				byInst[inst].AuthResults, byInst[inst].aarRaw = a, h.Raw
			}
		}
		if perr != nil {
			// RFC 8617 §5.2 step 1: a set whose form is invalid fails the chain.
			return nil, &ChainError{Instance: looseInstance(val), Field: field, Err: perr, Reason: perr.Error()}
		}
		if dup {
			return nil, &ChainError{Instance: inst, Field: field, Err: ErrStructure, Reason: fmt.Sprintf("more than one %s with i=%d (RFC 8617 §4.2.1)", field, inst)}
		}
		highest = max(highest, inst)
	}
	if count == 0 {
		return nil, nil
	}
	sets := make([]Set, highest)
	for i := 1; i <= highest; i++ {
		byInst[i].Instance = i
		sets[i-1] = byInst[i]
	}
	return sets, nil
}

// looseInstance reads the i= of a field that did not parse, for the report.
func looseInstance(val string) int {
	for _, spec := range strings.Split(val, ";") {
		k, v, ok := strings.Cut(spec, "=")
		if ok && strings.TrimSpace(k) == "i" {
			if n, err := parseInstance("", strings.TrimSpace(v)); err == nil {
				return n
			}
		}
	}
	return 0
}

func (v *Validator) validate(ctx context.Context, m dkim.Message) Validation {
	sets, cerr := collect(m)
	if cerr != nil {
		return failed(0, cerr)
	}
	n := len(sets)
	if n == 0 {
		return Validation{Result: None, Reason: "no ARC Sets"}
	}
	// RFC 8617 §5.2 step 2: a newest seal of cv=fail ends validation.
	if top := sets[n-1].Seal; top != nil && top.CV == Fail {
		return failed(n, &ChainError{Instance: n, Field: FieldSeal, Err: ErrSealedFail, Reason: "the newest ARC-Seal says cv=fail (RFC 8617 §5.2 step 2)"})
	}
	// Step 3: every instance 1..N present exactly once (duplicates were
	// refused in collect), cv=none on i=1 and cv=pass above (§4.1.3, §5.1.1).
	for _, s := range sets {
		var missing []string
		if s.AuthResults == nil {
			missing = append(missing, FieldAuthResults)
		}
		if s.MessageSignature == nil {
			missing = append(missing, FieldMessageSignature)
		}
		if s.Seal == nil {
			missing = append(missing, FieldSeal)
		}
		if len(missing) > 0 {
			return failed(n, &ChainError{Instance: s.Instance, Field: missing[0], Err: ErrStructure,
				Reason: fmt.Sprintf("set i=%d of %d lacks %s (RFC 8617 §5.2 step 3)", s.Instance, n, strings.Join(missing, ", "))})
		}
		want := Pass
		if s.Instance == 1 {
			want = None
		}
		if s.Seal.CV != want {
			return failed(n, &ChainError{Instance: s.Instance, Field: FieldSeal, Err: ErrStructure,
				Reason: fmt.Sprintf("ARC-Seal i=%d says cv=%s, want cv=%s (RFC 8617 §5.2 step 3)", s.Instance, s.Seal.CV, want)})
		}
	}
	now := time.Now
	if v.Now != nil {
		now = v.Now
	}
	keys := keyCache{r: v.Resolver}
	// Step 4: the newest AMS.
	if e := verifyAMS(ctx, m, sets[n-1], &keys, now()); e != nil {
		out := failed(n, e)
		out.Temporary = isTemporary(e.Err)
		return out
	}
	// Step 6: every AS, newest first.
	for i := n; i >= 1; i-- {
		if e := verifySeal(ctx, sets[:i], &keys); e != nil {
			out := failed(n, e)
			out.Temporary = isTemporary(e.Err)
			return out
		}
	}
	return Validation{Result: Pass, Instances: n, Sets: sets}
}

func isTemporary(err error) bool {
	var re *resolve.Error
	return errors.As(err, &re) && !resolve.IsNotFound(err)
}

type keyCache struct {
	r    resolve.Resolver
	keys []cachedKey
}

type cachedKey struct {
	selector, domain string
	key              *dkim.Key
	err              error
}

func (c *keyCache) get(ctx context.Context, selector, domain string) (*dkim.Key, error) {
	for _, k := range c.keys {
		if k.selector == selector && k.domain == domain {
			return k.key, k.err
		}
	}
	if c.r == nil {
		return nil, fmt.Errorf("%w: no resolver configured", ErrKey)
	}
	k, err := dkim.LookupKey(ctx, c.r, selector, domain)
	c.keys = append(c.keys, cachedKey{selector, domain, k, err})
	return k, err
}

// usableKey fetches the key at s/d and checks it fits the algorithm
// (RFC 6376 §6.1.2, §3.6.1).
func usableKey(ctx context.Context, keys *keyCache, inst int, field, selector, domain string, kt dkim.KeyType, hash string) (*dkim.Key, *ChainError) {
	k, err := keys.get(ctx, selector, domain)
	name := dkim.KeyName(selector, domain)
	if err != nil {
		var re *resolve.Error
		if errors.As(err, &re) && !resolve.IsNotFound(err) {
			return nil, &ChainError{Instance: inst, Field: field, Err: err, Reason: fmt.Sprintf("key %s: DNS error: %v", name, err)}
		}
		return nil, &ChainError{Instance: inst, Field: field, Err: fmt.Errorf("%w: %w", ErrKey, err), Reason: fmt.Sprintf("key %s: %v", name, err)}
	}
	switch {
	case k.Revoked:
		return nil, &ChainError{Instance: inst, Field: field, Err: ErrKey, Reason: fmt.Sprintf("key %s is revoked (empty p=)", name)}
	case k.Type != kt:
		return nil, &ChainError{Instance: inst, Field: field, Err: ErrKey, Reason: fmt.Sprintf("key %s is k=%s, the signature is %s", name, k.Type, kt)}
	case !k.AllowsHash(hash):
		return nil, &ChainError{Instance: inst, Field: field, Err: ErrKey, Reason: fmt.Sprintf("key %s does not allow %s (h=)", name, hash)}
	}
	return k, nil
}

func verifyAMS(ctx context.Context, m dkim.Message, s Set, keys *keyCache, now time.Time) *ChainError {
	ams := s.MessageSignature
	const f = FieldMessageSignature
	if !ams.Expiration.IsZero() && now.After(ams.Expiration) {
		return &ChainError{Instance: s.Instance, Field: f, Err: ErrExpired, Reason: fmt.Sprintf("x= %s is past", ams.Expiration.Format(time.RFC3339))}
	}
	body := dkim.CanonBody(m.Body, ams.BodyCan)
	if ams.BodyLength >= 0 {
		if ams.BodyLength > int64(len(body)) {
			return &ChainError{Instance: s.Instance, Field: f, Err: ErrBodyHash, Reason: fmt.Sprintf("l=%d is longer than the %d-byte canonical body", ams.BodyLength, len(body))}
		}
		body = body[:ams.BodyLength]
	}
	bh := sha256.Sum256(body)
	if !bytes.Equal(bh[:], ams.BodyHash) {
		return &ChainError{Instance: s.Instance, Field: f, Err: ErrBodyHash, Reason: "bh= does not match the body: the body changed after this hop signed it"}
	}
	k, e := usableKey(ctx, keys, s.Instance, f, ams.Selector, ams.Domain, ams.KeyType, ams.Hash)
	if e != nil {
		return e
	}
	digest := dkim.HeaderHash(ams.Hash, m.Headers, ams.Headers, s.amsRaw, ams.HeaderCan)
	if err := k.VerifySignature(ams.Hash, digest, ams.Signature); err != nil {
		return &ChainError{Instance: s.Instance, Field: f, Err: fmt.Errorf("%w: %w", ErrSignature, err), Reason: fmt.Sprintf("b= does not verify with %s: %v", dkim.KeyName(ams.Selector, ams.Domain), err)}
	}
	return nil
}

// sealDigest is the ARC-Seal hash of RFC 8617 §5.1.1: the AAR, AMS and AS
// of each set from 1 to the sealed one, in that order, relaxed, the sealed
// AS with b= emptied and without its final CRLF.
func sealDigest(sets []Set) []byte {
	h := sha256.New()
	var buf []byte
	for i, s := range sets {
		buf = dkim.CanonHeader(buf[:0], s.aarRaw, dkim.CanonRelaxed)
		h.Write(buf)
		buf = dkim.CanonHeader(buf[:0], s.amsRaw, dkim.CanonRelaxed)
		h.Write(buf)
		if i < len(sets)-1 {
			buf = dkim.CanonHeader(buf[:0], s.sealRaw, dkim.CanonRelaxed)
			h.Write(buf)
			continue
		}
		buf = dkim.CanonHeader(buf[:0], dkim.StripSignatureValue(s.sealRaw), dkim.CanonRelaxed)
		h.Write(bytes.TrimSuffix(buf, []byte("\r\n")))
	}
	return h.Sum(nil)
}

func verifySeal(ctx context.Context, sets []Set, keys *keyCache) *ChainError {
	s := sets[len(sets)-1]
	as := s.Seal
	k, e := usableKey(ctx, keys, s.Instance, FieldSeal, as.Selector, as.Domain, as.KeyType, as.Hash)
	if e != nil {
		return e
	}
	if err := k.VerifySignature(as.Hash, sealDigest(sets), as.Signature); err != nil {
		return &ChainError{Instance: s.Instance, Field: FieldSeal, Err: fmt.Errorf("%w: %w", ErrSignature, err),
			Reason: fmt.Sprintf("b= does not verify with %s: %v (a set at or below i=%d changed after it was sealed)", dkim.KeyName(as.Selector, as.Domain), err, s.Instance)}
	}
	return nil
}
