// Package authres parses the header fields in which receivers record their
// authentication results: Authentication-Results (RFC 8601) and
// Received-SPF (RFC 7208 §9.1). Parsers are pure.
package authres
