// Package contentfilter asks a real content filter what it thinks of a
// message: SpamAssassin's spamd over the SPAMC/1.5 protocol (CHECK, SYMBOLS,
// REPORT; spamd(1) "PROTOCOL") and Rspamd's HTTP /checkv2 endpoint
// (https://rspamd.com/doc/developers/protocol.html). Both give a [Result]:
// the score, the score at which the filter calls the message spam, the
// action and the rules that fired.
//
// Clients are plain structs whose zero value (beside the address) works and
// that are safe for concurrent use; each call opens its own connection and
// has its own timeout. The reply parsers are pure and bounded
// ([MaxReplySize]).
package contentfilter

import (
	"context"
	"errors"
	"net/netip"
)

// Filter is a content filter a message can be handed to.
type Filter interface {
	// Name is the filter's stable name ("spamd", "rspamd"); the report
	// keys its result by it.
	Name() string
	// Check scans msg, sent with the given envelope.
	Check(ctx context.Context, msg []byte, env Envelope) (Result, error)
}

// Envelope is what the SMTP session said about the message. Every field is
// optional.
type Envelope struct {
	IP       netip.Addr
	HELO     string
	MailFrom string
	Rcpt     []string
}

// Result is a filter's verdict on one message.
type Result struct {
	// Engine is the filter's name.
	Engine string `json:"engine"`
	// Score is the message's score and Required the score at or above
	// which the filter calls it spam (spamd's threshold, Rspamd's
	// required_score).
	Score    float64 `json:"score"`
	Required float64 `json:"required_score"`
	Spam     bool    `json:"spam"`
	// Action is Rspamd's action ("no action", "greylist", "add header",
	// "rewrite subject", "soft reject", "reject"); for spamd it is "reject"
	// when Spam, else "no action".
	Action string `json:"action"`
	// Symbols are the rules that fired, highest score first, then by name.
	Symbols []Symbol `json:"symbols"`
	// Error is set by callers that keep a failed check in a report.
	Error string `json:"error,omitempty"`
}

// Symbol is one rule that fired.
type Symbol struct {
	Name        string   `json:"name"`
	Score       float64  `json:"score"`
	Description string   `json:"description,omitempty"`
	Options     []string `json:"options,omitempty"`
}

// MaxReplySize bounds the bytes read of one filter reply.
const MaxReplySize = 4 << 20

// ErrProtocol is wrapped by the errors of a reply that does not follow the
// filter's protocol.
var ErrProtocol = errors.New("contentfilter: protocol error")
