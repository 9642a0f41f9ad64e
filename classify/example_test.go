package classify_test

import (
	"fmt"
	"time"

	"github.com/bouncekit/bouncekit/bounce"
	"github.com/bouncekit/bouncekit/classify"
)

func ExampleClassifier_Classify() {
	r, _ := bounce.ParseReply("554 5.7.1 [CS01] Message rejected due to local policy. Please visit https://support.apple.com/en-us/HT204137")
	v := classify.Default().Classify(&r, classify.Context{Recipient: "someone@icloud.com"})
	fmt.Println(v.Severity, v.Category, v.Hint, "retry:", v.Retry, "suppress:", v.Suppress, v.Provider, v.Tag, v.Rule)
	// Output: hard content_policy content retry: false suppress: false apple CS01 apple-cs01
}

func ExampleNew() {
	c, err := classify.New(classify.Options{
		Before: []classify.Rule{{
			ID:          "acme-gateway-unknown",
			Code:        "550",
			All:         []string{"acme gateway", "no such person"},
			Category:    classify.CategoryRecipientUnknown,
			Suppress:    true,
			Explanation: "our partner's gateway wording for a dead address",
		}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	r, _ := bounce.ParseReply("550 ACME Gateway: no such person here")
	v := c.Classify(&r, classify.Context{})
	fmt.Println(v.Rule, v.Category, v.Severity, v.Suppress)
	// Output: acme-gateway-unknown recipient_unknown hard true
}

func ExampleRetryPolicy_Decide() {
	first := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	p := classify.RetryPolicy{
		Now:  func() time.Time { return first.Add(30 * time.Minute) },
		Rand: func() float64 { return 0.5 }, // no jitter, for the example
	}
	r, _ := bounce.ParseReply("421 4.7.0 [TSS04] Messages from 192.0.2.1 temporarily deferred due to unexpected volume or user complaints")
	v := classify.Default().Classify(&r, classify.Context{Recipient: "bob@yahoo.com"})
	d := p.Decide(v, 3, first)
	fmt.Println(v.Category, v.SlowDown, d.Retry, d.Delay, d.At.Format(time.Kitchen))

	r, _ = bounce.ParseReply("550 5.1.1 user unknown")
	v = classify.Default().Classify(&r, classify.Context{})
	fmt.Println(p.Decide(v, 1, first).Retry)
	// Output:
	// reputation_block true true 1h20m0s 10:50AM
	// false
}

func ExampleClassifier_ClassifyDSN() {
	c := classify.Default()
	v := c.ClassifyDSN("delayed", bounce.MustParseStatus("4.4.7"), nil, classify.Context{Recipient: "bob@example.com"})
	fmt.Println(v.Category, v.Severity, v.Retry)
	v = c.ClassifyDSN("failed", bounce.MustParseStatus("5.1.1"), nil, classify.Context{})
	fmt.Println(v.Category, v.Severity, v.Suppress)
	// Output:
	// expired soft true
	// recipient_unknown hard true
}

func ExampleCollector() {
	c := classify.Default()
	var col classify.Collector
	for _, s := range []string{
		"550 Message from <a@x.example> refused at 10:31",
		"550 5.1.1 user unknown",
		"550 Message from <b@y.example> refused at 11:02",
	} {
		r, _ := bounce.ParseReply(s)
		col.Add(&r, c.Classify(&r, classify.Context{}))
	}
	for _, u := range col.Unknowns() {
		fmt.Println(u.Count, u.Key)
	}
	// Output: 2 550 message from <> refused at #:#
}

func ExampleReadMeaning() {
	for _, text := range []string{
		"The email account that you tried to reach does not exist",
		"Sender address rejected: Domain not found",
		"Your IP has been identified as a spammer",
		"user is not blocked",
	} {
		fmt.Printf("%q\n", classify.ReadMeaning(text).String())
	}
	// Output:
	// "recipient/unknown"
	// "sender/refused"
	// "sending_host/blocked"
	// ""
}

// A clear text outranks a generic code, and the verdict says so.
func ExampleVerdict_codeDisagrees() {
	r, _ := bounce.ParseReply("551 Invalid MIME structure")
	v := classify.Default().Classify(&r, classify.Context{})
	fmt.Println(v.Category, v.Rule, v.Meaning, v.CodeDisagrees, v.CodeRule)
	r, _ = bounce.ParseReply("553 sorry, that recipient doesn't exist (#5.7.1)")
	v = classify.Default().Classify(&r, classify.Context{})
	fmt.Println(v.Category, v.Suppress, v.Rule)
	// Output:
	// content_policy meaning-message-malformed message/invalid true rfc5321-551
	// recipient_unknown true meaning-recipient-unknown
}
