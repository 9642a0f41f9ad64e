package main

// This file is the dmarc command: DMARC aggregate reports in (files,
// directories, Maildirs, mbox files, report emails), one JSON object per
// report or a text table per domain out, with the source classes and the
// staged-enforcement advice. Every decision is authcheck/dmarcreport's.

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/bouncekit/bouncekit/authcheck/dmarcreport"
)

func init() {
	register(command{name: "dmarc", usage: dmarcUsage, run: runDMARC})
}

const dmarcUsage = "dmarc [--format text|json] [--domain D] [--summary] [--record TXT | --lookup] [--ptr] [--resolver host:port] FILE|DIR...   DMARC aggregate reports: sources, their classes, staged-enforcement advice"

// dmarcHelp is the command's own help, its synopsis wrapped to 100
// columns as every help text is.
var dmarcHelp = wrap("bouncekit "+synopsis(command{usage: dmarcUsage}), 100, "", "    ") + `

Reads DMARC aggregate reports (RFC 7489, RFC 9990): XML, .gz, .zip, zlib,
report emails, mbox files and Maildirs; a DIR is read recursively ("-" is
stdin). JSON gives one object per report, {"file","error"} for an input that
holds none; --summary gives the aggregate and the advice as one object.
Exit status 1 when any input failed, 2 for bad usage.

  --record TXT  the current DMARC record (default: as the latest report saw it)
  --lookup      look the record up in DNS
  --ptr         name sources by their PTR records (DNS)
`

type dmarcFlags struct {
	format, domain, record, resolver string
	summary, lookup, ptr             bool
	timeout                          time.Duration
}

func runDMARC(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("dmarc", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, dmarcHelp) }
	var f dmarcFlags
	fs.StringVar(&f.format, "format", "text", "text or json")
	fs.StringVar(&f.domain, "domain", "", "only reports about this policy domain")
	fs.BoolVar(&f.summary, "summary", false, "print the aggregate and the advice only")
	fs.StringVar(&f.record, "record", "", "the current DMARC record")
	fs.BoolVar(&f.lookup, "lookup", false, "look the DMARC record up in DNS")
	fs.BoolVar(&f.ptr, "ptr", false, "look up the PTR names of the sources")
	fs.StringVar(&f.resolver, "resolver", "", "DNS server host:port (default: /etc/resolv.conf)")
	fs.DurationVar(&f.timeout, "timeout", 60*time.Second, "deadline for DNS lookups")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	var given *dmarcreport.CurrentPolicy
	if f.record != "" {
		p, err := dmarcreport.ParsePolicy(f.record)
		if err != nil {
			fmt.Fprintf(stderr, "bouncekit dmarc: --record: %v\n", err)
			return 2
		}
		given = &p
	}
	if fs.NArg() == 0 || f.format != "text" && f.format != "json" {
		fmt.Fprint(stderr, dmarcHelp)
		return 2
	}
	f.domain = strings.ToLower(strings.TrimSuffix(f.domain, "."))

	var rd dmarcreport.Reader
	agg := dmarcreport.NewAggregate(dmarcreport.AggregateOptions{})
	enc := json.NewEncoder(stdout)
	var failures []dmarcError
	emit := func(file string, r dmarcreport.Result) {
		if r.Report == nil {
			e := dmarcError{File: file, Part: r.Part, Error: r.Err.Error()}
			failures = append(failures, e)
			if !f.summary {
				if f.format == "json" {
					enc.Encode(e)
				} else {
					fmt.Fprintf(stdout, "%s: error: %s\n", where(file, r.Part), e.Error)
				}
			}
			return
		}
		if f.domain != "" && r.Report.Policy.Domain != f.domain {
			return
		}
		added := agg.Add(r.Report)
		if r.Err != nil {
			failures = append(failures, dmarcError{File: file, Part: r.Part, Error: r.Err.Error()})
		}
		if f.summary {
			return
		}
		if f.format == "json" {
			enc.Encode(reportJSON(file, r, !added))
		} else {
			printReportLine(stdout, file, r, !added)
		}
	}
	for _, arg := range fs.Args() {
		readInput(&rd, arg, stdin, emit)
	}

	ctx, cancel := context.WithTimeout(ctx, f.timeout)
	defer cancel()
	if f.ptr {
		if err := agg.ResolvePTR(ctx, ptrResolver(f.resolver), 2000); err != nil {
			fmt.Fprintf(stderr, "bouncekit dmarc: some PTR lookups failed: %v\n", firstLine(err.Error()))
		}
	}
	var domains []domainJSON
	for _, sum := range agg.Summaries() {
		cur := dmarcreport.PolicyFromReport(sum.Policy)
		source := "report"
		switch {
		case given != nil:
			cur, source = *given, "given"
		case f.lookup:
			p, err := lookupPolicy(ctx, f.resolver, sum.Domain)
			if err != nil {
				fmt.Fprintf(stderr, "bouncekit dmarc: lookup %s: %v; using the reports' policy\n", sum.Domain, err)
			} else {
				cur, source = p, "dns"
			}
		}
		adv := dmarcreport.Advise(cur, sum, dmarcreport.AdviceOptions{})
		domains = append(domains, domainJSON{DomainSummary: sum, Policy: policyJSONOf(sum.Policy), PolicySource: source, Advice: adv})
	}
	switch {
	case f.format == "json" && f.summary:
		out := summaryJSON{Reports: agg.Reports(), Duplicates: agg.Duplicates(), Failed: len(failures), Errors: failures, Domains: domains}
		if out.Errors == nil {
			out.Errors = []dmarcError{}
		}
		e := json.NewEncoder(stdout)
		e.SetIndent("", "  ")
		e.Encode(out)
	case f.format == "text":
		printDMARCText(stdout, agg, domains, failures, f.summary)
	}
	if len(failures) > 0 {
		return 1
	}
	return 0
}

