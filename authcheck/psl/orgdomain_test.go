package psl

import (
	"bufio"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bouncekit/bouncekit/authcheck/internal/authtest"
	"github.com/bouncekit/bouncekit/internal/spfsuite"
)

// TestOrgDomainPSLVectors runs the Public Suffix List's own test vectors
// (../shared/conformance/psl-tests.txt, CC0): "input expected", "null" for
// no registrable domain.
func TestOrgDomainPSLVectors(t *testing.T) {
	dir, err := spfsuite.ConformanceDir()
	if err != nil {
		t.Skipf("PSL vectors not present: %v", err)
	}
	f, err := os.Open(filepath.Join(dir, "psl-tests.txt"))
	if err != nil {
		t.Skipf("PSL vectors not present: %v", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "//") {
			continue
		}
		fields := strings.Fields(line)
		if len(fields) != 2 {
			t.Fatalf("malformed vector %q", line)
		}
		in, want := fields[0], fields[1]
		if in == "null" {
			in = ""
		}
		n++
		got, err := OrgDomain(in)
		if want == "null" {
			if err == nil {
				t.Errorf("OrgDomain(%q) = %q, want none", in, got)
			} else if !errors.Is(err, ErrNoOrgDomain) {
				t.Errorf("OrgDomain(%q) error %v does not wrap ErrNoOrgDomain", in, err)
			}
			continue
		}
		if err != nil || got != want {
			t.Errorf("OrgDomain(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if n != 78 {
		t.Errorf("ran %d vectors, the file has 78", n)
	}
}

func TestOrgDomainOrSelf(t *testing.T) {
	authtest.Eq(t, OrgDomainOrSelf("Mail.Example.CO.UK."), "example.co.uk")
	authtest.Eq(t, OrgDomainOrSelf("co.uk"), "co.uk")
}
