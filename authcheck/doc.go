// Package authcheck checks a whole sending setup the way receiving mailbox
// providers do, in one call (CheckSender), and turns what each protocol
// package finds into stable, coded findings (Finding, FindingCode) with a
// severity and the RFC section they follow. The checks themselves live in
// the packages below it: spf (RFC 7208), dkim (RFC 6376, RFC 8463), dmarc
// (RFC 7489, RFC 9989), authres (RFC 8601 Authentication-Results and
// Received-SPF), dnsbl (RFC 5782), mtasts (RFC 8461, RFC 8460), bimi, rdns
// (reverse DNS and HELO), envelope (RFC 5321 §5.1, RFC 7505) and psl (the
// Public Suffix List), all talking DNS through resolve.
package authcheck
