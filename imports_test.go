package bouncekit_test

import (
	"go/build"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const module = "github.com/bouncekit/bouncekit"

// TestImportGraph holds the layering docs/architecture.md draws: bounce
// imports no other bouncekit package; classify imports bounce; segment
// imports classify and bounce; authcheck imports at most bounce; no package
// under authcheck/ imports the authcheck root; no library package imports
// examples/. Test files are not counted.
func TestImportGraph(t *testing.T) {
	allowed := func(pkg, imp string) bool {
		top := func(p string) string { return strings.SplitN(p, "/", 2)[0] }
		switch {
		case top(imp) == "internal":
			// internal/ holds shared byte and test helpers.
			return true
		case top(imp) == "examples":
			return top(pkg) == "examples"
		case top(pkg) == "examples":
			return true
		case top(pkg) == "internal":
			// The corpus helper reads bounces; nothing internal reaches
			// classify or segment.
			return imp == "bounce"
		}
		switch top(pkg) {
		case "bounce":
			return top(imp) == "bounce"
		case "classify":
			return top(imp) == "bounce" || top(imp) == "classify"
		case "segment":
			return top(imp) == "bounce" || top(imp) == "classify" || top(imp) == "segment"
		case "authcheck":
			if imp == "authcheck" {
				// Protocol packages never import the root.
				return false
			}
			return top(imp) == "authcheck" || top(imp) == "bounce"
		}
		return false
	}
	n := 0
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		name := d.Name()
		if path != "." && (strings.HasPrefix(name, ".") || name == "testdata") {
			return filepath.SkipDir
		}
		if path != "." {
			if _, err := os.Stat(filepath.Join(path, "go.mod")); err == nil {
				return filepath.SkipDir // a module of its own (examples/beam)
			}
		}
		p, err := build.ImportDir(path, 0)
		if err != nil {
			return nil // no buildable Go files here
		}
		rel := filepath.ToSlash(path)
		n++
		for _, imp := range p.Imports {
			if !strings.HasPrefix(imp, module+"/") {
				continue
			}
			imp = strings.TrimPrefix(imp, module+"/")
			if !allowed(rel, imp) {
				t.Errorf("%s imports %s, against the layering of docs/architecture.md", rel, imp)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 20 {
		t.Errorf("walked only %d packages", n)
	}
	// The checker itself: a few edges it must refuse.
	for _, bad := range [][2]string{{"bounce", "classify"}, {"classify", "segment"}, {"authcheck/spf", "authcheck"},
		{"authcheck/dkim", "segment"}, {"segment", "authcheck"}, {"bounce", "examples/bouncekit"}} {
		if allowed(bad[0], bad[1]) {
			t.Errorf("checker allows %s -> %s", bad[0], bad[1])
		}
	}
	if !allowed("authcheck", "authcheck/spf") || !allowed("authcheck/dmarc", "authcheck/spf") {
		t.Error("checker refuses an edge the layering allows")
	}
}
