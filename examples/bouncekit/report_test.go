package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
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

func TestReportFormatsFailOnAndSuppressions(t *testing.T) {
	dir := t.TempDir()
	sup := filepath.Join(dir, "suppress.csv")
	out, stderr, code := runCmd(t, "triage", "--format", "json", "--suppressions", sup)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var rep struct {
		Providers []struct {
			Provider      string
			Interval      struct{ Low, High float64 }
			ComplaintRate *float64 `json:"complaint_rate"`
		}
		Findings []struct {
			PValue float64 `json:"p_value"`
			QValue float64 `json:"q_value"`
		}
		Diagnosis []struct {
			NextStep string `json:"next_step"`
			Evidence []string
		}
		Suppress struct {
			Suppress, Keep []struct{ Address, Category, Tag, Reason, Reply string }
		}
		TagMeanings []struct{ Provider, Tag, Meaning string } `json:"tag_meanings"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Providers) == 0 || rep.Providers[0].Interval.High <= rep.Providers[0].Interval.Low || rep.Providers[0].ComplaintRate == nil {
		t.Errorf("providers lack intervals or complaint rates: %+v", rep.Providers)
	}
	if len(rep.Findings) == 0 || rep.Findings[0].QValue < rep.Findings[0].PValue || rep.Findings[0].QValue == 0 {
		t.Errorf("findings lack p and q: %+v", rep.Findings)
	}
	if len(rep.Diagnosis) == 0 || rep.Diagnosis[0].NextStep == "" || len(rep.Diagnosis[0].Evidence) == 0 {
		t.Errorf("diagnosis %+v", rep.Diagnosis)
	}
	// The sample's CS01 addresses are kept, its unknown users suppressed.
	keepCS01 := 0
	for _, k := range rep.Suppress.Keep {
		if k.Tag == "CS01" && strings.Contains(k.Reply, "[CS01]") {
			keepCS01++
		}
	}
	if keepCS01 < 100 || len(rep.Suppress.Suppress) == 0 {
		t.Errorf("%d CS01 addresses kept, %d suppressed", keepCS01, len(rep.Suppress.Suppress))
	}
	for _, s := range rep.Suppress.Suppress {
		if s.Category != "recipient_unknown" && s.Category != "recipient_inactive" && s.Category != "bad_domain" {
			t.Errorf("suppressed for %s: %+v", s.Category, s)
		}
	}
	if len(rep.TagMeanings) == 0 || !strings.Contains(rep.TagMeanings[0].Meaning, "address is fine") {
		t.Errorf("tag meanings %+v", rep.TagMeanings)
	}
	b, err := os.ReadFile(sup)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if !strings.HasPrefix(lines[0], "list,address,provider,category") || len(lines) != 1+len(rep.Suppress.Suppress)+len(rep.Suppress.Keep) {
		t.Errorf("suppressions file: %d lines, header %q", len(lines), lines[0])
	}
	if !strings.Contains(stderr, "addresses to suppress") {
		t.Errorf("stderr %q", stderr)
	}

	csvOut, _, code := runCmd(t, "triage", "--format", "csv")
	if code != 0 || !strings.HasPrefix(csvOut, "table,provider,key,sent") || !strings.Contains(csvOut, "\nprovider,apple,,5000,4873,127,") ||
		!strings.Contains(csvOut, "\ndomain,apple,privaterelay.appleid.com,") || !strings.Contains(csvOut, "\nfinding,apple,") {
		t.Errorf("csv: exit %d\n%s", code, csvOut)
	}

	// The sample has Apple at pause: --fail-on pause and investigate trip
	// (exit 3), and so does watch; a level above every figure does not
	// exist, so a report under the level passes (the JSON test file above).
	for _, lv := range []string{"watch", "investigate", "pause"} {
		if _, stderr, code := runCmd(t, "triage", "--fail-on", lv); code != 3 || !strings.Contains(stderr, "apple") {
			t.Errorf("--fail-on %s: exit %d, %q", lv, code, stderr)
		}
	}
	if _, _, code := runCmd(t, "triage", "--fail-on", "panic"); code != 2 {
		t.Errorf("--fail-on panic: exit %d", code)
	}
}

func TestReportFailOnPassesAHealthySend(t *testing.T) {
	path := filepath.Join(t.TempDir(), "events.csv")
	var b strings.Builder
	b.WriteString("recipient,outcome,reply\n")
	for i := range 400 {
		fmt.Fprintf(&b, "u%d@gmail.com,delivered,250 OK\n", i)
	}
	b.WriteString("x@gmail.com,bounced,550 5.1.1 user unknown\n")
	os.WriteFile(path, []byte(b.String()), 0o644)
	if _, stderr, code := runCmd(t, "report", "--events", path, "--fail-on", "investigate"); code != 0 {
		t.Errorf("a 0.25%% send failed --fail-on investigate: exit %d %s", code, stderr)
	}
	if _, _, code := runCmd(t, "report", "--events", path, "--fail-on", "watch"); code != 3 {
		t.Errorf("--fail-on watch: exit %d, want 3", code)
	}
}

func TestHTMLReportIsSelfContained(t *testing.T) {
	out, _, code := runCmd(t, "triage", "--format", "html")
	if code != 0 || !strings.HasPrefix(out, "<!DOCTYPE html>") {
		t.Fatalf("exit %d", code)
	}
	for _, bad := range []string{"<script", "<link", "src=", "url(", "@import", "https://", "@font-face"} {
		if strings.Contains(out, bad) {
			t.Errorf("the page contains %q", bad)
		}
	}
	for _, want := range []string{"<svg", "icloud.com", "me.com", "mac.com", "privaterelay.appleid.com", "Next step", "Over time", "Do not suppress these addresses"} {
		if !strings.Contains(out, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
}

func TestNoProgressWhenStderrIsNotATerminal(t *testing.T) {
	_, stderr, code := runCmd(t, "triage")
	if code != 0 || stderr != "" {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
	p := newProgress(io.Discard, true, "files", 10)
	if p.on {
		t.Error("progress on for a non-terminal")
	}
	p = &progress{unit: "files", total: 10, start: time.Now().Add(-2 * time.Second), n: 5, msgs: 7, bytes: 4e6}
	if l := p.line(time.Now()); !strings.Contains(l, "5/10 files, 7 messages, 2.0 MB/s, ETA 2s") {
		t.Errorf("progress line %q", l)
	}
}
