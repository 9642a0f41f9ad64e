package main

// This file prints the dmarc command's text output: a line per report,
// then per domain the source table, the classes and the advice.

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/bouncekit/bouncekit/authcheck/dmarcreport"
)

func printReportLine(w io.Writer, file string, r dmarcreport.Result, dup bool) {
	rep := r.Report
	c := rep.Counts()
	note := ""
	if dup {
		note = " (duplicate: not counted again)"
	}
	if r.Err != nil {
		note += " (incomplete: " + r.Err.Error() + ")"
	}
	fmt.Fprintf(w, "%s: %s report %s for %s, %s to %s, p=%s, %d records, %d messages, %d pass DMARC%s\n",
		where(file, r.Part), rep.Metadata.OrgName, rep.Metadata.ReportID, rep.Policy.Domain,
		rep.Metadata.Begin.Format("2006-01-02 15:04"), rep.Metadata.End.Format("2006-01-02 15:04"),
		rep.Policy.P, len(rep.Records), c.Messages, c.DMARCPass, note)
	for _, rp := range rep.Repairs {
		fmt.Fprintf(w, "  repaired: %s\n", rp)
	}
}

func printDMARCText(w io.Writer, agg *dmarcreport.Aggregate, domains []domainJSON, failures []dmarcError, summary bool) {
	fmt.Fprintf(w, "\n%d reports (%d duplicates skipped), %d inputs failed\n", agg.Reports(), agg.Duplicates(), len(failures))
	if summary {
		for _, f := range failures {
			fmt.Fprintf(w, "  %s: %s\n", where(f.File, f.Part), f.Error)
		}
	}
	for _, d := range domains {
		s := d.DomainSummary
		fmt.Fprintf(w, "\n== %s: %d messages from %d sources, %.1f%% pass DMARC (%s to %s; %s, from the %s)\n",
			s.Domain, s.Messages, len(s.Sources), 100*s.PassRate(), s.Begin.Format("2006-01-02"), s.End.Format("2006-01-02"),
			d.Advice.Policy, d.PolicySource)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "SOURCE\tORG\tMESSAGES\tDMARC PASS\tDKIM ALIGNED\tSPF ALIGNED\tCLASS")
		for i, src := range s.Sources {
			if i == 25 {
				fmt.Fprintf(tw, "... %d more\t\t\t\t\t\t\n", len(s.Sources)-25)
				break
			}
			ip := src.IP.String()
			if !src.IP.IsValid() {
				ip = "(unreadable or over the limit)"
			}
			org := src.Org
			if src.PTR != "" {
				org += " " + src.PTR
			}
			fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%d\t%s\n", ip, strings.TrimSpace(org), src.Messages, src.DMARCPass, src.DKIMAligned, src.SPFAligned, src.Class)
		}
		tw.Flush()
		fmt.Fprintln(w, "\nWhy each source got its class:")
		for i, src := range s.Sources {
			if i == 10 {
				break
			}
			fmt.Fprintf(w, "  %s (%s): %s\n", src.IP, src.Class, strings.Join(src.Evidence, "; "))
		}
		printAdvice(w, d.Advice)
	}
}

func printAdvice(w io.Writer, a dmarcreport.Advice) {
	fmt.Fprintf(w, "\nEnforcement: stage %s; legitimate mail %d of %d messages, %.2f%% passing, over %d days\n",
		a.Stage, a.Legitimate, a.Messages, 100*a.PassRate, a.Days)
	if a.Next != nil {
		verdict := "not yet"
		if a.Safe {
			verdict = "safe"
		}
		fmt.Fprintf(w, "Next step: %s (%s), earliest %s: %q\n", a.Next.Stage, verdict, a.Next.Earliest, a.Next.Record)
	}
	for _, r := range a.Reasons {
		fmt.Fprintf(w, "  - %s\n", r)
	}
	if len(a.Blockers) > 0 {
		fmt.Fprintln(w, "Blocking sources:")
		for _, b := range a.Blockers {
			fmt.Fprintf(w, "  %s %s, %d messages (%d failing), blocks %s: %s\n", b.IP, b.Class, b.Messages, b.Failing, b.Blocks, b.Fix)
		}
	}
	if len(a.Timeline) > 0 {
		fmt.Fprintln(w, "Timeline (legitimate failing mail affected over the reports' window, RFC 7489 / RFC 9989 receivers):")
		for _, st := range a.Timeline {
			fmt.Fprintf(w, "  %s  %-18s q %d/%d  r %d/%d  %s\n", st.Earliest, st.Stage,
				st.RFC7489.Quarantined, st.RFC9989.Quarantined, st.RFC7489.Rejected, st.RFC9989.Rejected, st.Record)
		}
	}
	for _, n := range a.Notes {
		fmt.Fprintf(w, "Note: %s\n", n)
	}
}
