// Command beam runs bouncekit's delivery report and bounce-mailbox reading on
// Apache Beam, so logs too large for one process are read by many workers
// and give the same report as one pass of `bouncekit report`.
//
//	go run . --events 'logs/*.log.gz' --output report.json              # prism, in process
//	go run . --events 'logs/*' --output report.json --windows win.jsonl --window 1h
//	go run . --bounces 'mail/*.mbox' --output bounces.json
//
// --runner (prism by default here; flink, spark, dataflow with their Beam job
// servers: see README.md) and the other Beam flags are Beam's own.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/io/textio"
	_ "github.com/apache/beam/sdks/v2/go/pkg/beam/runners/prism"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/x/beamx"
)

var (
	events    = flag.String("events", "", "event log file or glob (gzip included): the delivery pipeline")
	input     = flag.String("input", "auto", "event format of every file: auto, csv, jsonl, postfix, pmta, kumo or ses")
	bounces   = flag.String("bounces", "", "mbox or Maildir message files (a glob): the bounce-mailbox pipeline")
	output    = flag.String("output", "", "where the report JSON goes (required)")
	windows   = flag.String("windows", "", "where per-provider rates per event-time window go (JSON lines); empty: none")
	windowLen = flag.Duration("window", time.Hour, "size of the fixed event-time windows of --windows")
)

func main() {
	flag.Parse()
	beam.Init()
	if err := run(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, "bouncekit beam:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	if *output == "" || (*events == "") == (*bounces == "") {
		return fmt.Errorf("usage: beam (--events GLOB | --bounces GLOB) --output FILE [--windows FILE --window 1h] [--runner prism]")
	}
	if *windowLen <= 0 {
		return fmt.Errorf("--window must be positive, got %v", *windowLen)
	}
	if flag.Lookup("runner").Value.String() == "" || flag.Lookup("runner").Value.String() == "direct" {
		// Beam's Go direct runner is deprecated; prism is its successor.
		_ = flag.Set("runner", "prism")
	}
	p, s := beam.NewPipelineWithRoot()
	if *events != "" {
		res, err := Delivery(s, Config{Events: *events, Input: *input})
		if err != nil {
			return err
		}
		textio.Write(s, *output, res.Report)
		if *windows != "" {
			textio.Write(s, *windows, Windows(s, res.Outcomes, *windowLen))
		}
	} else {
		textio.Write(s, *output, Bounces(s, *bounces))
	}
	_, err := beamx.RunWithMetrics(ctx, p)
	return err
}
