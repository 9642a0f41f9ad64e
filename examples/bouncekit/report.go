package main

import (
	"bytes"
	"context"
	_ "embed"
	"flag"
	"fmt"
	"io"
	"os"
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
	register(command{name: "report", usage: "report --events FILE [--format text|json] [--input csv|jsonl|postfix|pmta|kumo|ses] [--rules FILE]", run: runReport})
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
	events := fs.String("events", "", "events file (- for standard input)")
	format := fs.String("format", "text", "output format: text or json")
	input := fs.String("input", "auto", "input format: auto, csv, jsonl, postfix, pmta, kumo or ses")
	rulesFile := fs.String("rules", "", rulesUsage)
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *events == "" || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "usage: bouncekit report --events FILE [--format text|json] [--input csv|jsonl|postfix|pmta|kumo|ses] [--rules FILE]")
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
	r := stdin
	if *events != "-" {
		f, err := os.Open(*events)
		if err != nil {
			fmt.Fprintf(stderr, "bouncekit: %v\n", err)
			return 1
		}
		defer f.Close()
		r = f
	}
	return writeReport(ctx, r, in, *format, c, stdout, stderr)
}

// writeReport reads events from r and writes the triage report; c
// classifies the replies and places domains with providers.
func writeReport(ctx context.Context, r io.Reader, in segment.Format, format string, c *classify.Classifier, stdout, stderr io.Writer) int {
	if format != "text" && format != "json" {
		fmt.Fprintf(stderr, "bouncekit: unknown --format %q (text or json)\n", format)
		return 2
	}
	rd := &segment.Reader{Format: in}
	var shown time.Duration
	rep, err := segment.BuildReport(ctx, rd.Events(r), segment.ReportOptions{
		Aggregate: segment.Options{Classifier: c},
		// Progress goes to stderr once the input takes more than a moment,
		// every two seconds at most.
		Progress: func(p segment.Progress) {
			if p.Elapsed > 2*time.Second && (p.Elapsed-shown >= 2*time.Second || p.Done && p.Elapsed != shown) {
				shown = p.Elapsed
				fmt.Fprintf(stderr, "bouncekit: %d events read, %d rows skipped (%s)\n", p.Events, p.Skipped, p.Elapsed.Round(time.Millisecond))
			}
		},
	})
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
	if format == "json" {
		err = rep.WriteJSON(stdout)
	} else {
		err = rep.WriteText(stdout)
	}
	if err != nil {
		fmt.Fprintf(stderr, "bouncekit: %v\n", err)
		return 1
	}
	if rd.Stats.Skipped > 0 {
		return 1
	}
	return 0
}
