// Package msgauth evaluates one message the way a receiving mail server
// does, as typed results: every DKIM signature (RFC 6376, RFC 8463, with
// key size, x= expiry, l= and the header fields it covers), SPF for the
// connecting IP, HELO and MAIL FROM (RFC 7208), DMARC with alignment and
// report addresses (RFC 7489), the ARC chain (RFC 8617), BIMI, and, when the
// sending IP is given, its reverse DNS, HELO and blocklist standing
// (RFC 5782); and every domain of the message against domain blocklists.
//
// All DNS goes through resolve.Resolver, so a resolve.Static zone makes the
// whole evaluation offline and repeatable. The inspector (authcheck/inspect)
// turns the result into named checks.
package msgauth
