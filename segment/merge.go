package segment

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/bouncekit/bouncekit/classify"
)

// Merge adds the counts of b to a, so that aggregates of shards combine into
// the aggregate of the whole: for shards that together hold each event
// once, the merged aggregate equals the one-pass aggregate exactly, as long
// as no attribute reached MaxValuesPerAttr (past the cap, which values are
// folded into OtherValue depends on the order they arrive in).
//
// The suppression brake's "delivered before" test is exact when shards are
// split by recipient (as a map-reduce keyed on the address does); shards
// split otherwise miss deliveries that another shard saw first. b is not
// changed. The windows must be equal.
func (a *Aggregate) Merge(b *Aggregate) error {
	if a.opt.Window != b.opt.Window {
		return fmt.Errorf("segment: %w: merging window %v into window %v", ErrBadAggregate, b.opt.Window, a.opt.Window)
	}
	if err := a.load(b.export()); err != nil {
		return err
	}
	if !a.seenOff {
		b.seen.all(func(h uint64) {
			if a.seen.n < a.opt.MaxRecipients {
				a.seen.add(h)
			}
		})
	}
	return nil
}

// MarshalJSON writes the Aggregate's counts in a canonical form (sorted by
// provider, campaign, attribute and value), so equal aggregates give equal
// bytes. The recipient memory of the suppression brake is not written.
func (a *Aggregate) MarshalJSON() ([]byte, error) { return json.Marshal(a.export()) }

// UnmarshalJSON replaces a's counts with the ones in data (written by
// MarshalJSON); the options are read from data, except the limits, which
// keep a's values (defaults for a zero Aggregate).
func (a *Aggregate) UnmarshalJSON(data []byte) error {
	var j aggregateJSON
	if err := json.Unmarshal(data, &j); err != nil {
		return fmt.Errorf("segment: %w: %v", ErrBadAggregate, err)
	}
	if j.Version != 1 || j.WindowNS <= 0 {
		return fmt.Errorf("segment: %w: version %d, window %d", ErrBadAggregate, j.Version, j.WindowNS)
	}
	opt := a.opt
	opt.Window = time.Duration(j.WindowNS)
	*a = *NewAggregate(opt)
	return a.load(j)
}

type aggregateJSON struct {
	Version  int          `json:"version"`
	WindowNS int64        `json:"window_ns"`
	Total    Counts       `json:"total"`
	Invalid  int64        `json:"invalid"`
	Dropped  int64        `json:"dropped_attrs"`
	Folded   []FoldedAttr `json:"folded"`
	Groups   []groupJSON  `json:"groups"`
	Windows  []windowJSON `json:"windows"`
	// Figures are each provider's attempts and delays (figures.go).
	Figures []figuresJSON `json:"figures,omitempty"`
}

type figuresJSON struct {
	Provider classify.Provider `json:"provider"`
	outcomeFigures
}

type groupJSON struct {
	Provider classify.Provider `json:"provider"`
	Campaign string            `json:"campaign"`
	First    int64             `json:"first_ns,omitempty"`
	Last     int64             `json:"last_ns,omitempty"`
	Counts   Counts            `json:"counts"`
	Cells    []cellJSON        `json:"cells"`
	Focus    []focusJSON       `json:"focus,omitempty"`
}

type cellJSON struct {
	Attr   string `json:"attr"`
	Value  string `json:"value"`
	Counts Counts `json:"counts"`
}

type focusJSON struct {
	Attr    string          `json:"attr"`
	Value   string          `json:"value"`
	Bounced int64           `json:"bounced"`
	Cells   []focusCellJSON `json:"cells"`
}

type focusCellJSON struct {
	Attr    string `json:"attr"`
	Value   string `json:"value"`
	Bounced int64  `json:"bounced"`
}

type windowJSON struct {
	Provider classify.Provider `json:"provider"`
	Index    int64             `json:"index"`
	Counts   WindowCounts      `json:"counts"`
}

