package bounce_test

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/bouncekit/bouncekit/bounce"
	"github.com/bouncekit/bouncekit/internal/corpus"
)

func openCorpus(tb testing.TB) *corpus.Corpus {
	tb.Helper()
	c, err := corpus.Find("../../shared/corpus")
	if err != nil {
		tb.Skipf("shared corpus not available (%v): conformance not measured", err)
	}
	return c
}

// conformance is the score of the parser over the corpus.
type conformance struct {
	expected, matched     int // expected records; matched on recipient and status
	files, filesCountDiff int // labelled files; files with an extra or missing record
	misses                []string
}

func measure(t testing.TB, c *corpus.Corpus) conformance {
	var cf conformance
	for _, e := range c.Entries {
		if e.SameAs != "" || e.Unlabelled || e.NotABounce {
			continue
		}
		reps, err := c.Reports(e.File)
		if err != nil {
			t.Fatalf("%s: %v", e.File, err)
		}
		rep := reps[0]
		for _, r := range reps[1:] { // an mbox file of several bounces
			rep.Records = append(rep.Records, r.Records...)
		}
		cf.files++
		cf.expected += len(e.Records)
		if len(rep.Records) != len(e.Records) {
			cf.filesCountDiff++
			cf.misses = append(cf.misses, fmt.Sprintf("%s: %d records, want %d (%s/%s)", e.File, len(rep.Records), len(e.Records), rep.Kind, rep.Format))
		}
		used := make([]bool, len(rep.Records))
		for _, want := range e.Records {
			ok := false
			for i, got := range rep.Records {
				if used[i] || !strings.EqualFold(got.Recipient, want.Recipient) {
					continue
				}
				gs := ""
				if got.Status.IsValid() {
					gs = got.Status.String()
				}
				if want.PlaceholderStatus() || gs == want.Status {
					used[i], ok = true, true
					break
				}
				cf.misses = append(cf.misses, fmt.Sprintf("%s: %s status %q, want %q (%s/%s)", e.File, want.Recipient, gs, want.Status, rep.Kind, rep.Format))
				used[i], ok = true, false
				break
			}
			if ok {
				cf.matched++
			} else if !recipientIn(rep.Records, want.Recipient) {
				cf.misses = append(cf.misses, fmt.Sprintf("%s: recipient %s not found (%s/%s)", e.File, want.Recipient, rep.Kind, rep.Format))
			}
		}
	}
	return cf
}

func recipientIn(rs []bounce.Record, a string) bool {
	for _, r := range rs {
		if strings.EqualFold(r.Recipient, a) {
			return true
		}
	}
	return false
}

// TestConformanceCorpus checks the parser against the expected records of
// the shared corpus: at least 97% of expected records matched on recipient
// and status, at most 3% of files with an extra or missing record.
func TestConformanceCorpus(t *testing.T) {
	c := openCorpus(t)
	cf := measure(t, c)
	recPct := 100 * float64(cf.matched) / float64(cf.expected)
	filePct := 100 * float64(cf.filesCountDiff) / float64(cf.files)
	t.Logf("records matched: %d/%d (%.1f%%); files with extra or missing records: %d/%d (%.1f%%)",
		cf.matched, cf.expected, recPct, cf.filesCountDiff, cf.files, filePct)
	if testing.Verbose() || os.Getenv("BOUNCEKIT_MISSES") != "" {
		for _, m := range cf.misses {
			t.Log(m)
		}
	}
	if recPct < 97 {
		t.Errorf("records matched %.1f%%, floor is 97%%", recPct)
	}
	if filePct > 3 {
		t.Errorf("files with extra or missing records %.1f%%, ceiling is 3%%", filePct)
	}
}

// TestConformanceLineEnds: the CRLF and CR copies give the same records as
// the LF file they copy.
func TestConformanceLineEnds(t *testing.T) {
	c := openCorpus(t)
	for _, e := range c.Entries {
		if e.SameAs == "" {
			continue
		}
		got := parseFile(t, c, e.File)
		want := parseFile(t, c, e.SameAs)
		if g, w := summarize(got), summarize(want); g != w {
			t.Errorf("%s differs from %s:\n got %s\nwant %s", e.File, e.SameAs, g, w)
		}
	}
}

// disputedNotBounces are files labelled not_a_bounce that are bounces by
// their own text; docs/conformance.md gives the reasoning. They are logged,
// not failed.
var disputedNotBounces = map[string]string{
	"maildir/not/rb-issue-368-bug.eml": "a postmaster notice from <> saying the message was rejected for a full mailbox (reject reason: Mailbox full, target mail address: ...)",
}

// TestConformanceNotBounces: messages that are not bounces give no record.
func TestConformanceNotBounces(t *testing.T) {
	c := openCorpus(t)
	for _, e := range c.Entries {
		if !e.NotABounce {
			continue
		}
		rep := parseFile(t, c, e.File)
		if why, ok := disputedNotBounces[e.File]; ok {
			t.Logf("%s: label disputed (%s): read %d records: %s", e.File, why, len(rep.Records), summarize(rep))
			continue
		}
		if len(rep.Records) != 0 {
			t.Errorf("%s: %d records from a message that is not a bounce (%s/%s): %s", e.File, len(rep.Records), rep.Kind, rep.Format, summarize(rep))
		}
	}
}

func parseFile(t testing.TB, c *corpus.Corpus, file string) *bounce.Report {
	t.Helper()
	b, err := c.Read(file)
	if err != nil {
		t.Fatal(err)
	}
	rep, _ := bounce.ParseMessage(bytes.NewReader(b))
	return rep
}

// summarize renders the fields that must not depend on line ends.
func summarize(rep *bounce.Report) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s/%s", rep.Kind, rep.Format)
	for _, r := range rep.Records {
		fmt.Fprintf(&b, " [%s %s %s %d %q %s %s]", r.Recipient, r.Action, r.Status, r.Reply.Code, r.Diagnostic, r.RemoteMTA, r.Stage)
	}
	if rep.Original != nil {
		fmt.Fprintf(&b, " orig=%q %q %v", rep.Original.MessageID, rep.Original.Subject, rep.Original.Domains)
	}
	return b.String()
}
