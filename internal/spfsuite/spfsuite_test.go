package spfsuite

import (
	"os"
	"path/filepath"
	"testing"
)

// The counts are those the conformance README gives for each file.
func TestReadsTheSuiteFiles(t *testing.T) {
	cases := []struct {
		file             string
		scenarios, tests int
		multi, explained int
	}{
		{"rfc7208-tests.yml", 16, 203, 6, 22},
		{"rfc4408-tests.yml", 15, 191, 18, 22},
		{"pyspf-tests.yml", 4, 16, 0, 0},
		{"blitirispf-tests.yml", 24, 83, 1, 0},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			dir, err := ConformanceDir()
			if err != nil {
				t.Skipf("conformance data absent: %v", err)
			}
			path := filepath.Join(dir, c.file)
			if _, err := os.Stat(path); err != nil {
				t.Skipf("conformance data absent: %v", err)
			}
			scs, err := ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			tests, multi, explained := 0, 0, 0
			for _, sc := range scs {
				for _, tc := range sc.Tests {
					tests++
					if len(tc.Results) > 1 {
						multi++
					}
					if tc.Explanation != "" {
						explained++
					}
					if tc.Host == "" || len(tc.Results) == 0 {
						t.Errorf("%s: host %q results %v", tc.Name, tc.Host, tc.Results)
					}
				}
			}
			if len(scs) != c.scenarios || tests != c.tests || multi != c.multi || explained != c.explained {
				t.Fatalf("got %d scenarios, %d tests, %d multi-result, %d with explanation; want %d, %d, %d, %d",
					len(scs), tests, multi, explained, c.scenarios, c.tests, c.multi, c.explained)
			}
		})
	}
}
