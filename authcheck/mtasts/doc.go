// Package mtasts reads SMTP MTA Strict Transport Security (RFC 8461): the
// _mta-sts TXT record, the policy file fetched over HTTPS and whether a
// domain's MX hosts are covered; and the TLS reporting record of SMTP TLS
// Reporting (RFC 8460).
package mtasts
