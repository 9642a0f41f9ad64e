// Package authtest holds test helpers shared by the authcheck packages'
// tests: a map-backed resolver, resolvers for a local dnstest server
// (internal/dnstest, a real miekg/dns server on 127.0.0.1), test keys and
// assertions. Only tests import it.
package authtest
