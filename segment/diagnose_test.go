package segment

import (
	"log/slog"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bouncekit/bouncekit/classify"
)

func diagnosisFor(ds []Diagnosis, p classify.Provider) *Diagnosis {
	for i := range ds {
		if ds[i].Provider == p {
			return &ds[i]
		}
	}
	return nil
}

func TestDiagnoseFindsEachPlantedPattern(t *testing.T) {
	tests := []struct {
		name      string
		plan      plan
		provider  classify.Provider
		pattern   Pattern
		causeAttr string
		causeVal  string
	}{
		{
			name: "CS01 on one link host is link_host",
			plan: plan{n: 20000, seed: 1, fail: func(ev *Event, rng *rand.Rand) (Outcome, string) {
				if isApple(ev) && ev.Attr("link_host") == "deals.partnerhub.example" && rng.Float64() < 0.7 {
					return OutcomeBounced, cs01
				}
				return background(ev, rng)
			}},
			provider: "apple", pattern: PatternLinkHost, causeAttr: "link_host", causeVal: "deals.partnerhub.example",
		},
		{
			name: "CS01 on a new template is new_template",
			plan: plan{n: 20000, seed: 2, campaigns: []campaignPlan{{name: "spring", templates: []string{"spring-v2", "spring-v3"}, newShare: 0.15}},
				fail: func(ev *Event, rng *rand.Rand) (Outcome, string) {
					if isApple(ev) && ev.Template == "spring-v3" && rng.Float64() < 0.15 {
						return OutcomeBounced, cs01
					}
					return background(ev, rng)
				}},
			provider: "apple", pattern: PatternNewTemplate, causeAttr: AttrTemplate, causeVal: "spring-v3",
		},
		{
			name: "CS01 on Private Relay addresses is relay_forwarding",
			plan: plan{n: 20000, seed: 3, fail: func(ev *Event, rng *rand.Rand) (Outcome, string) {
				if ev.Domain() == "privaterelay.appleid.com" && rng.Float64() < 0.12 {
					return OutcomeBounced, cs01
				}
				return background(ev, rng)
			}},
			provider: "apple", pattern: PatternRelayForwarding, causeAttr: AttrDomain, causeVal: "privaterelay.appleid.com",
		},
		{
			name: "CS01 on an empty personalised field is content_or_recipient naming the field",
			plan: plan{n: 20000, seed: 4, fail: func(ev *Event, rng *rand.Rand) (Outcome, string) {
				if isApple(ev) && ev.Attr("first_name") == "empty" && rng.Float64() < 0.12 {
					return OutcomeBounced, cs01
				}
				return background(ev, rng)
			}},
			provider: "apple", pattern: PatternContentOrRecipient, causeAttr: "first_name", causeVal: "empty",
		},
		{
			name: "Microsoft blocking half of everything across campaigns and templates is reputation_or_auth",
			plan: plan{n: 20000, seed: 5, campaigns: []campaignPlan{
				{name: "spring", templates: []string{"spring-v3"}},
				{name: "newsletter-19", templates: []string{"news-v1"}},
				{name: "receipts", templates: []string{"receipt-v7"}, transactional: true},
			}, fail: func(ev *Event, rng *rand.Rand) (Outcome, string) {
				if d := ev.Domain(); (d == "outlook.com" || d == "hotmail.com") && rng.Float64() < 0.5 {
					return OutcomeBounced, s3150
				}
				return background(ev, rng)
			}},
			provider: "microsoft", pattern: PatternReputationOrAuth,
		},
		{
			name: "CS01 on rows failing DKIM is reputation_or_auth",
			plan: plan{n: 20000, seed: 6,
				mutate: func(ev *Event, rng *rand.Rand) {
					dkim := "pass"
					if rng.Float64() < 0.05 {
						dkim = "fail"
					}
					ev.Attrs = append(ev.Attrs, Attr{"dkim", dkim})
				},
				fail: func(ev *Event, rng *rand.Rand) (Outcome, string) {
					if isApple(ev) && ev.Attr("dkim") == "fail" && rng.Float64() < 0.3 {
						return OutcomeBounced, cs01
					}
					return background(ev, rng)
				}},
			provider: "apple", pattern: PatternReputationOrAuth, causeAttr: "dkim", causeVal: "fail",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := aggregate(tt.plan.events(), Options{})
			ds := a.Diagnose(DiagnoseOptions{})
			d := diagnosisFor(ds, tt.provider)
			if d == nil {
				t.Fatalf("no diagnosis for %s; providers: %+v", tt.provider, a.Providers(Policy{}))
			}
			if d.Pattern != tt.pattern {
				t.Errorf("pattern = %s, want %s\nevidence: %q", d.Pattern, tt.pattern, d.Evidence)
			}
			if tt.causeAttr != "" {
				if d.Cause == nil || d.Cause.Attribute != tt.causeAttr || d.Cause.Value != tt.causeVal {
					t.Errorf("cause = %+v, want %s=%s", d.Cause, tt.causeAttr, tt.causeVal)
				}
			}
			if d.NextStep == "" || len(d.Evidence) < 2 {
				t.Errorf("thin diagnosis: %+v", d)
			}
			// Gmail's handful of unknown users is not a diagnosis.
			if g := diagnosisFor(ds, "google"); g != nil {
				t.Errorf("google diagnosed: %+v", g)
			}
		})
	}
}

