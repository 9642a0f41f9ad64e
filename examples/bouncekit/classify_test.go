package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runClassifyCmd(t *testing.T, stdin string, args ...string) (out []map[string]any, stderr string, code int) {
	t.Helper()
	var o, e bytes.Buffer
	code = run(context.Background(), append([]string{"classify"}, args...), strings.NewReader(stdin), &o, &e)
	for _, line := range strings.Split(strings.TrimSpace(o.String()), "\n") {
		if line == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("output line %q is not JSON: %v", line, err)
		}
		out = append(out, m)
	}
	return out, e.String(), code
}

func TestClassifyCommand(t *testing.T) {
	input := strings.Join([]string{
		"554 5.7.1 [CS01] Message rejected due to local policy. Please visit https://support.apple.com/en-us/HT204137",
		"",
		`{"reply": "550 5.1.1 user unknown", "recipient": "bob@gmail.com", "remote_mta": "gmail-smtp-in.l.google.com", "command": "RCPT TO"}`,
		`{"reply": "550 5.1.1 user unknown", "recipint": "typo"}`,
		`{not json`,
		"421 4.7.0 [TSS04] Messages from 192.0.2.1 temporarily deferred due to unexpected volume or user complaints",
	}, "\n")
	out, stderr, code := runClassifyCmd(t, input)
	if code != 0 {
		t.Fatalf("exit %d, stderr %s", code, stderr)
	}
	if len(out) != 5 {
		t.Fatalf("got %d output lines, want 5 (blank line skipped): %v", len(out), out)
	}
	cs01 := out[0]
	for k, want := range map[string]any{"code": 554.0, "status": "5.7.1", "tag": "CS01", "severity": "hard",
		"category": "content_policy", "hint": "content", "retry": false, "suppress": false, "slow_down": false,
		"provider": "apple", "rule": "apple-cs01"} {
		if cs01[k] != want {
			t.Errorf("CS01 %s = %v, want %v", k, cs01[k], want)
		}
	}
	if out[1]["provider"] != "google" || out[1]["suppress"] != true || out[1]["category"] != "recipient_unknown" {
		t.Errorf("JSON line: %v", out[1])
	}
	for _, i := range []int{2, 3} {
		if out[i]["error"] == nil || out[i]["input"] == nil {
			t.Errorf("line %d: want an error object, got %v", i, out[i])
		}
	}
	if out[4]["slow_down"] != true || out[4]["retry"] != true {
		t.Errorf("TSS04: %v", out[4])
	}
	// Every verdict field is present even when empty.
	for _, k := range []string{"input", "code", "status", "tag", "severity", "category", "hint", "retry", "suppress", "slow_down", "provider", "rule", "explanation"} {
		if _, ok := out[1][k]; !ok {
			t.Errorf("field %q missing from %v", k, out[1])
		}
	}
	if _, ok := out[0]["error"]; ok {
		t.Errorf("error field on a good line: %v", out[0])
	}
}

func TestClassifyCommandRulesAndUnknowns(t *testing.T) {
	dir := t.TempDir()
	rules := filepath.Join(dir, "rules.json")
	if err := os.WriteFile(rules, []byte(`{"before": [{"id": "acme", "any": ["frobnicated"], "category": "recipient_unknown", "suppress": true}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	out, stderr, code := runClassifyCmd(t, "550 mailbox frobnicated\n599 something new\n599 something new\n", "--rules", rules, "--unknowns")
	if code != 0 || len(out) != 3 {
		t.Fatalf("exit %d, %d lines, stderr %s", code, len(out), stderr)
	}
	if out[0]["rule"] != "acme" {
		t.Errorf("custom rule not used: %v", out[0])
	}
	if !strings.Contains(stderr, "     2  599 something new") {
		t.Errorf("unknowns summary missing:\n%s", stderr)
	}

	if err := os.WriteFile(rules, []byte(`{"before": [{"id": "bad", "code": "6xx", "category": "policy"}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, stderr, code := runClassifyCmd(t, "550 x\n", "--rules", rules); code != 1 || !strings.Contains(stderr, `"bad"`) {
		t.Errorf("invalid rule: exit %d, stderr %q", code, stderr)
	}
}

func TestClassifyCommandLongLine(t *testing.T) {
	long := "550 " + strings.Repeat("x", maxClassifyLine+10)
	out, _, code := runClassifyCmd(t, long+"\n550 5.1.1 user unknown\n")
	if code != 0 || len(out) != 2 || out[0]["error"] == nil || out[1]["rule"] != "generic-recipient-unknown" {
		t.Errorf("exit %d, out %v", code, out)
	}
}
