package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/bouncekit/bouncekit/bounce"
)

func readTestMessage(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "bounce", "testdata", "messages", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func decodeLines(t *testing.T, out string) []parseRecord {
	t.Helper()
	var recs []parseRecord
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if line == "" {
			continue
		}
		var r parseRecord
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("bad JSON line %q: %v", line, err)
		}
		recs = append(recs, r)
	}
	return recs
}

func TestParseCommandFilesMboxMaildirAndStdin(t *testing.T) {
	dir := t.TempDir()
	single := filepath.Join(dir, "postfix.eml")
	if err := os.WriteFile(single, readTestMessage(t, "postfix-dsn.eml"), 0o644); err != nil {
		t.Fatal(err)
	}
	mbox := filepath.Join(dir, "bounces.mbox")
	content := "From MAILER-DAEMON Mon Mar  3 10:00:00 2025\n" + string(readTestMessage(t, "not-bounce.eml")) + "\n" +
		"From MAILER-DAEMON Mon Mar  3 10:00:01 2025\n" + string(readTestMessage(t, "sendmail-dsn-two.eml"))
	if err := os.WriteFile(mbox, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	md := filepath.Join(dir, "Maildir")
	for _, d := range []string{"new", "cur", "tmp"} {
		if err := os.MkdirAll(filepath.Join(md, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(md, "new", "1"), readTestMessage(t, "qmail-text.eml"), 0o644); err != nil {
		t.Fatal(err)
	}
	// A second Maildir file: each file is a message of its own, index 0.
	if err := os.WriteFile(filepath.Join(md, "cur", "2:2,S"), readTestMessage(t, "postfix-dsn.eml"), 0o644); err != nil {
		t.Fatal(err)
	}

	var out, errb bytes.Buffer
	stdin := bytes.NewReader(readTestMessage(t, "exim-text.eml"))
	code := run(context.Background(), []string{"parse", single, mbox, md, "-"}, stdin, &out, &errb)
	if code != 0 {
		t.Fatalf("exit %d; stderr: %s", code, errb.String())
	}
	recs := decodeLines(t, out.String())
	type key struct {
		file      string
		message   int
		recipient string
		status    string
		code      int
	}
	var got []key
	for _, r := range recs {
		got = append(got, key{filepath.Base(r.File), r.Message, r.Recipient, r.Status, r.Code})
	}
	want := []key{
		{"postfix.eml", 0, "alice@icloud.com", "5.7.1", 554},
		{"bounces.mbox", 1, "bob@example.net", "5.1.1", 550},
		{"bounces.mbox", 1, "carol@example.com", "5.2.2", 552},
		{"1", 0, "erin@example.jp", "5.2.1", 550},
		{"2:2,S", 0, "alice@icloud.com", "5.7.1", 554},
		{"-", 0, "dave@example.net", "5.1.1", 550},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d records %+v, want %+v", len(got), got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("record %d: got %+v, want %+v", i, got[i], want[i])
		}
	}
	first := recs[0]
	if first.Action != "failed" || first.RemoteMTA != "mx01.mail.icloud.com" || first.Command == "" || !strings.Contains(first.Diagnostic, "CS01") {
		t.Errorf("first record fields: %+v", first)
	}
	if recs[5].Command != "RCPT" {
		t.Errorf("exim record command %q, want RCPT", recs[5].Command)
	}
}

func TestParseCommandReadErrorNamesFileAndGoesOn(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.eml")
	if err := os.WriteFile(good, readTestMessage(t, "gmail-text.eml"), 0o644); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing.eml")
	var out, errb bytes.Buffer
	code := run(context.Background(), []string{"parse", missing, good}, nil, &out, &errb)
	if code == 0 {
		t.Fatal("exit 0 with a missing input")
	}
	if !strings.Contains(errb.String(), "missing.eml") {
		t.Errorf("stderr does not name the file: %q", errb.String())
	}
	recs := decodeLines(t, out.String())
	if len(recs) != 1 || recs[0].Recipient != "frank@example.co.jp" {
		t.Errorf("the other file was not parsed: %+v", recs)
	}
}

func TestParseCommandNonBounceAndEmptyPrintNothing(t *testing.T) {
	dir := t.TempDir()
	nb := filepath.Join(dir, "nb.eml")
	empty := filepath.Join(dir, "empty.eml")
	if err := os.WriteFile(nb, readTestMessage(t, "not-bounce.eml"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"parse", nb, empty}, nil, &out, &errb); code != 0 {
		t.Fatalf("exit %d; stderr %s", code, errb.String())
	}
	if out.Len() != 0 {
		t.Errorf("output for non-bounces: %s", out.String())
	}
	if code := run(context.Background(), []string{"parse"}, nil, &out, &errb); code != 2 {
		t.Errorf("no arguments: exit %d, want 2", code)
	}
}

func TestParseCommandCarriesTheVerdict(t *testing.T) {
	var out, errw bytes.Buffer
	code := run(context.Background(), []string{"parse", "../bouncebox/testdata/bounces.mbox"}, strings.NewReader(""), &out, &errw)
	if code != 0 {
		t.Fatalf("exit %d, stderr %s", code, errw.String())
	}
	want := map[string]struct {
		category string
		suppress bool
		retry    bool
	}{
		"kate@icloud.com":       {"content_policy", false, false},
		"nobody.here@gmail.com": {"recipient_unknown", true, false},
		"complainer@yahoo.com":  {"complaint", false, false},
		"slow@outlook.com":      {"reputation_block", false, true},
	}
	seen := 0
	for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		var rec struct {
			Recipient string `json:"recipient"`
			Category  string `json:"category"`
			Severity  string `json:"severity"`
			Suppress  bool   `json:"suppress"`
			Retry     bool   `json:"retry"`
			Rule      string `json:"rule"`
		}
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("bad JSON line %q: %v", line, err)
		}
		if rec.Severity == "" || rec.Rule == "" {
			t.Errorf("%s: verdict fields missing: %s", rec.Recipient, line)
		}
		if w, ok := want[rec.Recipient]; ok {
			seen++
			if rec.Category != w.category || rec.Suppress != w.suppress || rec.Retry != w.retry {
				t.Errorf("%s: got %s suppress=%v retry=%v, want %+v", rec.Recipient, rec.Category, rec.Suppress, rec.Retry, w)
			}
		}
	}
	if seen != len(want) {
		t.Errorf("saw %d of the %d checked recipients in %s", seen, len(want), out.String())
	}
}

