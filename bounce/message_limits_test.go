package bounce_test

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bouncekit/bouncekit/bounce"
)

// The head of a text bounce; the sparse files below continue it with
// gigabytes of NUL bytes that take no disk space.
const hugeHead = "From: MAILER-DAEMON@mx.example\nSubject: Undelivered Mail Returned to Sender\n\n" +
	"<ann@a.example>: host mx.a.example[192.0.2.1] said: 550 5.1.1 unknown user\n\n"

// sparseFile writes head at the start of a file of size bytes in dir.
func sparseFile(t *testing.T, dir, name, head string, size int64) string {
	t.Helper()
	path := filepath.Join(dir, name)
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(head); err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(size); err != nil {
		t.Skipf("cannot make a sparse file of %d bytes here: %v", size, err)
	}
	return path
}

// wantLimit checks that err is the *LimitError for MaxMessageBytes and that
// the partial report holds the recipient of the head.
func wantLimit(t *testing.T, rep *bounce.Report, err error, max int64) {
	t.Helper()
	var le *bounce.LimitError
	if !errors.As(err, &le) || le.Limit != "MaxMessageBytes" || le.Max != max || !errors.Is(err, bounce.ErrLimit) {
		t.Fatalf("err = %v, want a *LimitError for MaxMessageBytes (%d)", err, max)
	}
	if rep == nil || len(rep.Records) != 1 || rep.Records[0].Recipient != "ann@a.example" || rep.Records[0].Reply.Code != 550 {
		t.Fatalf("partial report %+v, want the recipient of the message's head", rep)
	}
}

// A 5 GiB file is read up to the 32 MiB limit, not sized into memory whole.
func TestParseStopsAtTheLimitOnAHugeFile(t *testing.T) {
	path := sparseFile(t, t.TempDir(), "huge.eml", hugeHead, 5<<30)
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rep, err := bounce.ParseMessage(f)
	wantLimit(t, rep, err, bounce.DefaultMaxMessageBytes)
	if pos, _ := f.Seek(0, io.SeekCurrent); pos > bounce.DefaultMaxMessageBytes+1 {
		t.Errorf("read %d bytes of the file, want at most the limit plus one", pos)
	}
}

// endless is a stream that never ends, as a pipe from a runaway process.
type endless struct {
	head string
	read int64
}

func (e *endless) Read(p []byte) (int, error) {
	n := 0
	if e.read < int64(len(e.head)) {
		n = copy(p, e.head[e.read:])
	}
	for i := n; i < len(p); i++ {
		p[i] = 'x'
	}
	e.read += int64(len(p))
	return len(p), nil
}

func TestParseStopsAtTheLimitOnAnEndlessStream(t *testing.T) {
	src := &endless{head: hugeHead}
	p := bounce.Parser{Limits: bounce.Limits{MaxMessageBytes: 1 << 20}}
	rep, err := p.Parse(src)
	wantLimit(t, rep, err, 1<<20)
	if src.read > 1<<20+64<<10 {
		t.Errorf("read %d bytes from the stream, want about the limit", src.read)
	}
}

// liar reports a length far smaller than it holds.
type liar struct {
	io.Reader
}

func (liar) Len() int { return 10 }

func TestParseDoesNotTrustAReportedLength(t *testing.T) {
	p := bounce.Parser{Limits: bounce.Limits{MaxMessageBytes: 1 << 20}}
	rep, err := p.Parse(liar{&endless{head: hugeHead}})
	wantLimit(t, rep, err, 1<<20)
}

func TestMaildirStopsAtTheLimitOnAHugeEntry(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "new"), 0o755); err != nil {
		t.Fatal(err)
	}
	sparseFile(t, filepath.Join(dir, "new"), "1.huge", hugeHead, 3<<30)
	n := 0
	for m, err := range bounce.ReadMaildir(os.DirFS(dir)) {
		n++
		wantLimit(t, m.Report, err, bounce.DefaultMaxMessageBytes)
	}
	if n != 1 {
		t.Fatalf("%d messages, want 1", n)
	}
}

// An mbox is read to its end (the next message follows the long one), but
// no message holds more than the limit in memory.
func TestMboxStopsEachMessageAtTheLimit(t *testing.T) {
	const size = 64 << 20
	path := sparseFile(t, t.TempDir(), "box", "From a@b.example Mon Mar  3 10:00:00 2025\n"+hugeHead, size)
	second := "\n\nFrom c@d.example Mon Mar  3 10:00:01 2025\n" + strings.Replace(hugeHead, "ann@a", "bob@a", 1)
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteAt([]byte(second), size); err != nil {
		t.Fatal(err)
	}
	p := bounce.Parser{Limits: bounce.Limits{MaxMessageBytes: 1 << 20}}
	var got []string
	for m, err := range p.Mbox(f) {
		if m.Index == 0 {
			wantLimit(t, m.Report, err, 1<<20)
			got = append(got, "limit")
			continue
		}
		if err != nil || len(m.Report.Records) != 1 {
			t.Fatalf("message %d: err %v, report %+v", m.Index, err, m.Report)
		}
		got = append(got, m.Report.Records[0].Recipient)
	}
	if strings.Join(got, " ") != "limit bob@a.example" {
		t.Fatalf("messages %q, want the long one cut and the next one whole", got)
	}
}

// MaxRecords stops a DSN and a text bounce at the limit with a typed
// error, keeping the records read; a message at the limit is whole.
func TestMaxRecordsCutsManyRecipients(t *testing.T) {
	text := func(n int) []byte {
		return []byte(hostileHeader + "\n" + lines(n, "<u%d@r.example>: 550 5.1.1 unknown %d\n"))
	}
	report := func(n int) []byte { return dsn(n, func(int) string { return "550 5.1.1 unknown" }, "") }
	for _, tt := range []struct {
		name    string
		in      []byte
		records int
		limited bool
	}{
		{"DSN over the limit", report(5), 3, true},
		{"DSN at the limit", report(3), 3, false},
		{"text bounce over the limit", text(5), 3, true},
		{"text bounce at the limit", text(3), 3, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := bounce.Parser{Limits: bounce.Limits{MaxRecords: 3}}
			rep, err := p.ParseBytes(tt.in)
			var le *bounce.LimitError
			if got := errors.As(err, &le) && le.Limit == "MaxRecords" && le.Max == 3; got != tt.limited {
				t.Fatalf("err = %v, want a MaxRecords *LimitError: %v", err, tt.limited)
			}
			if len(rep.Records) != tt.records || rep.Records[0].Recipient != "u0@r.example" || rep.Records[2].Reply.Code != 550 {
				t.Fatalf("%d records %+v, want the first %d", len(rep.Records), rep.Records, tt.records)
			}
		})
	}
}
