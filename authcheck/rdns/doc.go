// Package rdns checks the sending address's reverse DNS (forward-confirmed
// PTR names, RFC 1912 §2.1 and the iprev method of RFC 8601 §3) and its
// HELO/EHLO name (RFC 5321 §4.1.1.1 and §4.1.4).
package rdns
