// Package syntax holds the small text helpers the record parsers of the
// authcheck packages share: DKIM tag values (RFC 6376 §3.2), folding
// whitespace and DNS label syntax.
package syntax
