package segment

// This file is the report's JSON form: everything the text shows, as data.

import (
	"encoding/json"
	"io"
	"strings"
	"time"

	"github.com/bouncekit/bouncekit/classify"
)

// reportJSON is the report's JSON shape.
type reportJSON struct {
	Providers []providerJSON  `json:"providers"`
	Findings  []findingJSON   `json:"findings"`
	Diagnosis []diagnosisJSON `json:"diagnosis"`
	// Total is the whole send, the figure the per-provider rates are read
	// against; Brakes the providers whose recipient-level failures must
	// not be suppressed yet; Skipped the rows that could not be read, and
	// Errors the first of them.
	Total      countsJSON    `json:"total"`
	Thresholds Thresholds    `json:"thresholds"`
	Trends     []trendJSON   `json:"trends"`
	Tags       []TagMeaning  `json:"tag_meanings"`
	Brakes     []brakeJSON   `json:"brakes"`
	Suppress   *Suppressions `json:"suppress"`
	Addresses  AddressCounts `json:"address_counts"`
	Folded     []FoldedAttr  `json:"folded"`
	Skipped    int64         `json:"skipped"`
	Errors     []string      `json:"errors"`
	// Outcomes: how attempts folded into outcomes; Filtered the outcomes
	// the filters left out; NotSends the lines left out as not sends, by
	// reason.
	Outcomes outcomesJSON   `json:"outcomes"`
	Filtered int64          `json:"filtered"`
	NotSends []NotSendCount `json:"not_sends"`
	Glossary []glossaryJSON `json:"glossary"`
}

type outcomesJSON struct {
	Events   int64 `json:"events"`
	Outcomes int64 `json:"outcomes"`
	Folded   int64 `json:"folded"`
	Unkeyed  int64 `json:"unkeyed"`
	Early    int64 `json:"early"`
	Late     int64 `json:"late"`
}

// countsJSON is a segment's counts, rate with its 95% interval, and level:
// the whole send, a provider, a domain. ComplaintRate is complaints over
// delivered messages (what mailbox providers' postmaster tools show).
type countsJSON struct {
	Sent          int64        `json:"sent"`
	Delivered     int64        `json:"delivered"`
	Bounced       int64        `json:"bounced"`
	Deferred      int64        `json:"deferred"`
	Complained    int64        `json:"complained"`
	FailureRate   float64      `json:"failure_rate"`
	Interval      intervalJSON `json:"interval"`
	Level         Level        `json:"level"`
	ComplaintRate float64      `json:"complaint_rate"`
	// ComplaintLevel is the complaint rate against the levels Google's
	// and Yahoo's bulk-sender rules publish (under 0.1%, never 0.3%);
	// DeferralRate is deferred over sent.
	ComplaintLevel Level   `json:"complaint_level"`
	DeferralRate   float64 `json:"deferral_rate"`
}

// intervalJSON is a 95% Wilson score interval.
type intervalJSON struct {
	Low  float64 `json:"low"`
	High float64 `json:"high"`
}

type brakeJSON struct {
	Provider classify.Provider `json:"provider"`
	Reason   string            `json:"reason"`
}

type providerJSON struct {
	Provider classify.Provider `json:"provider"`
	countsJSON
	Domains []domainJSON `json:"domains"`
	// Tags and Categories: the provider's bounces per provider tag (CS01,
	// TSS04...) and per classify category, each over the provider's whole
	// denominator, with the level under the provider+tag thresholds.
	Tags       []shareJSON `json:"tags"`
	Categories []shareJSON `json:"categories"`
	// Attempts per outcome and time to delivery (figures.go).
	Attempts       Attempts   `json:"attempts"`
	TimeToDelivery DelayStats `json:"time_to_delivery"`
}