// Many inputs are parsed on every core, the output in input order: the
// same bytes as one at a time. --summary counts on stderr.
func TestParseManyFilesInInputOrder(t *testing.T) {
	entries, err := os.ReadDir(filepath.Join("..", "..", "bounce", "testdata", "messages"))
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, e := range entries {
		if !e.IsDir() {
			files = append(files, filepath.Join("..", "..", "bounce", "testdata", "messages", e.Name()))
		}
	}
	if len(files) < 10 {
		t.Fatalf("only %d test messages", len(files))
	}
	one, _, _ := runCmd(t, append([]string{"parse", "--jobs", "1"}, files...)...)
	for _, jobs := range []string{"2", "8"} {
		many, stderr, _ := runCmd(t, append([]string{"parse", "--jobs", jobs, "--summary"}, files...)...)
		if many != one {
			t.Errorf("--jobs %s output differs from --jobs 1", jobs)
		}
		recs := decodeLines(t, many)
		want := fmt.Sprintf("bouncekit parse: %d files, ", len(files))
		if !strings.Contains(stderr, want) || !strings.Contains(stderr, fmt.Sprintf(" %d records, ", len(recs))) || !strings.Contains(stderr, "bounces without a recipient") {
			t.Errorf("--summary: %q (want %q and %d records)", stderr, want, len(recs))
		}
		last := -1
		for _, r := range recs {
			i := slices.Index(files, r.File)
			if i < last {
				t.Fatalf("%s came after %s", r.File, files[last])
			}
			last = i
		}
	}
}

