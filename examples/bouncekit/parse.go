package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"os"
	"path/filepath"

	"github.com/bouncekit/bouncekit/bounce"
	"github.com/bouncekit/bouncekit/classify"
)

func init() {
	register(command{name: "parse", usage: "parse FILE...    one JSON object per bounced recipient (files, mbox files, Maildir directories; - for stdin)", run: runParse})
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

func runParse(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "usage: bouncekit parse FILE...   (files, mbox files, Maildir directories; - for stdin)")
		return 2
	}
	enc := json.NewEncoder(stdout)
	enc.SetEscapeHTML(false)
	code := 0
	for _, name := range args {
		if ctx.Err() != nil {
			return 1
		}
		if !parseInput(ctx, name, stdin, enc, stderr) {
			code = 1
		}
	}
	return code
}

// parseInput prints the records of one input and reports whether it was
// read without error.
func parseInput(ctx context.Context, name string, stdin io.Reader, enc *json.Encoder, stderr io.Writer) bool {
	var msgs iter.Seq2[bounce.Message, error]
	switch fi, err := os.Stat(name); {
	case name == "-":
		msgs = bounce.ReadMbox(stdin)
	case err != nil:
		fmt.Fprintf(stderr, "bouncekit parse: %v\n", err)
		return false
	case fi.IsDir():
		msgs = bounce.ReadMaildir(os.DirFS(name))
	default:
		f, err := os.Open(name)
		if err != nil {
			fmt.Fprintf(stderr, "bouncekit parse: %v\n", err)
			return false
		}
		defer f.Close()
		// A file is an mbox; one without "From " lines is one message.
		msgs = bounce.ReadMbox(f)
	}
	ok := true
	for m, err := range msgs {
		if ctx.Err() != nil {
			return false
		}
		file, index := name, m.Index
		if m.Path != "" {
			// A Maildir or directory entry is a file of its own: the
			// message index is that within the file, 0.
			file, index = filepath.Join(name, filepath.FromSlash(m.Path)), 0
		}
		if err != nil && !errors.Is(err, bounce.ErrEmptyMessage) {
			fmt.Fprintf(stderr, "bouncekit parse: %s (message %d): %v\n", file, index, err)
			ok = false
		}
		if m.Report == nil {
			continue
		}
		for i := range m.Report.Records {
			r := &m.Report.Records[i]
			v := classify.Default().ClassifyRecord(m.Report, r)
			out := parseRecord{
				File: file, Message: index, Kind: string(m.Report.Kind), Format: m.Report.Format,
				Recipient: r.Recipient, OriginalRecipient: r.OriginalRecipient, Source: string(r.Source), SourceText: r.SourceText,
				Action: string(r.Action), Code: r.Reply.Code,
				Diagnostic: r.Diagnostic, RemoteMTA: r.RemoteMTA, Command: string(r.Stage), Feedback: r.FeedbackType,
				Severity: v.Severity, Category: v.Category, Hint: v.Hint, Retry: v.Retry, Suppress: v.Suppress,
				SlowDown: v.SlowDown, Provider: v.Provider, Tag: v.Tag, Rule: v.Rule, Explanation: v.Explanation,
			}
			if r.Status.IsValid() {
				out.Status = r.Status.String()
			}
			if err := enc.Encode(out); err != nil {
				fmt.Fprintf(stderr, "bouncekit parse: writing output: %v\n", err)
				return false
			}
		}
	}
	return ok
}
