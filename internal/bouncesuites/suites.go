// Package bouncesuites gives tests access to ../shared/bounce-suites: the
// bounce fixtures of eleven other projects' test suites (SpamAssassin,
// Mailgun's flanker, Dada Mail, MimeKit, the Ruby mail gem, Discourse,
// commcare-hq, ...), each suite with an expected.jsonl saying what that
// project's own tests assert about each file.
//
// The suites lie outside the repository; tests call Find and skip when they
// are absent. The package only reads files.
package bouncesuites

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// ErrNotFound is returned by Find when no bounce-suites directory exists.
var ErrNotFound = errors.New("bouncesuites: shared bounce suites not found")

// Suites is an opened bounce-suites directory. It is read-only and safe for
// concurrent use.
type Suites struct {
	// Dir is the root; each suite is a subdirectory holding expected.jsonl.
	Dir string
	// Entries are the lines of every suite's expected.jsonl, suites in name
	// order, lines in file order.
	Entries []Entry
}

// Entry is one line of a suite's expected.jsonl. Pointer and nil-slice
// fields distinguish "asserted" from "not asserted" (JSON null).
type Entry struct {
	// Suite is the directory name, such as "dada-mail".
	Suite string `json:"-"`
	// File is the fixture's name inside the suite directory.
	File string `json:"file"`
	// IsBounce is the suite's assertion that the file is (or is not) a
	// bounce; nil when it asserts nothing.
	IsBounce *bool `json:"is_bounce"`
	// Recipients are the failed recipients the suite asserts; nil when not
	// asserted, empty when it asserts there are none.
	Recipients *[]string `json:"recipients"`
	// Hard is true for a permanent failure, false for a temporary one, nil
	// when not asserted.
	Hard *bool `json:"hard"`
	// Status is the asserted RFC 3463 code, "" when none.
	Status string `json:"status"`
	// SMTPCode is the asserted basic reply code, "" when none.
	SMTPCode string `json:"smtp_code"`
	// Category is the suite's own label.
	Category string `json:"category"`
	// Format is "body-only" for fixtures that hold only a notice's body.
	Format string `json:"format"`
	// Derivation says which assertion the values come from.
	Derivation string `json:"derivation"`
	// SameMessageIDAs names other fixtures (suite/file) that are upstream
	// variants of the same message.
	SameMessageIDAs []string `json:"same_message_id_as"`
}

// Name returns "suite/file".
func (e Entry) Name() string { return e.Suite + "/" + e.File }

// BodyOnly reports whether the fixture is a notice body without a header.
func (e Entry) BodyOnly() bool { return e.Format == "body-only" }

// Delay reports whether the suite describes the file as a delay warning
// (a temporary failure the MTA is still retrying): its category or its
// derivation note says so. (flanker's delayed.eml and delayed-broken.eml
// are named so upstream but say "Action: failed": RFC 3464's example of a
// notice that gave up after a 4.x.x, not a delay.)
func (e Entry) Delay() bool {
	c := strings.ToLower(e.Category)
	return strings.Contains(c, "delayed") || strings.Contains(e.Derivation, "delay warning") ||
		strings.Contains(e.Derivation, "Delayed Mail")
}

// Find looks for the suites at the given candidate directories, then at
// ../shared/bounce-suites above each parent of the working directory, and
// opens the first one that exists.
func Find(candidates ...string) (*Suites, error) {
	if wd, err := os.Getwd(); err == nil {
		for d := wd; ; d = filepath.Dir(d) {
			candidates = append(candidates, filepath.Join(d, "..", "shared", "bounce-suites"))
			if filepath.Dir(d) == d {
				break
			}
		}
	}
	for _, c := range candidates {
		if st, err := os.Stat(c); err == nil && st.IsDir() {
			if _, err := os.Stat(filepath.Join(c, "README.md")); err == nil {
				return Open(c)
			}
		}
	}
	return nil, ErrNotFound
}

// Open reads the expected.jsonl of every suite directory under dir.
func Open(dir string) (*Suites, error) {
	des, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, d := range des {
		if d.IsDir() && !strings.HasPrefix(d.Name(), ".") {
			names = append(names, d.Name())
		}
	}
	sort.Strings(names)
	s := &Suites{Dir: dir}
	for _, n := range names {
		es, err := readExpected(filepath.Join(dir, n, "expected.jsonl"))
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("bouncesuites: %s: %w", n, err)
		}
		for i := range es {
			es[i].Suite = n
		}
		s.Entries = append(s.Entries, es...)
	}
	if len(s.Entries) == 0 {
		return nil, fmt.Errorf("%w: no expected.jsonl under %s", ErrNotFound, dir)
	}
	return s, nil
}

func readExpected(path string) ([]Entry, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []Entry
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64<<10), 16<<20)
	line := 0
	for sc.Scan() {
		line++
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var e Entry
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			return nil, fmt.Errorf("expected.jsonl line %d: %w", line, err)
		}
		out = append(out, e)
	}
	return out, sc.Err()
}

// Read returns the bytes of a fixture. A body-only fixture is returned as a
// message with an empty header (a blank line, then the body), which is how
// such a notice reaches a parser that is handed only the text.
func (s *Suites) Read(e Entry) ([]byte, error) {
	b, err := os.ReadFile(filepath.Join(s.Dir, e.Suite, filepath.FromSlash(e.File)))
	if err != nil {
		return nil, err
	}
	if e.BodyOnly() {
		b = append([]byte("\n"), b...)
	}
	return b, nil
}
