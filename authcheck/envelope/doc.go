// Package envelope checks that the MAIL FROM domain can receive the bounces
// sent to it: MX hosts that resolve, the implicit MX of RFC 5321 §5.1, or a
// null MX (RFC 7505) that says it accepts no mail.
package envelope
