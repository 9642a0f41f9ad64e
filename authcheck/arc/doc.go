// Package arc validates and seals Authenticated Received Chains (RFC 8617):
// the ARC-Authentication-Results, ARC-Message-Signature and ARC-Seal header
// fields by which forwarders (mailing lists, Apple's Private Relay, Gmail
// groups) carry the authentication verdicts of earlier hops across their own
// changes to a message.
//
// Validate computes the chain validation status (cv none, pass or fail) of
// RFC 8617 §5.2, naming the failing instance and why; Sealer adds a new ARC
// Set (§5.1) for tests and for users who forward mail. Keys are DKIM keys
// (RFC 6376 §3.6.1) read through resolve.Resolver, so the whole check runs
// offline from a resolve.Static zone.
package arc
