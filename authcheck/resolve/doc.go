// Package resolve is the DNS layer of the authcheck packages: the small
// Resolver interface every check takes (context first), Client, its
// implementation over github.com/miekg/dns (RFC 1035 over UDP with TCP
// fallback, EDNS0 per RFC 6891, CNAME chains, a TTL cache and shared
// in-flight queries), Static, an in-memory resolver answering from
// zone-file text for tests and the CLI, and the typed errors that keep
// NXDOMAIN, NODATA, SERVFAIL, timeouts and unreachable servers apart
// (RFC 7208 §4.4 and §5 depend on the difference).
package resolve
