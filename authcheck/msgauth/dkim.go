// DKIM: each signature verified (RFC 6376 §6, RFC 8463), with what a
// receiver and a sender's on-call engineer want to know beside the result.

package msgauth

import (
	"bytes"
	"context"
	"strings"
	"time"

	"github.com/bouncekit/bouncekit/authcheck/dkim"
	"github.com/bouncekit/bouncekit/authcheck/dmarc"
	"github.com/bouncekit/bouncekit/authcheck/resolve"
)

// ImportantHeaders are the fields whose coverage by h= is reported: those
// RFC 6376 §5.4.1 says to sign, the RFC 8058 §4 pair (a one-click
// List-Unsubscribe-Post must be signed) and Gmail's Feedback-ID
// (https://support.google.com/a/answer/6254652).
var ImportantHeaders = []string{
	"From", "To", "Subject", "Date", "Message-ID", "Reply-To", "MIME-Version", "Content-Type",
	"List-Unsubscribe", "List-Unsubscribe-Post", "Feedback-ID",
}

// DKIM is the verdict on one DKIM-Signature field, top first.
type DKIM struct {
	Domain    string      `json:"domain"`
	Selector  string      `json:"selector"`
	Algorithm string      `json:"algorithm"`
	Result    dkim.Result `json:"result"`
	Reason    string      `json:"reason"`
	// KeyType and KeyBits describe the key used (256 for ed25519); 0
	// when no key was fetched.
	KeyType dkim.KeyType `json:"key_type,omitempty"`
	KeyBits int          `json:"key_bits,omitempty"`
	// KeyTesting is the key's t=y flag (RFC 6376 §3.6.1).
	KeyTesting bool `json:"key_testing,omitempty"`
	// Expires is x= (zero when absent); Expired says it is before the
	// evaluation clock (RFC 6376 §3.5: verifiers may treat it as permerror).
	Expires time.Time `json:"expires,omitzero"`
	Expired bool      `json:"expired,omitempty"`
	// BodyLength is l= (-1 when absent) and UnsignedBodyBytes what follows
	// it: text anyone can append (RFC 6376 §8.2).
	BodyLength        int64 `json:"body_length"`
	UnsignedBodyBytes int64 `json:"unsigned_body_bytes,omitempty"`
	// Headers is h= as written.
	Headers []string `json:"headers,omitempty"`
	// Covered are the ImportantHeaders present in the message and signed;
	// Uncovered those present but not signed.
	Covered   []string `json:"covered,omitempty"`
	Uncovered []string `json:"uncovered,omitempty"`
	// Aligned says d= is aligned with the From domain under the DMARC
	// record's adkim= (relaxed without a record, RFC 7489 §3.1.1);
	// StrictAligned that d= equals it.
	Aligned       bool `json:"aligned"`
	StrictAligned bool `json:"strict_aligned"`
	// Temporary is set for a temperror: the key lookup failed, retry.
	Temporary bool  `json:"temporary,omitempty"`
	Err       error `json:"-"`
}

// Covers reports whether h= names the field (case-insensitive).
func (d DKIM) Covers(field string) bool {
	for _, h := range d.Headers {
		if strings.EqualFold(strings.TrimSpace(h), field) {
			return true
		}
	}
	return false
}

func evalDKIM(ctx context.Context, r resolve.Resolver, msg []byte, m dkim.Message, now time.Time) []DKIM {
	v := &dkim.Verifier{Resolver: r, Now: func() time.Time { return now }}
	vs, err := v.Verify(ctx, bytes.NewReader(msg))
	if err != nil {
		return []DKIM{{Result: dkim.PermError, Reason: err.Error(), Err: err, BodyLength: -1}}
	}
	present := map[string]bool{}
	for _, h := range m.Headers {
		present[strings.ToLower(h.Name)] = true
	}
	out := make([]DKIM, 0, len(vs))
	for _, x := range vs {
		d := DKIM{Domain: x.Domain, Selector: x.Selector, Result: x.Result, Reason: x.Reason, Err: x.Err,
			BodyLength: -1, UnsignedBodyBytes: x.UnsignedBodyBytes, Temporary: x.Result == dkim.TempError}
		if s := x.Signature; s != nil {
			d.Algorithm = s.Algorithm
			d.Expires = s.Expiration
			d.Expired = !s.Expiration.IsZero() && now.After(s.Expiration)
			d.BodyLength = s.BodyLength
			d.Headers = s.Headers
			for _, name := range ImportantHeaders {
				if !present[strings.ToLower(name)] {
					continue
				}
				if d.Covers(name) {
					d.Covered = append(d.Covered, name)
				} else {
					d.Uncovered = append(d.Uncovered, name)
				}
			}
		}
		if k := x.Key; k != nil {
			d.KeyType, d.KeyBits, d.KeyTesting = k.Type, k.Bits, k.Testing
		}
		out = append(out, d)
	}
	return out
}

// alignDKIM marks each signature's alignment with the From domain under
// the DMARC record's adkim= (RFC 7489 §3.1.1), relaxed when there is none.
func alignDKIM(ds []DKIM, fromDomain string, dm DMARC) {
	mode := dmarc.Relaxed
	if dm.ADKIM != "" {
		mode = dm.ADKIM
	}
	for i := range ds {
		if ds[i].Domain == "" || fromDomain == "" {
			continue
		}
		ds[i].StrictAligned = strings.EqualFold(ds[i].Domain, fromDomain)
		ds[i].Aligned = dmarc.IdentifiersAligned(mode, fromDomain, strings.ToLower(ds[i].Domain), dm.OrgDomain)
	}
}
