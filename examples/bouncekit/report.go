package main

import (
	"bytes"
	"context"
	_ "embed"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/bouncekit/bouncekit/classify"
	"github.com/bouncekit/bouncekit/segment"
)

// sampleEvents is the synthetic deployment written by
// internal/gensample (see its doc comment for how to regenerate it).
//
//go:embed sample/events.csv
var sampleEvents []byte

func init() {
	register(command{name: "report", usage: "report --events FILE [--format text|json|csv|html] [--input FORMAT] [--rules FILE] [--suppressions FILE] [--fail-on LEVEL] [--quiet]   triage of your own delivery events: per-provider rates, differences, diagnosis", run: runReport,
		example: `bouncekit report --events events.csv
		bouncekit report --events events.csv --format html > report.html
		bouncekit report --events postfix.log --input postfix --suppressions suppress.csv --fail-on pause`})
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
	return writeReport(ctx, bytes.NewReader(sampleEvents), int64(len(sampleEvents)), segment.FormatCSV, rf, classify.Default(), stdout, stderr)
}

func runReport(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := newFlags("report")
	events := fs.String("events", "", "events file (- for standard input): CSV, JSON lines or an MTA log (docs/segment.md)")
	input := fs.String("input", "auto", "input format: auto, csv, jsonl, postfix, pmta, kumo or ses")
	rulesFile := fs.String("rules", "", rulesUsage)
	rf := addReportFlags(fs)
	if code, ok := parseFlags(fs, args, stderr); !ok {
		return code
	}
	if *events == "" || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "bouncekit report: --events FILE is required (and takes no other argument); 'bouncekit report --help' for its flags")
		return 2
	}
	in, err := segment.ParseFormat(*input)
	if err != nil {
		fmt.Fprintf(stderr, "bouncekit: %v\n", err)
		return 2
	}
	if !rf.check(stderr) {
		return 2
	}
	c, err := loadClassifier(*rulesFile)
	if err != nil {
		fmt.Fprintf(stderr, "bouncekit: %v\n", err)
		return 1
	}
	r, size := stdin, int64(0)
	if *events != "-" {
		f, err := os.Open(*events)
		if err != nil {
			fmt.Fprintf(stderr, "bouncekit: %v\n", err)
			return 1
		}
		defer f.Close()
		if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
			size = fi.Size()
		}
		r = f
	}
	return writeReport(ctx, r, size, in, rf, c, stdout, stderr)
}

// exitFailOn is the exit status when --fail-on is crossed; 1 stays the
// status of a run with errors, 2 of a usage error.
const exitFailOn = 3

// writeReport reads events from r (size bytes, 0 when not known) and writes
// the triage report; c classifies the replies and places domains with
// providers.
func writeReport(ctx context.Context, r io.Reader, size int64, in segment.Format, rf reportFlags, c *classify.Classifier, stdout, stderr io.Writer) int {
	prog := newProgress(stderr, !*rf.quiet, "rows", 0)
	prog.setSize(size)
	rd := &segment.Reader{Format: in}
	rep, err := segment.BuildReport(ctx, rd.Events(countingReader{r, prog}), segment.ReportOptions{
		Aggregate: segment.Options{Classifier: c},
		// The lists themselves cost memory (some 400 bytes an address
		// with its evidence); kept only for the outputs that carry them.
		Suppressions:  *rf.format == "json" || *rf.suppressions != "",
		ProgressEvery: 20000,
		Progress:      func(p segment.Progress) { prog.setCount(p.Events) },
	})
	prog.done()
	if err != nil {
		fmt.Fprintf(stderr, "bouncekit: %v\n", err)
		if rep == nil || rd.Stats.Events == 0 {
			return 1
		}
	}
	if rd.Stats.Skipped > 0 {
		fmt.Fprintf(stderr, "bouncekit: %d rows skipped (%s input, %d lines)\n", rd.Stats.Skipped, rd.Stats.Format, rd.Stats.Lines)
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
	if rd.Stats.Skipped > 0 {
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
