package bounce

import (
	"errors"
	"fmt"
	"net/textproto"
	"testing"
)

// SMTPError has the shape of github.com/emersion/go-smtp's SMTPError; the
// adapter reads fields by name and type, so this stands in for it without the
// dependency.
type SMTPError struct {
	Code         int
	EnhancedCode [3]int
	Message      string
}

func (e *SMTPError) Error() string { return fmt.Sprintf("SMTP error %d: %s", e.Code, e.Message) }

// APIError has the same shape but is an HTTP API's error, not an SMTP reply.
type APIError struct {
	Code    int
	Message string
}

func (e *APIError) Error() string { return fmt.Sprintf("api error %d: %s", e.Code, e.Message) }

func TestFromError(t *testing.T) {
	tests := []struct {
		name     string
		err      error
		ok       bool
		code     int
		status   string
		tag      string
		mismatch bool
	}{
		{"net/smtp textproto error", &textproto.Error{Code: 554, Msg: "5.7.1 [CS01] Message rejected due to local policy"}, true, 554, "5.7.1", "CS01", false},
		{"textproto multi-line", &textproto.Error{Code: 550, Msg: "5.7.26 This mail has been blocked because the sender is\n5.7.26 unauthenticated. - gsmtp"}, true, 550, "5.7.26", "", false},
		{"go-smtp error keeps the enhanced code its Error() drops", &SMTPError{Code: 421, EnhancedCode: [3]int{4, 7, 28}, Message: "Gmail has detected an unusual rate"}, true, 421, "4.7.28", "", false},
		{"go-smtp with a contradicting enhanced code", &SMTPError{Code: 421, EnhancedCode: [3]int{5, 7, 32}, Message: "blocked"}, true, 421, "5.7.32", "", true},
		{"go-smtp without enhanced code", &SMTPError{Code: 452, EnhancedCode: [3]int{-1, -1, -1}, Message: "4.2.2 mailbox full"}, true, 452, "4.2.2", "", false},
		{"wrapped", fmt.Errorf("send to bob: %w", &textproto.Error{Code: 550, Msg: "5.1.1 user unknown"}), true, 550, "5.1.1", "", false},
		{"joined", errors.Join(errors.New("rcpt 1 ok"), &textproto.Error{Code: 452, Msg: "4.2.2 over quota"}), true, 452, "4.2.2", "", false},
		{"network error has no reply", errors.New("dial tcp 192.0.2.1:25: i/o timeout"), false, 0, "", "", false},
		{"nil", nil, false, 0, "", "", false},
		{"impossible code", &textproto.Error{Code: 999, Msg: "x"}, false, 0, "", "", false},
		{"nil pointer", (*SMTPError)(nil), false, 0, "", "", false},
		{"an HTTP API error of the same shape is no SMTP reply", &APIError{Code: 500, Message: "Internal error"}, false, 0, "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, ok := FromError(tt.err)
			if ok != tt.ok {
				t.Fatalf("ok = %v, want %v", ok, tt.ok)
			}
			if !ok {
				return
			}
			if r.Code != tt.code || r.Status.String() != tt.status || r.Tag() != tt.tag {
				t.Errorf("got %d %q tag %q, want %d %q tag %q", r.Code, r.Status, r.Tag(), tt.code, tt.status, tt.tag)
			}
			if r.Flags.Has(FlagClassMismatch) != tt.mismatch {
				t.Errorf("FlagClassMismatch = %v", r.Flags.Has(FlagClassMismatch))
			}
			if r.Text == "" {
				t.Error("empty text")
			}
		})
	}
}
