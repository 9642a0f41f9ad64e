package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const dmarcTestReport = `<?xml version="1.0" encoding="UTF-8" ?>
<feedback>
  <report_metadata><org_name>google.com</org_name><email>noreply-dmarc-support@google.com</email>
    <report_id>17</report_id><date_range><begin>1764460800</begin><end>1764547199</end></date_range></report_metadata>
  <policy_published><domain>example.com</domain><adkim>r</adkim><aspf>r</aspf><p>none</p><sp>none</sp><pct>100</pct></policy_published>
  <record><row><source_ip>192.0.2.10</source_ip><count>90</count><policy_evaluated><disposition>none</disposition><dkim>pass</dkim><spf>pass</spf></policy_evaluated></row>
    <identifiers><header_from>example.com</header_from></identifiers>
    <auth_results><dkim><domain>example.com</domain><result>pass</result></dkim><spf><domain>example.com</domain><result>pass</result></spf></auth_results></record>
  <record><row><source_ip>203.0.113.9</source_ip><count>10</count><policy_evaluated><disposition>none</disposition><dkim>fail</dkim><spf>fail</spf></policy_evaluated></row>
    <identifiers><header_from>example.com</header_from></identifiers>
    <auth_results><spf><domain>example.com</domain><result>Fail</result></spf></auth_results></record>
</feedback>
`

func writeDMARCInputs(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	var gz bytes.Buffer
	w := gzip.NewWriter(&gz)
	w.Write([]byte(dmarcTestReport))
	w.Close()
	for name, b := range map[string][]byte{
		"a.xml.gz":     gz.Bytes(),
		"b/copy.xml":   []byte(dmarcTestReport),
		"b/other.xml":  []byte(strings.ReplaceAll(strings.ReplaceAll(dmarcTestReport, "example.com", "example.org"), "<report_id>17", "<report_id>18")),
		"c/readme.txt": []byte("not a report"),
	} {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestDMARCJSONIsOneObjectPerReport(t *testing.T) {
	dir := writeDMARCInputs(t)
	var out, errw bytes.Buffer
	code := run(context.Background(), []string{"dmarc", "--format", "json", dir}, strings.NewReader(""), &out, &errw)
	if code != 1 {
		t.Fatalf("exit %d, want 1 (one input is not a report); stderr %s", code, errw.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 4 {
		t.Fatalf("want 4 lines, got %d:\n%s", len(lines), out.String())
	}
	var first map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"file", "org_name", "email", "report_id", "begin", "end", "domain", "policy", "records", "messages",
		"dmarc_pass", "dmarc_fail", "dkim_aligned", "spf_aligned", "by_disposition", "sources", "repairs"} {
		if _, ok := first[k]; !ok {
			t.Errorf("report object lacks %q", k)
		}
	}
	pol := first["policy"].(map[string]any)
	for _, k := range []string{"p", "sp", "np", "pct", "adkim", "aspf", "fo", "testing", "discovery_method"} {
		if _, ok := pol[k]; !ok {
			t.Errorf("policy lacks %q", k)
		}
	}
	if first["report_id"] != "17" || first["messages"] != 100.0 || first["dmarc_pass"] != 90.0 || first["begin"] != 1764460800.0 || pol["p"] != "none" {
		t.Errorf("wrong values: %s", lines[0])
	}
	if !strings.Contains(lines[1], `"duplicate":true`) {
		t.Errorf("the copy is not marked duplicate: %s", lines[1])
	}
	var e map[string]any
	json.Unmarshal([]byte(lines[3]), &e)
	if len(e) != 2 || e["file"] != filepath.Join(dir, "c/readme.txt") || e["error"] == "" {
		t.Errorf("non-report line: %s", lines[3])
	}
}

func TestDMARCSummaryIsOneObjectWithAdvice(t *testing.T) {
	dir := writeDMARCInputs(t)
	var out, errw bytes.Buffer
	run(context.Background(), []string{"dmarc", "--format", "json", "--summary", "--domain", "example.com", "--record", "v=DMARC1; p=quarantine; t=y", dir}, strings.NewReader(""), &out, &errw)
	var s struct {
		Reports, Duplicates, Failed int
		Domains                     []struct {
			Domain       string
			Messages     int64
			PolicySource string `json:"policy_source"`
			Sources      []struct{ Class string }
			Advice       struct {
				Stage string
				Next  struct{ Stage string }
			}
		}
	}
	if err := json.Unmarshal(out.Bytes(), &s); err != nil {
		t.Fatalf("%v:\n%s", err, out.String())
	}
	if s.Reports != 1 || s.Duplicates != 1 || s.Failed != 1 || len(s.Domains) != 1 {
		t.Fatalf("summary %+v", s)
	}
	d := s.Domains[0]
	if d.Domain != "example.com" || d.Messages != 100 || d.PolicySource != "given" || d.Advice.Stage != "quarantine_test" || d.Advice.Next.Stage != "quarantine_partial" {
		t.Errorf("domain %+v", d)
	}
	if len(d.Sources) != 2 || d.Sources[0].Class != "authorized" || d.Sources[1].Class != "spoofing" {
		t.Errorf("sources %+v", d.Sources)
	}
}

func TestDMARCTextShowsSourcesAndAdvice(t *testing.T) {
	dir := writeDMARCInputs(t)
	var out, errw bytes.Buffer
	run(context.Background(), []string{"dmarc", dir}, strings.NewReader(""), &out, &errw)
	for _, want := range []string{"google.com report 17 for example.com", "repaired: case", "== example.com", "192.0.2.10", "spoofing", "Enforcement: stage none", "Next step: quarantine_test", "readme.txt: error"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("text output lacks %q:\n%s", want, out.String())
		}
	}
}

func TestDMARCUsage(t *testing.T) {
	var out, errw bytes.Buffer
	if code := run(context.Background(), []string{"dmarc"}, strings.NewReader(""), &out, &errw); code != 2 {
		t.Errorf("no input: exit %d, want 2", code)
	}
	if code := run(context.Background(), []string{"dmarc", "--record", "v=spf1", "x"}, strings.NewReader(""), &out, &errw); code != 2 {
		t.Errorf("bad record: exit %d, want 2", code)
	}
}
