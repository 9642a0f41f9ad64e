// Package dkim implements DomainKeys Identified Mail (RFC 6376, with the
// algorithm updates of RFC 8301 and Ed25519 keys of RFC 8463): key records
// (ParseKey, LookupKey, CheckKey), DKIM-Signature fields (ParseSignature),
// verification (Verify, Verifier) and signing for tests (Signer). The
// pieces a DKIM-like signature over other header fields needs (ARC,
// RFC 8617) are exported too: tag-lists (ParseTagList), header and body
// canonicalisation (CanonHeader, CanonBody), the header hash (HeaderHash)
// and signature checking with a key (Key.VerifySignature).
package dkim
