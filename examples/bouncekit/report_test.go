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

func runCmd(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), args, strings.NewReader(""), &out, &errb)
	return out.String(), errb.String(), code
}

func TestTriageNamesTheCauseInTheEmbeddedSample(t *testing.T) {
	out, stderr, code := runCmd(t, "triage")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{
		"bouncekit triage: 24,000 messages",
		"CS01      125",
		"understates: apple at 2.54% (pause)",
		"apple: link_host (tag CS01, 2.50%, pause)",
		"Cause: link_host = deals.partnerhub.example",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("triage output lacks %q:\n%s", want, out)
		}
	}
	found := false
	for _, line := range strings.Split(out, "\n") {
		if f := strings.Fields(line); len(f) == 8 && f[0] == "apple" {
			found = f[1] == "5,000" && f[3] == "127" && f[5] == "2.54%" && f[7] == "pause"
		}
		if n := len([]rune(line)); n > 100 {
			t.Errorf("line wider than 100 columns (%d): %q", n, line)
		}
	}
	if !found {
		t.Errorf("no apple row with 5,000 sent, 127 bounced, 2.54%%, pause:\n%s", out)
	}
}

func TestReportJSONOnAFileWithABadRow(t *testing.T) {
	path := filepath.Join(t.TempDir(), "events.csv")
	csv := "recipient,outcome,reply,link_host\n" +
		"a@icloud.com,delivered,250 OK,www.shop.example\n" +
		"b@icloud.com,vanished,,www.shop.example\n" +
		"c@icloud.com,bounced,554 5.7.1 [CS01] Message rejected due to local policy,deals.partnerhub.example\n"
	if err := os.WriteFile(path, []byte(csv), 0o644); err != nil {
		t.Fatal(err)
	}
	out, stderr, code := runCmd(t, "report", "--events", path, "--format", "json")
	if code != 1 || !strings.Contains(stderr, "csv line 3") || !strings.Contains(stderr, "1 rows skipped") {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	var rep struct {
		Providers []struct {
			Provider       string
			Sent, Bounced  int64
			FailureRate    float64 `json:"failure_rate"`
			Level, Domains any
		}
		Findings, Diagnosis []any
		Skipped             int64
		Errors              []string
		Total               struct{ Sent, Bounced int64 }
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("%v:\n%s", err, out)
	}
	if len(rep.Providers) != 1 || rep.Providers[0].Provider != "apple" || rep.Providers[0].Sent != 2 || rep.Providers[0].FailureRate != 0.5 {
		t.Errorf("providers %+v", rep.Providers)
	}
	// The skipped row is in the JSON too, not only on stderr.
	if rep.Skipped != 1 || len(rep.Errors) != 1 || !strings.Contains(rep.Errors[0], "line 3") || rep.Total.Sent != 2 || rep.Total.Bounced != 1 {
		t.Errorf("skipped %d, errors %q, total %+v", rep.Skipped, rep.Errors, rep.Total)
	}
}

func TestReportReadsOtherFormats(t *testing.T) {
	out, stderr, code := runCmd(t, "report", "--events", "../../segment/testdata/ses.jsonl", "--input", "ses")
	if code != 1 || !strings.Contains(stderr, "2 rows skipped (ses input") || !strings.Contains(out, "apple") {
		t.Fatalf("exit %d\nstderr %s\nout %s", code, stderr, out)
	}
}

func TestReportUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"report"},
		{"report", "--events", "x", "--format", "yaml"},
		{"report", "--events", "x", "--input", "xml"},
	} {
		if _, _, code := runCmd(t, args...); code != 2 {
			t.Errorf("%q: exit %d, want 2", args, code)
		}
	}
	if _, stderr, code := runCmd(t, "report", "--events", filepath.Join(t.TempDir(), "missing.csv")); code != 1 || stderr == "" {
		t.Errorf("missing file: exit %d", code)
	}
}

// --rules brings in-house rules and provider maps into the report: the
// regional provider gets its own row and its replies their category.
func TestReportWithRules(t *testing.T) {
	dir := t.TempDir()
	events := filepath.Join(dir, "events.csv")
	csv := "recipient,outcome,reply\n" +
		"a@acme-mail.example,bounced,550 Adresa neexistuje\n" +
		"b@acme-mail.example,delivered,250 OK\n"
	rules := filepath.Join(dir, "rules.json")
	js := `{"providers": [{"provider": "acme-mail", "domains": ["acme-mail.example"]}],
	"before": [{"id": "acme-unknown", "provider": "acme-mail", "code": "550", "any": ["adresa neexistuje"], "category": "recipient_unknown", "suppress": true}]}`
	if err := os.WriteFile(events, []byte(csv), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(rules, []byte(js), 0o644); err != nil {
		t.Fatal(err)
	}
	out, stderr, code := runCmd(t, "report", "--events", events, "--format", "json", "--rules", rules)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var rep struct {
		Providers []struct {
			Provider   string `json:"provider"`
			Bounced    int    `json:"bounced"`
			Categories []struct {
				Key string `json:"key"`
			} `json:"categories"`
		} `json:"providers"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if len(rep.Providers) != 1 || rep.Providers[0].Provider != "acme-mail" || rep.Providers[0].Bounced != 1 {
		t.Fatalf("providers %+v", rep.Providers)
	}
	if cs := rep.Providers[0].Categories; len(cs) == 0 || cs[0].Key != "recipient_unknown" {
		t.Errorf("categories %+v\n%s", cs, out)
	}
	if _, stderr, code := runCmd(t, "report", "--events", events, "--rules", filepath.Join(dir, "missing.json")); code != 1 || !strings.Contains(stderr, "missing.json") {
		t.Errorf("a missing rules file: exit %d, stderr %q", code, stderr)
	}
}
