package segment_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/bouncekit/bouncekit/segment"
)

const exampleCSV = `time,recipient,outcome,reply,campaign,link_host
2026-05-12T14:00:00Z,ann@icloud.com,delivered,250 2.0.0 OK,spring,www.shop.example
2026-05-12T14:00:01Z,bob@icloud.com,bounced,554 5.7.1 [CS01] Message rejected due to local policy,spring,deals.partnerhub.example
2026-05-12T14:00:02Z,cat@gmail.com,fizzled,,spring,www.shop.example
2026-05-12T14:00:03Z,dan@privaterelay.appleid.com,delivered,250 2.0.0 OK,spring,www.shop.example
`

func ExampleReadCSV() {
	for ev, err := range segment.ReadCSV(strings.NewReader(exampleCSV)) {
		if err != nil {
			fmt.Println("skipped:", err)
			continue
		}
		fmt.Println(ev.Recipient, ev.Outcome, ev.Campaign, ev.Attr("link_host"))
	}
	// Output:
	// ann@icloud.com delivered spring www.shop.example
	// bob@icloud.com bounced spring deals.partnerhub.example
	// skipped: segment: csv line 4: column outcome: unknown outcome: "fizzled"
	// dan@privaterelay.appleid.com delivered spring www.shop.example
}

func ExampleNewRate() {
	r := segment.NewRate(125, 5000)
	fmt.Println(r)
	fmt.Println(segment.Thresholds{}.Level(r))
	// Output:
	// 2.50% (2.10-2.97%)
	// pause
}

// exampleAggregate is a deployment where 40 of 1,000 Apple messages fail
// with CS01, 30 of them on one link host.
func exampleAggregate() *segment.Aggregate {
	a := segment.NewAggregate(segment.Options{})
	for i := range 3000 {
		ev := segment.Event{Outcome: segment.OutcomeDelivered, Campaign: "spring", Template: "spring-v3",
			Attrs: []segment.Attr{{Key: "link_host", Value: "www.shop.example"}}}
		switch {
		case i < 1000:
			ev.Recipient = fmt.Sprintf("u%d@gmail.com", i)
		case i < 2000:
			ev.Recipient = fmt.Sprintf("u%d@outlook.com", i)
		case i < 2800:
			ev.Recipient = fmt.Sprintf("u%d@icloud.com", i)
		default:
			ev.Recipient = fmt.Sprintf("u%d@me.com", i)
		}
		if i >= 2000 && i%25 == 0 {
			ev.Attrs[0].Value = "deals.partnerhub.example"
			if i%100 != 0 {
				ev.Outcome, ev.ReplyText = segment.OutcomeBounced, "554 5.7.1 [CS01] Message rejected due to local policy"
			}
		}
		if i >= 2000 && i%100 == 1 {
			ev.Outcome, ev.ReplyText = segment.OutcomeBounced, "554 5.7.1 [CS01] Message rejected due to local policy"
		}
		a.Add(&ev)
	}
	return a
}

func ExampleAggregate_Providers() {
	a := exampleAggregate()
	total := a.Total()
	fmt.Printf("whole send: %.2f%%\n", 100*total.FailureRate())
	for _, p := range a.Providers(segment.Policy{}) {
		fmt.Printf("%s: %d sent, %s, %s\n", p.Provider, p.Sent(), p.Rate, p.Level)
		for _, t := range p.Tags {
			fmt.Printf("  %s: %s, %s\n", t.Key, t.Rate, t.Level)
		}
	}
	// Output:
	// whole send: 1.33%
	// apple: 1000 sent, 4.00% (2.95-5.40%), pause
	//   CS01: 4.00% (2.95-5.40%), pause
	// google: 1000 sent, 0.00% (0.00-0.38%), watch
	// microsoft: 1000 sent, 0.00% (0.00-0.38%), watch
}

func ExampleAggregate_Compare() {
	c := exampleAggregate().Compare(segment.Query{Provider: "apple", Tag: "CS01"})
	fmt.Printf("%d failed vs %d delivered, %d values tested\n", c.Failed, c.Delivered, c.Tested)
	for _, f := range c.Significant() {
		fmt.Printf("%s=%s: %d failed, %d delivered, p=%.1g\n", f.Attribute, f.Value, f.Failed, f.Delivered, f.P)
	}
	// Output:
	// 40 failed vs 960 delivered, 6 values tested
	// link_host=deals.partnerhub.example: 30 failed, 10 delivered, p=3e-40
}

func ExampleAggregate_Diagnose() {
	for _, d := range exampleAggregate().Diagnose(segment.DiagnoseOptions{}) {
		fmt.Println(d.Provider, d.Pattern, d.Focus, d.Level)
		fmt.Println(d.Cause.Attribute, d.Cause.Value)
	}
	// Output:
	// apple link_host tag CS01 pause
	// link_host deals.partnerhub.example
}

func ExampleBuildReport() {
	events := segment.Read(strings.NewReader(exampleCSV), segment.FormatAuto)
	r, err := segment.BuildReport(context.Background(), events, segment.ReportOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("skipped rows:", r.Skipped)
	for _, p := range r.Providers {
		fmt.Println(p.Provider, p.Sent(), p.Bounced, p.Level)
	}
	// Output:
	// skipped rows: 1
	// apple 3 1 insufficient_data
}

func ExampleAggregate_Merge() {
	// Two workers each count their share of the log...
	shards := []*segment.Aggregate{segment.NewAggregate(segment.Options{}), segment.NewAggregate(segment.Options{})}
	for ev, err := range segment.ReadCSV(strings.NewReader(exampleCSV)) {
		if err == nil {
			shards[len(ev.Recipient)%2].Add(&ev)
		}
	}
	// ...and the counts combine exactly.
	total := segment.NewAggregate(segment.Options{})
	for _, s := range shards {
		if err := total.Merge(s); err != nil {
			fmt.Println(err)
		}
	}
	fmt.Printf("%+v\n", total.Total())
	// Output:
	// {Delivered:2 Bounced:1 Deferred:0 Complained:0}
}
