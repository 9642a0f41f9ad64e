// Package bouncebox shows a bounce-mailbox processor: read an mbox of bounces
// one message at a time, classify every recipient record, and produce a
// suppression list (only recipient-level hard failures) and a per-provider
// summary. A message that cannot be read is reported and skipped; the run
// goes on.
package bouncebox

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/bouncekit/bouncekit/bounce"
	"github.com/bouncekit/bouncekit/classify"
)

// Result is what one pass over a mailbox produced.
type Result struct {
	// Suppress lists the addresses to stop sending to, in first-seen order.
	Suppress []string
	// Complaints lists recipients who reported the mail as spam: stop
	// mailing them too, though the address is fine.
	Complaints []string
	// ByProvider counts records per provider and category.
	ByProvider []ProviderCount
	// Skipped lists the messages that could not be read, with the reason.
	Skipped []string
	// Messages and Records count what was read.
	Messages, Records int
}

// ProviderCount is one line of the per-provider summary.
type ProviderCount struct {
	Provider classify.Provider
	Category classify.Category
	Count    int
}

// Process reads the mbox from r with parser p (its Limits bound each
// message) and classifies every record with c.
func Process(r io.Reader, p *bounce.Parser, c *classify.Classifier) (Result, error) {
	var res Result
	seen := map[string]bool{}
	counts := map[ProviderCount]int{}
	for msg, err := range p.Mbox(r) {
		if err != nil && msg.Report == nil {
			return res, err // the mbox itself could not be read
		}
		res.Messages++
		if err != nil {
			// A message past a limit: report it and skip its records, which
			// may be incomplete. errors.As gives the limit that was hit.
			var le *bounce.LimitError
			if errors.As(err, &le) {
				res.Skipped = append(res.Skipped, fmt.Sprintf("message %d: over %s", msg.Index, le.Limit))
			} else {
				res.Skipped = append(res.Skipped, fmt.Sprintf("message %d: %v", msg.Index, err))
			}
			continue
		}
		rep := msg.Report
		for i := range rep.Records {
			rec := &rep.Records[i]
			v := c.ClassifyRecord(rep, rec)
			res.Records++
			counts[ProviderCount{Provider: v.Provider, Category: v.Category}]++
			switch {
			case v.Suppress && !seen[rec.Recipient]:
				seen[rec.Recipient] = true
				res.Suppress = append(res.Suppress, rec.Recipient)
			case v.Category == classify.CategoryComplaint:
				res.Complaints = append(res.Complaints, rec.Recipient)
			}
		}
	}
	for k, n := range counts {
		k.Count = n
		res.ByProvider = append(res.ByProvider, k)
	}
	// Sorted, so the summary never depends on map order.
	slices.SortFunc(res.ByProvider, func(a, b ProviderCount) int {
		return cmp.Or(cmp.Compare(a.Provider, b.Provider), cmp.Compare(a.Category, b.Category))
	})
	return res, nil
}
