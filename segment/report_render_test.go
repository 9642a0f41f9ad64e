package segment

import (
	"bytes"
	"context"
	"encoding/csv"
	"strings"
	"testing"
	"unicode/utf8"
)

// hostileEvents have values far wider than a terminal, markup and
// spreadsheet formulas in the fields a report prints.
func hostileEvents() []Event {
	long := strings.Repeat("very-long-label-", 12) + "example"
	var evs []Event
	for i := range 400 {
		ev := Event{Recipient: "u" + string(rune('a'+i%26)) + "@" + long + ".com", Outcome: OutcomeDelivered, ReplyText: "250 OK",
			Attrs: []Attr{{"link_host", "ok.example"}}}
		if i%4 == 0 {
			ev.Outcome = OutcomeBounced
			ev.Recipient = "=HYPERLINK(\"x\")" + strings.Repeat("b", i) + "@icloud.com"
			ev.ReplyText = "554 5.7.1 [CS01] Message rejected due to local policy <script>alert(1)</script>"
			ev.Attrs = []Attr{{"link_host", "<b>" + long + "</b>"}}
		}
		evs = append(evs, ev)
	}
	return evs
}

func TestTextReportStaysWithin100ColumnsOnHostileInput(t *testing.T) {
	for name, evs := range map[string][]Event{"hostile": hostileEvents(), "link host": linkHostEvents()} {
		r, err := BuildReport(context.Background(), seqOf(evs), ReportOptions{Suppressions: true})
		if err != nil {
			t.Fatal(err)
		}
		for _, colour := range []bool{false, true} {
			var b bytes.Buffer
			if err := r.WriteTextOptions(&b, TextOptions{Colour: colour}); err != nil {
				t.Fatal(err)
			}
			if colour != strings.Contains(b.String(), "\x1b[") {
				t.Errorf("%s: colour %v but escape codes present = %v", name, colour, !colour)
			}
			for _, l := range strings.Split(b.String(), "\n") {
				plain := stripANSI(l)
				if n := utf8.RuneCountInString(plain); n > TextWidth {
					t.Errorf("%s: line of %d columns: %q", name, n, plain)
				}
			}
		}
	}
}

