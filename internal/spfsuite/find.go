package spfsuite

import (
	"errors"
	"os"
	"path/filepath"
)

// ErrNoConformance is returned by ConformanceDir when no shared/conformance
// folder lies beside the working directory or any of its parents.
var ErrNoConformance = errors.New("spfsuite: shared conformance folder not found")

// ConformanceDir finds the read-only shared/conformance folder (the SPF,
// PSL, DMARC and ARC suites) by walking up from the working directory and
// looking for shared/conformance at each level, so tests find it from any
// package depth and from any checkout (a worktree beside the main clone
// included). Tests skip when it returns an error.
func ConformanceDir() (string, error) {
	d, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		c := filepath.Join(d, "shared", "conformance")
		if fi, err := os.Stat(c); err == nil && fi.IsDir() {
			return c, nil
		}
		parent := filepath.Dir(d)
		if parent == d {
			return "", ErrNoConformance
		}
		d = parent
	}
}
