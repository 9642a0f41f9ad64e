package segment

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/bouncekit/bouncekit/classify"
)

func mixedPlan() plan {
	return plan{n: 30000, seed: 99, campaigns: []campaignPlan{
		{name: "spring", templates: []string{"spring-v2", "spring-v3"}, newShare: 0.2},
		{name: "receipts", templates: []string{"receipt-v7"}, transactional: true},
		{name: "newsletter", templates: []string{"news-v1"}},
	}, fail: func(ev *Event, rng *rand.Rand) (Outcome, string) {
		switch x := rng.Float64(); {
		case isApple(ev) && x < 0.02:
			return OutcomeBounced, cs01
		case x < 0.004:
			return OutcomeBounced, unk
		case x < 0.008:
			return OutcomeDeferred, "421 4.7.0 [TSS04] Messages temporarily deferred"
		case x < 0.009:
			return OutcomeComplained, ""
		}
		return "", ""
	}}
}

func TestMergeOfShardsEqualsOnePass(t *testing.T) {
	evs := mixedPlan().events()
	// Day two re-sends to the same people, so the brake's memory matters.
	for i := range 5000 {
		ev := evs[i]
		ev.Time = ev.Time.Add(48 * 3600e9)
		ev.Campaign = "resend"
		evs = append(evs, ev)
	}
	single := aggregate(evs, Options{})
	for _, shards := range []int{2, 4, 7} {
		// Shard by recipient, as a map-reduce keyed on the address would.
		parts := make([]*Aggregate, shards)
		for i := range parts {
			parts[i] = NewAggregate(Options{})
		}
		for i := range evs {
			parts[hashFold(evs[i].Recipient)%uint64(shards)].Add(&evs[i])
		}
		merged := NewAggregate(Options{})
		for _, p := range parts {
			if err := merged.Merge(p); err != nil {
				t.Fatal(err)
			}
		}
		a, _ := json.Marshal(single)
		b, _ := json.Marshal(merged)
		if !bytes.Equal(a, b) {
			t.Fatalf("%d shards: merged aggregate differs from one pass (%d vs %d bytes)", shards, len(a), len(b))
		}
		if single.Stats().Recipients != merged.Stats().Recipients {
			t.Errorf("recipient memory %d vs %d", single.Stats().Recipients, merged.Stats().Recipients)
		}
		// And so is everything computed from it.
		r1, _ := json.Marshal(NewReport(single, ReportOptions{}))
		r2, _ := json.Marshal(NewReport(merged, ReportOptions{}))
		if !bytes.Equal(r1, r2) {
			t.Errorf("%d shards: reports differ:\n%s\n%s", shards, r1, r2)
		}
	}
	// Shards split by time instead still agree on every count.
	half := len(evs) / 2
	x, y := aggregate(evs[:half], Options{}), aggregate(evs[half:], Options{})
	if err := x.Merge(y); err != nil {
		t.Fatal(err)
	}
	if x.Total() != single.Total() || len(x.Providers(Policy{})) != len(single.Providers(Policy{})) {
		t.Errorf("time shards: %+v vs %+v", x.Total(), single.Total())
	}
}

func TestAggregateJSONRoundTrips(t *testing.T) {
	a := aggregate(mixedPlan().events(), Options{})
	data, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	var b Aggregate
	if err := json.Unmarshal(data, &b); err != nil {
		t.Fatal(err)
	}
	again, _ := json.Marshal(&b)
	if !bytes.Equal(data, again) {
		t.Fatal("JSON round trip changed the aggregate")
	}
	ca := a.Compare(Query{Provider: "apple", Tag: "CS01"})
	cb := b.Compare(Query{Provider: "apple", Tag: "CS01"})
	if ca.Failed != cb.Failed || len(ca.Findings) != len(cb.Findings) {
		t.Errorf("compare after round trip: %d/%d vs %d/%d", ca.Failed, len(ca.Findings), cb.Failed, len(cb.Findings))
	}
	if err := json.Unmarshal([]byte(`{"version":9}`), &b); !errors.Is(err, ErrBadAggregate) {
		t.Errorf("bad version: %v", err)
	}
	if err := NewAggregate(Options{Window: 60e9}).Merge(a); !errors.Is(err, ErrBadAggregate) {
		t.Errorf("merging different windows: %v", err)
	}
}

