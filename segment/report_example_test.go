package segment_test

import (
	"context"
	"fmt"
	"os"

	"github.com/bouncekit/bouncekit/segment"
)

// The address lists of a report: an unknown Gmail user is suppressed; an
// iCloud address refused with CS01 is kept, because the message was
// refused, not the address.
func ExampleReport_WriteSuppressionsCSV() {
	events := func(yield func(segment.Event, error) bool) {
		_ = yield(segment.Event{Recipient: "gone@gmail.com", Outcome: segment.OutcomeBounced,
			ReplyText: "550 5.1.1 The email account that you tried to reach does not exist"}, nil) &&
			yield(segment.Event{Recipient: "ann@icloud.com", Outcome: segment.OutcomeBounced,
				ReplyText: "554 5.7.1 [CS01] Message rejected due to local policy"}, nil) &&
			yield(segment.Event{Recipient: "bob@icloud.com", Outcome: segment.OutcomeDelivered}, nil)
	}
	r, err := segment.BuildReport(context.Background(), events, segment.ReportOptions{Suppressions: true})
	if err != nil {
		panic(err)
	}
	for _, a := range r.Suppress.Suppress {
		fmt.Println("suppress", a.Address, a.Category)
	}
	for _, a := range r.Suppress.Keep {
		fmt.Println("keep", a.Address, a.Category, a.Tag)
	}
	_ = r.WriteSuppressionsCSV(os.Stdout)
	// Output:
	// suppress gone@gmail.com recipient_unknown
	// keep ann@icloud.com content_policy CS01
	// list,address,provider,category,tag,rule,bounces,time,reason,reply
	// suppress,gone@gmail.com,google,recipient_unknown,,google-no-such-user,1,,Gmail: the mailbox does not exist (G1),550 5.1.1 The email account that you tried to reach does not exist
	// keep,ann@icloud.com,apple,content_policy,CS01,apple-cs01,1,,"Apple's filter rejected this message ([CS01], A1): a message-level content verdict; fix content or links, do not retry it as is, the address is fine",554 5.7.1 [CS01] Message rejected due to local policy
}

// WorstLevel is what an alert compares with a threshold: here Apple's CS01
// rate is at the pause level.
func ExampleReport_WorstLevel() {
	events := func(yield func(segment.Event, error) bool) {
		for i := range 300 {
			ev := segment.Event{Recipient: fmt.Sprintf("u%d@icloud.com", i), Outcome: segment.OutcomeDelivered}
			if i%20 == 0 {
				ev.Outcome, ev.ReplyText = segment.OutcomeBounced, "554 5.7.1 [CS01] Message rejected due to local policy"
			}
			if !yield(ev, nil) {
				return
			}
		}
	}
	r, _ := segment.BuildReport(context.Background(), events, segment.ReportOptions{})
	lv, who := r.WorstLevel()
	fmt.Println(who, lv, segment.LevelWords(lv), lv.AtLeast(segment.LevelInvestigate))
	fmt.Println(r.AddressCounts.Keep, "addresses to keep")
	// Output:
	// apple pause pause true
	// 15 addresses to keep
}
