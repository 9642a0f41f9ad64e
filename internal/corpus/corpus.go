// Package corpus gives tests access to the shared bounce corpus
// (../shared/corpus from the repository root: real bounces from the
// sisimai/set-of-emails project, BSD 2-Clause) and to its expected.jsonl,
// one line per file with the records a parser should read from it.
//
// The corpus lies outside the repository; tests call Find and skip when it
// is absent. The package only reads files, and reads them with bounce
// (so only bounce's external tests, package bounce_test, may import it).
package corpus

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/bouncekit/bouncekit/bounce"
)

// ErrNotFound is returned by Find when no corpus directory exists.
var ErrNotFound = errors.New("corpus: shared corpus not found")

// Corpus is an opened corpus directory. It is read-only and safe for
// concurrent use.
type Corpus struct {
	// Dir is the corpus root (it holds expected.jsonl and maildir/).
	Dir string
	// Entries are the lines of expected.jsonl, in file order.
	Entries []Entry
	byFile  map[string]int
}

// Entry is one line of expected.jsonl.
type Entry struct {
	// File is the path relative to Dir, such as "maildir/bsd/lhost-exim-01.eml".
	File string `json:"file"`
	// SameAs names the LF file whose records this CRLF or CR copy must
	// reproduce; Records is empty then.
	SameAs     string   `json:"same_as,omitempty"`
	Records    []Record `json:"records"`
	NotABounce bool     `json:"not_a_bounce,omitempty"`
	Unlabelled bool     `json:"unlabelled,omitempty"`
}

// Record is one expected recipient record.
type Record struct {
	Recipient     string `json:"recipient"`
	Action        string `json:"action"`
	Status        string `json:"status"`
	ReplyCode     string `json:"reply_code"`
	SisimaiReason string `json:"sisimai_reason"`
	SisimaiHard   bool   `json:"sisimai_hard"`
	FeedbackType  string `json:"feedback_type,omitempty"`
}

// PlaceholderStatus reports whether the expected status is one of the
// labeller's placeholders (x.0.9xx, used when the bounce carried no code):
// such a status is not to be reproduced.
func (r Record) PlaceholderStatus() bool {
	s := r.Status
	return len(s) == 7 && s[1] == '.' && s[2] == '0' && s[3] == '.' && s[4] == '9'
}

// Find looks for the corpus at the given candidate directories, then at
// ../shared/corpus above each parent of the working directory, and opens
// the first one that has an expected.jsonl.
func Find(candidates ...string) (*Corpus, error) {
	if wd, err := os.Getwd(); err == nil {
		for d := wd; ; d = filepath.Dir(d) {
			candidates = append(candidates, filepath.Join(d, "..", "shared", "corpus"))
			if filepath.Dir(d) == d {
				break
			}
		}
	}
	return search(candidates)
}

// search opens the first candidate folder that holds expected.jsonl.
func search(candidates []string) (*Corpus, error) {
	for _, c := range candidates {
		if _, err := os.Stat(filepath.Join(c, "expected.jsonl")); err == nil {
			return Open(c)
		}
	}
	return nil, ErrNotFound
}

// Open reads dir/expected.jsonl.
func Open(dir string) (*Corpus, error) {
	f, err := os.Open(filepath.Join(dir, "expected.jsonl"))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	c := &Corpus{Dir: dir, byFile: map[string]int{}}
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
			return nil, fmt.Errorf("corpus: expected.jsonl line %d: %w", line, err)
		}
		c.byFile[e.File] = len(c.Entries)
		c.Entries = append(c.Entries, e)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("corpus: reading expected.jsonl: %w", err)
	}
	return c, nil
}

// Path returns the absolute path of a corpus-relative file name.
func (c *Corpus) Path(file string) string { return filepath.Join(c.Dir, filepath.FromSlash(file)) }

// Entry returns the entry for file, following same_as to the LF original's
// records.
func (c *Corpus) Entry(file string) (Entry, bool) {
	i, ok := c.byFile[file]
	if !ok {
		return Entry{}, false
	}
	return c.Entries[i], true
}

// Expected returns the records expected for file (following same_as).
func (c *Corpus) Expected(file string) ([]Record, bool) {
	e, ok := c.Entry(file)
	if !ok {
		return nil, false
	}
	if e.SameAs != "" {
		return c.Expected(e.SameAs)
	}
	return e.Records, true
}

// Files returns every file of the corpus under maildir/ (all of bsd, dos,
// mac, not, err), sorted, relative to Dir.
func (c *Corpus) Files() ([]string, error) {
	var out []string
	err := filepath.WalkDir(filepath.Join(c.Dir, "maildir"), func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || strings.HasPrefix(d.Name(), ".") {
			return nil
		}
		rel, err := filepath.Rel(c.Dir, p)
		if err != nil {
			return err
		}
		out = append(out, filepath.ToSlash(rel))
		return nil
	})
	return out, err
}

// Read returns the bytes of a corpus-relative file.
func (c *Corpus) Read(file string) ([]byte, error) { return os.ReadFile(c.Path(file)) }

// Reports reads a corpus file the way a user's pipeline would: a file that
// starts with an mbox "From " line may hold several messages (a few corpus
// files are mbox files of two bounces) and is read with bounce.ReadMbox;
// any other file is one message read with bounce.ParseMessage. Parse
// errors are not returned: the reports hold what could be read.
func (c *Corpus) Reports(file string) ([]*bounce.Report, error) {
	b, err := c.Read(file)
	if err != nil {
		return nil, err
	}
	if !bytes.HasPrefix(b, []byte("From ")) {
		rep, _ := bounce.ParseMessage(bytes.NewReader(b))
		return []*bounce.Report{rep}, nil
	}
	var out []*bounce.Report
	for m, err := range bounce.ReadMbox(bytes.NewReader(b)) {
		if m.Report != nil {
			out = append(out, m.Report)
		} else if err != nil {
			return out, err
		}
	}
	return out, nil
}
