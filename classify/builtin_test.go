package classify_test

import (
	"sort"
	"strings"
	"testing"

	"github.com/bouncekit/bouncekit/classify"
	"github.com/bouncekit/bouncekit/classify/classifytest"
)

const repliesFile = "testdata/replies.jsonl"

// TestBuiltinReplies pins every reply of testdata/replies.jsonl (written
// from provider-codes.md, with its P/T and Supp columns) to its category,
// severity, suppression and provider.
func TestBuiltinReplies(t *testing.T) {
	classifytest.RunFile(t, classify.Default(), repliesFile)
}

func TestTestDataIsLargeAndDistinct(t *testing.T) {
	cases, err := classifytest.ReadFile(repliesFile)
	if err != nil {
		t.Fatal(err)
	}
	distinct := map[string]bool{}
	for _, c := range cases {
		distinct[c.Reply] = true
	}
	if len(distinct) < 300 {
		t.Errorf("%d distinct replies in %s, want at least 300", len(distinct), repliesFile)
	}
}

// TestNoDeadRules fails when a built-in rule is fired by no reply of the
// test data: every rule must be proven by at least one reply.
func TestNoDeadRules(t *testing.T) {
	cases, err := classifytest.ReadFile(repliesFile)
	if err != nil {
		t.Fatal(err)
	}
	fired := map[string]int{}
	c := classify.Default()
	for _, tc := range cases {
		v, err := tc.Classify(c)
		if err != nil {
			t.Fatalf("%s: %v", tc.Name, err)
		}
		fired[v.Rule]++
	}
	var dead []string
	for _, r := range classify.BuiltinRules() {
		if fired[r.ID] == 0 {
			dead = append(dead, r.ID)
		}
	}
	sort.Strings(dead)
	if len(dead) > 0 {
		t.Errorf("%d built-in rules are never fired by %s:\n  %s", len(dead), repliesFile, strings.Join(dead, "\n  "))
	}
}

// TestSuppressDiscipline checks the rule table itself: only recipient-level
// categories may suppress (New refuses the others), and rules for the causes
// provider-codes.md §11 lists as "do not suppress" never do.
func TestSuppressDiscipline(t *testing.T) {
	for _, r := range classify.BuiltinRules() {
		if r.Suppress && !r.Category.IsRecipientLevel() {
			t.Errorf("rule %s suppresses with category %s", r.ID, r.Category)
		}
		if r.Suppress && r.Severity == classify.SeveritySoft {
			t.Errorf("rule %s suppresses with a soft severity", r.ID)
		}
	}
}
