// Package dnsbl queries DNS blocklists of IP addresses and domains
// (RFC 5782) and reads their answers by each list's documented return
// codes, keeping listings, refusals (a public resolver or an exceeded
// quota) and lookup failures apart.
package dnsbl
