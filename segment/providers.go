package segment

import (
	"cmp"
	"slices"
	"strings"

	"github.com/bouncekit/bouncekit/classify"
)

// SegmentStats are the counts, failure rate and level of one segment: a
// provider, or one value of an attribute within a provider.
type SegmentStats struct {
	Key    string `json:"key"`
	Counts `json:"counts"`
	Rate   Rate  `json:"rate"`
	Level  Level `json:"level"`
}

// ProviderStats are one provider's figures over all its campaigns.
type ProviderStats struct {
	Provider classify.Provider `json:"provider"`
	Counts   `json:"counts"`
	Rate     Rate  `json:"rate"`
	Level    Level `json:"level"`
	// Domains are the provider's domain segments (icloud.com, me.com...).
	Domains []SegmentStats `json:"domains"`
	// Tags are the provider tags seen (CS01, TSS04...), each with the
	// tag's bounces over the provider's whole denominator and the level of
	// that rate under the provider+tag thresholds.
	Tags []SegmentStats `json:"tags"`
	// Categories are the classify categories of failures, as Tags.
	Categories []SegmentStats `json:"categories"`
	// ComplaintLevel is the level of Counts.ComplaintRate under the
	// mailbox providers' published limits (ComplaintLevel).
	ComplaintLevel Level `json:"complaint_level"`
	// Attempts per outcome and the time to delivery.
	Attempts       Attempts   `json:"attempts"`
	TimeToDelivery DelayStats `json:"time_to_delivery"`
}

// Providers is Aggregate.Providers on the view.
func (a *view) Providers(p Policy) []ProviderStats {
	var out []ProviderStats
	for _, ps := range a.provs {
		out = append(out, a.Provider(ps.name, p))
	}
	slices.SortStableFunc(out, func(x, y ProviderStats) int {
		if c := cmp.Compare(y.Sent(), x.Sent()); c != 0 {
			return c
		}
		return strings.Compare(string(x.Provider), string(y.Provider))
	})
	return out
}

// Provider is Aggregate.Provider on the view.
func (a *view) Provider(name classify.Provider, p Policy) ProviderStats {
	ps := ProviderStats{Provider: name}
	for _, g := range a.groupsOf(name) {
		ps.Counts.add(g.c)
	}
	ps.Rate = NewRate(ps.Bounced, ps.Sent())
	ps.ComplaintLevel = ComplaintLevel(ps.Counts)
	if id, ok := a.provIndex[name]; ok {
		f := &a.provs[id].fig
		ps.Attempts, ps.TimeToDelivery = f.attempts(ps.Counts), f.delays()
	}
	ps.Level = p.For(string(name), "").Level(ps.Rate)
	ps.Domains = a.Breakdown(name, AttrDomain, p)
	ps.Tags = a.outcomeBreakdown(name, attrTag, ps.Sent(), p)
	ps.Categories = a.outcomeBreakdown(name, attrCategory, ps.Sent(), p)
	return ps
}

// Breakdown is Aggregate.Breakdown on the view.
func (a *view) Breakdown(provider classify.Provider, attr string, p Policy) []SegmentStats {
	if attr == AttrCampaign {
		var out []SegmentStats
		for _, g := range a.groupsOf(provider) {
			r := NewRate(g.c.Bounced, g.c.Sent())
			out = append(out, SegmentStats{Key: a.camps[g.camp], Counts: g.c, Rate: r, Level: p.For(string(provider), "").Level(r)})
		}
		sortSegments(out)
		return out
	}
	id, ok := a.attrIndex[attr]
	if !ok {
		return nil
	}
	if id == attrTag || id == attrCategory {
		var sent int64
		for _, g := range a.groupsOf(provider) {
			sent += g.c.Sent()
		}
		return a.outcomeBreakdown(provider, id, sent, p)
	}
	sums := a.sumDim(provider, id)
	var out []SegmentStats
	for v, c := range sums {
		if c == (Counts{}) {
			continue
		}
		r := NewRate(c.Bounced, c.Sent())
		out = append(out, SegmentStats{Key: a.attrs[id].values[v], Counts: c, Rate: r, Level: p.For(string(provider), "").Level(r)})
	}
	sortSegments(out)
	return out
}

// outcomeBreakdown counts tag or category values over the provider's
// denominator: "Apple CS01 rate" is CS01 bounces / all Apple messages.
func (a *view) outcomeBreakdown(provider classify.Provider, id uint16, sent int64, p Policy) []SegmentStats {
	sums := a.sumDim(provider, id)
	var out []SegmentStats
	for v, c := range sums {
		if c == (Counts{}) {
			continue
		}
		key := a.attrs[id].values[v]
		r := NewRate(c.Bounced, sent)
		tag := ""
		if id == attrTag {
			tag = key
		}
		out = append(out, SegmentStats{Key: key, Counts: c, Rate: r, Level: p.For(string(provider), tag).Level(r)})
	}
	slices.SortStableFunc(out, func(x, y SegmentStats) int {
		if c := cmp.Compare(y.Bounced+y.Deferred, x.Bounced+x.Deferred); c != 0 {
			return c
		}
		return strings.Compare(x.Key, y.Key)
	})
	return out
}

func (a *view) sumDim(provider classify.Provider, id uint16) []Counts {
	sums := make([]Counts, len(a.attrs[id].values))
	for _, g := range a.groupsOf(provider) {
		if int(id) < len(g.dims) {
			for v, c := range g.dims[id] {
				sums[v].add(c)
			}
		}
	}
	return sums
}

func sortSegments(s []SegmentStats) {
	slices.SortStableFunc(s, func(x, y SegmentStats) int {
		if c := cmp.Compare(y.Sent(), x.Sent()); c != 0 {
			return c
		}
		return strings.Compare(x.Key, y.Key)
	})
}

// Figures is Aggregate.Figures on the view.
func (a *view) Figures() (Attempts, DelayStats) {
	var f outcomeFigures
	for _, p := range a.provs {
		f.merge(p.fig)
	}
	return f.attempts(a.total), f.delays()
}