func TestAttributeValuesBeyondTheCapAreCountedUnderOther(t *testing.T) {
	a := NewAggregate(Options{MaxValuesPerAttr: 10})
	for i := range 1000 {
		ev := Event{Recipient: "u" + itoa(i) + "@gmail.com", Outcome: OutcomeDelivered, Attrs: []Attr{{"subject", "s" + itoa(i%100)}}}
		a.Add(&ev)
	}
	segs := a.Breakdown("google", "subject", Policy{})
	var total int64
	other := int64(0)
	for _, s := range segs {
		total += s.Sent()
		if s.Key == OtherValue {
			other = s.Sent()
		}
	}
	if len(segs) != 11 || total != 1000 || other != 900 {
		t.Fatalf("%d segments, total %d, other %d", len(segs), total, other)
	}
	st := a.Stats()
	if len(st.Folded) != 1 || st.Folded[0].Attr != "subject" || st.Folded[0].Rows != 900 {
		t.Errorf("folded = %+v", st.Folded)
	}
}

func TestMemoryGrowsWithKeysNotEvents(t *testing.T) {
	a := NewAggregate(Options{MaxRecipients: -1})
	evs := plan{n: 2000, seed: 5}.events()
	for round := range 3 {
		for i := range evs {
			a.Add(&evs[i])
		}
		st := a.Stats()
		if round == 0 {
			continue
		}
		if st.Values > 40 || st.Groups > 5 {
			t.Fatalf("round %d: %d values, %d groups", round, st.Values, st.Groups)
		}
	}
}

func TestDomainsSegmentAndRollUp(t *testing.T) {
	var calls []string
	a := NewAggregate(Options{ProviderFor: func(d string) classify.Provider {
		calls = append(calls, d)
		if d == "bigcorp.example" {
			return "google"
		}
		return ""
	}})
	tests := []struct {
		domain, segment string
		provider        classify.Provider
	}{
		{"icloud.com", "icloud.com", "apple"},
		{"ME.COM", "me.com", "apple"},
		{"mac.com", "mac.com", "apple"},
		{"privaterelay.appleid.com", "privaterelay.appleid.com", "apple"},
		{"gmail.com", "gmail.com", "google"},
		{"mail.bigcorp.example", "bigcorp.example", "google"},
		{"bigcorp.example", "bigcorp.example", "google"},
		{"shop.example.co.uk", "example.co.uk", ProviderOther},
		{"", "(none)", ProviderNone},
	}
	for _, tt := range tests {
		seg, prov := a.SegmentDomain(tt.domain)
		if seg != tt.segment || prov != tt.provider {
			t.Errorf("SegmentDomain(%q) = %q, %q; want %q, %q", tt.domain, seg, prov, tt.segment, tt.provider)
		}
	}
	if len(calls) != 2 || calls[0] != "bigcorp.example" {
		t.Errorf("ProviderFor calls = %q, want one per registrable domain", calls)
	}
	for i, d := range []string{"icloud.com", "me.com", "mac.com", "privaterelay.appleid.com"} {
		ev := Event{Recipient: "x" + itoa(i) + "@" + d, Outcome: OutcomeDelivered}
		a.Add(&ev)
	}
	ps := a.Provider("apple", Policy{})
	if ps.Sent() != 4 || len(ps.Domains) != 4 {
		t.Errorf("apple = %+v", ps)
	}
}

