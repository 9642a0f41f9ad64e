package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"

	"github.com/bouncekit/bouncekit/bounce"
	"github.com/bouncekit/bouncekit/classify"
)

func init() {
	register(command{name: "parse", usage: "parse [--summary] [--quiet] [--jobs N] FILE...   one JSON object per bounced recipient (files, mbox files, Maildir directories; - for stdin), in input order, the files parsed on every core", run: runParse,
		example: `bouncekit parse --summary bounce.eml ~/Maildir/.Bounces mbox-2026-11
		bouncekit parse - < bounce.eml`})
}

// parseRecord is one output line of bouncekit parse.
type parseRecord struct {
	File      string `json:"file"`
	Message   int    `json:"message"`
	Kind      string `json:"kind"`
	Format    string `json:"format"`
	Recipient string `json:"recipient"`
	// OriginalRecipient is the address the sender used (DSN
	// Original-Recipient, Postfix's "expanded from"); Source and
	// SourceText say which field or line the recipient was read from.
	OriginalRecipient string `json:"original_recipient,omitempty"`
	Source            string `json:"source"`
	SourceText        string `json:"source_text,omitempty"`
	Action            string `json:"action"`
	Status            string `json:"status"`
	Code              int    `json:"code"`
	Diagnostic        string `json:"diagnostic"`
	RemoteMTA         string `json:"remote_mta"`
	Command           string `json:"command"`
	Feedback          string `json:"feedback_type,omitempty"`

	// The classifier's verdict on the record (classify.ClassifyRecord).
	Severity    classify.Severity `json:"severity"`
	Category    classify.Category `json:"category"`
	Hint        classify.Hint     `json:"hint"`
	Retry       bool              `json:"retry"`
	Suppress    bool              `json:"suppress"`
	SlowDown    bool              `json:"slow_down"`
	Provider    classify.Provider `json:"provider"`
	Tag         string            `json:"tag"`
	Rule        string            `json:"rule"`
	Explanation string            `json:"explanation"`
}

// parseCounts are what --summary writes: inputs and files read, messages,
// records, and bounces for which no recipient was found (a bounce report
// without records, or a record with an empty recipient).
type parseCounts struct {
	Files, Messages, Records, NoRecipient int64
	Bytes                                 int64
}

func (c *parseCounts) add(o parseCounts) {
	c.Files += o.Files
	c.Messages += o.Messages
	c.Records += o.Records
	c.NoRecipient += o.NoRecipient
	c.Bytes += o.Bytes
}

// parseResult is the output of one input, held until the inputs before it
// are written so that the output keeps the input order.
type parseResult struct {
	out    []byte // the records, when held for the output order
	errs   bytes.Buffer
	counts parseCounts
	ok     bool
}