func stripANSI(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == 0x1b {
			for i < len(s) && s[i] != 'm' {
				i++
			}
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func TestSuppressionListsKeepCS01AndSuppressUnknownUsers(t *testing.T) {
	evs := []Event{
		{Recipient: "Gone@Gmail.com", Outcome: OutcomeBounced, ReplyText: "550 5.1.1 The email account that you tried to reach does not exist"},
		{Recipient: "gone@gmail.com", Outcome: OutcomeBounced, ReplyText: "421 4.7.0 try again later"},
		{Recipient: "fine@icloud.com", Outcome: OutcomeBounced, ReplyText: "554 5.7.1 [CS01] Message rejected due to local policy"},
		{Recipient: "full@comcast.net", Outcome: OutcomeBounced, ReplyText: "552 5.2.2 mailbox full"},
		{Recipient: "ok@yahoo.com", Outcome: OutcomeDelivered, ReplyText: "250 ok"},
	}
	r, err := BuildReport(context.Background(), seqOf(evs), ReportOptions{Suppressions: true})
	if err != nil {
		t.Fatal(err)
	}
	s := r.Suppress
	if len(s.Suppress) != 1 || s.Suppress[0].Address != "gone@gmail.com" || s.Suppress[0].Bounces != 2 || s.Suppress[0].Category != "recipient_unknown" {
		t.Errorf("suppress %+v", s.Suppress)
	}
	if len(s.Keep) != 1 || s.Keep[0].Address != "fine@icloud.com" || s.Keep[0].Tag != "CS01" || !strings.Contains(s.Keep[0].Reply, "[CS01]") {
		t.Errorf("keep %+v", s.Keep)
	}
	r2, _ := BuildReport(context.Background(), seqOf(evs), ReportOptions{})
	if r2.Suppress != nil {
		t.Error("lists collected without ReportOptions.Suppressions")
	}
	if want := (AddressCounts{Suppress: 1, Keep: 1}); r2.AddressCounts != want || r.AddressCounts != want {
		t.Errorf("counts %+v without the lists, %+v with them, want %+v", r2.AddressCounts, r.AddressCounts, want)
	}
	held := r.Suppress
	r.Brakes = []Brake{{Provider: "google", Hold: true, Reason: "google incident"}}
	col := newSuppressCollector(nil, 0, true)
	a := NewAggregate(Options{})
	for i := range evs {
		col.add(a, &evs[i])
	}
	withBrake := col.lists(r.Brakes)
	counter := newSuppressCollector(nil, 0, false)
	for i := range evs {
		counter.add(a, &evs[i])
	}
	if c := counter.addressCounts(r.Brakes, nil); c != (AddressCounts{Keep: 2}) {
		t.Errorf("counts with the brake on google: %+v", c)
	}
	if len(withBrake.Suppress) != 0 || len(withBrake.Keep) != 2 || !strings.Contains(withBrake.Keep[0].Reason+withBrake.Keep[1].Reason, "suppression brake: google incident") {
		t.Errorf("with the brake on google: %+v (without: %+v)", withBrake, held)
	}
	col = newSuppressCollector(nil, 1, true)
	for i := range evs {
		col.add(a, &evs[i])
	}
	if l := col.lists(nil); len(l.Suppress)+len(l.Keep) != 1 || l.Dropped != 1 {
		t.Errorf("limit 1: %+v", l)
	}
}

func TestCSVCellsCannotBeFormulas(t *testing.T) {
	r, err := BuildReport(context.Background(), seqOf(hostileEvents()), ReportOptions{Suppressions: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, write := range []func(*bytes.Buffer) error{
		func(b *bytes.Buffer) error { return r.WriteCSV(b) },
		func(b *bytes.Buffer) error { return r.WriteSuppressionsCSV(b) },
	} {
		var b bytes.Buffer
		if err := write(&b); err != nil {
			t.Fatal(err)
		}
		recs, err := csv.NewReader(&b).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) < 2 {
			t.Fatalf("%d records", len(recs))
		}
		for _, rec := range recs {
			if len(rec) != len(recs[0]) {
				t.Errorf("ragged row %q", rec)
			}
			for _, c := range rec {
				if c != "" && strings.ContainsRune("=+@", rune(c[0])) {
					t.Errorf("cell %q could be read as a formula", c)
				}
			}
		}
	}
}

func TestHTMLReportEscapesInput(t *testing.T) {
	r, err := BuildReport(context.Background(), seqOf(hostileEvents()), ReportOptions{Suppressions: true, Diagnose: DiagnoseOptions{All: true}})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := r.WriteHTML(&b); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), "<script") || strings.Contains(b.String(), "<b>very") {
		t.Error("input markup reached the page unescaped")
	}
}

func FuzzWrapText(f *testing.F) {
	f.Add("Next step: Check deals.partnerhub.example and its redirect chain against domain blocklists", 40)
	f.Add(strings.Repeat("x", 250)+" a b", 10)
	f.Fuzz(func(t *testing.T, s string, width int) {
		width = 8 + abs(width)%120
		out := wrapText(s, width, "  - ", "    ")
		// The text again, each line without its own prefix (the first
		// line's "  - ", the others' "    "): the same characters, save
		// white space. (Stripping "  - " everywhere would also eat a
		// continuation line that starts with "- ".)
		var text strings.Builder
		for i, l := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
			if n := utf8.RuneCountInString(l); n > width {
				t.Fatalf("line of %d > %d: %q", n, width, l)
			}
			prefix := "    "
			if i == 0 {
				prefix = "  - "
			}
			if !strings.HasPrefix(l, prefix) {
				t.Fatalf("line %d without its prefix %q: %q", i, prefix, l)
			}
			text.WriteString(strings.TrimPrefix(l, prefix))
		}
		if got, want := strings.Join(strings.Fields(text.String()), ""), strings.Join(strings.Fields(s), ""); utf8.ValidString(s) && got != want {
			t.Fatalf("words changed: %q -> %q", want, got)
		}
	})
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
