// Package triage runs the CS01 workflow end to end: a bounce message and the
// delivery events of a campaign in; the Apple-only failure rate and level,
// the failed-versus-delivered comparison, the authentication check of the
// sending setup, the diagnosis and the next step out.
package triage

import (
	"context"
	"fmt"
	"io"
	"net/netip"
	"strings"

	"github.com/bouncekit/bouncekit/authcheck"
	"github.com/bouncekit/bouncekit/authcheck/dnsbl"
	"github.com/bouncekit/bouncekit/authcheck/resolve"
	"github.com/bouncekit/bouncekit/bounce"
	"github.com/bouncekit/bouncekit/classify"
	"github.com/bouncekit/bouncekit/segment"
)

// Sender is the sending setup to check.
type Sender struct {
	IP         netip.Addr
	HELO       string
	MailFrom   string
	FromDomain string
	Selectors  []string
}

// Input is what a triage reads.
type Input struct {
	Bounce   io.Reader // one returned bounce message (its original names the link domains)
	Events   io.Reader // the campaign's delivery events (any segment format)
	Provider classify.Provider
	Sender   Sender
	Resolver resolve.Resolver
	// Blocklists to check the IP and every domain of the message against;
	// nil means authcheck's defaults.
	Blocklists []dnsbl.Zone
}

// Result is what a triage found.
type Result struct {
	Verdict   classify.Verdict // of the bounce's first record
	Domains   []string         // every domain the returned message names
	Provider  segment.ProviderStats
	Findings  []segment.Finding // significant differences, failures only first
	Diagnosis *segment.Diagnosis
	Auth      *authcheck.SenderReport
}

// Run performs the triage. A DNS timeout does not stop it: the
// authentication report then carries a temperror finding (dns.timeout).
func Run(ctx context.Context, in Input) (*Result, error) {
	res := &Result{}

	// 1. Read the bounce: what the receiver said, and the domains the
	// returned message names (its links included).
	rep, err := bounce.ParseMessage(in.Bounce)
	if err != nil {
		return nil, fmt.Errorf("reading the bounce: %w", err)
	}
	if len(rep.Records) > 0 {
		res.Verdict = classify.Default().ClassifyRecord(rep, &rep.Records[0])
	}
	if rep.Original != nil {
		res.Domains = rep.Original.Domains
	}

	// 2. The provider's own rate and level, the comparison and the diagnosis.
	report, err := segment.BuildReport(ctx, segment.Read(in.Events, segment.FormatAuto), segment.ReportOptions{})
	if err != nil {
		return nil, fmt.Errorf("reading the events: %w", err)
	}
	for _, p := range report.Providers {
		if p.Provider == in.Provider {
			res.Provider = p
		}
	}
	for i, d := range report.Diagnoses {
		if d.Provider == in.Provider {
			res.Diagnosis = &report.Diagnoses[i]
			res.Findings = d.Comparison.Significant()
		}
	}

	// 3. The sending setup, checked the way the receiver checks it, with
	// every domain of the message against the blocklists.
	var links []string
	for _, d := range res.Domains {
		if !strings.EqualFold(d, in.Sender.FromDomain) {
			links = append(links, d)
		}
	}
	res.Auth, err = authcheck.CheckSender(ctx, in.Resolver, authcheck.SenderInput{
		IP: in.Sender.IP, HELO: in.Sender.HELO, MailFrom: in.Sender.MailFrom,
		FromDomain: in.Sender.FromDomain, DKIMSelectors: in.Sender.Selectors,
		LinkDomains: links, Blocklists: in.Blocklists,
	})
	if err != nil {
		return nil, fmt.Errorf("checking the sender: %w", err)
	}
	return res, nil
}