func runParse(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := newFlags("parse")
	summary := fs.Bool("summary", false, "at the end write to stderr the files, messages, records and bounces without a recipient")
	quiet := fs.Bool("quiet", false, "no progress line on stderr (it is shown only on a terminal anyway)")
	jobs := fs.Int("jobs", runtime.GOMAXPROCS(0), "how many inputs to parse at once")
	if code, ok := parseFlags(fs, args, stderr); !ok {
		return code
	}
	names := fs.Args()
	if len(names) == 0 {
		fmt.Fprintln(stderr, "bouncekit parse: no FILE given (a file, an mbox, a Maildir directory, or - for stdin); 'bouncekit parse --help' for more")
		return 2
	}
	// Collect garbage less often than GOGC=100 (unless GOGC is set):
	// parsing keeps little alive (one message at a time per job), and over
	// a corpus of small files the collections cost more than the fresh
	// pages they would save (docs/benchmarks.md: 34.6 against 44.1 ms at
	// 100). report keeps the default, as its long runs would grow the heap
	// fivefold for little gain.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	// The default classifier (about 0.5 ms: its automata are precompiled)
	// is made ready on another core while the first files are read.
	go classify.Default()
	// The records go out in blocks of 64 KiB, not a write per input (one
	// system call for some 100 files of a corpus); on a terminal, where a
	// person watches them, as each input is done.
	out := bufio.NewWriterSize(stdout, 64<<10)
	flushEach := isTerminal(stdout)
	prog := newProgress(stderr, !*quiet, "files", int64(len(names)))
	var total parseCounts
	code := 0
	each := func(r *parseResult) bool {
		total.add(r.counts)
		prog.add(r.counts.Files, r.counts.Messages, r.counts.Bytes)
		if r.errs.Len() > 0 {
			// What went wrong with an input follows the records of the
			// inputs before it.
			out.Flush()
			prog.clear()
			stderr.Write(r.errs.Bytes())
		}
		if !r.ok {
			code = 1
		}
		// bufio.Writer keeps its first write error and returns it from
		// every later Write and Flush: it ends the run here or at the end.
		_, err := out.Write(r.out)
		if err == nil && flushEach {
			err = out.Flush()
		}
		return err == nil
	}
	if !parseAll(ctx, names, stdin, max(1, *jobs), out, each) {
		code = 1
	}
	if err := out.Flush(); err != nil { // the first write error, kept by out
		fmt.Fprintf(stderr, "bouncekit parse: writing output: %v\n", err)
		code = 1
	}
	prog.done()
	if *summary {
		fmt.Fprintf(stderr, "bouncekit parse: %d files, %d messages, %d records, %d bounces without a recipient\n",
			total.Files, total.Messages, total.Records, total.NoRecipient)
	}
	if ctx.Err() != nil {
		return 1
	}
	return code
}

