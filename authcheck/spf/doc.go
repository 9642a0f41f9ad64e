// Package spf implements the Sender Policy Framework of RFC 7208: record
// parsing (Parse, Record), the check_host() function with its trace
// (CheckHost, CheckMailFrom, Outcome), macro expansion (§7) and a lint of a
// domain's whole include tree (Lint). DNS goes through resolve.Resolver.
package spf
