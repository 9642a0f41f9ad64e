package main

import (
	"bytes"
	"context"
	_ "embed"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/bouncekit/bouncekit/classify"
	"github.com/bouncekit/bouncekit/segment"
)

// sampleEvents is the synthetic deployment written by
// internal/gensample (see its doc comment for how to regenerate it).
//
//go:embed sample/events.csv
var sampleEvents []byte

func init() {
	register(command{name: "report", usage: "report [--events FILE] [FILE|GLOB|-]... [--format text|json] [--input auto|csv|jsonl|postfix|exim|pmta|kumo|ses] [--rules FILE] [--year N] [--now T] [--tz Z] [--since T] [--until T] [--campaign C] [--provider P] [--sending-ip IP] [--keep-not-sends] [--attempts]", run: runReport})
	register(command{name: "triage", usage: "triage [--format text|json]   full triage of the embedded sample deployment", run: runTriage})
}

func runTriage(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("triage", flag.ContinueOnError)
	fs.SetOutput(stderr)
	format := fs.String("format", "text", "output format: text or json")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	return writeReport(ctx, bytes.NewReader(sampleEvents), segment.FormatCSV, *format, classify.Default(), stdout, stderr)
}

func runReport(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	fs.SetOutput(stderr)
	events := fs.String("events", "", "events file (- for standard input); more files and globs may follow the flags")
	format := fs.String("format", "text", "output format: text or json")
	input := fs.String("input", "auto", "input format: auto, "+segment.FormatNames())
	rulesFile := fs.String("rules", "", rulesUsage)
	year := fs.Int("year", 0, "year of the first syslog time stamp without one (default: the latest year not after --now)")
	nowFlag := fs.String("now", "", "clock for year inference, RFC 3339 (default: now)")
	tz := fs.String("tz", "", "time zone of time stamps without one, an IANA name (default UTC)")
	since := fs.String("since", "", "count outcomes at or after this time (RFC 3339 or YYYY-MM-DD)")
	until := fs.String("until", "", "count outcomes before this time (RFC 3339 or YYYY-MM-DD)")
	campaign := fs.String("campaign", "", "count only these campaigns (comma-separated)")
	provider := fs.String("provider", "", "count only these providers (comma-separated: apple,google...)")
	sendingIP := fs.String("sending-ip", "", "count only these sending IPs (comma-separated)")
	keepNotSends := fs.Bool("keep-not-sends", false, "count MTA notices and local deliveries as sends")
	attempts := fs.Bool("attempts", false, "count every attempt as read instead of one outcome per message and recipient")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	var paths []string
	if *events != "" {
		paths = append(paths, *events)
	}
	for _, a := range fs.Args() {
		if a == "-" || !strings.ContainsAny(a, "*?[") {
			paths = append(paths, a)
			continue
		}
		m, err := filepath.Glob(a)
		if err != nil || len(m) == 0 {
			fmt.Fprintf(stderr, "bouncekit: %s: no file matches\n", a)
			return 1
		}
		paths = append(paths, m...)
	}
	if len(paths) == 0 {
		fmt.Fprintln(stderr, "usage: bouncekit report [--events FILE] [FILE|GLOB|-]... [--format text|json] [--input auto|"+strings.ReplaceAll(segment.FormatNames(), ", ", "|")+"] [--rules FILE] [--year N] [--now TIME] [--tz ZONE] [--since TIME] [--until TIME] [--campaign C] [--provider P] [--sending-ip IP] [--keep-not-sends] [--attempts]")
		return 2
	}
	c, err := loadClassifier(*rulesFile)
	if err != nil {
		fmt.Fprintf(stderr, "bouncekit: %v\n", err)
		return 1
	}
	in, err := segment.ParseFormat(*input)
	if err != nil {
		fmt.Fprintf(stderr, "bouncekit: %v\n", err)
		return 2
	}
	if *format != "text" && *format != "json" {
		fmt.Fprintf(stderr, "bouncekit: unknown --format %q (text or json)\n", *format)
		return 2
	}
	tmpl := segment.Reader{Format: in, Year: *year, KeepNotSends: *keepNotSends}
	if *tz != "" {
		if tmpl.Location, err = time.LoadLocation(*tz); err != nil {
			fmt.Fprintf(stderr, "bouncekit: --tz: %v\n", err)
			return 2
		}
	}
	loc := tmpl.Location
	if loc == nil {
		loc = time.UTC
	}
	opt := reportOptions{attempts: *attempts}
	for _, f := range []struct {
		flag string
		val  string
		dst  *time.Time
	}{{"now", *nowFlag, &tmpl.Now}, {"since", *since, &opt.filter.Since}, {"until", *until, &opt.filter.Until}} {
		if f.val == "" {
			continue
		}
		if *f.dst, err = parseFlagTime(f.val, loc); err != nil {
			fmt.Fprintf(stderr, "bouncekit: --%s: %v\n", f.flag, err)
			return 2
		}
	}
	opt.filter.Campaigns = splitList(*campaign)
	opt.filter.SendingIPs = splitList(*sendingIP)
	for _, p := range splitList(*provider) {
		opt.filter.Providers = append(opt.filter.Providers, classify.Provider(strings.ToLower(p)))
	}
	// Every file is opened before reading starts, so a missing one fails
	// the command rather than a report that leaves it out.
	var inputs []io.Reader
	for _, p := range paths {
		if p == "-" {
			inputs = append(inputs, stdin)
			continue
		}
		f, err := os.Open(p)
		if err != nil {
			fmt.Fprintf(stderr, "bouncekit: %v\n", err)
			return 1
		}
		defer f.Close()
		inputs = append(inputs, f)
	}
	return writeReportFiles(ctx, paths, inputs, tmpl, opt, *format, c, stdout, stderr)
}