func where(file, part string) string {
	if part == "" {
		return file
	}
	return file + " [" + part + "]"
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// readInput reads one argument: stdin, a file, a Maildir or a directory
// tree (files in name order; dot files and Maildir tmp/ skipped).
func readInput(rd *dmarcreport.Reader, arg string, stdin io.Reader, emit func(string, dmarcreport.Result)) {
	if arg == "-" {
		for r := range rd.Read("", stdin) {
			emit("-", r)
		}
		return
	}
	fi, err := os.Stat(arg)
	if err != nil {
		emit(arg, dmarcreport.Result{Err: err})
		return
	}
	if !fi.IsDir() {
		for r := range rd.ReadFile(arg) {
			emit(arg, r)
		}
		return
	}
	if isMaildir(arg) {
		for r := range rd.ReadMaildir(os.DirFS(arg)) {
			file, part := splitMaildirPart(arg, r.Part)
			r.Part = part
			emit(file, r)
		}
		return
	}
	var files []string
	filepath.WalkDir(arg, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			emit(p, dmarcreport.Result{Err: err})
			return nil
		}
		name := d.Name()
		if p != arg && strings.HasPrefix(name, ".") {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() && p != arg && isMaildir(p) {
			files = append(files, p) // read as a Maildir below
			return filepath.SkipDir
		}
		if d.Type().IsRegular() {
			files = append(files, p)
		}
		return nil
	})
	slices.Sort(files)
	for _, p := range files {
		readInput(rd, p, stdin, emit)
	}
}

func isMaildir(dir string) bool {
	for _, sub := range []string{"cur", "new"} {
		if fi, err := os.Stat(filepath.Join(dir, sub)); err == nil && fi.IsDir() {
			return true
		}
	}
	return false
}

// splitMaildirPart splits "dir/cur/msg/part 2 (x.zip)" into the message
// file and the part inside it.
// splitMaildirPart splits a Result.Part of ReadMaildir ("new/1.eml/2" or
// "1.eml/2") into the message file under dir and the part within it.
func splitMaildirPart(dir, p string) (string, string) {
	if p == "." {
		return dir, ""
	}
	for _, sub := range []string{"cur/", "new/", ""} {
		if strings.HasPrefix(p, sub) {
			name, part, _ := strings.Cut(p[len(sub):], "/")
			return filepath.Join(dir, filepath.FromSlash(sub), name), part
		}
	}
	return filepath.Join(dir, filepath.FromSlash(p)), ""
}

