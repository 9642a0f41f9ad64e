// Package segment turns delivery events into the figures a deliverability
// engineer triages with: per-provider failure rates with their own
// denominators and 95% Wilson intervals, threshold levels (watch,
// investigate, pause), a failed-versus-delivered comparison that finds what
// only the failures share (Fisher's exact test with a Benjamini-Hochberg
// correction), and a diagnosis with a next step in plain words.
//
// Events stream in through readers for a plain CSV or JSON-lines format,
// Postfix and Exim logs (RFC 3164 and RFC 5424 syslog), PowerMTA accounting
// files, KumoMTA logs and Amazon SES event JSON in every shape AWS delivers
// (see Read), gzip, zstd or bzip2 compressed. The outcome rules (KeyOf,
// KeyState, Dedup) fold a message's attempts for one recipient into one
// outcome, in a stream with memory bounded by the keys held, or sharded. An
// Aggregate counts outcomes in memory that grows with the number of
// distinct keys, not with the number of events, and aggregates of shards
// Merge into exactly the aggregate of one pass.
package segment
