package segment

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"
)

type readResult struct {
	events   []Event
	errLines []int
	errs     []error
	stats    ReadStats
}

func readAll(t testing.TB, f Format, data []byte) readResult {
	t.Helper()
	rd := &Reader{Format: f, Year: 2026}
	var res readResult
	for ev, err := range rd.Events(bytes.NewReader(data)) {
		if err != nil {
			var re *RowError
			if !errors.As(err, &re) {
				res.errs = append(res.errs, err)
				continue
			}
			res.errLines = append(res.errLines, re.Line)
			res.errs = append(res.errs, err)
			continue
		}
		res.events = append(res.events, ev)
	}
	res.stats = rd.Stats
	return res
}

func recipients(evs []Event) []string {
	var out []string
	for _, e := range evs {
		out = append(out, e.Recipient+":"+string(e.Outcome))
	}
	return out
}

func TestReadersReadEveryFormatAndReportBadRowsByLine(t *testing.T) {
	tests := []struct {
		file      string
		format    Format
		want      []string
		errLines  []int
		errIs     []error
		ignored   int64
		checkFunc func(t *testing.T, evs []Event)
	}{
		{
			file: "events.csv", format: FormatCSV,
			want:     []string{"ann@icloud.com:delivered", "bob@icloud.com:bounced", "cat@gmail.com:deferred", "fay@me.com:complained", "ivy@outlook.com:delivered"},
			errLines: []int{6, 7, 10, 11},
			errIs:    []error{ErrBadOutcome, ErrBadRecord, ErrBadTime, ErrBadValue},
			checkFunc: func(t *testing.T, evs []Event) {
				bob, cat, fay := evs[1], evs[2], evs[3]
				if !strings.HasPrefix(bob.ReplyText, "554 5.7.1 [CS01] Message rejected due to local policy.") || bob.Attr("link_host") != "deals.partnerhub.example" {
					t.Errorf("bob = %+v", bob)
				}
				if bob.Campaign != "spring" || bob.Template != "spring-v3" || bob.SendingIP != "192.0.2.10" || bob.MessageID != "<2@shop.example>" || bob.SubscriberAge != 400*24*time.Hour {
					t.Errorf("bob known columns = %+v", bob)
				}
				if cat.ReplyText != "421-4.7.0 Try again later, closing connection.\n421 4.7.0 (multi-line, quoted) - gsmtp" || cat.Attr("subject") != `Spring "sale"` {
					t.Errorf("cat: reply %q subject %q", cat.ReplyText, cat.Attr("subject"))
				}
				if !fay.Transactional || fay.SubscriberAge != 84*time.Hour || !fay.Time.Equal(time.Date(2026, 5, 12, 14, 0, 5, 0, time.UTC)) || fay.Attr("link_host") != "" {
					t.Errorf("fay = %+v", fay)
				}
			},
		},
		{
			file: "events.jsonl", format: FormatJSONL,
			want:     []string{"ann@icloud.com:delivered", "bob@icloud.com:bounced", "dan@gmail.com:deferred"},
			errLines: []int{3, 4, 5},
			errIs:    []error{ErrBadOutcome, ErrBadRecord, ErrBadValue},
			checkFunc: func(t *testing.T, evs []Event) {
				if got := evs[0].Attrs; !reflect.DeepEqual(got, []Attr{{"link_host", "www.shop.example"}, {"score", "7"}}) {
					t.Errorf("ann attrs = %v", got)
				}
				if !evs[2].Transactional || evs[2].Time.Unix() != 1778594405 {
					t.Errorf("dan = %+v", evs[2])
				}
			},
		},
		{
			file: "postfix.log", format: FormatPostfix,
			want:     []string{"bob@icloud.com:bounced", "ann@icloud.com:delivered", "eve@yahoo.com:deferred", "eve@yahoo.com:bounced"},
			errLines: []int{5, 6},
			errIs:    []error{ErrNoRecipient, ErrBadTime},
			ignored:  2,
			checkFunc: func(t *testing.T, evs []Event) {
				if !strings.Contains(evs[0].ReplyText, "554 5.7.1 [CS01]") || evs[0].MessageID != "4BxyZ1" || evs[0].Attr("relay") != "mx01.mail.icloud.com" {
					t.Errorf("bob = %+v", evs[0])
				}
				if !evs[0].Time.Equal(time.Date(2026, 5, 12, 14, 0, 1, 0, time.UTC)) {
					t.Errorf("syslog time = %v", evs[0].Time)
				}
				// The expiry counts the recipient deferred before, with its last reply.
				if !strings.Contains(evs[3].ReplyText, "[TSS04]") || evs[3].MessageID != "4BxyZ3" {
					t.Errorf("expired = %+v", evs[3])
				}
			},
		},
		{
			file: "pmta.csv", format: FormatPMTA,
			want:     []string{"ann@icloud.com:delivered", "bob@icloud.com:bounced", "eve@yahoo.com:deferred", "gus@outlook.com:bounced"},
			errLines: []int{6, 7},
			errIs:    []error{ErrBadTime, ErrBadRecord},
			ignored:  1,
			checkFunc: func(t *testing.T, evs []Event) {
				bob := evs[1]
				if bob.ReplyText != "554 5.7.1 [CS01] Message rejected due to local policy" || bob.Campaign != "spring" || bob.SendingIP != "192.0.2.10" || bob.MessageID != "env-2" {
					t.Errorf("bob = %+v", bob)
				}
				if bob.Attr("subject") != "Spring sale" || bob.Attr("bouncecat") != "policy-related" || bob.Attr("remote_mta") == "" {
					t.Errorf("bob attrs = %v", bob.Attrs)
				}
				if evs[3].ReplyText != "5.0.0" {
					t.Errorf("rb without diag: reply %q", evs[3].ReplyText)
				}
			},
		},
		{
			file: "kumo.jsonl", format: FormatKumo,
			want:     []string{"ann@icloud.com:delivered", "bob@icloud.com:bounced", "eve@yahoo.com:deferred"},
			errLines: []int{5, 6},
			ignored:  1,
			checkFunc: func(t *testing.T, evs []Event) {
				if evs[0].SendingIP != "192.0.2.10" || evs[0].Campaign != "spring" || evs[0].Attr("link_host") != "www.shop.example" {
					t.Errorf("ann = %+v", evs[0])
				}
				if evs[1].ReplyText != "554 5.7.1 [CS01] Message rejected due to local policy" {
					t.Errorf("bob reply = %q", evs[1].ReplyText)
				}
			},
		},
		{
			file: "ses.jsonl", format: FormatSES,
			want:     []string{"bob@icloud.com:bounced", "hal@icloud.com:bounced", "ann@icloud.com:delivered", "fay@me.com:complained", "eve@yahoo.com:deferred", "ivy@outlook.com:delivered"},
			errLines: []int{7, 8},
			errIs:    []error{ErrBadRecord, ErrBadRecord},
			ignored:  1,
			checkFunc: func(t *testing.T, evs []Event) {
				if evs[0].ReplyText != "554 5.7.1 [CS01] Message rejected due to local policy" || evs[0].Campaign != "spring" || evs[0].Template != "spring-v3" {
					t.Errorf("bob = %+v", evs[0])
				}
				if evs[0].Attr("from_domain") != "shop.example" || evs[0].Attr("subject") != "Spring sale" || evs[0].Attr("ses:source-ip") != "" {
					t.Errorf("bob attrs = %v", evs[0].Attrs)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			data, err := os.ReadFile("testdata/" + tt.file)
			if err != nil {
				t.Fatal(err)
			}
			if got := DetectFormat(data); got != tt.format {
				t.Errorf("DetectFormat = %q, want %q", got, tt.format)
			}
			for _, f := range []Format{tt.format, FormatAuto} {
				res := readAll(t, f, data)
				if got := recipients(res.events); !reflect.DeepEqual(got, tt.want) {
					t.Fatalf("%s: events\n got %q\nwant %q\nerrors %v", f, got, tt.want, res.errs)
				}
				if !reflect.DeepEqual(res.errLines, tt.errLines) {
					t.Errorf("%s: error lines %v, want %v (%v)", f, res.errLines, tt.errLines, res.errs)
				}
				for i, want := range tt.errIs {
					if i < len(res.errs) && !errors.Is(res.errs[i], want) {
						t.Errorf("%s: error %d = %v, want %v", f, i, res.errs[i], want)
					}
				}
				st := res.stats
				if st.Events != int64(len(tt.want)) || st.Skipped != int64(len(tt.errLines)) || st.Ignored != tt.ignored || st.Format != tt.format {
					t.Errorf("%s: stats %+v", f, st)
				}
				tt.checkFunc(t, res.events)
			}
		})
	}
}

func TestCSVWithoutRequiredColumnsStopsWithMissingColumn(t *testing.T) {
	res := readAll(t, FormatCSV, []byte("time,email_address,status\n2026-05-12T14:00:00Z,a@b.com,delivered\n"))
	if len(res.events) != 0 || len(res.errs) != 1 || !errors.Is(res.errs[0], ErrMissingColumn) || res.errLines[0] != 1 {
		t.Fatalf("got %v %v", res.events, res.errs)
	}
}

func TestReaderSkipsOverlongLinesAndGoesOn(t *testing.T) {
	var b strings.Builder
	b.WriteString("recipient,outcome,subject\n")
	b.WriteString("a@gmail.com,delivered,short\n")
	b.WriteString("b@gmail.com,delivered," + strings.Repeat("x", 300) + "\n")
	b.WriteString("c@gmail.com,bounced,short\n")
	rd := &Reader{Format: FormatCSV, MaxLineBytes: 200}
	var got []string
	var lines []int
	for ev, err := range rd.Events(strings.NewReader(b.String())) {
		var re *RowError
		if errors.As(err, &re) && errors.Is(err, ErrLineTooLong) {
			lines = append(lines, re.Line)
			continue
		}
		got = append(got, ev.Recipient)
	}
	if !reflect.DeepEqual(got, []string{"a@gmail.com", "c@gmail.com"}) || !reflect.DeepEqual(lines, []int{3}) {
		t.Fatalf("got %v, too-long lines %v", got, lines)
	}
}

func TestUnknownInputIsATypedError(t *testing.T) {
	res := readAll(t, FormatAuto, []byte("hello world\nthis is not an event log\n"))
	if len(res.errs) != 1 || !errors.Is(res.errs[0], ErrUnknownFormat) {
		t.Fatalf("errs = %v", res.errs)
	}
	if _, err := ParseFormat("xml"); !errors.Is(err, ErrUnknownFormat) {
		t.Fatalf("ParseFormat(xml) = %v", err)
	}
}

func TestStoppingEarlyStopsReading(t *testing.T) {
	data, _ := os.ReadFile("testdata/events.csv")
	n := 0
	for range ReadCSV(bytes.NewReader(data)) {
		n++
		if n == 2 {
			break
		}
	}
	if n != 2 {
		t.Fatal(n)
	}
}

func TestParseOutcomeAcceptsMTAWords(t *testing.T) {
	for in, want := range map[string]Outcome{"sent": OutcomeDelivered, "Expired": OutcomeBounced, "delay": OutcomeDeferred, "FBL": OutcomeComplained} {
		if got, err := ParseOutcome(in); err != nil || got != want {
			t.Errorf("ParseOutcome(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := ParseOutcome("exploded"); !errors.Is(err, ErrBadOutcome) {
		t.Errorf("err = %v", err)
	}
}

// fuzzRead checks that a reader never panics, yields only events with a
// recipient and a known outcome or *RowErrors with a positive line, and
// yields the same thing twice.
func fuzzRead(f *testing.F, format Format, seeds ...string) {
	for _, s := range seeds {
		if data, err := os.ReadFile("testdata/" + s); err == nil {
			f.Add(data)
		} else {
			f.Add([]byte(s))
		}
	}
	// Build the classifier before fuzzing: its first use builds the rule
	// automaton, which takes seconds under coverage instrumentation and
	// would read as a hung input.
	classifyText(nil, "554 5.7.1 [CS01] warm-up", "a@icloud.com")
	f.Fuzz(func(t *testing.T, data []byte) {
		run := func() string {
			var b strings.Builder
			rd := &Reader{Format: format, MaxLineBytes: 4096, Year: 2026}
			for ev, err := range rd.Events(bytes.NewReader(data)) {
				if err != nil {
					var re *RowError
					if errors.As(err, &re) && re.Line <= 0 {
						t.Fatalf("row error without a line: %v", err)
					}
					fmt.Fprintf(&b, "E %v\n", err)
					continue
				}
				if ev.Recipient == "" || outcomeIndex(ev.Outcome) == oNone {
					t.Fatalf("bad event %+v", ev)
				}
				fmt.Fprintf(&b, "%v|%s|%s|%q|%s|%v\n", ev.Time.UnixNano(), ev.Recipient, ev.Outcome, ev.ReplyText, ev.Campaign, ev.Attrs)
			}
			fmt.Fprintf(&b, "%+v", rd.Stats)
			return b.String()
		}
		a := NewAggregate(Options{})
		for ev, err := range (&Reader{Format: format}).Events(bytes.NewReader(data)) {
			if err == nil {
				a.Add(&ev)
			}
		}
		if first, second := run(), run(); first != second {
			t.Fatalf("not deterministic:\n%s\n---\n%s", first, second)
		}
	})
}

func FuzzReadCSV(f *testing.F) {
	fuzzRead(f, FormatCSV, "events.csv", "recipient,outcome\n\"a@b.c\",\"deliv\"\"ered\n", "recipient,outcome,x\na@b,bounced,\"")
}

func FuzzReadJSONL(f *testing.F) {
	fuzzRead(f, FormatJSONL, "events.jsonl", `{"recipient":"a@b","outcome":"bounced","x":{"y":[1,2]}}`)
}

func FuzzReadPostfix(f *testing.F) {
	fuzzRead(f, FormatPostfix, "postfix.log", "May 12 14:00:00 h postfix/smtp[1]: Q: to=<a@b>, status=deferred (x)\nMay 12 14:00:00 h postfix/qmgr[1]: Q: from=<>, status=expired")
}

func FuzzReadPMTA(f *testing.F) {
	fuzzRead(f, FormatPMTA, "pmta.csv", "type,rcpt,dsnDiag\nb,a@b,smtp;550 x\n")
}

func FuzzReadKumo(f *testing.F) {
	fuzzRead(f, FormatKumo, "kumo.jsonl")
}

func FuzzReadSES(f *testing.F) {
	fuzzRead(f, FormatSES, "ses.jsonl")
}

func FuzzReadExim(f *testing.F) {
	fuzzRead(f, FormatExim, "2026-11-27 12:00:01 1vABCD-000123-AB ** cat@example.com R=dnslookup T=remote_smtp H=mx.example.com [192.0.2.5]: 550 5.1.1 User unknown\n2026-11-27 12:10:03 1vBOUN-000124-CD <= <> R=x\n")
}

func FuzzReadAuto(f *testing.F) {
	fuzzRead(f, FormatAuto, "[{\"eventType\":\"Bounce\"}]", "{\n \"type\": \"Delivery\",\n \"recipient\": \"a@b\"\n}\n")
}

// FuzzDedup checks that the streaming dedup with a small cap never panics,
// never yields more outcomes than events, and yields the same outcomes as
// the fold when its cap is not reached.
func FuzzDedup(f *testing.F) {
	f.Add([]byte{1, 2, 3, 4, 5, 6, 7, 8}, uint8(2))
	f.Fuzz(func(t *testing.T, data []byte, capacity uint8) {
		outs := []Outcome{OutcomeDeferred, OutcomeDelivered, OutcomeBounced, OutcomeComplained, "x"}
		var evs []Event
		for i := 0; i+1 < len(data); i += 2 {
			evs = append(evs, Event{MessageID: itoa(int(data[i] % 7)), Recipient: "r" + itoa(int(data[i]>>5)) + "@x",
				Outcome: outs[int(data[i+1])%len(outs)], Time: time.Unix(int64(data[i+1]>>3), 0)})
		}
		dd := &Dedup{MaxOpenKeys: int(capacity%8) + 1}
		n := 0
		for _, err := range dd.Events(seqOf(evs)) {
			if err != nil {
				t.Fatal(err)
			}
			n++
		}
		if n > len(evs) {
			t.Fatalf("%d outcomes from %d events", n, len(evs))
		}
		if dd.Stats.Early == 0 && n != len(Fold(evs)) {
			t.Fatalf("dedup %d outcomes, fold %d", n, len(Fold(evs)))
		}
	})
}
