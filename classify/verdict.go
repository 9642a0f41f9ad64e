// Package classify turns an SMTP reply (plus what the queue knows about it)
// into a verdict a mail queue can act on: retry or not, suppress the address
// or not, slow the stream down or not, and why. Provider and phrase rules
// come first, then what the words mean (ReadMeaning), then the RFC 3463
// enhanced status code, then the RFC 5321 §4.2 basic code.
package classify

import "log/slog"

// Severity says whether the message can still be delivered as it is.
type Severity string

// Severities.
const (
	// SeverityHard: this message will not be accepted as it is; do not retry it.
	SeverityHard Severity = "hard"
	// SeveritySoft: a transient failure; retry later.
	SeveritySoft Severity = "soft"
	// SeverityNone: not a failure (delivered, auto-reply, complaint).
	SeverityNone Severity = "none"
)

// Category is what went wrong. The values are the wire tokens used in JSON
// and docs/taxonomy.md.
type Category string

// Categories.
const (
	CategoryRecipientUnknown  Category = "recipient_unknown"
	CategoryRecipientInactive Category = "recipient_inactive"
	CategoryRecipientMoved    Category = "recipient_moved"
	CategoryMailboxFull       Category = "mailbox_full"
	CategoryBadDomain         Category = "bad_domain"
	CategoryMessageTooLarge   Category = "message_too_large"
	CategorySpamContent       Category = "spam_content"
	CategoryContentPolicy     Category = "content_policy"
	CategoryVirus             Category = "virus"
	CategoryReputationBlock   Category = "reputation_block"
	CategoryAuthFailure       Category = "auth_failure"
	CategoryRateLimited       Category = "rate_limited"
	CategoryRelayDenied       Category = "relay_denied"
	CategorySenderRejected    Category = "sender_rejected"
	CategoryPolicy            Category = "policy"
	CategoryTLSFailure        Category = "tls_failure"
	CategoryExpired           Category = "expired"
	CategoryNetwork           Category = "network"
	CategoryProtocol          Category = "protocol"
	CategorySystem            Category = "system"
	CategoryAutoReply         Category = "auto_reply"
	CategoryComplaint         Category = "complaint"
	CategoryDelivered         Category = "delivered"
	CategoryUnknown           Category = "unknown"
)

// Hint says where the fix lies.
type Hint string

// Hints.
const (
	HintRecipient      Hint = "recipient"
	HintContent        Hint = "content"
	HintReputation     Hint = "reputation"
	HintAuthentication Hint = "authentication"
	HintVolume         Hint = "volume"
	HintInfrastructure Hint = "infrastructure"
	HintForwarding     Hint = "forwarding" // relay and alias paths such as Apple Private Relay
	HintNone           Hint = "none"
	HintUnknown        Hint = "unknown"
)

// Provider names a mailbox provider or filter vendor ("apple", "google",
// "microsoft", "yahoo", "comcast", ..., "proofpoint", "mimecast"). The empty
// Provider means not known.
type Provider string

// Verdict is the classifier's answer for one reply. It is a plain value.
type Verdict struct {
	Severity Severity `json:"severity"`
	Category Category `json:"category"`
	Hint     Hint     `json:"hint"`
	Retry    bool     `json:"retry"`
	Suppress bool     `json:"suppress"`
	SlowDown bool     `json:"slow_down"`
	Provider Provider `json:"provider"`
	Tag      string   `json:"tag"`
	Rule     string   `json:"rule"`
	// Explanation is one line saying why, in plain words. When the text
	// outranks the code (CodeDisagrees) it names both readings.
	Explanation string `json:"explanation"`
	// Meaning is what the reply's words say (ReadMeaning), when the
	// classifier read them: the phrase rules did not decide on their own
	// (no rule, a code default or a catch-all matched) or a generic rule
	// would suppress. Zero otherwise, or when the words say nothing.
	Meaning Meaning `json:"meaning,omitzero"`
	// CodeDisagrees is set when the text decided (a phrase rule or a
	// meaning) against what the enhanced or basic code alone says, and
	// the code says something specific: "552 ... MIME structure invalid"
	// is a malformed message, not a full mailbox. CodeRule names the
	// code's rule ("rfc5321-552").
	CodeDisagrees bool   `json:"code_disagrees,omitempty"`
	CodeRule      string `json:"code_rule,omitempty"`
}

// IsFailure reports whether the verdict is a failure (hard or soft).
func (v Verdict) IsFailure() bool { return v.Severity == SeverityHard || v.Severity == SeveritySoft }

// LogValue makes a Verdict log as a group of its fields.
func (v Verdict) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("severity", string(v.Severity)),
		slog.String("category", string(v.Category)),
		slog.String("hint", string(v.Hint)),
		slog.Bool("retry", v.Retry),
		slog.Bool("suppress", v.Suppress),
		slog.Bool("slow_down", v.SlowDown),
		slog.String("provider", string(v.Provider)),
		slog.String("tag", v.Tag),
		slog.String("rule", v.Rule),
		slog.String("meaning", v.Meaning.String()),
		slog.Bool("code_disagrees", v.CodeDisagrees),
	)
}