// A small file without mbox separators is parsed in place; every other
// file goes through the mbox reader, and both read the same records.
func TestSingleMessageFastPathAgreesWithTheMboxReader(t *testing.T) {
	msg := readTestMessage(t, "postfix-dsn.eml")
	for _, tc := range []struct {
		name   string
		in     string
		single bool
	}{
		{"a bare message", string(msg), true},
		{"CRLF line ends", strings.ReplaceAll(string(msg), "\n", "\r\n"), true},
		{"lone CR line ends", strings.ReplaceAll(string(msg), "\n", "\r"), true},
		{"blank lines before it", "\n \r\n\n" + string(msg), true},
		{"blank", "\n\r\n  \n", true},
		{"an mbox", "From a@b Mon Jan  1 00:00:00 2026\n" + string(msg), false},
		{"an mbox of two", "From a@b Mon Jan  1 00:00:00 2026\n" + string(msg) + "\nFrom a@b Mon Jan  1 00:00:01 2026\n" + string(msg), false},
		{"a quoted From line", strings.Replace(string(msg), "\n\n", "\n\n>From here\n", 1), false},
		{"a twice quoted From line", strings.Replace(string(msg), "\n\n", "\n\n>>From here\n", 1), false},
		{"a From line in the body", strings.Replace(string(msg), "\n\n", "\n\nFrom here\n", 1), false},
		{"a quoted SMTP dialogue", strings.Replace(string(msg), "\n\n", "\n\n> RCPT TO:<a@b>\n>>> From x\n<<< 550 no\n", 1), true},
		{"From inside a line", strings.Replace(string(msg), "\n\n", "\n\nsent From here >From there\n", 1), true},
	} {
		_, ok := singleMessage([]byte(tc.in))
		if ok != tc.single {
			t.Errorf("%s: single %v, want %v", tc.name, ok, tc.single)
		}
		path := filepath.Join(t.TempDir(), "in")
		if err := os.WriteFile(path, []byte(tc.in), 0o644); err != nil {
			t.Fatal(err)
		}
		fast, _, _ := runCmd(t, "parse", path)
		var o, e bytes.Buffer
		run(context.Background(), []string{"parse", "-"}, strings.NewReader(tc.in), &o, &e) // stdin: always the mbox reader
		if (fast == "") != (tc.name == "blank") {
			t.Errorf("%s: records %q", tc.name, fast)
		}
		if want := strings.ReplaceAll(o.String(), `"file":"-"`, `"file":"`+path+`"`); fast != want {
			t.Errorf("%s: the file and the mbox reader differ:\n%s\n%s", tc.name, fast, want)
		}
	}
}

// Whenever singleMessage takes a file for one message, the mbox reader
// reads the same one message (or none, for a blank file) from it.
func FuzzSingleMessageMatchesTheMboxReader(f *testing.F) {
	f.Add([]byte("\r\n\nFrom: a@b\nSubject: x\n\nbody\n"))
	f.Add([]byte("From: a@b\n\nFrom here\n"))
	f.Add([]byte(" \n\t\n"))
	f.Add([]byte("From: a@b\r\nSubject: x\r\n\r\nbody\rmore\r\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		single, ok := singleMessage(b)
		if !ok {
			return
		}
		var got []*bounce.Report
		if len(single) > 0 {
			var p bounce.Parser
			rep, _ := p.ParseBytes(lfInPlace(bytes.Clone(single))) // as parse does
			got = append(got, rep)
		}
		var want []*bounce.Report
		for m := range bounce.ReadMbox(bytes.NewReader(b)) {
			if m.Report != nil {
				want = append(want, m.Report)
			}
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%q: in place %d reports, mbox reader %d (or they differ)", b, len(got), len(want))
		}
	})
}

// lfInPlace ends lines as bounce reads them: CRLF and lone CR become LF.
func TestLFInPlace(t *testing.T) {
	for in, want := range map[string]string{
		"":                 "",
		"a\nb":             "a\nb",
		"a\r\nb\r\n":       "a\nb\n",
		"a\rb\r":           "a\nb\n",
		"\r\r\n\n\r":       "\n\n\n\n",
		"x\r\n\r\ny\r\rz ": "x\n\ny\n\nz ",
	} {
		if got := string(lfInPlace([]byte(in))); got != want {
			t.Errorf("lfInPlace(%q) = %q, want %q", in, got, want)
		}
	}
}
