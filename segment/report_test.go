package segment

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"iter"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

func linkHostEvents() []Event {
	return plan{n: 20000, seed: 7, fail: func(ev *Event, rng *rand.Rand) (Outcome, string) {
		if isApple(ev) && ev.Attr("link_host") == "deals.partnerhub.example" && rng.Float64() < 0.7 {
			return OutcomeBounced, cs01
		}
		return background(ev, rng)
	}}.events()
}

func seqOf(evs []Event) iter.Seq2[Event, error] {
	return func(yield func(Event, error) bool) {
		for _, ev := range evs {
			if !yield(ev, nil) {
				return
			}
		}
	}
}

func keys(m map[string]json.RawMessage) []string {
	var k []string
	for key := range m {
		k = append(k, key)
	}
	slices.Sort(k)
	return k
}

func TestReportJSONHasExactlyTheDocumentedFields(t *testing.T) {
	r, err := BuildReport(context.Background(), seqOf(linkHostEvents()), ReportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		t.Fatal(err)
	}
	if got := keys(top); !slices.Equal(got, []string{"address_counts", "brakes", "diagnosis", "errors", "filtered", "findings", "folded", "glossary", "not_sends", "outcomes", "providers", "skipped", "suppress", "tag_meanings", "thresholds", "total", "trends"}) {
		t.Fatalf("top-level keys %v", got)
	}
	want := map[string][]string{
		"providers": {"attempts", "bounced", "categories", "complained", "complaint_level", "complaint_rate", "deferral_rate", "deferred", "delivered", "domains", "failure_rate", "interval", "level", "provider", "sent", "tags", "time_to_delivery"},
		"findings":  {"attribute", "delivered", "fail_rate", "failed", "focus", "lift", "only_on_failures", "p_value", "provider", "q_value", "rest_rate", "value"},
		"diagnosis": {"cause", "escalate", "escalations", "evidence", "failure_rate", "focus", "hold_suppression", "interval", "level", "next_step", "pattern", "provider"},
		"trends":    {"points", "provider", "rising"},
	}
	for section, fields := range want {
		var items []map[string]json.RawMessage
		if err := json.Unmarshal(top[section], &items); err != nil || len(items) == 0 {
			t.Fatalf("%s: %v (%d items)", section, err, len(items))
		}
		for _, it := range items {
			if got := keys(it); !slices.Equal(got, fields) {
				t.Errorf("%s fields %v, want %v", section, got, fields)
			}
		}
	}
	var parsed struct {
		Findings []struct {
			Provider, Attribute, Value string
		}
		Diagnosis []struct {
			Provider, Pattern string
		}
	}
	json.Unmarshal(data, &parsed)
	if f := parsed.Findings[0]; f.Provider != "apple" || f.Attribute != "link_host" || f.Value != "deals.partnerhub.example" {
		t.Errorf("first finding %+v", f)
	}
	if d := parsed.Diagnosis[0]; d.Provider != "apple" || d.Pattern != "link_host" {
		t.Errorf("diagnosis %+v", d)
	}
}

func TestReportTextShowsTheTriage(t *testing.T) {
	r, err := BuildReport(context.Background(), seqOf(linkHostEvents()), ReportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := r.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"Per provider, each on its own denominator",
		"apple by domain:", "privaterelay.appleid.com", "apple by tag", "CS01",
		"The whole-send rate", "understates: apple",
		"link_host = deals.partnerhub.example",
		"apple: link_host (tag CS01",
		"Next step: Check deals.partnerhub.example",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("text report lacks %q:\n%s", want, out)
		}
	}
}

func TestBuildReportCountsSkippedRowsAndStopsOnReadErrors(t *testing.T) {
	boom := errors.New("disk on fire")
	seq := func(yield func(Event, error) bool) {
		_ = yield(Event{Recipient: "a@gmail.com", Outcome: OutcomeDelivered}, nil) &&
			yield(Event{}, &RowError{Format: FormatCSV, Line: 3, Err: ErrBadOutcome}) &&
			yield(Event{Recipient: "b@gmail.com", Outcome: OutcomeDelivered}, nil) &&
			yield(Event{}, boom) &&
			yield(Event{Recipient: "c@gmail.com", Outcome: OutcomeDelivered}, nil)
	}
	var progress []Progress
	r, err := BuildReport(context.Background(), seq, ReportOptions{ProgressEvery: 1, Progress: func(p Progress) { progress = append(progress, p) }})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
	if r.Skipped != 1 || r.Total.Delivered != 2 || len(r.Errors) != 1 {
		t.Errorf("skipped %d, delivered %d, errors %v", r.Skipped, r.Total.Delivered, r.Errors)
	}
	if len(progress) != 3 || !progress[2].Done || progress[2].Events != 2 {
		t.Errorf("progress %+v", progress)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := BuildReport(ctx, seqOf(linkHostEvents()), ReportOptions{}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}