type shareJSON struct {
	Key         string       `json:"key"`
	Bounced     int64        `json:"bounced"`
	Deferred    int64        `json:"deferred"`
	FailureRate float64      `json:"failure_rate"`
	Interval    intervalJSON `json:"interval"`
	Level       Level        `json:"level"`
}

type domainJSON struct {
	Domain string `json:"domain"`
	countsJSON
}

func countsOf(c Counts, r Rate, l Level) countsJSON {
	return countsJSON{c.Sent(), c.Delivered, c.Bounced, c.Deferred, c.Complained, r.Rate, intervalOf(r), l,
		c.ComplaintRate(), ComplaintLevel(c), c.DeferralRate()}
}

func intervalOf(r Rate) intervalJSON { return intervalJSON{r.Low, r.High} }

func shareOf(s SegmentStats) shareJSON {
	return shareJSON{s.Key, s.Bounced, s.Deferred, s.Rate.Rate, intervalOf(s.Rate), s.Level}
}

type findingJSON struct {
	Provider       classify.Provider `json:"provider"`
	Focus          string            `json:"focus"`
	Attribute      string            `json:"attribute"`
	Value          string            `json:"value"`
	Failed         int64             `json:"failed"`
	Delivered      int64             `json:"delivered"`
	FailRate       float64           `json:"fail_rate"`
	RestRate       float64           `json:"rest_rate"`
	Lift           float64           `json:"lift"`
	PValue         float64           `json:"p_value"`
	QValue         float64           `json:"q_value"`
	OnlyOnFailures bool              `json:"only_on_failures"`
}

func findingOf(p classify.Provider, focus string, f Finding) findingJSON {
	return findingJSON{p, focus, f.Attribute, f.Value, f.Failed, f.Delivered, f.FailRate, f.RestRate, f.Lift, f.P, f.Q, f.OnlyOnFailures}
}

type diagnosisJSON struct {
	Provider        classify.Provider `json:"provider"`
	Pattern         Pattern           `json:"pattern"`
	Focus           string            `json:"focus"`
	FailureRate     float64           `json:"failure_rate"`
	Interval        intervalJSON      `json:"interval"`
	Level           Level             `json:"level"`
	Cause           *findingJSON      `json:"cause"`
	Evidence        []string          `json:"evidence"`
	NextStep        string            `json:"next_step"`
	Escalate        bool              `json:"escalate"`
	Escalations     []string          `json:"escalations"`
	HoldSuppression bool              `json:"hold_suppression"`
}

type trendJSON struct {
	Provider classify.Provider `json:"provider"`
	Rising   bool              `json:"rising"`
	Reason   string            `json:"reason,omitempty"`
	Points   []pointJSON       `json:"points"`
}

type pointJSON struct {
	Start       time.Time    `json:"start"`
	Sent        int64        `json:"sent"`
	Bounced     int64        `json:"bounced"`
	Deferred    int64        `json:"deferred"`
	FailureRate float64      `json:"failure_rate"`
	Interval    intervalJSON `json:"interval"`
}

type glossaryJSON struct {
	Term    string `json:"term"`
	Meaning string `json:"meaning"`
}