func TestNoPlantedCauseGivesNoSignificantFinding(t *testing.T) {
	for seed := uint64(10); seed < 20; seed++ {
		evs := plan{n: 20000, seed: seed, fail: func(ev *Event, rng *rand.Rand) (Outcome, string) {
			if isApple(ev) && rng.Float64() < 0.025 {
				return OutcomeBounced, cs01
			}
			if rng.Float64() < 0.002 {
				return OutcomeBounced, unk
			}
			return "", ""
		}}.events()
		a := aggregate(evs, Options{})
		c := a.Compare(Query{Provider: "apple", Tag: "CS01"})
		if c.Failed < 100 || c.Tested < 15 {
			t.Fatalf("seed %d: compared %d failures over %d values", seed, c.Failed, c.Tested)
		}
		if sig := c.Significant(); len(sig) > 0 {
			t.Errorf("seed %d: significant finding with no cause: %+v", seed, sig)
		}
		d := diagnosisFor(a.Diagnose(DiagnoseOptions{}), "apple")
		if d == nil || d.Pattern != PatternContentOrRecipient || d.Cause != nil {
			t.Errorf("seed %d: diagnosis %+v", seed, d)
		}
	}
}

func TestEscalationSignals(t *testing.T) {
	t.Run("CS01 across unrelated campaigns, new and old subscribers alike", func(t *testing.T) {
		evs := plan{n: 30000, seed: 21, campaigns: []campaignPlan{
			{name: "spring", templates: []string{"spring-v3"}},
			{name: "newsletter-19", templates: []string{"news-v1"}},
		}, fail: func(ev *Event, rng *rand.Rand) (Outcome, string) {
			if isApple(ev) && rng.Float64() < 0.03 {
				return OutcomeBounced, cs01
			}
			return "", ""
		}}.events()
		d := diagnosisFor(aggregate(evs, Options{}).Diagnose(DiagnoseOptions{}), "apple")
		if d == nil || !d.Escalate {
			t.Fatalf("not escalated: %+v", d)
		}
		joined := strings.Join(d.Escalations, "|")
		if !strings.Contains(joined, "across unrelated campaigns") || !strings.Contains(joined, "new and old subscribers") {
			t.Errorf("escalations = %q", d.Escalations)
		}
		if !strings.HasPrefix(d.NextStep, "Escalate:") {
			t.Errorf("next step = %q", d.NextStep)
		}
	})
	t.Run("CS01 reaching transactional mail", func(t *testing.T) {
		evs := plan{n: 20000, seed: 22, campaigns: []campaignPlan{
			{name: "spring", templates: []string{"spring-v3"}},
			{name: "receipts", templates: []string{"receipt-v7"}, transactional: true},
		}, fail: func(ev *Event, rng *rand.Rand) (Outcome, string) {
			if isApple(ev) && ev.Attr("link_host") == "deals.partnerhub.example" && rng.Float64() < 0.7 {
				return OutcomeBounced, cs01
			}
			return "", ""
		}}.events()
		d := diagnosisFor(aggregate(evs, Options{}).Diagnose(DiagnoseOptions{}), "apple")
		if d == nil || d.Pattern != PatternLinkHost || !slices.Contains(d.Escalations, "it reaches transactional mail") {
			t.Fatalf("diagnosis %+v", d)
		}
	})
	t.Run("one link host on one campaign is not escalated", func(t *testing.T) {
		evs := plan{n: 20000, seed: 23, fail: func(ev *Event, rng *rand.Rand) (Outcome, string) {
			if isApple(ev) && ev.Attr("link_host") == "deals.partnerhub.example" && rng.Float64() < 0.7 {
				return OutcomeBounced, cs01
			}
			return "", ""
		}}.events()
		d := diagnosisFor(aggregate(evs, Options{}).Diagnose(DiagnoseOptions{}), "apple")
		if d == nil || d.Escalate {
			t.Fatalf("diagnosis %+v", d)
		}
	})
}

func TestTrendFlagsARisingRateWithAnInjectedClock(t *testing.T) {
	evs := plan{n: 8000, seed: 31, fail: func(ev *Event, rng *rand.Rand) (Outcome, string) {
		// The last 13 minutes of a 2h13m send fail ten times as often.
		rate := 0.003
		if ev.Time.Sub(t0) >= 120*60e9 {
			rate = 0.04
		}
		if isApple(ev) && rng.Float64() < rate {
			return OutcomeBounced, cs01
		}
		return "", ""
	}}.events()
	a := aggregate(evs, Options{Window: 30 * 60e9})
	trendOf := func(now int64) Trend {
		for _, tr := range a.Trend(TrendOptions{Now: func() time.Time { return t0.Add(time.Duration(now) * 60e9) }}) {
			if tr.Provider == "apple" {
				return tr
			}
		}
		t.Fatal("no apple trend")
		return Trend{}
	}
	if tr := trendOf(140); !tr.Rising || len(tr.Points) != 5 {
		t.Errorf("at the end: rising=%v points=%d %s", tr.Rising, len(tr.Points), tr.Reason)
	}
	// Seen from before the last window, nothing is rising yet.
	if tr := trendOf(100); tr.Rising || len(tr.Points) != 4 {
		t.Errorf("before the spike: rising=%v points=%d", tr.Rising, len(tr.Points))
	}
	d := diagnosisFor(a.Diagnose(DiagnoseOptions{Trend: TrendOptions{Now: func() time.Time { return t0.Add(140 * 60e9) }}}), "apple")
	if d == nil || !slices.Contains(d.Escalations, "the rate is rising") {
		t.Errorf("diagnosis %+v", d)
	}
}