// The JSON contract of one report (docs/dmarc-reports.md).

type dmarcError struct {
	File  string `json:"file"`
	Part  string `json:"part,omitempty"`
	Error string `json:"error"`
}

type policyJSON struct {
	P               string `json:"p"`
	SP              string `json:"sp"`
	NP              string `json:"np"`
	Pct             *int   `json:"pct"`
	ADKIM           string `json:"adkim"`
	ASPF            string `json:"aspf"`
	FO              string `json:"fo"`
	Testing         string `json:"testing"`
	DiscoveryMethod string `json:"discovery_method"`
}

func policyJSONOf(p dmarcreport.PolicyPublished) policyJSON {
	out := policyJSON{P: string(p.P), SP: string(p.SP), NP: string(p.NP), ADKIM: string(p.ADKIM), ASPF: string(p.ASPF),
		FO: p.FO, Testing: p.Testing, DiscoveryMethod: p.DiscoveryMethod}
	if p.HasPct {
		pct := p.Pct
		out.Pct = &pct
	}
	return out
}

type reportJSONOut struct {
	File          string                            `json:"file"`
	Part          string                            `json:"part,omitempty"`
	OrgName       string                            `json:"org_name"`
	Email         string                            `json:"email"`
	ReportID      string                            `json:"report_id"`
	Begin         int64                             `json:"begin"`
	End           int64                             `json:"end"`
	Domain        string                            `json:"domain"`
	Policy        policyJSON                        `json:"policy"`
	Records       int                               `json:"records"`
	Messages      int64                             `json:"messages"`
	DMARCPass     int64                             `json:"dmarc_pass"`
	DMARCFail     int64                             `json:"dmarc_fail"`
	DKIMAligned   int64                             `json:"dkim_aligned"`
	SPFAligned    int64                             `json:"spf_aligned"`
	ByDisposition map[dmarcreport.Disposition]int64 `json:"by_disposition"`
	Sources       int                               `json:"sources"`
	Repairs       []dmarcreport.Repair              `json:"repairs"`
	Duplicate     bool                              `json:"duplicate,omitempty"`
	Error         string                            `json:"error,omitempty"`
}

func unix(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.Unix()
}

func reportJSON(file string, r dmarcreport.Result, dup bool) reportJSONOut {
	rep := r.Report
	c := rep.Counts()
	ips := map[string]bool{}
	for _, rec := range rep.Records {
		if rec.SourceIP.IsValid() {
			ips[rec.SourceIP.String()] = true
		} else {
			ips[rec.SourceIPText] = true
		}
	}
	out := reportJSONOut{
		File: file, Part: r.Part, OrgName: rep.Metadata.OrgName, Email: rep.Metadata.Email, ReportID: rep.Metadata.ReportID,
		Begin: unix(rep.Metadata.Begin), End: unix(rep.Metadata.End), Domain: rep.Policy.Domain, Policy: policyJSONOf(rep.Policy),
		Records: len(rep.Records), Messages: c.Messages, DMARCPass: c.DMARCPass, DMARCFail: c.DMARCFail,
		DKIMAligned: c.DKIMAligned, SPFAligned: c.SPFAligned, ByDisposition: c.ByDisposition(), Sources: len(ips),
		Repairs: rep.Repairs, Duplicate: dup,
	}
	if out.Repairs == nil {
		out.Repairs = []dmarcreport.Repair{}
	}
	if r.Err != nil {
		out.Error = r.Err.Error()
	}
	return out
}

type domainJSON struct {
	dmarcreport.DomainSummary
	Policy       policyJSON         `json:"policy"`
	PolicySource string             `json:"policy_source"` // "report", "given" or "dns"
	Advice       dmarcreport.Advice `json:"advice"`
}

type summaryJSON struct {
	Reports    int          `json:"reports"`
	Duplicates int          `json:"duplicates"`
	Failed     int          `json:"failed"`
	Errors     []dmarcError `json:"errors"`
	Domains    []domainJSON `json:"domains"`
}
