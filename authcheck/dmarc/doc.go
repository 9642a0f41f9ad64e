// Package dmarc implements DMARC policy records and evaluation (RFC 7489,
// and the DMARCbis tree walk of RFC 9989): record parsing (Parse, Record),
// policy discovery by both the Public Suffix List method and the tree walk
// (Discover), identifier alignment and evaluation (IdentifiersAligned,
// Evaluate) and the external report destination check of RFC 7489 §7.1
// (VerifyReportDestinations).
package dmarc