func TestSuppressionBrakeHoldsWhenDeliveredAddressesSuddenlyFail(t *testing.T) {
	day1 := plan{n: 5000, seed: 41}.events()
	var day2 []Event
	rng := rand.New(rand.NewPCG(42, 0))
	for _, ev := range day1 {
		ev.Time = ev.Time.Add(24 * 3600e9)
		ev.Campaign = "day2"
		if ev.Domain() == "gmail.com" && rng.Float64() < 0.3 {
			ev.Outcome, ev.ReplyText = OutcomeBounced, unk
		}
		day2 = append(day2, ev)
	}
	a := aggregate(append(day1, day2...), Options{})
	bs := a.SuppressionBrake(BrakeOptions{})
	if len(bs) != 1 || bs[0].Provider != "google" || !bs[0].Hold || bs[0].Share < 0.25 {
		t.Fatalf("brakes = %+v", bs)
	}
	d := diagnosisFor(a.Diagnose(DiagnoseOptions{}), "google")
	if d == nil || !d.HoldSuppression || !strings.Contains(d.NextStep, "Hold suppression") {
		t.Fatalf("diagnosis %+v", d)
	}
	// The same failures on addresses never delivered to are ordinary
	// unknown users: no brake.
	if bs := aggregate(day2, Options{}).SuppressionBrake(BrakeOptions{}); len(bs) != 0 {
		t.Errorf("brake without history: %+v", bs)
	}
}

func TestUnknownUsersAboveInvestigateReadAsAListProblem(t *testing.T) {
	evs := plan{n: 20000, seed: 51,
		mutate: func(ev *Event, rng *rand.Rand) {
			src := "signup-form"
			if rng.Float64() < 0.05 {
				src = "purchased-import"
			}
			ev.Attrs = append(ev.Attrs, Attr{"source", src})
		},
		fail: func(ev *Event, rng *rand.Rand) (Outcome, string) {
			if ev.Domain() == "gmail.com" && ev.Attr("source") == "purchased-import" && rng.Float64() < 0.3 {
				return OutcomeBounced, unk
			}
			return "", ""
		}}.events()
	d := diagnosisFor(aggregate(evs, Options{}).Diagnose(DiagnoseOptions{}), "google")
	if d == nil || d.Pattern != PatternContentOrRecipient || d.Cause == nil || d.Cause.Value != "purchased-import" ||
		!strings.Contains(d.NextStep, "address failures") {
		t.Fatalf("diagnosis %+v", d)
	}
	var b strings.Builder
	slog.New(slog.NewTextHandler(&b, nil)).Info("triage", "diagnosis", *d)
	if !strings.Contains(b.String(), "diagnosis.pattern=content_or_recipient") || !strings.Contains(b.String(), `diagnosis.cause="source=purchased-import"`) {
		t.Errorf("log line %q", b.String())
	}
}

// The evidence says which way the whole-send rate misleads: it hides a
// provider that fails more than the send, and overstates one that fails
// less.
func TestWholeSendEvidenceSaysWhichWay(t *testing.T) {
	var evs []Event
	add := func(n int, rcpt string, o Outcome, reply string) {
		for i := 0; i < n; i++ {
			evs = append(evs, Event{Recipient: itoa(len(evs)) + rcpt, Outcome: o, ReplyText: reply})
		}
	}
	// Google 0.2% (watch) and Apple 9.1% (pause) around a whole send of
	// 1.8% (investigate): both differ from the send's level.
	add(998, "@gmail.com", OutcomeDelivered, "")
	add(2, "@gmail.com", OutcomeBounced, "550 5.7.1 blocked")
	add(200, "@icloud.com", OutcomeDelivered, "")
	add(20, "@icloud.com", OutcomeBounced, cs01)
	a := aggregate(evs, Options{})
	var google, apple string
	for _, d := range a.Diagnose(DiagnoseOptions{All: true}) {
		for _, e := range d.Evidence {
			if strings.HasPrefix(e, "The whole send") {
				switch d.Provider {
				case "google":
					google = e
				case "apple":
					apple = e
				}
			}
		}
	}
	if !strings.Contains(google, "overstates google's") {
		t.Errorf("google evidence %q", google)
	}
	if !strings.Contains(apple, "hides apple's") {
		t.Errorf("apple evidence %q", apple)
	}
}
