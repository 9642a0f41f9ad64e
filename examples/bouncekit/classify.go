package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/bouncekit/bouncekit/bounce"
	"github.com/bouncekit/bouncekit/classify"
)

func init() {
	register(command{name: "classify", usage: "classify [--rules FILE] [--unknowns] [REPLY...]   classify each REPLY argument, or with none the replies on stdin, one per line (raw text or a JSON object); one JSON verdict per line", run: runClassify,
		example: `bouncekit classify '554 5.7.1 [CS01] Message rejected due to local policy'
		echo '{"reply": "550 5.1.1 user unknown", "recipient": "bob@gmail.com"}' | bouncekit classify`})
}

// classifyInput is the JSON form of an input line.
type classifyInput struct {
	Reply     string `json:"reply"`
	Recipient string `json:"recipient"`
	RemoteMTA string `json:"remote_mta"`
	Command   string `json:"command"`
}

// classifyOutput is one output line: every field is always present.
type classifyOutput struct {
	Input       string `json:"input"`
	Code        int    `json:"code"`
	Status      string `json:"status"`
	Tag         string `json:"tag"`
	Severity    string `json:"severity"`
	Category    string `json:"category"`
	Hint        string `json:"hint"`
	Retry       bool   `json:"retry"`
	Suppress    bool   `json:"suppress"`
	SlowDown    bool   `json:"slow_down"`
	Provider    string `json:"provider"`
	Rule        string `json:"rule"`
	Explanation string `json:"explanation"`
	// Error is set when the reply was read only in part (too long, ...).
	Error string `json:"error,omitempty"`
}

// errorOutput is the line for an input that could not be read at all.
type errorOutput struct {
	Input string `json:"input"`
	Error string `json:"error"`
}

// rulesUsage describes the --rules flag of classify and report.
const rulesUsage = "JSON file of in-house rules and provider maps: {\"before\": [...], \"after\": [...], \"disable\": [...], \"providers\": [...]} (docs/classify.md)"

// loadClassifier is classify.Default() when file is "", else the built-in
// rules plus the options read from file (classify.ReadOptions).
func loadClassifier(file string) (*classify.Classifier, error) {
	if file == "" {
		return classify.Default(), nil
	}
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	opts, err := classify.ReadOptions(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	c, err := classify.New(opts)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	return c, nil
}

// maxClassifyLine bounds one input line; longer lines give an error object.
const maxClassifyLine = bounce.MaxReplyLen + 4096

func runClassify(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := newFlags("classify")
	rulesFile := fs.String("rules", "", rulesUsage)
	unknowns := fs.Bool("unknowns", false, "after the run, print the unclassified replies to stderr, grouped, most frequent first")
	if code, ok := parseFlags(fs, args, stderr); !ok {
		return code
	}
	c, err := loadClassifier(*rulesFile)
	if err != nil {
		fmt.Fprintf(stderr, "bouncekit classify: %v\n", err)
		return 1
	}

	var col classify.Collector
	enc := json.NewEncoder(stdout)
	enc.SetEscapeHTML(false)
	if fs.NArg() > 0 {
		for _, a := range fs.Args() {
			if s := strings.TrimSpace(a); s != "" {
				_ = enc.Encode(classifyLine(c, &col, s))
			}
		}
		writeUnknowns(stderr, &col, *unknowns)
		return 0
	}
	hintStdin(stdin, stderr, "classify")
	br := bufio.NewReaderSize(stdin, 64<<10)
	for ctx.Err() == nil {
		line, tooLong, err := readLine(br)
		if tooLong {
			_ = enc.Encode(errorOutput{Input: truncateInput(line), Error: fmt.Sprintf("line longer than %d bytes", maxClassifyLine)})
		} else if s := strings.TrimSpace(line); s != "" {
			_ = enc.Encode(classifyLine(c, &col, s))
		}
		if err != nil {
			if !errors.Is(err, io.EOF) {
				fmt.Fprintf(stderr, "bouncekit classify: reading stdin: %v\n", err)
				return 1
			}
			break
		}
	}
	writeUnknowns(stderr, &col, *unknowns)
	if ctx.Err() != nil {
		return 1
	}
	return 0
}

func writeUnknowns(stderr io.Writer, col *classify.Collector, on bool) {
	if !on {
		return
	}
	for _, u := range col.Unknowns() {
		fmt.Fprintf(stderr, "%6d  %s\n        e.g. %s\n", u.Count, u.Key, u.Example)
	}
}

// hintStdin tells a person at a terminal that the command waits for lines
// on stdin; piped input gets no hint.
func hintStdin(stdin io.Reader, stderr io.Writer, name string) {
	if isTerminal(stdin) {
		fmt.Fprintf(stderr, "bouncekit %s: reading replies from the terminal, one per line; Ctrl-D ends (or pass them as arguments)\n", name)
	}
}

// classifyLine reads one raw or JSON line and classifies it.
func classifyLine(c *classify.Classifier, col *classify.Collector, line string) any {
	in := classifyInput{Reply: line}
	if strings.HasPrefix(line, "{") {
		in = classifyInput{}
		dec := json.NewDecoder(strings.NewReader(line))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&in); err != nil {
			return errorOutput{Input: line, Error: "invalid JSON line: " + err.Error()}
		}
		if in.Reply == "" {
			return errorOutput{Input: line, Error: `JSON line without a "reply"`}
		}
	}
	r, err := bounce.ParseReply(in.Reply)
	if err != nil && !r.HasCode() && r.Text == "" {
		return errorOutput{Input: in.Reply, Error: err.Error()}
	}
	cctx := classify.Context{Recipient: in.Recipient, RemoteMTA: in.RemoteMTA, Stage: bounce.ParseStage(in.Command)}
	v := c.Classify(&r, cctx)
	col.Add(&r, v)
	out := classifyOutput{
		Input: in.Reply, Code: r.Code, Status: r.Status.String(), Tag: v.Tag,
		Severity: string(v.Severity), Category: string(v.Category), Hint: string(v.Hint),
		Retry: v.Retry, Suppress: v.Suppress, SlowDown: v.SlowDown,
		Provider: string(v.Provider), Rule: v.Rule, Explanation: v.Explanation,
	}
	if err != nil {
		out.Error = err.Error() // partial result, e.g. a truncated reply
	}
	return out
}

// readLine returns the next line without its end. tooLong reports a line
// over maxClassifyLine, of which only the start is returned (the rest is
// skipped).
func readLine(br *bufio.Reader) (line string, tooLong bool, err error) {
	var b []byte
	for {
		chunk, isPrefix, err := br.ReadLine()
		if len(b)+len(chunk) <= maxClassifyLine {
			b = append(b, chunk...)
		} else {
			tooLong = true
		}
		if err != nil || !isPrefix {
			return string(b), tooLong, err
		}
	}
}

func truncateInput(s string) string {
	if len(s) > 200 {
		return s[:200] + "…"
	}
	return s
}
