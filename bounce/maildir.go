package bounce

// This file reads Maildir directories one message at a time: the files of
// new/ and cur/ when the directory has them (tmp/ holds messages still
// being written and is skipped), else the files of the directory itself.

import (
	"io/fs"
	"iter"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// ReadMaildir is Parser.Maildir with the default Limits.
func ReadMaildir(dir string) iter.Seq2[Message, error] {
	var p Parser
	return p.Maildir(dir)
}

// Maildir returns an iterator over the messages of a Maildir (or of any
// directory holding one message per file), in name order. A file that
// cannot be opened is yielded with its Path and the error, and iteration
// goes on; a directory that cannot be listed is yielded once as an error.
// Dot files and subdirectories other than new/ and cur/ are skipped.
func (p *Parser) Maildir(dir string) iter.Seq2[Message, error] {
	return func(yield func(Message, error) bool) {
		var paths []string
		sub := false
		for _, d := range [...]string{"new", "cur"} {
			entries, err := os.ReadDir(filepath.Join(dir, d))
			if err != nil {
				continue
			}
			sub = true
			paths = appendFiles(paths, filepath.Join(dir, d), entries)
		}
		if !sub {
			entries, err := os.ReadDir(dir)
			if err != nil {
				yield(Message{Path: dir}, err)
				return
			}
			paths = appendFiles(paths, dir, entries)
		}
		for i, path := range paths {
			m := Message{Index: i, Path: path}
			f, err := os.Open(path)
			if err != nil {
				if !yield(m, err) {
					return
				}
				continue
			}
			m.Report, err = p.Parse(f)
			f.Close()
			if !yield(m, err) {
				return
			}
		}
	}
}

func appendFiles(paths []string, dir string, entries []fs.DirEntry) []string {
	start := len(paths)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") || e.IsDir() {
			continue
		}
		paths = append(paths, filepath.Join(dir, e.Name()))
	}
	slices.Sort(paths[start:])
	return paths
}
