// Package psl finds the organisational domain of a name with the Public
// Suffix List (https://publicsuffix.org/, through golang.org/x/net), the
// method RFC 7489 §3.2 uses for DMARC alignment.
package psl
