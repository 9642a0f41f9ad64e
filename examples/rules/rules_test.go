package rules_test

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/bouncekit/bouncekit/classify"
	"github.com/bouncekit/bouncekit/classify/classifytest"
	"github.com/bouncekit/bouncekit/examples/rules"
)

// TestPinnedRules is how a team pins its own rules: a JSONL file of
// reply -> expected verdict, checked by classifytest with a readable diff and
// the rule that fired when one drifts.
func TestPinnedRules(t *testing.T) {
	f, err := os.Open("testdata/rules.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	c, err := rules.NewClassifier(f)
	if err != nil {
		t.Fatal(err)
	}
	classifytest.RunFile(t, c, "testdata/pinned.jsonl")
}

func TestBadRuleFileIsNamed(t *testing.T) {
	_, err := rules.NewClassifier(strings.NewReader(`[{"id":"x","any":["y"],"category":"no_such_category"}]`))
	var re *classify.RuleError
	if !errors.As(err, &re) || re.ID != "x" {
		t.Fatalf("err = %v, want a *classify.RuleError naming rule x", err)
	}
	_, err = rules.NewClassifier(strings.NewReader(`{"befor": []}`))
	if err == nil {
		t.Fatal("a typo in the rules file must be an error")
	}
}
