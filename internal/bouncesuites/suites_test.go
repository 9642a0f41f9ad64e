package bouncesuites

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func writeSuite(t *testing.T, dir, name, jsonl string, files map[string]string) {
	t.Helper()
	d := filepath.Join(dir, name)
	if err := os.MkdirAll(d, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(d, "expected.jsonl"), []byte(jsonl), 0o644); err != nil {
		t.Fatal(err)
	}
	for f, body := range files {
		if err := os.WriteFile(filepath.Join(d, f), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestOpenReadsAssertionsAsWritten(t *testing.T) {
	dir := t.TempDir()
	writeSuite(t, dir, "b-suite", `{"file": "x.txt", "is_bounce": true, "recipients": ["a@example.net"], "hard": false, "status": "4.2.2", "category": "delayed", "format": "body-only"}
{"file": "y.eml", "is_bounce": null, "recipients": null, "hard": null, "status": null, "category": null}
{"file": "z.eml", "is_bounce": false, "recipients": [], "derivation": "NOTE: an Exim delay warning"}
`, map[string]string{"x.txt": "body"})
	writeSuite(t, dir, "a-suite", `{"file": "w.eml", "is_bounce": true}`+"\n", nil)
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Entries) != 4 || s.Entries[0].Suite != "a-suite" || s.Entries[1].Name() != "b-suite/x.txt" {
		t.Fatalf("entries not in suite order: %+v", s.Entries)
	}
	x, y, z := s.Entries[1], s.Entries[2], s.Entries[3]
	if x.IsBounce == nil || !*x.IsBounce || x.Hard == nil || *x.Hard || x.Recipients == nil || len(*x.Recipients) != 1 || !x.Delay() || !x.BodyOnly() {
		t.Errorf("x: %+v", x)
	}
	if y.IsBounce != nil || y.Recipients != nil || y.Hard != nil || y.Delay() {
		t.Errorf("y: nulls must stay unasserted: %+v", y)
	}
	if z.Recipients == nil || len(*z.Recipients) != 0 || !z.Delay() {
		t.Errorf("z: [] asserts no recipients, the derivation names a delay: %+v", z)
	}
	b, err := s.Read(x)
	if err != nil || string(b) != "\nbody" {
		t.Errorf("a body-only fixture is read behind an empty header: %q, %v", b, err)
	}
}

func TestFindAbsent(t *testing.T) {
	if _, err := Open(t.TempDir()); !errors.Is(err, ErrNotFound) {
		t.Errorf("an empty directory: %v", err)
	}
}
