// BIMI assertion records (default._bimi TXT, draft-brand-indicators-for-
// message-identification §4): syntax only; logos and certificates are not
// fetched.

package bimi

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/bouncekit/bouncekit/authcheck/dkim"
	"github.com/bouncekit/bouncekit/authcheck/internal/syntax"
	"github.com/bouncekit/bouncekit/authcheck/resolve"
)

// ErrSyntax is wrapped by errors of ParseRecord.
var ErrSyntax = errors.New("malformed BIMI record")

// Record is a parsed BIMI assertion record.
type Record struct {
	Version  string   `json:"v"`           // "BIMI1"
	Logo     string   `json:"l,omitempty"` // https URL of an SVG Tiny PS logo
	Evidence string   `json:"a,omitempty"` // https URL of the VMC/CMC PEM
	Declined bool     `json:"declined"`    // l= and a= both empty: the domain opts out
	Notes    []string `json:"notes,omitempty"`
	Raw      string   `json:"record"`
}

// ParseRecord parses a BIMI TXT record: v=BIMI1 first, l= and a= as
// https URLs or empty. Errors wrap ErrSyntax; soft problems (no
// evidence document, a logo not ending in .svg) are Notes.
func ParseRecord(txt string) (*Record, error) {
	tags, err := dkim.ParseTagList(txt)
	if err != nil {
		return nil, fmt.Errorf("bimi: %w: %v", ErrSyntax, err)
	}
	if len(tags) == 0 || tags[0].Name != "v" || tags[0].Value != "BIMI1" {
		return nil, fmt.Errorf("bimi %q: %w: must begin with v=BIMI1", syntax.Trunc(txt), ErrSyntax)
	}
	rec := &Record{Version: "BIMI1", Raw: txt}
	hasL := false
	for _, t := range tags[1:] {
		switch t.Name {
		case "l", "a":
			if t.Name == "l" {
				hasL = true
			}
			if t.Value == "" {
				continue
			}
			u, err := url.Parse(t.Value)
			if err != nil || !strings.EqualFold(u.Scheme, "https") || u.Host == "" {
				return nil, fmt.Errorf("bimi %s=%q: %w: must be an https URL", t.Name, t.Value, ErrSyntax)
			}
			if t.Name == "l" {
				rec.Logo = t.Value
				if !strings.HasSuffix(strings.ToLower(u.Path), ".svg") {
					rec.Notes = append(rec.Notes, "logo URL does not end in .svg (SVG Tiny PS is required)")
				}
			} else {
				rec.Evidence = t.Value
			}
		}
	}
	if !hasL {
		return nil, fmt.Errorf("bimi %q: %w: no l= tag", syntax.Trunc(txt), ErrSyntax)
	}
	rec.Declined = rec.Logo == "" && rec.Evidence == ""
	if !rec.Declined && rec.Evidence == "" {
		rec.Notes = append(rec.Notes, "no a= evidence document: most mailbox providers show no logo without a VMC or CMC")
	}
	return rec, nil
}

// Lookup fetches and parses <selector>._bimi.<domain> ("default" when
// selector is empty).
func Lookup(ctx context.Context, r resolve.Resolver, selector, domain string) (*Record, error) {
	if selector == "" {
		selector = "default"
	}
	txt, err := resolve.LookupVersionedTXT(ctx, r, selector+"._bimi."+strings.TrimSuffix(domain, "."), "BIMI1")
	if err != nil {
		return nil, err
	}
	return ParseRecord(txt)
}
