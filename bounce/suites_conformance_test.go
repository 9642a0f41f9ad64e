package bounce_test

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/bouncekit/bouncekit/bounce"
	"github.com/bouncekit/bouncekit/internal/bouncesuites"
)

func openSuites(tb testing.TB) *bouncesuites.Suites {
	tb.Helper()
	s, err := bouncesuites.Find("../../shared/bounce-suites")
	if err != nil {
		tb.Skipf("shared bounce suites not available (%v): conformance not measured", err)
	}
	return s
}

// suiteScore counts, per check, the fixtures the check applies to and
// those it passed. Each check only looks at what the suite asserts.
type suiteScore struct {
	bounce, bounceOK int // is_bounce asserted (delay warnings aside): bounce or not right
	recips, recipsOK int // recipients asserted (non-empty): every one found
	counts, countsOK int // recipients asserted: as many records as recipients
	status, statusOK int // status asserted: a record has it
	code, codeOK     int // SMTP code asserted: a record's reply has it
	delays, delaysOK int // delay warnings: every record has action delayed
	misses           []string
}

// isBounce is what "a bounce" means for the suites' is_bounce: a delivery
// report with at least one recipient record. A complaint or an auto-reply
// is not a bounce.
func isBounce(rep *bounce.Report) bool {
	return (rep.Kind == bounce.KindDeliveryStatus || rep.Kind == bounce.KindBounce) && len(rep.Records) > 0
}

func parseSuiteFile(tb testing.TB, s *bouncesuites.Suites, e bouncesuites.Entry) *bounce.Report {
	tb.Helper()
	b, err := s.Read(e)
	if err != nil {
		tb.Fatalf("%s: %v", e.Name(), err)
	}
	rep, _ := bounce.ParseMessage(bytes.NewReader(b))
	return rep
}

func measureSuites(tb testing.TB, s *bouncesuites.Suites, keep func(bouncesuites.Entry) bool) suiteScore {
	var sc suiteScore
	miss := func(e bouncesuites.Entry, rep *bounce.Report, format string, args ...any) {
		sc.misses = append(sc.misses, fmt.Sprintf("%s: %s (%s/%s: %s)", e.Name(), fmt.Sprintf(format, args...), rep.Kind, rep.Format, recordList(rep)))
	}
	for _, e := range s.Entries {
		if !keep(e) {
			continue
		}
		rep := parseSuiteFile(tb, s, e)
		if e.Delay() {
			// A delay warning is scored on its action: the suites disagree
			// whether it is "a bounce" (SpamAssassin yes, the mail gem no).
			sc.delays++
			ok := len(rep.Records) > 0
			for _, r := range rep.Records {
				ok = ok && r.Action == bounce.ActionDelayed
			}
			if ok {
				sc.delaysOK++
			} else {
				miss(e, rep, "delay warning not read as delayed")
			}
		} else if e.IsBounce != nil {
			sc.bounce++
			if got := isBounce(rep); got == *e.IsBounce {
				sc.bounceOK++
			} else {
				miss(e, rep, "bounce %v, want %v", got, *e.IsBounce)
			}
		}
		if e.Recipients != nil && len(*e.Recipients) > 0 {
			want := *e.Recipients
			sc.recips++
			all := true
			for _, w := range want {
				if !recipientIn(rep.Records, w) && !originalRecipientIn(rep.Records, w) {
					all = false
					miss(e, rep, "recipient %s not found", w)
				}
			}
			if all {
				sc.recipsOK++
			}
			sc.counts++
			if len(rep.Records) == len(want) {
				sc.countsOK++
			} else {
				miss(e, rep, "%d records, want %d", len(rep.Records), len(want))
			}
		}
		if e.Status != "" {
			sc.status++
			found := false
			for _, r := range rep.Records {
				found = found || r.Status.String() == e.Status
			}
			if found {
				sc.statusOK++
			} else {
				miss(e, rep, "status %s not found", e.Status)
			}
		}
		if e.SMTPCode != "" {
			sc.code++
			found := false
			for _, r := range rep.Records {
				found = found || fmt.Sprint(r.Reply.Code) == e.SMTPCode
			}
			if found {
				sc.codeOK++
			} else {
				miss(e, rep, "SMTP code %s not found", e.SMTPCode)
			}
		}
	}
	return sc
}

// originalRecipientIn: the suites assert the address the sender used,
// which is the Original-Recipient (RFC 3464 §2.3.1, Postfix's "expanded
// from") when an alias or a forward changed it; Recipient stays the
// Final-Recipient, the address that failed.
func originalRecipientIn(rs []bounce.Record, a string) bool {
	for _, r := range rs {
		if strings.EqualFold(r.OriginalRecipient, a) {
			return true
		}
	}
	return false
}

func recordList(rep *bounce.Report) string {
	var b strings.Builder
	for i, r := range rep.Records {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%q %s %s %d", r.Recipient, r.Action, r.Status, r.Reply.Code)
	}
	return "[" + b.String() + "]"
}

func pct(n, d int) float64 {
	if d == 0 {
		return 100
	}
	return 100 * float64(n) / float64(d)
}

// TestConformanceSuites checks the parser against what eleven other
// projects' test suites assert about their bounce fixtures
// (../shared/bounce-suites, see its README and docs/conformance.md).
// Floors are set a little under the measured figures so that a change that
// loses ground fails.
func TestConformanceSuites(t *testing.T) {
	s := openSuites(t)
	sc := measureSuites(t, s, func(bouncesuites.Entry) bool { return true })
	msgs := measureSuites(t, s, func(e bouncesuites.Entry) bool { return !e.BodyOnly() })
	t.Logf("suites: %d fixtures; figures for all, then for the complete messages (not body-only)", len(s.Entries))
	checks := []struct {
		name   string
		n, d   int
		mn, md int
		floor  float64
	}{
		{"bounce or not", sc.bounceOK, sc.bounce, msgs.bounceOK, msgs.bounce, 97},
		{"every expected recipient found", sc.recipsOK, sc.recips, msgs.recipsOK, msgs.recips, 97},
		{"record count equals recipients", sc.countsOK, sc.counts, msgs.countsOK, msgs.counts, 97},
		{"status", sc.statusOK, sc.status, msgs.statusOK, msgs.status, 95},
		{"SMTP code", sc.codeOK, sc.code, msgs.codeOK, msgs.code, 94},
		{"delay warnings read as delayed", sc.delaysOK, sc.delays, msgs.delaysOK, msgs.delays, 90},
	}
	for _, c := range checks {
		t.Logf("%-32s %3d/%3d (%5.1f%%)   messages %3d/%3d (%5.1f%%)", c.name, c.n, c.d, pct(c.n, c.d), c.mn, c.md, pct(c.mn, c.md))
		if p := pct(c.n, c.d); p < c.floor {
			t.Errorf("%s: %.1f%%, floor is %.0f%%", c.name, p, c.floor)
		}
	}
	if testing.Verbose() || os.Getenv("BOUNCEKIT_MISSES") != "" {
		for _, m := range sc.misses {
			t.Log(m)
		}
	}
}