func (a *Aggregate) export() aggregateJSON {
	j := aggregateJSON{Version: 1, WindowNS: int64(a.opt.Window), Total: a.total, Invalid: a.invalid, Dropped: a.dropped}
	if a.campFolded > 0 {
		j.Folded = append(j.Folded, FoldedAttr{AttrCampaign, a.campFolded})
	}
	for _, t := range a.attrs {
		if t.folded > 0 {
			j.Folded = append(j.Folded, FoldedAttr{t.name, t.folded})
		}
	}
	slices.SortFunc(j.Folded, func(x, y FoldedAttr) int { return strings.Compare(x.Attr, y.Attr) })
	for _, g := range a.groups {
		gj := groupJSON{Provider: a.provs[g.prov].name, Campaign: a.camps[g.camp], First: g.first, Last: g.last, Counts: g.c}
		for attr, d := range g.dims {
			for v, c := range d {
				if c != (Counts{}) {
					gj.Cells = append(gj.Cells, cellJSON{a.attrs[attr].name, a.attrs[attr].values[v], c})
				}
			}
		}
		slices.SortFunc(gj.Cells, func(x, y cellJSON) int {
			return cmp.Or(strings.Compare(x.Attr, y.Attr), strings.Compare(x.Value, y.Value))
		})
		for key, f := range g.focus {
			attr, val := key>>24, key&(1<<24-1)
			fj := focusJSON{Attr: a.attrs[attr].name, Value: a.attrs[attr].values[val], Bounced: f.n}
			for fa, d := range f.dims {
				for v, n := range d {
					if n != 0 {
						fj.Cells = append(fj.Cells, focusCellJSON{a.attrs[fa].name, a.attrs[fa].values[v], n})
					}
				}
			}
			slices.SortFunc(fj.Cells, func(x, y focusCellJSON) int {
				return cmp.Or(strings.Compare(x.Attr, y.Attr), strings.Compare(x.Value, y.Value))
			})
			gj.Focus = append(gj.Focus, fj)
		}
		slices.SortFunc(gj.Focus, func(x, y focusJSON) int {
			return cmp.Or(strings.Compare(x.Attr, y.Attr), strings.Compare(x.Value, y.Value))
		})
		j.Groups = append(j.Groups, gj)
	}
	slices.SortFunc(j.Groups, func(x, y groupJSON) int {
		return cmp.Or(strings.Compare(string(x.Provider), string(y.Provider)), strings.Compare(x.Campaign, y.Campaign))
	})
	for _, p := range a.provs {
		for k, w := range p.win {
			j.Windows = append(j.Windows, windowJSON{p.name, k, *w})
		}
	}
	slices.SortFunc(j.Windows, func(x, y windowJSON) int {
		return cmp.Or(strings.Compare(string(x.Provider), string(y.Provider)), cmp.Compare(x.Index, y.Index))
	})
	for _, p := range a.provs {
		if p.fig != (outcomeFigures{}) {
			j.Figures = append(j.Figures, figuresJSON{p.name, p.fig})
		}
	}
	slices.SortFunc(j.Figures, func(x, y figuresJSON) int { return strings.Compare(string(x.Provider), string(y.Provider)) })
	return j
}

// anyAttrID finds or makes an attribute by its stored name (built-in or
// free, renamed ones included).
func (a *Aggregate) anyAttrID(name string) (uint16, bool) {
	if id, ok := a.attrIndex[name]; ok {
		return id, true
	}
	if len(a.attrs)-int(numBuiltin) >= a.opt.MaxAttributes {
		return 0, false
	}
	return a.newAttr(strings.Clone(name)), true
}

func (a *Aggregate) load(j aggregateJSON) error {
	a.total.add(j.Total)
	a.invalid += j.Invalid
	a.dropped += j.Dropped
	for _, f := range j.Folded {
		if f.Attr == AttrCampaign {
			a.campFolded += f.Rows
			continue
		}
		if id, ok := a.anyAttrID(f.Attr); ok {
			a.attrs[id].folded += f.Rows
		}
	}
	lookup := func(attr, value string) (attrVal, bool) {
		id, ok := a.anyAttrID(attr)
		if !ok {
			return attrVal{}, false
		}
		return attrVal{id, a.valueID(a.attrs[id], value)}, true
	}
	for _, gj := range j.Groups {
		g := a.group(a.provID(gj.Provider), a.campID(gj.Campaign))
		g.c.add(gj.Counts)
		if gj.First != 0 && (g.first == 0 || gj.First < g.first) {
			g.first = gj.First
		}
		if gj.Last > g.last {
			g.last = gj.Last
		}
		for _, c := range gj.Cells {
			av, ok := lookup(c.Attr, c.Value)
			if !ok {
				a.dropped += c.Counts.Sent() + c.Counts.Complained
				continue
			}
			g.inc(av, oNone)
			g.dims[av.attr][av.val].add(c.Counts)
		}
		for _, fj := range gj.Focus {
			key, ok := lookup(fj.Attr, fj.Value)
			if !ok || (key.attr != attrTag && key.attr != attrCategory) {
				return fmt.Errorf("segment: %w: focus on %q", ErrBadAggregate, fj.Attr)
			}
			f := g.focusCell(uint32(key.attr)<<24 | key.val)
			f.n += fj.Bounced
			for _, c := range fj.Cells {
				if av, ok := lookup(c.Attr, c.Value); ok {
					f.addAt(av, c.Bounced)
				}
			}
		}
	}
	for _, fj := range j.Figures {
		a.provs[a.provID(fj.Provider)].fig.merge(fj.outcomeFigures)
	}
	for _, wj := range j.Windows {
		p := a.provs[a.provID(wj.Provider)]
		p.window(wj.Index).add(wj.Counts)
	}
	return nil
}