// MarshalJSON writes the report as one object: "providers" (counts,
// failure and complaint rates, 95% intervals and levels, by domain, tag and
// category), "findings" (the significant ones after the Benjamini-Hochberg
// correction, with p and q values), "diagnosis" (pattern, evidence, next
// step), "total", "thresholds", "trends", "tag_meanings", "brakes",
// "suppress" (the address lists, null when not collected),
// "address_counts" (their sizes, always), "folded", "skipped", "errors",
// "outcomes" (how attempts folded into outcomes), "filtered", "not_sends"
// and a "glossary" of the terms used. Every list is
// present, empty rather than null.
func (r *Report) MarshalJSON() ([]byte, error) {
	j := reportJSON{Providers: []providerJSON{}, Findings: []findingJSON{}, Diagnosis: []diagnosisJSON{},
		Total: countsOf(r.Total, r.TotalRate, r.TotalLevel), Thresholds: r.Thresholds(),
		Trends: []trendJSON{}, Tags: r.TagMeanings, Brakes: []brakeJSON{}, Suppress: r.Suppress, Addresses: r.AddressCounts,
		Folded: r.Stats.Folded, Skipped: r.Skipped, Errors: []string{}, Filtered: r.Filtered,
		Outcomes: outcomesJSON{r.Outcomes.Events, r.Outcomes.Outcomes, r.Outcomes.Folded, r.Outcomes.Unkeyed, r.Outcomes.Early, r.Outcomes.Late},
		NotSends: append([]NotSendCount{}, r.NotSends...)}
	if j.Tags == nil {
		j.Tags = []TagMeaning{}
	}
	if j.Folded == nil {
		j.Folded = []FoldedAttr{}
	}
	for _, b := range r.Brakes {
		if b.Hold {
			j.Brakes = append(j.Brakes, brakeJSON{b.Provider, b.Reason})
		}
	}
	for _, e := range r.Errors {
		j.Errors = append(j.Errors, e.Error())
	}
	for _, p := range r.Providers {
		pj := providerJSON{p.Provider, countsOf(p.Counts, p.Rate, p.Level), []domainJSON{}, []shareJSON{}, []shareJSON{}, p.Attempts, p.TimeToDelivery}
		for _, d := range p.Domains {
			pj.Domains = append(pj.Domains, domainJSON{d.Key, countsOf(d.Counts, d.Rate, d.Level)})
		}
		for _, t := range p.Tags {
			pj.Tags = append(pj.Tags, shareOf(t))
		}
		for _, c := range p.Categories {
			pj.Categories = append(pj.Categories, shareOf(c))
		}
		j.Providers = append(j.Providers, pj)
	}
	for _, f := range r.Findings {
		j.Findings = append(j.Findings, findingOf(f.Provider, f.Focus, f.Finding))
	}
	for _, d := range r.Diagnoses {
		dj := diagnosisJSON{Provider: d.Provider, Pattern: d.Pattern, Focus: d.Focus, FailureRate: d.Rate.Rate,
			Interval: intervalOf(d.Rate), Level: d.Level, Evidence: d.Evidence, NextStep: d.NextStep,
			Escalate: d.Escalate, Escalations: d.Escalations, HoldSuppression: d.HoldSuppression}
		if d.Cause != nil {
			c := findingOf(d.Provider, d.Focus, *d.Cause)
			dj.Cause = &c
		}
		if dj.Evidence == nil {
			dj.Evidence = []string{}
		}
		if dj.Escalations == nil {
			dj.Escalations = []string{}
		}
		j.Diagnosis = append(j.Diagnosis, dj)
	}
	for _, t := range r.Trends {
		tj := trendJSON{Provider: t.Provider, Rising: t.Rising, Reason: t.Reason, Points: []pointJSON{}}
		for _, p := range t.Points {
			tj.Points = append(tj.Points, pointJSON{p.Start, p.Counts.Sent(), p.Counts.Bounced, p.Counts.Deferred, p.Rate.Rate, intervalOf(p.Rate)})
		}
		j.Trends = append(j.Trends, tj)
	}
	for _, g := range glossary(r.Thresholds()) {
		j.Glossary = append(j.Glossary, glossaryJSON{g[0], g[1]})
	}
	return json.Marshal(j)
}

// WriteJSON writes the report's JSON, indented, with a final newline.
func (r *Report) WriteJSON(w io.Writer) error {
	b, err := r.MarshalJSON()
	if err != nil {
		return err
	}
	var out strings.Builder
	out.Grow(len(b) * 2)
	enc := json.NewEncoder(&out)
	enc.SetIndent("", "  ")
	if err := enc.Encode(json.RawMessage(b)); err != nil {
		return err
	}
	_, err = io.WriteString(w, out.String())
	return err
}
