package bounce

// This file reads Maildir directories one message at a time: the files of
// new/ and cur/ when the directory has them (tmp/ holds messages still
// being written and is skipped), else the files of the directory itself.
// It reads through an fs.FS, so the parser does no I/O of its own: the
// caller hands it os.DirFS(dir), a zip archive's fs.FS, or a testing/fstest
// map.

import (
	"io/fs"
	"iter"
	"path"
	"slices"
	"strings"
)

// ReadMaildir is Parser.Maildir with the default Limits.
func ReadMaildir(fsys fs.FS) iter.Seq2[Message, error] {
	var p Parser
	return p.Maildir(fsys)
}

// Maildir returns an iterator over the messages of the Maildir at the root
// of fsys (or of any directory holding one message per file), in name
// order; pass os.DirFS(dir) for a directory on disk. Message.Path is the
// slash-separated path within fsys ("new/1700000000.M1.host"). A file that
// cannot be opened is yielded with its Path and the error, and iteration
// goes on; a root that cannot be listed is yielded once as an error with
// Path ".". Dot files and subdirectories other than new/ and cur/ are
// skipped.
func (p *Parser) Maildir(fsys fs.FS) iter.Seq2[Message, error] {
	return func(yield func(Message, error) bool) {
		var paths []string
		sub := false
		for _, d := range [...]string{"new", "cur"} {
			entries, err := fs.ReadDir(fsys, d)
			if err != nil {
				continue
			}
			sub = true
			paths = appendFiles(paths, d, entries)
		}
		if !sub {
			entries, err := fs.ReadDir(fsys, ".")
			if err != nil {
				yield(Message{Path: "."}, err)
				return
			}
			paths = appendFiles(paths, ".", entries)
		}
		for i, name := range paths {
			m := Message{Index: i, Path: name}
			f, err := fsys.Open(name)
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
		paths = append(paths, path.Join(dir, e.Name()))
	}
	slices.Sort(paths[start:])
	return paths
}
