package corpus

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestOpenFollowsSameAs(t *testing.T) {
	dir := t.TempDir()
	lines := `{"file": "maildir/bsd/a.eml", "records": [{"recipient": "a@example.org", "status": "5.1.1", "action": "failed"}]}
{"file": "maildir/dos/a.eml", "same_as": "maildir/bsd/a.eml"}
{"file": "maildir/not/b.eml", "not_a_bounce": true, "records": []}
{"file": "maildir/bsd/c.eml", "records": [{"recipient": "c@example.org", "status": "5.0.911"}]}
`
	if err := os.WriteFile(filepath.Join(dir, "expected.jsonl"), []byte(lines), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Entries) != 4 {
		t.Fatalf("%d entries, want 4", len(c.Entries))
	}
	recs, ok := c.Expected("maildir/dos/a.eml")
	if !ok || len(recs) != 1 || recs[0].Recipient != "a@example.org" || recs[0].Status != "5.1.1" {
		t.Errorf("same_as not followed: %+v %v", recs, ok)
	}
	if e, _ := c.Entry("maildir/not/b.eml"); !e.NotABounce {
		t.Error("not_a_bounce lost")
	}
	if recs, _ := c.Expected("maildir/bsd/c.eml"); !recs[0].PlaceholderStatus() {
		t.Error("5.0.911 is a placeholder status")
	}
	if recs, _ := c.Expected("maildir/bsd/a.eml"); recs[0].PlaceholderStatus() {
		t.Error("5.1.1 is not a placeholder status")
	}
	if _, ok := c.Expected("missing"); ok {
		t.Error("missing file found")
	}
}

func TestOpenRejectsBadJSON(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "expected.jsonl"), []byte("{\"file\": \n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(dir); err == nil {
		t.Error("bad JSON accepted")
	}
}

// Find also walks up from the working directory, which on some machines
// (a TMPDIR beside the shared folder) finds the real corpus; the absence
// case is tested on the candidate search alone.
func TestFindReportsAbsence(t *testing.T) {
	if _, err := search([]string{filepath.Join(t.TempDir(), "nowhere")}); !errors.Is(err, ErrNotFound) {
		t.Errorf("got %v, want ErrNotFound", err)
	}
}
