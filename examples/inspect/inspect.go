// Package inspect shows the email tester in a CS01 triage. The queue gets
// Apple's "554 5.7.1 [CS01]" at the end of DATA; the classifier says the
// message, not the address, was refused (do not retry it as it is, do not
// suppress the address); so the stored copy of what was sent is inspected
// the way a receiver reads it, and the narrow retest is written: a plain
// variant, one link host back at a time, the personalised fields, then
// production.
package inspect

import (
	"context"
	"fmt"

	authinspect "github.com/bouncekit/bouncekit/authcheck/inspect"
	"github.com/bouncekit/bouncekit/authcheck/inspect/retest"
	"github.com/bouncekit/bouncekit/bounce"
	"github.com/bouncekit/bouncekit/classify"
)

// Result is what the triage of one refused message found.
type Result struct {
	Verdict classify.Verdict
	// Report is the inspection of the stored message; Plan its retest.
	// Both are nil when the verdict does not point at the message.
	Report *authinspect.Report
	Plan   *retest.Plan
}

// Triage reads the SMTP reply the queue got for rcpt from mx and, when the
// verdict puts the cause in the message (content, or the forwarding path
// the message takes), inspects stored, the message as sent, and writes the
// retest plan into dir. opts and facts pass through to the inspector and the
// planner (the envelope, the observed failure rate at the provider, the
// suspects of segment's comparison).
func Triage(ctx context.Context, reply, rcpt, mx string, stored []byte, opts authinspect.Options, facts retest.Facts, dir string) (*Result, error) {
	r, err := bounce.ParseReply(reply)
	if err != nil {
		return nil, fmt.Errorf("reply: %w", err)
	}
	res := &Result{Verdict: classify.Default().Classify(&r, classify.Context{Recipient: rcpt, RemoteMTA: mx})}
	switch res.Verdict.Hint {
	case classify.HintContent, classify.HintForwarding:
	default:
		return res, nil
	}
	msg := authinspect.CRLF(stored)
	rep := authinspect.Inspect(ctx, msg, opts)
	res.Report = &rep
	plan, err := retest.New(msg, facts)
	if err != nil {
		return res, err
	}
	res.Plan = plan
	if dir != "" {
		if err := plan.Write(dir); err != nil {
			return res, err
		}
	}
	return res, nil
}
