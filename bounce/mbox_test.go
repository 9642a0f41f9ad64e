package bounce_test

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/bouncekit/bouncekit/bounce"
)

func TestMboxSplitsOnFromLines(t *testing.T) {
	qmail, err := os.ReadFile(filepath.Join("testdata", "messages", "qmail-text.eml"))
	noErr(t, err)
	exim, err := os.ReadFile(filepath.Join("testdata", "messages", "exim-text.eml"))
	noErr(t, err)
	mbox := "From MAILER-DAEMON Mon Mar  3 10:00:00 2025\n" + string(qmail) + "\n" +
		"From MAILER-DAEMON Mon Mar  3 10:00:01 2025\n" + string(exim) + ">From the quoted body\n\n"
	for _, eol := range []string{"\n", "\r\n"} {
		var got []string
		for m, err := range bounce.ReadMbox(strings.NewReader(strings.ReplaceAll(mbox, "\n", eol))) {
			noErr(t, err)
			equal(t, len(got), m.Index)
			for _, r := range m.Report.Records {
				got = append(got, r.Recipient)
			}
		}
		equal(t, []string{"erin@example.jp", "dave@example.net"}, got, "eol %q", eol)
	}
}

// TestMboxEnvelopeLineWithoutBlankLine: a full envelope line separates
// messages even right after a closing MIME boundary, while body text that
// starts with "From " but has no envelope date does not.
func TestMboxEnvelopeLineWithoutBlankLine(t *testing.T) {
	qmail, err := os.ReadFile(filepath.Join("testdata", "messages", "qmail-text.eml"))
	noErr(t, err)
	exim, err := os.ReadFile(filepath.Join("testdata", "messages", "exim-text.eml"))
	noErr(t, err)
	mbox := "From MAILER-DAEMON  Thu Jul  2 12:05:05 2020\n" + strings.TrimRight(string(qmail), "\n") +
		"\nFrom the desk of the postmaster: not a separator\n" +
		"From double-bounce@example.com  Thu Jul  2 12:05:05 2020\n" + string(exim)
	var got []string
	for m, err := range bounce.ReadMbox(strings.NewReader(mbox)) {
		noErr(t, err)
		for _, r := range m.Report.Records {
			got = append(got, r.Recipient)
		}
	}
	equal(t, []string{"erin@example.jp", "dave@example.net"}, got)
}

func TestMboxWithoutFromLineIsOneMessage(t *testing.T) {
	n := 0
	for m, err := range bounce.ReadMbox(strings.NewReader("From: a@example.com\nSubject: hi\n\nFrom here on, text.\n")) {
		noErr(t, err)
		equal(t, bounce.KindNone, m.Report.Kind)
		n++
	}
	equal(t, 1, n)
}

func TestMboxMessagePastLimit(t *testing.T) {
	big := "From x Mon Mar  3 10:00:00 2025\nSubject: big\n\n" + strings.Repeat("y", 5000) + "\n\nFrom x Mon Mar  3 10:00:00 2025\nSubject: small\n\nok\n"
	p := bounce.Parser{Limits: bounce.Limits{MaxMessageBytes: 1000}}
	var errs []error
	for m, err := range p.Mbox(strings.NewReader(big)) {
		mustTrue(t, m.Report != nil, "report")
		errs = append(errs, err)
	}
	mustEqual(t, 2, len(errs))
	isTrue(t, errors.Is(errs[0], bounce.ErrLimit), "first message past the limit: %v", errs[0])
	equal(t, nil, errs[1])
}

type failingReader struct{ n int }

func (r *failingReader) Read(p []byte) (int, error) {
	if r.n > 0 {
		return 0, io.ErrUnexpectedEOF
	}
	r.n++
	return copy(p, "From x Mon Mar  3 10:00:00 2025\nSubject: a\n\nbody\n"), nil
}

func TestMboxReadErrorEndsIteration(t *testing.T) {
	var errs []error
	for _, err := range bounce.ReadMbox(&failingReader{}) {
		errs = append(errs, err)
	}
	mustEqual(t, 2, len(errs))
	equal(t, nil, errs[0])
	isTrue(t, errors.Is(errs[1], io.ErrUnexpectedEOF), "got %v", errs[1])
}

func TestMboxCorpus(t *testing.T) {
	c := openCorpus(t)
	for _, tc := range []struct {
		file string
		n    int
	}{{"mailbox/mbox-0", 37}, {"mailbox/mbox-1", 1}} {
		f, err := os.Open(c.Path(tc.file))
		noErr(t, err)
		n, withRecords := 0, 0
		for m, err := range bounce.ReadMbox(f) {
			if err != nil && !errors.Is(err, bounce.ErrEmptyMessage) {
				t.Errorf("%s message %d: %v", tc.file, m.Index, err)
			}
			n++
			if len(m.Report.Records) > 0 {
				withRecords++
			}
		}
		f.Close()
		equal(t, tc.n, n, "%s messages", tc.file)
		isTrue(t, withRecords > 0, "%s: no message with records", tc.file)
		t.Logf("%s: %d messages, %d with records", tc.file, n, withRecords)
	}
}

func TestMaildir(t *testing.T) {
	dir := t.TempDir()
	for _, d := range []string{"new", "cur", "tmp"} {
		noErr(t, os.Mkdir(filepath.Join(dir, d), 0o755))
	}
	for name, src := range map[string]string{"new/1.eml": "qmail-text.eml", "cur/2.eml:2,S": "exim-text.eml", "tmp/3.eml": "gmail-text.eml"} {
		b, err := os.ReadFile(filepath.Join("testdata", "messages", src))
		noErr(t, err)
		noErr(t, os.WriteFile(filepath.Join(dir, name), b, 0o644))
	}
	noErr(t, os.WriteFile(filepath.Join(dir, "new", ".hidden"), []byte("x"), 0o644))
	var got []string
	for m, err := range bounce.ReadMaildir(os.DirFS(dir)) {
		noErr(t, err)
		for _, r := range m.Report.Records {
			got = append(got, filepath.Base(m.Path)+" "+r.Recipient)
		}
	}
	equal(t, []string{"1.eml erin@example.jp", "2.eml:2,S dave@example.net"}, got, "new/ and cur/ read, tmp/ and dot files skipped")

	n := 0
	for m, err := range bounce.ReadMaildir(os.DirFS(filepath.Join("testdata", "messages"))) {
		noErr(t, err)
		mustTrue(t, m.Report != nil, "report")
		n++
	}
	isTrue(t, n >= 14, "a plain directory is read file by file: %d", n)

	// Any fs.FS will do: the parser does no I/O of its own.
	qm, err := os.ReadFile(filepath.Join("testdata", "messages", "qmail-text.eml"))
	noErr(t, err)
	var paths []string
	for m, err := range bounce.ReadMaildir(fstest.MapFS{"cur/b": {Data: qm}, "new/a": {Data: qm}, "tmp/c": {Data: qm}}) {
		noErr(t, err)
		paths = append(paths, m.Path)
	}
	equal(t, []string{"new/a", "cur/b"}, paths, "fstest.MapFS Maildir")

	for _, err := range bounce.ReadMaildir(os.DirFS(filepath.Join(dir, "missing"))) {
		isTrue(t, errors.Is(err, os.ErrNotExist), "got %v", err)
	}
}
