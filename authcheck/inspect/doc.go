// Package inspect checks one email message the way a receiving mailbox
// provider reads it: its header (RFC 5322 §3.6), its MIME structure (RFC 2045,
// RFC 2046), its content and every link in it, and the offline parts of the
// Google and Yahoo 2024 bulk-sender requirements (RFC 8058 one-click
// unsubscribe among them).
//
// [Inspect] runs an ordered list of named [Check]s and returns a [Report]
// whose JSON form is a stable contract: the authentication sections (dkim,
// spf, dmarc, arc), the check results with pass/total counts, the link
// inventory, every domain the message names, and the content-filter scores.
// The checks of this package are offline: they read only the bytes handed to
// them. DNS-backed checks (DKIM, SPF, DMARC, ARC, BIMI, rDNS, HELO,
// blocklists) plug in through [Options.Auth] and [Options.Extra]; a real
// content filter (SpamAssassin, Rspamd) through [Options.Filters].
//
// Parsing is bounded: see [Limits]. A hostile message gives findings and a
// partial report, never a panic or a hang.
package inspect
