package classifytest_test

import (
	"strings"
	"testing"

	"github.com/bouncekit/bouncekit/classify"
	"github.com/bouncekit/bouncekit/classify/classifytest"
)

func TestReadCasesSkipsCommentsAndNamesCases(t *testing.T) {
	in := `# a comment
// another

{"reply": "550 5.1.1 user unknown", "category": "recipient_unknown", "suppress": true}
{"name": "named", "reply": "421 4.7.0 [TSS04] deferred", "recipient": "a@yahoo.com", "slow_down": true}
`
	cases, err := classifytest.ReadCases(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) != 2 || !strings.HasPrefix(cases[0].Name, "line 4 ") || cases[1].Name != "named" {
		t.Fatalf("cases = %+v", cases)
	}
	if cases[0].Suppress == nil || !*cases[0].Suppress || cases[1].SlowDown == nil {
		t.Errorf("booleans not read: %+v", cases)
	}
	classifytest.Run(t, classify.Default(), cases)
}

func TestReadCasesErrors(t *testing.T) {
	for _, in := range []string{
		`{"reply": "550 x", "severity": "hard", "extra": 1}`,
		`{"category": "policy"}`,
		`{"reply": `,
	} {
		if _, err := classifytest.ReadCases(strings.NewReader(in)); err == nil || !strings.Contains(err.Error(), "line 1") {
			t.Errorf("%s: err = %v, want an error naming line 1", in, err)
		}
	}
}

func TestDiffNamesEveryDifferingField(t *testing.T) {
	tc := classifytest.Case{Reply: "550 5.1.1 user unknown", Category: "mailbox_full", Severity: "soft",
		Hint: "content", Provider: "google", Rule: "x", Suppress: classifytest.Bool(false), Retry: classifytest.Bool(true), SlowDown: classifytest.Bool(true)}
	v, err := tc.Classify(classify.Default())
	if err != nil {
		t.Fatal(err)
	}
	d := tc.Diff(v)
	for _, f := range []string{"category", "severity", "hint", "provider", "rule", "suppress", "retry", "slow_down"} {
		if !strings.Contains(d, "\n  "+f+" ") {
			t.Errorf("diff does not name %s:\n%s", f, d)
		}
	}
	if _, err := (classifytest.Case{Reply: "   "}).Classify(classify.Default()); err == nil {
		t.Error("empty reply classified without error")
	}
}
