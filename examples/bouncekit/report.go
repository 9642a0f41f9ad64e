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
	register(command{name: "report", usage: "report [--events FILE] [FILE|GLOB|-]... [--format text|json|csv|html] [--input FORMAT] [--rules FILE] [--suppressions FILE] [--fail-on LEVEL] [--quiet] [--year N] [--now T] [--tz Z] [--since T] [--until T] [--campaign C] [--provider P] [--sending-ip IP] [--keep-not-sends] [--attempts]   triage of your own delivery events: per-provider rates, differences, diagnosis", run: runReport,
		example: `bouncekit report --events events.csv
		bouncekit report --events events.csv --format html > report.html
		bouncekit report 'logs/maillog*' --suppressions suppress.csv --fail-on pause`})
	register(command{name: "triage", usage: "triage [--format text|json|csv|html] [--suppressions FILE] [--fail-on LEVEL]   full triage of the embedded sample deployment", run: runTriage,
		example: "bouncekit triage --format html > sample-report.html"})
}

// reportFlags are the output flags report and triage share.
type reportFlags struct {
	format, suppressions, failOn *string
	quiet                        *bool
}

func addReportFlags(fs *flag.FlagSet) reportFlags {
	return reportFlags{
		format:       fs.String("format", "text", "output format: text (for a person), json (everything the text shows, as data), csv (the tables) or html (one self-contained page with charts)"),
		suppressions: fs.String("suppressions", "", "write the addresses to suppress, and apart the addresses to keep (the message was refused, not the address), to this CSV file"),
		failOn:       fs.String("fail-on", "", "exit 3 when a provider (or the whole send) is at this level or worse: watch, investigate or pause; for alerting"),
		quiet:        fs.Bool("quiet", false, "no progress line on stderr (it is shown only on a terminal anyway)"),
	}
}

func (f reportFlags) check(stderr io.Writer) bool {
	switch *f.format {
	case "text", "json", "csv", "html":
	default:
		fmt.Fprintf(stderr, "bouncekit: unknown --format %q (text, json, csv or html)\n", *f.format)
		return false
	}
	switch *f.failOn {
	case "", "watch", "investigate", "pause":
	default:
		fmt.Fprintf(stderr, "bouncekit: unknown --fail-on %q (watch, investigate or pause)\n", *f.failOn)
		return false
	}
	return true
}

func runTriage(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) int {
	fs := newFlags("triage")
	rf := addReportFlags(fs)
	if code, ok := parseFlags(fs, args, stderr); !ok {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "bouncekit triage: unexpected argument %q; 'bouncekit triage --help' for its flags\n", fs.Arg(0))
		return 2
	}
	if !rf.check(stderr) {
		return 2
	}
	return writeReportFiles(ctx, []string{"sample"}, []io.Reader{bytes.NewReader(sampleEvents)}, int64(len(sampleEvents)), segment.Reader{Format: segment.FormatCSV}, reportOptions{}, rf, classify.Default(), stdout, stderr)
}

func runReport(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := newFlags("report")
	events := fs.String("events", "", "events file (- for standard input); more files and globs may follow the flags")
	input := fs.String("input", "auto", "input format: auto, "+segment.FormatNames())
	rulesFile := fs.String("rules", "", rulesUsage)
	rf := addReportFlags(fs)
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
	if code, ok := parseFlags(fs, args, stderr); !ok {
		return code
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
		fmt.Fprintln(stderr, "bouncekit report: give the events: --events FILE, or files and globs after the flags (- for standard input); 'bouncekit report --help' for its flags")
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
	if !rf.check(stderr) {
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
	var size int64 // 0 when any input's size is not known (stdin, a pipe)
	known := true
	for _, p := range paths {
		if p == "-" {
			inputs, known = append(inputs, stdin), false
			continue
		}
		f, err := os.Open(p)
		if err != nil {
			fmt.Fprintf(stderr, "bouncekit: %v\n", err)
			return 1
		}
		defer f.Close()
		if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
			size += fi.Size()
		} else {
			known = false
		}
		inputs = append(inputs, f)
	}
	if !known {
		size = 0
	}
	return writeReportFiles(ctx, paths, inputs, size, tmpl, opt, rf, c, stdout, stderr)
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

// exitFailOn is the exit status when --fail-on is crossed; 1 stays the
// status of a run with errors, 2 of a usage error.
const exitFailOn = 3

// writeReportFiles reads the inputs one after the other (size bytes in
// all, 0 when not known), each with its own reader so each file's format
// and compression are detected on their own, into one report, and writes
// it as rf asks; c classifies the replies and places domains with
// providers.
func writeReportFiles(ctx context.Context, names []string, inputs []io.Reader, size int64, tmpl segment.Reader, ro reportOptions, rf reportFlags, c *classify.Classifier, stdout, stderr io.Writer) int {
	prog := newProgress(stderr, !*rf.quiet, "rows", 0)
	prog.setSize(size)
	readers := make([]*segment.Reader, len(inputs))
	all := func(yield func(segment.Event, error) bool) {
		for i, r := range inputs {
			rd := tmpl
			readers[i] = &rd
			for ev, err := range rd.Events(countingReader{r, prog}) {
				if err != nil && len(inputs) > 1 {
					err = fmt.Errorf("%s: %w", names[i], err)
				}
				if !yield(ev, err) {
					return
				}
			}
		}
	}
	rep, err := segment.BuildReport(ctx, all, segment.ReportOptions{
		Aggregate: segment.Options{Classifier: c},
		Attempts:  ro.attempts,
		Filter:    ro.filter,
		// The lists themselves cost memory (some 400 bytes an address
		// with its evidence); kept only for the outputs that carry them.
		Suppressions:  *rf.format == "json" || *rf.suppressions != "",
		ProgressEvery: 20000,
		Progress:      func(p segment.Progress) { prog.setCount(p.Events) },
	})
	prog.done()
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
	switch *rf.format {
	case "json":
		err = rep.WriteJSON(stdout)
	case "csv":
		err = rep.WriteCSV(stdout)
	case "html":
		err = rep.WriteHTML(stdout)
	default:
		err = rep.WriteTextOptions(stdout, segment.TextOptions{Colour: useColour(stdout)})
	}
	if err != nil {
		fmt.Fprintf(stderr, "bouncekit: %v\n", err)
		return 1
	}
	if *rf.suppressions != "" {
		if err := writeSuppressions(*rf.suppressions, rep); err != nil {
			fmt.Fprintf(stderr, "bouncekit: %v\n", err)
			return 1
		}
		fmt.Fprintf(stderr, "bouncekit: %s: %d addresses to suppress, %d to keep\n", *rf.suppressions, len(rep.Suppress.Suppress), len(rep.Suppress.Keep))
	}
	if st.Skipped > 0 {
		return 1
	}
	if *rf.failOn != "" {
		if lv, who := rep.WorstLevel(); lv.AtLeast(segment.Level(*rf.failOn)) {
			fmt.Fprintf(stderr, "bouncekit: %s is at the %s level (--fail-on %s)\n", who, lv, *rf.failOn)
			return exitFailOn
		}
	}
	return 0
}

// writeSuppressions writes the report's address lists to name as CSV.
func writeSuppressions(name string, rep *segment.Report) error {
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	if err := rep.WriteSuppressionsCSV(f); err != nil {
		f.Close()
		return fmt.Errorf("%s: %w", name, err)
	}
	return f.Close()
}
