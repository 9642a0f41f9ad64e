// Package dmarcreport reads DMARC aggregate reports (RFC 7489 Appendix C and
// RFC 9990), aggregates them per policy domain, day and sending source,
// classifies each source from its authentication results, and advises on
// staged enforcement (p=none -> quarantine -> reject, RFC 9989 and RFC 7489
// §6.3).
//
// Reading (Reader) accepts the XML itself and every container reporters
// use: gzip (also concatenated or nested, or followed by junk), zip, zlib,
// report emails in any MIME structure, and mbox files and Maildirs of such
// emails. Reporters deviate from the schema in small ways; the reader
// repairs what it can and lists each repair in Report.Repairs. Every
// decompression and every count is capped by Limits.
//
// Aggregate is streaming and mergeable: add reports one at a time, merge
// aggregates built in parallel, ask for summaries at the end. Advise turns
// a summary and the current policy into the next enforcement step.
//
// The package does no I/O beyond the readers and files it is handed, and no
// DNS unless a PTRResolver is given to Aggregate.ResolvePTR.
package dmarcreport
