package dmarcreport

// This file reads mailboxes of report emails with bounce's readers: mbox
// (RFC 4155) one message at a time, and Maildir.

import (
	"io"
	"io/fs"
	"iter"
	"os"
	"strconv"

	"github.com/bouncekit/bouncekit/bounce"
)

// ReadMbox reads every report in the messages of an mbox. Result.Part
// starts with "message N" (1-based). A message without a report yields an
// ErrNotReport result.
func (rd *Reader) ReadMbox(r io.Reader) iter.Seq[Result] {
	return func(yield func(Result) bool) { rd.mbox(r, yield) }
}

func (rd *Reader) mbox(r io.Reader, yield func(Result) bool) {
	lim := rd.Limits.withDefaults()
	bp := bounce.Parser{Limits: bounce.Limits{MaxMessageBytes: lim.MaxInputBytes}}
	for m, err := range bp.Mbox(r) {
		part := "message " + strconv.Itoa(m.Index+1)
		if m.Raw == nil {
			if err != nil && !yield(Result{Part: part, Err: err}) {
				return
			}
			continue
		}
		st := &state{lim: lim}
		if cont, _ := st.email(m.Raw, part, 0, yield); !cont {
			return
		}
	}
}

// ReadMaildir reads every report in the messages of the Maildir at the root
// of fsys (new/ and cur/, or the files of the root itself); pass
// os.DirFS(dir) for a directory on disk. Result.Part begins with the
// message's slash-separated path within fsys.
func (rd *Reader) ReadMaildir(fsys fs.FS) iter.Seq[Result] {
	return func(yield func(Result) bool) {
		lim := rd.Limits.withDefaults()
		// bounce lists the directory; each file is read again here for its
		// attachments, which bounce.Report does not keep.
		for m, err := range bounce.ReadMaildir(fsys) {
			if m.Path == "" || m.Path == "." {
				if err != nil {
					yield(Result{Part: ".", Err: err})
				}
				return
			}
			b, rerr := readFSCapped(fsys, m.Path, lim.MaxInputBytes)
			if rerr != nil {
				if !yield(Result{Part: m.Path, Err: rerr}) {
					return
				}
				continue
			}
			for res := range rd.ReadBytes(m.Path, b) {
				res.Part = joinPart(m.Path, res.Part)
				if !yield(res) {
					return
				}
			}
		}
	}
}

// ReadFile reads every report of one file: see Read.
func (rd *Reader) ReadFile(path string) iter.Seq[Result] {
	return func(yield func(Result) bool) {
		f, err := os.Open(path)
		if err != nil {
			yield(Result{Err: err})
			return
		}
		defer f.Close()
		rd.Read(path, f)(yield)
	}
}

func readFSCapped(fsys fs.FS, name string, max int64) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readCapped(f, max)
}

func readCapped(f io.Reader, max int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > max {
		return nil, &LimitError{Limit: "MaxInputBytes", Max: max}
	}
	return b, nil
}
