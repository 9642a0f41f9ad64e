// Package bounce reads what receivers and mail systems send back about a
// message, and nothing else: it is pure parsing, doing no I/O beyond the
// readers and file systems it is handed.
//
//   - ParseReply reads one SMTP reply (RFC 5321 §4.2) from wherever it was
//     found: bare or multi-line, an RFC 3464 §2.3.6 Diagnostic-Code, or the
//     wrappers of Postfix, Exim, Sendmail, Exchange, Amazon SES and PowerMTA.
//     A Reply holds the basic code, the RFC 3463 enhanced Status, the text,
//     provider tags such as Apple's "[CS01]", the SMTP Stage, the answering
//     host and what the parser noticed (Flags). It is a value: it prints,
//     marshals to text and JSON, and logs with log/slog.
//   - Status is an RFC 3463 enhanced status code with the IANA registry's
//     names; ParseStage reads the SMTP stage names MTAs and queues use.
//   - FromError reads the reply out of the error a Go SMTP client returned.
//   - Parser.Parse reads a whole bounce message: RFC 3464 delivery status
//     notifications (and RFC 6533's internationalized form), RFC 5965 ARF
//     complaints, auto-replies, and the plain-text notices of Postfix, Exim,
//     Sendmail, qmail, Exchange, Notes and others, into a Report of one
//     Record per recipient. Mbox and Maildir read many messages as a stream.
//   - ParseLogLine reads MTA log lines (Postfix, Exim, Sendmail).
//
// Every parser takes hostile input: time linear in the input, memory bounded
// by Limits, typed errors (errors.Is, errors.As) with the partial result, and
// no panics. Parsing and classifying one reply allocates nothing.
//
// bounce imports no other bouncekit package; classify reads its Reply and
// Records, segment its log lines.
package bounce
