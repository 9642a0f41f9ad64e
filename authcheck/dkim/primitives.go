// The building blocks of a DKIM-like signature, exported for the protocols
// that sign other header fields the same way (ARC, RFC 8617 §5.1 and §5.2
// reuse DKIM's tag-list, canonicalisation, header hash and algorithms).

package dkim

import (
	"crypto"
	"crypto/ed25519"
	"crypto/rsa"
	"errors"
	"fmt"
)

// ErrBadSignature is returned by Key.VerifySignature when the signature
// does not verify, or is refused (RSA key below MinRSABits, rsa-sha1).
var ErrBadSignature = errors.New("dkim: signature did not verify")

// CanonHeader appends the canonical form of one raw header field (name,
// colon, value and CRLF, folding included, as in Header.Raw) to dst: simple
// leaves it unchanged (RFC 6376 §3.4.1), relaxed lower-cases the name,
// unfolds, compresses whitespace and trims the value (§3.4.2).
func CanonHeader(dst, raw []byte, c Canon) []byte { return canonHeader(dst, raw, c) }

// CanonBody returns the canonical form of a body with CRLF line endings
// (RFC 6376 §3.4.3 simple, §3.4.4 relaxed).
func CanonBody(body []byte, c Canon) []byte { return canonBody(body, c) }

// StripSignatureValue returns a copy of a raw tag-list header field (a
// DKIM-Signature, ARC-Message-Signature or ARC-Seal) with the value of its
// b= tag emptied, as the header hash covers it (RFC 6376 §3.7).
func StripSignatureValue(raw []byte) []byte { return stripSigValue(raw) }

// HeaderHash computes the header hash of RFC 6376 §3.7 with hashName
// ("sha256", or "sha1" for old signatures): for each name of names, the
// bottom-most not yet used instance of that field in headers (§5.4.2; a
// name with no instance left contributes nothing), canonicalised with c,
// then self (the signature's own raw field, whose b= value is emptied
// here) canonicalised without its trailing CRLF.
func HeaderHash(hashName string, headers []Header, names []string, self []byte, c Canon) []byte {
	h := dkimHash(hashName)
	writeHeaderHash(h, headers, names, self, c)
	return h.Sum(nil)
}

// VerifySignature checks sig (the decoded b= value) over digest (the
// header hash) with the key: RSASSA-PKCS1-v1_5 for rsa keys (RFC 6376
// §3.3.1, §3.3.2) and Ed25519 for ed25519 keys (RFC 8463 §3). hashName is
// the signature's hash ("sha256" or "sha1"); rsa-sha1 is refused even when
// it verifies (RFC 8301 §3.1), and so are RSA keys under MinRSABits
// (§3.2). A failure wraps ErrBadSignature.
func (k *Key) VerifySignature(hashName string, digest, sig []byte) error {
	switch pub := k.PublicKey.(type) {
	case *rsa.PublicKey:
		ch := crypto.SHA256
		if hashName == "sha1" {
			ch = crypto.SHA1
		}
		if err := rsa.VerifyPKCS1v15(pub, ch, digest, sig); err != nil {
			return fmt.Errorf("%w: %w", ErrBadSignature, err)
		}
		if k.Bits < MinRSABits {
			return fmt.Errorf("%w: RSA key of %d bits is below the %d-bit minimum (RFC 8301 §3.2)", ErrBadSignature, k.Bits, MinRSABits)
		}
	case ed25519.PublicKey:
		if !ed25519.Verify(pub, digest, sig) {
			return ErrBadSignature
		}
	default:
		return fmt.Errorf("%w: unusable key (revoked or unsupported)", ErrBadSignature)
	}
	if hashName == "sha1" {
		return fmt.Errorf("%w: rsa-sha1 is refused (RFC 8301 §3.1)", ErrBadSignature)
	}
	return nil
}
