package inspect_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	authinspect "github.com/bouncekit/bouncekit/authcheck/inspect"
	"github.com/bouncekit/bouncekit/authcheck/inspect/retest"
	"github.com/bouncekit/bouncekit/examples/inspect"
)

// Example triages Apple's CS01 refusal of a Black Friday newsletter: the
// verdict, what the inspector finds wrong in the stored message, and the
// retest plan written as .eml files.
func Example() {
	stored, err := os.ReadFile("testdata/sent-bf40.eml")
	if err != nil {
		fmt.Println(err)
		return
	}
	dir, _ := os.MkdirTemp("", "retest")
	defer os.RemoveAll(dir)

	reply := "554 5.7.1 [CS01] Message rejected due to local policy. Please visit https://support.apple.com/en-us/HT204137"
	opts := authinspect.Options{Now: time.Date(2026, 11, 25, 15, 0, 0, 0, time.UTC)}
	// The Apple-only failure rate of the campaign and the link host only
	// the failed rows share, from segment's comparison.
	facts := retest.Facts{Observed: 0.031, Suspects: []retest.Suspect{{Field: "link_host", Value: "go.clickfast.example", FailedShare: 0.94, DeliveredShare: 0.12}}}
	res, err := inspect.Triage(context.Background(), reply, "kate@icloud.com", "mx01.mail.icloud.com", stored, opts, facts, dir)
	if err != nil {
		fmt.Println(err)
		return
	}
	v := res.Verdict
	fmt.Printf("%s %s, hint %s, retry %v, suppress %v (rule %s)\n", v.Severity, v.Category, v.Hint, v.Retry, v.Suppress, v.Rule)
	fmt.Printf("inspected: %d of %d checks passed\n", res.Report.Passed, res.Report.Total)
	for _, f := range res.Report.Checks {
		if f.Result == authinspect.Fail || f.Result == authinspect.Warn {
			fmt.Printf("  %s %s\n", f.Result, f.ID)
		}
	}
	for _, l := range res.Report.Links {
		if l.Redirect != "" {
			fmt.Printf("  tracking host %s (%s)\n", l.Host, l.Kind)
			break
		}
	}
	for _, c := range res.Plan.Variants[0].Changes {
		fmt.Println("plain variant:", c)
	}
	for _, v := range res.Plan.Variants {
		_, err := os.Stat(filepath.Join(dir, v.File))
		fmt.Printf("%s: %d sends, %d+ failures mean above watch (written: %v)\n", v.File, v.Sends, v.Critical, err == nil)
	}
	// Output:
	// hard content_policy, hint content, retry false, suppress false (rule apple-cs01)
	// inspected: 48 of 51 checks passed
	//   fail content.merge-tags
	//   warn content.image-alt
	//   fail links.anchor-mismatch
	//   tracking host go.clickfast.example (link)
	// plain variant: images removed (2, tracking pixels included)
	// plain variant: tracking links without a visible target removed, their text kept (3)
	// plain variant: personal values made static (Kate, kate → "there")
	// plain variant: merge tags left unrendered removed
	// 01-plain.eml: 102 sends, 3+ failures mean above watch (written: true)
	// 02-host-go.clickfast.example.eml: 102 sends, 3+ failures mean above watch (written: true)
	// 03-host-cdn.imgpress.example.eml: 102 sends, 3+ failures mean above watch (written: true)
	// 04-personalised.eml: 102 sends, 3+ failures mean above watch (written: true)
	// 05-production.eml: 102 sends, 3+ failures mean above watch (written: true)
}