// parseAll parses the inputs on up to jobs goroutines and hands each
// result to each in input order; it stops when each returns false or ctx
// is done, and reports whether every input was handed over. The inputs go
// to the goroutines in runs of consecutive names (parseRun of them), so
// that a corpus of small files costs one hand-over per run rather than a
// goroutine wake-up per file; at most 2*jobs runs of results wait in
// memory.
func parseAll(ctx context.Context, names []string, stdin io.Reader, jobs int, direct io.Writer, each func(*parseResult) bool) bool {
	if jobs == 1 || len(names) == 1 {
		var sc parseScratch
		for _, name := range names {
			if ctx.Err() != nil {
				return false
			}
			// One at a time, the records stream straight to the output
			// (a large mbox is not held in memory); errors wait for the
			// end of their input.
			r := parseResult{}
			parseInput(ctx, name, stdin, &r, direct, &sc)
			if !each(&r) {
				return false
			}
		}
		return true
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// A run's records are written to one buffer, which goes back to the
	// goroutines (through free) once they are written out.
	type done struct {
		rs  []parseResult
		buf *bytes.Buffer
	}
	type job struct {
		names []string
		out   chan done
	}
	run := parseRun(len(names), jobs)
	work := make(chan job)
	pending := make(chan chan done, 2*jobs)
	free := make(chan *bytes.Buffer, 3*jobs)
	for range jobs {
		go func() {
			var sc parseScratch // reused from one input to the next
			for j := range work {
				var buf *bytes.Buffer
				select {
				case buf = <-free:
				default:
					buf = new(bytes.Buffer)
				}
				rs := make([]parseResult, len(j.names))
				ends := make([]int, len(j.names))
				for i, name := range j.names {
					if ctx.Err() != nil {
						rs, ends = rs[:i], ends[:i]
						break
					}
					parseInput(ctx, name, stdin, &rs[i], buf, &sc)
					ends[i] = buf.Len()
				}
				for i, start := 0, 0; i < len(rs); i++ {
					rs[i].out, start = buf.Bytes()[start:ends[i]], ends[i]
				}
				j.out <- done{rs, buf}
			}
		}()
	}
	go func() {
		defer close(work)
		defer close(pending)
		for len(names) > 0 {
			n := min(run, len(names))
			ch := make(chan done, 1)
			select {
			case pending <- ch:
			case <-ctx.Done():
				return
			}
			select {
			case work <- job{names[:n], ch}:
			case <-ctx.Done():
				ch <- done{}
				return
			}
			names = names[n:]
		}
	}()
	all := true
	for ch := range pending {
		d := <-ch
		rs := d.rs
		for i := range rs {
			if !all || ctx.Err() != nil {
				all = false
				break
			}
			if !each(&rs[i]) {
				all = false
				cancel()
			}
		}
		if d.buf != nil {
			d.buf.Reset()
			select {
			case free <- d.buf:
			default:
			}
		}
	}
	return all && ctx.Err() == nil
}

// parseRun is how many consecutive inputs one goroutine takes at a time:
// enough that each of the jobs gets some 32 runs (the last runs, on which
// the other jobs may wait, stay short), at most 16 inputs (so that results
// held for the output order stay small), at least one.
func parseRun(inputs, jobs int) int {
	return max(1, min(16, inputs/(32*jobs)))
}

// parseInput parses one input into r: its records as JSON lines to out,
// its errors in r.errs. A small file is read into sc.read and each line is
// made in sc.line, both grown as needed and reused for the next input once
// this one returns (nothing of a Report refers to the bytes it was parsed
// from).
func parseInput(ctx context.Context, name string, stdin io.Reader, r *parseResult, out io.Writer, sc *parseScratch) {
	r.ok = true
	fail := func(err error) {
		fmt.Fprintf(&r.errs, "bouncekit parse: %v\n", err)
		r.ok = false
	}
	var msgs iter.Seq2[bounce.Message, error]
	if name == "-" {
		msgs = bounce.ReadMbox(stdin)
	} else {
		// One open and one fstat per input: a corpus of small files
		// costs a few system calls each, not a path walk for os.Stat
		// and another for os.ReadFile.
		f, err := os.Open(name)
		if err != nil {
			fail(err)
			return
		}
		defer f.Close()
		fi, err := f.Stat()
		if err != nil {
			fail(err)
			return
		}
		switch {
		case fi.IsDir():
			msgs = bounce.ReadMaildir(os.DirFS(name))
		case fi.Mode().IsRegular() && fi.Size() <= singleReadMax:
			// A small file is read whole; one with no mbox separator
			// or quoted separator is one message and is parsed in
			// place: what the mbox reader would find, without its copy
			// of every line.
			b, err := readSmall(f, fi.Size(), &sc.read)
			if err != nil {
				fail(err)
				return
			}
			r.counts.Files++
			r.counts.Bytes += int64(len(b))
			if single, ok := singleMessage(b); ok {
				// The bytes are parse's own: their line ends are
				// made LF in place, which ParseBytes would do in a
				// copy.
				single = lfInPlace(single)
				msgs = func(yield func(bounce.Message, error) bool) {
					if len(single) > 0 {
						var p bounce.Parser
						rep, err := p.ParseBytes(single)
						yield(bounce.Message{Report: rep}, err)
					}
				}
			} else {
				msgs = bounce.ReadMbox(bytes.NewReader(b))
			}
		default:
			r.counts.Files++
			r.counts.Bytes += fi.Size()
			// A file is an mbox; one without "From " lines is one message.
			msgs = bounce.ReadMbox(f)
		}
	}
	c := classify.Default()
	for m, err := range msgs {
		if ctx.Err() != nil {
			r.ok = false
			return
		}
		file, index := name, m.Index
		if m.Path != "" {
			// A Maildir or directory entry is a file of its own: the
			// message index is that within the file, 0.
			file, index = filepath.Join(name, filepath.FromSlash(m.Path)), 0
			r.counts.Files++
		}
		if err != nil && !errors.Is(err, bounce.ErrEmptyMessage) {
			fmt.Fprintf(&r.errs, "bouncekit parse: %s (message %d): %v\n", file, index, err)
			r.ok = false
		}
		if m.Report == nil {
			continue
		}
		r.counts.Messages++
		if m.Report.Kind == bounce.KindBounce && len(m.Report.Records) == 0 {
			r.counts.NoRecipient++
		}
		for i := range m.Report.Records {
			rec := &m.Report.Records[i]
			v := c.ClassifyRecord(m.Report, rec)
			pr := parseRecord{
				File: file, Message: index, Kind: string(m.Report.Kind), Format: m.Report.Format,
				Recipient: rec.Recipient, OriginalRecipient: rec.OriginalRecipient, Source: string(rec.Source), SourceText: rec.SourceText,
				Action: string(rec.Action), Code: rec.Reply.Code,
				Diagnostic: rec.Diagnostic, RemoteMTA: rec.RemoteMTA, Command: string(rec.Stage), Feedback: rec.FeedbackType,
				Severity: v.Severity, Category: v.Category, Hint: v.Hint, Retry: v.Retry, Suppress: v.Suppress,
				SlowDown: v.SlowDown, Provider: v.Provider, Tag: v.Tag, Rule: v.Rule, Explanation: v.Explanation,
			}
			if rec.Status.IsValid() {
				pr.Status = rec.Status.String()
			}
			r.counts.Records++
			if rec.Recipient == "" {
				r.counts.NoRecipient++
			}
			sc.line = append(pr.appendJSON(sc.line[:0]), '\n')
			if _, err := out.Write(sc.line); err != nil {
				fmt.Fprintf(&r.errs, "bouncekit parse: writing output: %v\n", err)
				r.ok = false
				return
			}
		}
	}
}

// parseScratch is the memory one goroutine of parse reuses from input to
// input: no GC runs during a typical parse, so every byte allocated is a
// fresh page (docs/benchmarks.md).
type parseScratch struct {
	read []byte // a small file, read whole
	line []byte // one output line (parse_json.go)
}

// readSmall reads the regular file f of size bytes (its size when it was
// opened) into *buf in one read: a file that grew since is read up to that
// size, one that shrank up to its end.
func readSmall(f *os.File, size int64, buf *[]byte) ([]byte, error) {
	if int64(cap(*buf)) < size {
		*buf = make([]byte, size)
	}
	b := (*buf)[:size]
	n, err := io.ReadFull(f, b)
	if err == io.ErrUnexpectedEOF || err == io.EOF {
		err = nil
	}
	if err != nil {
		return nil, err // an *fs.PathError: it names the file
	}
	return b[:n], nil
}

// lfInPlace rewrites CRLF and lone CR line ends in b to LF, as
// bounce.ParseBytes reads them (RFC 5322 §2.1 says CRLF; files carry all
// three), and returns the shortened b.
func lfInPlace(b []byte) []byte {
	i := bytes.IndexByte(b, '\r')
	if i < 0 {
		return b
	}
	w := i
	for i < len(b) {
		// b[i] is a CR: it becomes an LF, and the LF after it goes.
		b[w] = '\n'
		w++
		i++
		if i < len(b) && b[i] == '\n' {
			i++
		}
		// The run up to the next CR moves down in one copy.
		next := bytes.IndexByte(b[i:], '\r')
		if next < 0 {
			next = len(b) - i
		}
		w += copy(b[w:], b[i:i+next])
		i += next
	}
	return b[:w]
}

// singleReadMax is the largest file parse reads whole to see whether it is
// one message; larger files stream through the mbox reader.
const singleReadMax = 1 << 20

// singleMessage reports whether b holds at most one message: no line starts
// with "From " (so bounce.ReadMbox finds no separator) or with ">From ",
// ">>From " and so on (so it unquotes nothing; RFC 4155 §2, mboxrd). It
// returns the message without the blank lines before it, which the mbox
// reader skips too; nil when b is blank. Other files go through
// bounce.ReadMbox. Lines quoted with ">" for other reasons, as bounces
// quote the SMTP dialogue, stay on this path.
func singleMessage(b []byte) ([]byte, bool) {
	for off := 0; ; {
		i := bytes.Index(b[off:], []byte("From "))
		if i < 0 {
			break
		}
		i += off
		j := i
		for j > 0 && b[j-1] == '>' {
			j--
		}
		if j == 0 || b[j-1] == '\n' {
			return nil, false
		}
		off = i + len("From ")
	}
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			i = len(b) - 1
		}
		if len(bytes.TrimSpace(b[:i+1])) > 0 {
			break
		}
		b = b[i+1:]
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return nil, true
	}
	return b, true
}
