package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/bouncekit/bouncekit/authcheck/inspect/retest"
)

func init() {
	register(command{name: "retest", usage: "retest FILE --out DIR [--observed RATE] [--suspect HOST]... [--personal VALUE]...", run: runRetest})
}

// runRetest writes the retest variants of one message into a directory and
// prints the plan.
func runRetest(_ context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("retest", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", "", "directory the variants and plan.txt are written to (required)")
	observed := fs.String("observed", "", "observed failure rate at the provider, e.g. 0.03 or 3%")
	var suspects, personal listFlag
	fs.Var(&suspects, "suspect", "a link host only the failed rows share (repeatable): retested first")
	fs.Var(&personal, "personal", "a recipient-specific value to make static (repeatable)")
	var files []string
	for {
		if err := fs.Parse(args); err != nil {
			return 2
		}
		if fs.NArg() == 0 {
			break
		}
		files = append(files, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if len(files) != 1 || *out == "" {
		fmt.Fprintln(stderr, "usage: bouncekit "+commandUsage("retest"))
		return 2
	}
	raw, err := readMessageFile(files[0], stdin)
	if err != nil {
		fmt.Fprintf(stderr, "bouncekit retest: %v\n", err)
		return 2
	}
	f := retest.Facts{Personal: personal}
	if *observed != "" {
		s := strings.TrimSpace(*observed)
		pct := strings.HasSuffix(s, "%")
		v, err := strconv.ParseFloat(strings.TrimSuffix(s, "%"), 64)
		if err != nil {
			fmt.Fprintf(stderr, "bouncekit retest: --observed: %v\n", err)
			return 2
		}
		if pct {
			v /= 100
		}
		f.Observed = v
	}
	for _, s := range suspects {
		f.Suspects = append(f.Suspects, retest.Suspect{Field: "link_host", Value: s})
	}
	p, err := retest.New(raw, f)
	if err != nil {
		fmt.Fprintf(stderr, "bouncekit retest: %v\n", err)
		return 1
	}
	if err := p.Write(*out); err != nil {
		fmt.Fprintf(stderr, "bouncekit retest: %v\n", err)
		return 1
	}
	p.WriteText(stdout)
	fmt.Fprintf(stdout, "\nWritten to %s: plan.txt and %d .eml files.\n", *out, len(p.Variants))
	return 0
}
