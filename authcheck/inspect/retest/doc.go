// Package retest writes the narrow retest of a rejected message: a plain
// variant (no images, tracking redirects replaced by their targets or
// removed, merge fields and personal values made static), then one variant
// per link or image host added back, then the personalised fields, then
// production; each with the number of sends that tells its failure rate from
// the watch level at a stated confidence, and how to read the outcome. It
// changes one variable at a time, as the seed triage asks.
//
// Every rewrite changes the body (and some change signed header fields), so
// every DKIM signature (RFC 6376 §3.7 body hash) and ARC set (RFC 8617)
// of the original breaks: variants are written without them and must be
// signed again by the sending MTA.
package retest
