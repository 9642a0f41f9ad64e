package segment

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"
)

// FuzzAggregateJSON feeds arbitrary bytes to Aggregate.UnmarshalJSON, the
// reader of serialised aggregates that shards and map-reduce jobs exchange:
// no panic; a rejected input gives an error wrapping ErrBadAggregate; an
// accepted one writes back canonically (marshal, read, marshal gives the same
// bytes), can be merged into another aggregate, and can be reported on.
func FuzzAggregateJSON(f *testing.F) {
	small := plan{n: 12, seed: 7, campaigns: []campaignPlan{{name: "c", templates: []string{"t1", "t2"}}},
		fail: mixedPlan().fail}
	// A small aggregate keeps the seed (and the inputs grown from it) to
	// about a kilobyte, so minimising a new input fits in a short run.
	data, err := json.Marshal(aggregate(small.events(), Options{}))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	f.Add([]byte(`{"version":1,"window_ns":900000000000}`))
	f.Add([]byte(`{"version":1,"window_ns":1,"providers":[{"provider":"apple"}]}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, in []byte) {
		var a Aggregate
		if err := json.Unmarshal(in, &a); err != nil {
			var se *json.SyntaxError
			if !errors.Is(err, ErrBadAggregate) && !errors.As(err, &se) {
				t.Fatalf("error %v wraps neither ErrBadAggregate nor a JSON syntax error", err)
			}
			return
		}
		out, err := json.Marshal(&a)
		if err != nil {
			t.Fatalf("marshal after a successful read: %v", err)
		}
		var b Aggregate
		if err := json.Unmarshal(out, &b); err != nil {
			t.Fatalf("reading back what was written: %v\n%s", err, out)
		}
		again, _ := json.Marshal(&b)
		if !bytes.Equal(out, again) {
			t.Fatalf("not canonical:\n%s\n%s", out, again)
		}
		m := NewAggregate(Options{Window: a.Options().Window})
		if err := m.Merge(&a); err != nil {
			t.Fatalf("merging an accepted aggregate: %v", err)
		}
		_ = NewReport(&a, ReportOptions{})
	})
}
