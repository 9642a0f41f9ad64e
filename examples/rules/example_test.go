package rules_test

import (
	"fmt"
	"os"

	"github.com/bouncekit/bouncekit/bounce"
	"github.com/bouncekit/bouncekit/classify"
	"github.com/bouncekit/bouncekit/examples/rules"
)

// Example collects the replies the built-in rules leave unknown, then adds
// rules for them (one in Go, one from a JSON file) and classifies again.
func Example() {
	replies := []string{
		"550 Adresa neexistuje",
		"550 Adresa neexistuje",
		"452 Schranka je plna",
		"554 5.7.1 [CS01] Message rejected due to local policy",
	}

	// 1. Run the built-ins and collect what they could not classify.
	var unknown classify.Collector
	for _, s := range replies {
		r, err := bounce.ParseReply(s)
		if err != nil {
			continue // an empty line: nothing to learn from
		}
		v := classify.Default().Classify(&r, classify.Context{Recipient: "x@acme-mail.example"})
		fmt.Printf("built-in: %-45q %s %s (rule %s)\n", s, v.Severity, v.Category, v.Rule)
		unknown.Add(&r, v)
	}
	for _, u := range unknown.Unknowns() {
		fmt.Printf("unknown x%d: %s\n", u.Count, u.Example)
	}

	// 2. Add rules for them and classify again.
	f, err := os.Open("testdata/rules.json")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer f.Close()
	c, err := rules.NewClassifier(f)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range replies[1:] { // the first two are the same reply
		r, _ := bounce.ParseReply(s)
		v := c.Classify(&r, classify.Context{Recipient: "x@acme-mail.example"})
		fmt.Printf("with ours: %-44q %s %s suppress=%v (rule %s)\n", s, v.Severity, v.Category, v.Suppress, v.Rule)
	}
	// Output:
	// built-in: "550 Adresa neexistuje"                       hard unknown (rule rfc5321-550)
	// built-in: "550 Adresa neexistuje"                       hard unknown (rule rfc5321-550)
	// built-in: "452 Schranka je plna"                        soft system (rule rfc5321-452)
	// built-in: "554 5.7.1 [CS01] Message rejected due to local policy" hard content_policy (rule apple-cs01)
	// unknown x2: 550 Adresa neexistuje
	// with ours: "550 Adresa neexistuje"                      hard recipient_unknown suppress=true (rule acme-mail-address-unknown)
	// with ours: "452 Schranka je plna"                       soft mailbox_full suppress=false (rule acme-mail-mailbox-full)
	// with ours: "554 5.7.1 [CS01] Message rejected due to local policy" hard content_policy suppress=false (rule apple-cs01)
}