type reportOptions struct {
	filter   segment.Filter
	attempts bool
}

func splitList(s string) []string {
	var out []string
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

func parseFlagTime(s string, loc *time.Location) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	for _, layout := range []string{"2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not RFC 3339 or YYYY-MM-DD", s)
}

// writeReport reads events from r and writes the triage report; c
// classifies the replies and places domains with providers.
func writeReport(ctx context.Context, r io.Reader, in segment.Format, format string, c *classify.Classifier, stdout, stderr io.Writer) int {
	return writeReportFiles(ctx, []string{"input"}, []io.Reader{r}, segment.Reader{Format: in}, reportOptions{}, format, c, stdout, stderr)
}

// writeReportFiles reads the inputs one after the other, each with its own
// reader (so each file's format and compression are detected on their own),
// into one report.
func writeReportFiles(ctx context.Context, names []string, inputs []io.Reader, tmpl segment.Reader, ro reportOptions, format string, c *classify.Classifier, stdout, stderr io.Writer) int {
	if format != "text" && format != "json" {
		fmt.Fprintf(stderr, "bouncekit: unknown --format %q (text or json)\n", format)
		return 2
	}
	readers := make([]*segment.Reader, len(inputs))
	all := func(yield func(segment.Event, error) bool) {
		for i, r := range inputs {
			rd := tmpl
			readers[i] = &rd
			for ev, err := range rd.Events(r) {
				if err != nil && len(inputs) > 1 {
					err = fmt.Errorf("%s: %w", names[i], err)
				}
				if !yield(ev, err) {
					return
				}
			}
		}
	}
	var shown time.Duration
	rep, err := segment.BuildReport(ctx, all, segment.ReportOptions{
		Aggregate: segment.Options{Classifier: c},
		Attempts:  ro.attempts,
		Filter:    ro.filter,
		// Progress goes to stderr once the input takes more than a moment,
		// every two seconds at most.
		Progress: func(p segment.Progress) {
			if p.Elapsed > 2*time.Second && (p.Elapsed-shown >= 2*time.Second || p.Done && p.Elapsed != shown) {
				shown = p.Elapsed
				fmt.Fprintf(stderr, "bouncekit: %d events read, %d rows skipped (%s)\n", p.Events, p.Skipped, p.Elapsed.Round(time.Millisecond))
			}
		},
	})
	var st segment.ReadStats
	for i, rd := range readers {
		if rd == nil {
			continue
		}
		st.Events += rd.Stats.Events
		st.Skipped += rd.Stats.Skipped
		st.Lines += rd.Stats.Lines
		st.Format = rd.Stats.Format
		for _, n := range rd.Stats.NotSends {
			fmt.Fprintf(stderr, "bouncekit: %s: %d lines are not sends (%s), left out\n", names[i], n.Lines, n.Reason)
		}
		if rep != nil {
			rep.AddNotSends(rd.Stats.NotSends)
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "bouncekit: %v\n", err)
		if rep == nil || st.Events == 0 {
			return 1
		}
	}
	if st.Skipped > 0 {
		fmt.Fprintf(stderr, "bouncekit: %d rows skipped (%s input, %d lines)\n", st.Skipped, st.Format, st.Lines)
		for _, e := range rep.Errors {
			fmt.Fprintf(stderr, "  %v\n", e)
		}
	}
	if format == "json" {
		err = rep.WriteJSON(stdout)
	} else {
		err = rep.WriteText(stdout)
	}
	if err != nil {
		fmt.Fprintf(stderr, "bouncekit: %v\n", err)
		return 1
	}
	if st.Skipped > 0 {
		return 1
	}
	return 0
}
