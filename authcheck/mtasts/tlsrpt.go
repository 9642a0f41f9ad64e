// SMTP TLS Reporting records (RFC 8460 §3): the _smtp._tls TXT record.

package mtasts

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"net/url"
	"strings"

	"github.com/bouncekit/bouncekit/authcheck/dkim"
	"github.com/bouncekit/bouncekit/authcheck/internal/syntax"
	"github.com/bouncekit/bouncekit/authcheck/resolve"
)

// ErrTLSRPTSyntax is wrapped by errors of ParseTLSRPTRecord.
var ErrTLSRPTSyntax = errors.New("malformed TLS-RPT record")

// TLSRPTRecord is a parsed _smtp._tls record.
type TLSRPTRecord struct {
	Version string   `json:"v"`   // "TLSRPTv1"
	RUA     []string `json:"rua"` // mailto: or https: URIs
	Raw     string   `json:"record"`
}

// ParseTLSRPTRecord parses a TLS-RPT TXT record: v=TLSRPTv1 first, then
// rua= with one or more comma-separated mailto: or https: URIs (RFC 8460
// §3). Errors wrap ErrTLSRPTSyntax.
func ParseTLSRPTRecord(txt string) (*TLSRPTRecord, error) {
	tags, err := dkim.ParseTagList(txt)
	if err != nil {
		return nil, fmt.Errorf("tls-rpt: %w: %v", ErrTLSRPTSyntax, err)
	}
	if len(tags) == 0 || tags[0].Name != "v" || tags[0].Value != "TLSRPTv1" {
		return nil, fmt.Errorf("tls-rpt %q: %w: must begin with v=TLSRPTv1", syntax.Trunc(txt), ErrTLSRPTSyntax)
	}
	rec := &TLSRPTRecord{Version: "TLSRPTv1", Raw: txt}
	for _, t := range tags[1:] {
		if t.Name != "rua" {
			continue // RFC 8460 §3: unknown extensions are ignored
		}
		for u := range strings.SplitSeq(t.Value, ",") {
			u = strings.TrimSpace(u)
			pu, err := url.Parse(u)
			switch {
			case err != nil:
				return nil, fmt.Errorf("tls-rpt rua %q: %w: %v", u, ErrTLSRPTSyntax, err)
			case strings.EqualFold(pu.Scheme, "mailto"):
				if _, err := mail.ParseAddress(pu.Opaque); err != nil {
					return nil, fmt.Errorf("tls-rpt rua %q: %w: bad mailbox: %v", u, ErrTLSRPTSyntax, err)
				}
			case strings.EqualFold(pu.Scheme, "https"):
				if pu.Host == "" {
					return nil, fmt.Errorf("tls-rpt rua %q: %w: no host", u, ErrTLSRPTSyntax)
				}
			default:
				return nil, fmt.Errorf("tls-rpt rua %q: %w: scheme must be mailto or https", u, ErrTLSRPTSyntax)
			}
			rec.RUA = append(rec.RUA, u)
		}
	}
	if len(rec.RUA) == 0 {
		return nil, fmt.Errorf("tls-rpt %q: %w: no rua=", syntax.Trunc(txt), ErrTLSRPTSyntax)
	}
	return rec, nil
}

// LookupTLSRPT fetches and parses the TLS-RPT record of domain. A missing
// record wraps ErrRecordMissing; several wrap ErrRecordMultiple (RFC 8460
// §3: then none applies).
func LookupTLSRPT(ctx context.Context, r resolve.Resolver, domain string) (*TLSRPTRecord, error) {
	txt, err := resolve.LookupVersionedTXT(ctx, r, "_smtp._tls."+strings.TrimSuffix(domain, "."), "TLSRPTv1")
	if err != nil {
		return nil, err
	}
	return ParseTLSRPTRecord(txt)
}
