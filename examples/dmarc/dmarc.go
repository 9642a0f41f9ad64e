// Package dmarc is the worked example of authcheck/dmarcreport in a CS01
// triage: read a folder of DMARC aggregate reports, list the sending
// sources, answer "is the stream Apple rejected with [CS01] authenticated?",
// and give the staged-enforcement advice. The seed's question is whether
// the rejection is paired with a real authentication gap or is a
// content-only pattern; the reports answer it for the stream's addresses.
package dmarc

import (
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"slices"

	"github.com/bouncekit/bouncekit/authcheck/dmarcreport"
)

// ReadDir reads every report file of dir into an aggregate. Files that
// hold no report are returned as errors, with the file name.
func ReadDir(dir string) (*dmarcreport.Aggregate, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var rd dmarcreport.Reader
	agg := dmarcreport.NewAggregate(dmarcreport.AggregateOptions{})
	var errs []error
	for _, e := range entries {
		if e.IsDir() || filepath.Ext(e.Name()) == ".md" {
			continue
		}
		p := filepath.Join(dir, e.Name())
		for r := range rd.ReadFile(p) {
			if r.Err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", p, r.Err))
			}
			agg.Add(r.Report)
		}
	}
	return agg, errors.Join(errs...)
}

// StreamAuth is what the reports say about the mail of one stream.
type StreamAuth struct {
	Messages    int64
	DMARCPass   int64
	DKIMAligned int64
	SPFAligned  int64
	Classes     []dmarcreport.Class
	// Authenticated is true when at least MinAligned of the stream passed
	// DMARC with aligned DKIM: then authentication is no reason for a
	// content rejection such as CS01.
	Authenticated bool
	// Gap says what is missing when not.
	Gap string
}

// MinAligned is the share of a stream that must pass with aligned DKIM to
// call it authenticated: the ~98% gate DMARC vendors use before reject.
const MinAligned = 0.98

// StreamAuthentication sums the sources of sum at the stream's addresses.
// A message that passes DMARC on SPF alone counts as a gap: the seed notes
// that DKIM and DMARC together give a better identity signal than SPF
// through a loosely connected bounce domain, and forwarding breaks SPF.
func StreamAuthentication(sum dmarcreport.DomainSummary, ips ...netip.Addr) StreamAuth {
	var s StreamAuth
	for _, src := range sum.Sources {
		if !slices.Contains(ips, src.IP) {
			continue
		}
		s.Messages += src.Messages
		s.DMARCPass += src.DMARCPass
		s.DKIMAligned += src.DKIMAligned
		s.SPFAligned += src.SPFAligned
		if !slices.Contains(s.Classes, src.Class) {
			s.Classes = append(s.Classes, src.Class)
		}
	}
	switch {
	case s.Messages == 0:
		s.Gap = "the reports show no mail from these addresses"
	case float64(s.DKIMAligned) >= MinAligned*float64(s.Messages):
		s.Authenticated = true
	case float64(s.DMARCPass) >= MinAligned*float64(s.Messages):
		s.Gap = fmt.Sprintf("DMARC passes on SPF alone for %d of %d messages: no aligned DKIM signature", s.DMARCPass-s.DKIMAligned, s.Messages)
	default:
		s.Gap = fmt.Sprintf("%d of %d messages fail DMARC", s.Messages-s.DMARCPass, s.Messages)
	}
	return s
}