func TestLevelsFollowThresholdsAndMinimumSample(t *testing.T) {
	var th Thresholds
	tests := []struct {
		failed, sent int64
		want         Level
	}{
		{0, 1000, LevelWatch},
		{4, 1000, LevelWatch},
		{5, 1000, LevelInvestigate},
		{20, 1000, LevelInvestigate},
		{21, 1000, LevelPause},
		{3, 100, LevelInsufficient},
		{0, 0, LevelInsufficient},
	}
	for _, tt := range tests {
		if got := th.Level(NewRate(tt.failed, tt.sent)); got != tt.want {
			t.Errorf("%d/%d: %s, want %s", tt.failed, tt.sent, got, tt.want)
		}
	}
	p := Policy{Rules: []ThresholdRule{{Provider: "apple", Tag: "CS01", Thresholds: Thresholds{Investigate: 0.001, Pause: 0.01}}}}
	if got := p.For("apple", "CS01").Level(NewRate(15, 1000)); got != LevelPause {
		t.Errorf("apple CS01 override: %s", got)
	}
	if got := p.For("apple", "").Level(NewRate(15, 1000)); got != LevelInvestigate {
		t.Errorf("apple without tag: %s", got)
	}
}

func TestWilsonInterval(t *testing.T) {
	tests := []struct {
		k, n      int64
		low, high float64
	}{
		{0, 10, 0, 0.2775},
		{125, 5000, 0.0210, 0.0297},
		{10, 10, 0.7225, 1},
		{50, 100, 0.4038, 0.5962},
	}
	for _, tt := range tests {
		r := NewRate(tt.k, tt.n)
		if math.Abs(r.Low-tt.low) > 1e-4 || math.Abs(r.High-tt.high) > 1e-4 {
			t.Errorf("%d/%d: %.4f-%.4f, want %.4f-%.4f", tt.k, tt.n, r.Low, r.High, tt.low, tt.high)
		}
	}
}

func TestFisherExactMatchesBruteForce(t *testing.T) {
	brute := func(a, b, c, d int64) float64 {
		r1, r2, c1 := a+b, c+d, a+c
		n := r1 + r2
		logp := func(x int64) float64 {
			return lfact(r1) + lfact(r2) + lfact(c1) + lfact(n-c1) - lfact(n) - lfact(x) - lfact(r1-x) - lfact(c1-x) - lfact(r2-c1+x)
		}
		pa := math.Exp(logp(a))
		s := 0.0
		for x := max(0, c1-r2); x <= min(r1, c1); x++ {
			if p := math.Exp(logp(x)); p <= pa*(1+1e-7) {
				s += p
			}
		}
		return math.Min(1, s)
	}
	if p := FisherExact(3, 1, 1, 3); math.Abs(p-0.4857142857) > 1e-9 {
		t.Errorf("tea tasting: %v", p)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		a, b, c, d := rng.Int64N(40), rng.Int64N(400), rng.Int64N(60), rng.Int64N(3000)
		got, want := FisherExact(a, b, c, d), brute(a, b, c, d)
		if math.Abs(got-want) > 1e-9*math.Max(1, want) && math.Abs(got-want)/want > 1e-6 {
			t.Fatalf("FisherExact(%d,%d,%d,%d) = %g, want %g", a, b, c, d, got, want)
		}
	}
	// Large tables stay fast and sane.
	if p := FisherExact(125, 25, 0, 4850); p > 1e-100 || p < 0 {
		t.Errorf("strong effect: %g", p)
	}
	if p := FisherExact(50000, 5000000, 50100, 4990000); p < 0.05 {
		t.Errorf("no effect, large n: %g", p)
	}
}

func TestBenjaminiHochberg(t *testing.T) {
	q := BenjaminiHochberg([]float64{0.01, 0.04, 0.03, 0.005}, 0)
	want := []float64{0.02, 0.04, 0.04, 0.02}
	for i := range q {
		if math.Abs(q[i]-want[i]) > 1e-12 {
			t.Fatalf("q = %v, want %v", q, want)
		}
	}
	if q := BenjaminiHochberg([]float64{0.01}, 10); q[0] != 0.1 {
		t.Errorf("m=10: %v", q)
	}
}

