package classify_test

import (
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
		in := classify.Context{Recipient: rcpt, RemoteMTA: host, Stage: classify.StageFromCommand(cmd)}
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
