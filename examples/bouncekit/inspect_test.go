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

const inspectSample = "../../authcheck/inspect/testdata/newsletter.eml"

func TestInspectJSONFollowsTheContract(t *testing.T) {
	var out, errw bytes.Buffer
	code := run(context.Background(), []string{"inspect", "--format", "json", "--now", "2026-11-25T15:00:00Z", inspectSample}, strings.NewReader(""), &out, &errw)
	if code != 0 {
		t.Fatalf("exit %d: %s%s", code, errw.String(), out.String())
	}
	var r map[string]json.RawMessage
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"dkim", "spf", "dmarc", "arc", "checks", "passed", "total", "links", "domains", "filter"} {
		if _, ok := r[k]; !ok {
			t.Errorf("key %q missing", k)
		}
	}
}

func TestInspectReadsAnLFFileAsCRLFAndExitsOneOnAFailure(t *testing.T) {
	dir := t.TempDir()
	msg := "From: a@shop.example\nTo: b@example.org\nSubject: x\nDate: Wed, 25 Nov 2026 14:00:00 +0000\n\nHi *|FNAME|*\n"
	p := filepath.Join(dir, "m.eml")
	os.WriteFile(p, []byte(msg), 0o644)
	var out, errw bytes.Buffer
	code := run(context.Background(), []string{"inspect", p, "--now", "1795615200"}, strings.NewReader(""), &out, &errw)
	if code != 1 {
		t.Fatalf("exit %d, want 1 (merge tag, no Message-ID): %s", code, out.String())
	}
	for _, want := range []string{"pass mime.bare-lf", "fail content.merge-tags", "fail header.message-id"} {
		if !strings.Contains(strings.Join(strings.Fields(out.String()), " "), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}

func TestInspectUsage(t *testing.T) {
	var out, errw bytes.Buffer
	if code := run(context.Background(), []string{"inspect"}, strings.NewReader(""), &out, &errw); code != 2 {
		t.Fatalf("exit %d, want 2", code)
	}
	if code := run(context.Background(), []string{"inspect", "--now", "soon", inspectSample}, strings.NewReader(""), &out, &errw); code != 2 {
		t.Fatalf("bad --now: exit %d, want 2", code)
	}
}

func TestRetestWritesThePlan(t *testing.T) {
	dir := t.TempDir()
	var out, errw bytes.Buffer
	code := run(context.Background(), []string{"retest", inspectSample, "--out", dir, "--observed", "3%"}, strings.NewReader(""), &out, &errw)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errw.String())
	}
	for _, f := range []string{"plan.txt", "01-plain.eml", "02-host-img.shop.example.eml", "03-personalised.eml", "04-production.eml"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("%s not written: %v", f, err)
		}
	}
	if !strings.Contains(out.String(), "3.0% failure rate") || !strings.Contains(out.String(), "send to 108 recipients") {
		t.Errorf("plan output:\n%s", out.String())
	}
}