func TestAddAllocatesNothingOnceKeysAreKnown(t *testing.T) {
	evs := mixedPlan().events()[:5000]
	a := aggregate(evs, Options{})
	i := 0
	allocs := testing.AllocsPerRun(5000, func() {
		a.Add(&evs[i%len(evs)])
		i++
	})
	if allocs != 0 {
		t.Fatalf("Add allocates %.2f times per event", allocs)
	}
}

func TestMXProviderPlacesCustomDomainsByTheirMailExchangers(t *testing.T) {
	mx := map[string][]string{
		"bigcorp.example":  {"aspmx.l.google.com", "alt1.aspmx.l.google.com"},
		"contoso.example":  {"contoso-example.mail.protection.outlook.com"},
		"selfhost.example": {"mx.selfhost.example"},
	}
	f := MXProvider(context.Background(), func(_ context.Context, d string) ([]string, error) {
		if h, ok := mx[d]; ok {
			return h, nil
		}
		return nil, errors.New("NXDOMAIN")
	})
	for d, want := range map[string]classify.Provider{"bigcorp.example": "google", "contoso.example": "microsoft", "selfhost.example": "", "gone.example": ""} {
		if got := f(d); got != want {
			t.Errorf("%s: %q, want %q", d, got, want)
		}
	}
	a := NewAggregate(Options{ProviderFor: f})
	if _, p := a.SegmentDomain("mail.bigcorp.example"); p != "google" {
		t.Errorf("segment provider %q", p)
	}
}

func TestCampaignsBeyondTheCapAreCountedUnderOther(t *testing.T) {
	a := NewAggregate(Options{MaxCampaigns: 3})
	for i := range 100 {
		ev := Event{Recipient: "u@gmail.com", Outcome: OutcomeDelivered, Campaign: "c" + itoa(i)}
		a.Add(&ev)
	}
	camps := a.Breakdown("google", AttrCampaign, Policy{})
	if len(camps) != 4 || camps[0].Key != OtherValue || camps[0].Sent() != 97 {
		t.Fatalf("campaigns %+v", camps)
	}
	if st := a.Stats(); len(st.Folded) != 1 || st.Folded[0] != (FoldedAttr{AttrCampaign, 97}) {
		t.Errorf("folded %+v", st.Folded)
	}
}

// Options.Classifier brings the queue's own rules and provider maps into
// the aggregate: a regional provider gets its own segment, and its replies
// the categories of the in-house rules.
func TestAggregateUsesTheGivenClassifier(t *testing.T) {
	c, err := classify.New(classify.Options{
		Providers: []classify.ProviderMap{{Provider: "acme-mail", Domains: []string{"acme-mail.example"}}},
		Before: []classify.Rule{{ID: "acme-unknown", Provider: "acme-mail", Code: "550", Any: []string{"adresa neexistuje"},
			Category: classify.CategoryRecipientUnknown, Suppress: true}},
	})
	if err != nil {
		t.Fatal(err)
	}
	events := []Event{
		{Recipient: "a@acme-mail.example", Outcome: OutcomeBounced, ReplyText: "550 Adresa neexistuje"},
		{Recipient: "b@acme-mail.example", Outcome: OutcomeDelivered},
		{Recipient: "c@other.example", Outcome: OutcomeBounced, ReplyText: "550 Adresa neexistuje"},
	}
	for name, tc := range map[string]struct {
		opt      Options
		provider classify.Provider
		category string
	}{
		"given classifier": {Options{Classifier: c}, "acme-mail", "recipient_unknown"},
		"default":          {Options{}, ProviderOther, "unknown"},
	} {
		a := NewAggregate(tc.opt)
		for i := range events {
			a.Add(&events[i])
		}
		ps := a.Provider(tc.provider, Policy{})
		if ps.Bounced < 1 || ps.Delivered != 1 {
			t.Errorf("%s: provider %q counts %+v", name, tc.provider, ps.Counts)
		}
		found := false
		for _, cat := range ps.Categories {
			found = found || cat.Key == tc.category
		}
		if !found {
			t.Errorf("%s: categories %+v, want %q among them", name, ps.Categories, tc.category)
		}
	}
}
