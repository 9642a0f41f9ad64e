package inspect_test

import (
	"context"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/bouncekit/bouncekit/authcheck/inspect"
	"github.com/bouncekit/bouncekit/authcheck/inspect/retest"
)

// sharedDir finds ../shared by walking up from the package directory.
func sharedDir(t *testing.T) string {
	t.Helper()
	dir, _ := os.Getwd()
	for {
		if fi, err := os.Stat(filepath.Join(dir, "..", "shared", "corpus")); err == nil && fi.IsDir() {
			return filepath.Join(dir, "..", "shared")
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("../shared/corpus not found: the real-message robustness test needs the shared corpus")
		}
		dir = parent
	}
}

// TestRealMessagesNeitherCrashNorMisreport runs the inspector and the retest
// planner over every real message of the shared corpora (bounces with their
// returned originals, complaint reports, auto-replies, edge-case files): no
// panic, counts that add up, the same report twice.
func TestRealMessagesNeitherCrashNorMisreport(t *testing.T) {
	root := sharedDir(t)
	n := 0
	for _, sub := range []string{"corpus", "bounce-suites"} {
		filepath.WalkDir(filepath.Join(root, sub), func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return nil
			}
			raw, err := os.ReadFile(path)
			if err != nil || len(raw) > 4<<20 {
				return nil
			}
			n++
			msg := inspect.CRLF(raw)
			r := inspect.Inspect(context.Background(), msg, inspect.Options{Now: now})
			passed, total := 0, 0
			for _, f := range r.Checks {
				switch f.Result {
				case inspect.Pass:
					passed, total = passed+1, total+1
				case inspect.Warn, inspect.Fail:
					total++
				}
			}
			if passed != r.Passed || total != r.Total || len(r.Checks) != len(inspect.Checks()) {
				t.Errorf("%s: counts %d/%d, report %d/%d", path, passed, total, r.Passed, r.Total)
			}
			a, _ := json.Marshal(r)
			b, _ := json.Marshal(inspect.Inspect(context.Background(), msg, inspect.Options{Now: now}))
			if string(a) != string(b) {
				t.Errorf("%s: two runs differ", path)
			}
			if p, err := retest.New(msg, retest.Facts{}); err == nil && len(p.Variants) < 3 {
				t.Errorf("%s: %d variants", path, len(p.Variants))
			}
			return nil
		})
	}
	if n < 100 {
		t.Fatalf("only %d files read from %s", n, root)
	}
	t.Logf("%d real messages inspected", n)
}
