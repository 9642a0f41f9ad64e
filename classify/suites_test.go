package classify_test

import (
	"bytes"
	"fmt"
	"os"
	"testing"

	"github.com/bouncekit/bouncekit/bounce"
	"github.com/bouncekit/bouncekit/classify"
	"github.com/bouncekit/bouncekit/internal/bouncesuites"
)

// TestSuitesSeverity classifies every record of the shared bounce suites
// (../shared/bounce-suites) and compares it with what each suite asserts:
// hard (permanent) or soft (temporary), and for delay warnings that every
// record is soft and never suppressed. A record "agrees" when its severity
// is hard for an asserted hard bounce and soft for an asserted soft one; a
// final failure after transient errors (RFC 3464 action failed with a
// 4.x.x) is hard without being a bad address and counts as hard.
func TestSuitesSeverity(t *testing.T) {
	s, err := bouncesuites.Find("../../shared/bounce-suites")
	if err != nil {
		t.Skipf("shared bounce suites not available (%v)", err)
	}
	c := classify.Default()
	var hard, hardOK, delays, delaysOK, suppressed int
	var misses []string
	for _, e := range s.Entries {
		b, err := s.Read(e)
		if err != nil {
			t.Fatal(err)
		}
		rep, _ := bounce.ParseMessage(bytes.NewReader(b))
		var vs []classify.Verdict
		for i := range rep.Records {
			vs = append(vs, c.ClassifyRecord(rep, &rep.Records[i]))
		}
		if e.Delay() {
			delays++
			ok := len(vs) > 0
			for _, v := range vs {
				ok = ok && v.Severity == classify.SeveritySoft && !v.Suppress
			}
			if ok {
				delaysOK++
			} else {
				misses = append(misses, fmt.Sprintf("%s: delay warning not soft: %s", e.Name(), verdicts(vs)))
			}
		}
		if e.Hard != nil && len(vs) > 0 && !e.Delay() {
			hard++
			want := classify.SeveritySoft
			if *e.Hard {
				want = classify.SeverityHard
			}
			if vs[0].Severity == want {
				hardOK++
			} else {
				misses = append(misses, fmt.Sprintf("%s: severity %s, want %s: %s", e.Name(), vs[0].Severity, want, verdicts(vs)))
			}
		}
		if e.Hard != nil && !*e.Hard {
			for _, v := range vs {
				if v.Suppress {
					suppressed++
					misses = append(misses, fmt.Sprintf("%s: a soft bounce suppressed: %s", e.Name(), verdicts(vs)))
					break
				}
			}
		}
	}
	t.Logf("hard/soft as asserted: %d/%d (%.1f%%); delay warnings soft and not suppressed: %d/%d; soft bounces suppressed: %d",
		hardOK, hard, 100*float64(hardOK)/float64(max(hard, 1)), delaysOK, delays, suppressed)
	if testing.Verbose() || os.Getenv("BOUNCEKIT_MISSES") != "" {
		for _, m := range misses {
			t.Log(m)
		}
	}
	if delays > 0 && float64(delaysOK) < 0.9*float64(delays) {
		t.Errorf("delay warnings soft: %d/%d, floor is 90%%", delaysOK, delays)
	}
}

func verdicts(vs []classify.Verdict) string {
	var b bytes.Buffer
	for _, v := range vs {
		fmt.Fprintf(&b, "[%s %s suppress=%v rule=%s] ", v.Severity, v.Category, v.Suppress, v.Rule)
	}
	return b.String()
}
