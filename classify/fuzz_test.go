package classify_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/bouncekit/bouncekit/bounce"
	"github.com/bouncekit/bouncekit/classify"
	"github.com/bouncekit/bouncekit/classify/classifytest"
)

// FuzzClassify: any input classifies without panic, the same way twice,
// never hard with retry, never suppressing outside recipient-level causes
// or outside hard verdicts.
func FuzzClassify(f *testing.F) {
	cases, err := classifytest.ReadFile(repliesFile)
	if err != nil {
		f.Fatal(err)
	}
	for i, tc := range cases {
		if i%7 == 0 {
			f.Add(tc.Reply, tc.Recipient, tc.RemoteMTA, tc.Command)
		}
	}
	f.Add("", "", "", "")
	f.Add("\x00\xff550 5.1.1 [CS01]", "@", "[", "rcpt")
	c := classify.Default()
	f.Fuzz(func(t *testing.T, reply, rcpt, host, cmd string) {
		r, _ := bounce.ParseReply(reply) // partial results are classified too
		in := classify.Context{Recipient: rcpt, RemoteMTA: host, Stage: bounce.ParseStage(cmd)}
		v := c.Classify(&r, in)
		if v2 := c.Classify(&r, in); v2 != v {
			t.Fatalf("not deterministic: %+v then %+v", v, v2)
		}
		check(t, v)
		for _, action := range []string{"failed", "delayed", "delivered", ""} {
			check(t, c.ClassifyDSN(action, r.Status, &r, in))
		}
	})
}

func check(t *testing.T, v classify.Verdict) {
	t.Helper()
	if v.Severity == classify.SeverityHard && v.Retry {
		t.Fatalf("hard with retry: %+v", v)
	}
	if v.Suppress && (v.Severity != classify.SeverityHard || !v.Category.IsRecipientLevel()) {
		t.Fatalf("suppress outside a hard recipient-level verdict: %+v", v)
	}
	if v.Category == "" || v.Severity == "" || v.Hint == "" {
		t.Fatalf("empty field: %+v", v)
	}
}

// FuzzReadOptions: any rules file either fails with an error or builds a
// classifier that classifies without panic; invalid rules are RuleErrors.
func FuzzReadOptions(f *testing.F) {
	f.Add(`{"before": [{"id": "a", "code": "5xx", "status": "5.7.*", "any": ["x"], "category": "policy"}], "disable": ["apple-hm07"]}`)
	f.Add(`[{"id": "b", "tags": ["AUP#*"], "stages": ["RCPT"], "category": "recipient_unknown", "suppress": true}]`)
	f.Add(`{"after": [{"id": "c", "status": "4.7.500-699", "none": ["y"], "category": "rate_limited", "severity": "soft"}]}`)
	f.Add(`[{"id": "d", "code": "550-554,421", "all": ["a", "b"], "category": "bogus"}]`)
	f.Fuzz(func(t *testing.T, js string) {
		opts, err := classify.ReadOptions(strings.NewReader(js))
		if err != nil {
			return
		}
		if len(opts.Before)+len(opts.After) > 50 {
			return // keep each run fast
		}
		c, err := classify.New(opts)
		if err != nil {
			var re *classify.RuleError
			if !errors.As(err, &re) {
				t.Fatalf("New error %v is not a *RuleError", err)
			}
			return
		}
		r, _ := bounce.ParseReply("550 5.7.1 x y a b [CS01] AUP#CXBL")
		check(t, c.Classify(&r, classify.Context{Stage: bounce.StageRCPT}))
	})
}
