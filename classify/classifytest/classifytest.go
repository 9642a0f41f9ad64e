// Package classifytest lets users pin how a classify.Classifier reads
// replies, in a Go table or a JSONL golden file:
//
//	{"reply": "554 5.7.1 [CS01] Message rejected due to local policy", "recipient": "bob@icloud.com",
//	 "category": "content_policy", "severity": "hard", "suppress": false}
//
// Only the fields a case sets are checked. A failure prints a readable
// field-by-field diff and the rule that fired, so a rule change that moves a
// reply shows exactly what moved and why.
package classifytest

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/bouncekit/bouncekit/bounce"
	"github.com/bouncekit/bouncekit/classify"
)

// Case is one pinned expectation. Reply is any form bounce.ParseReply
// reads. Empty expectation fields (nil for the booleans) are not checked.
type Case struct {
	Name      string `json:"name,omitempty"`
	Reply     string `json:"reply"`
	Recipient string `json:"recipient,omitempty"`
	RemoteMTA string `json:"remote_mta,omitempty"`
	// Command is the SMTP command the reply answered ("RCPT TO", "end of
	// DATA", ...; see bounce.ParseStage).
	Command string `json:"command,omitempty"`

	Category classify.Category `json:"category,omitempty"`
	Severity classify.Severity `json:"severity,omitempty"`
	Hint     classify.Hint     `json:"hint,omitempty"`
	Provider classify.Provider `json:"provider,omitempty"`
	Rule     string            `json:"rule,omitempty"`
	Suppress *bool             `json:"suppress,omitempty"`
	Retry    *bool             `json:"retry,omitempty"`
	SlowDown *bool             `json:"slow_down,omitempty"`

	// Ref is free text naming where the case comes from (a row of
	// provider-codes.md, a ticket); shown in failures.
	Ref string `json:"ref,omitempty"`
}

// Bool returns a pointer to b, for the optional boolean fields.
func Bool(b bool) *bool { return &b }

// Context returns the classify.Context the case describes.
func (tc Case) Context() classify.Context {
	return classify.Context{Recipient: tc.Recipient, RemoteMTA: tc.RemoteMTA, Stage: bounce.ParseStage(tc.Command)}
}

// Classify parses the case's reply and classifies it with c.
func (tc Case) Classify(c *classify.Classifier) (classify.Verdict, error) {
	r, err := bounce.ParseReply(tc.Reply)
	if err != nil {
		return classify.Verdict{}, err
	}
	return c.Classify(&r, tc.Context()), nil
}

// Diff returns "" when v meets every expectation of tc, else a readable
// report: the reply, each differing field with want and got, and the rule
// that fired.
func (tc Case) Diff(v classify.Verdict) string {
	var rows [][3]string
	cmp := func(field, want, got string) {
		if want != "" && want != got {
			rows = append(rows, [3]string{field, want, got})
		}
	}
	cmpb := func(field string, want *bool, got bool) {
		if want != nil && *want != got {
			rows = append(rows, [3]string{field, fmt.Sprint(*want), fmt.Sprint(got)})
		}
	}
	cmp("category", string(tc.Category), string(v.Category))
	cmp("severity", string(tc.Severity), string(v.Severity))
	cmp("hint", string(tc.Hint), string(v.Hint))
	cmp("provider", string(tc.Provider), string(v.Provider))
	cmp("rule", tc.Rule, v.Rule)
	cmpb("suppress", tc.Suppress, v.Suppress)
	cmpb("retry", tc.Retry, v.Retry)
	cmpb("slow_down", tc.SlowDown, v.SlowDown)
	if len(rows) == 0 {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "reply:  %s\n", tc.Reply)
	if tc.Ref != "" {
		fmt.Fprintf(&b, "ref:    %s\n", tc.Ref)
	}
	if tc.Recipient != "" || tc.RemoteMTA != "" || tc.Command != "" {
		fmt.Fprintf(&b, "context: recipient=%q remote_mta=%q command=%q\n", tc.Recipient, tc.RemoteMTA, tc.Command)
	}
	fmt.Fprintf(&b, "  %-10s %-20s %s\n", "field", "want", "got")
	for _, r := range rows {
		fmt.Fprintf(&b, "  %-10s %-20s %s\n", r[0], r[1], r[2])
	}
	rule := v.Rule
	if rule == "" {
		rule = "(none)"
	}
	fmt.Fprintf(&b, "rule fired: %s: %s", rule, v.Explanation)
	return b.String()
}

// Run checks every case against c, each as a subtest named after the case
// (its Name, else its line or index and the start of the reply).
func Run(t *testing.T, c *classify.Classifier, cases []Case) {
	t.Helper()
	for i, tc := range cases {
		name := tc.Name
		if name == "" {
			name = fmt.Sprintf("%03d %s", i+1, truncate(tc.Reply, 40))
		}
		t.Run(name, func(t *testing.T) {
			t.Helper()
			v, err := tc.Classify(c)
			if err != nil {
				t.Fatalf("reply %q: %v", tc.Reply, err)
			}
			if d := tc.Diff(v); d != "" {
				t.Error("\n" + d)
			}
		})
	}
}

// RunFile reads cases from a JSONL file (see ReadCases) and runs them.
func RunFile(t *testing.T, c *classify.Classifier, path string) {
	t.Helper()
	cases, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	Run(t, c, cases)
}

// ReadFile reads a JSONL file of cases.
func ReadFile(path string) ([]Case, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	cases, err := ReadCases(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return cases, nil
}

// ReadCases reads JSONL: one Case per line; blank lines and lines starting
// with "//" or "#" are skipped. Unknown fields are an error, so a typo in
// an expectation does not silently check nothing. Cases without a Name are
// named after their line number.
func ReadCases(r io.Reader) ([]Case, error) {
	var out []Case
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	line := 0
	for sc.Scan() {
		line++
		s := strings.TrimSpace(sc.Text())
		if s == "" || strings.HasPrefix(s, "//") || strings.HasPrefix(s, "#") {
			continue
		}
		dec := json.NewDecoder(strings.NewReader(s))
		dec.DisallowUnknownFields()
		var tc Case
		if err := dec.Decode(&tc); err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		if tc.Reply == "" {
			return nil, fmt.Errorf("line %d: case has no reply", line)
		}
		if tc.Name == "" {
			tc.Name = fmt.Sprintf("line %d %s", line, truncate(tc.Reply, 40))
		}
		out = append(out, tc)
	}
	return out, sc.Err()
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
