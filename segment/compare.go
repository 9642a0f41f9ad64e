package segment

import (
	"cmp"
	"math"
	"slices"
	"strings"

	"github.com/bouncekit/bouncekit/classify"
)

// Query selects the rows a comparison looks at.
type Query struct {
	// Provider is required.
	Provider classify.Provider
	// Campaign limits the comparison to one campaign. "" means every
	// campaign of the provider that had failures of the kind compared, so
	// that failed rows are set against delivered rows of the same sends.
	Campaign string
	// Tag compares the bounces carrying this provider tag ("CS01");
	// Category (when Tag is "") the bounces of one classify category. With
	// neither, every bounce is a failure.
	Tag      string
	Category classify.Category
	// Alpha is the false discovery rate at which a finding is significant
	// (Benjamini-Hochberg over every attribute value tested); 0 means 0.01.
	Alpha float64
	// MinFailed is the fewest failures a value needs to be significant;
	// 0 means 3.
	MinFailed int64
}

// Finding is one attribute value set against the rest of the compared rows.
type Finding struct {
	Attribute string `json:"attribute"`
	Value     string `json:"value"`
	// Failed and Delivered count the compared rows with this value.
	Failed    int64 `json:"failed"`
	Delivered int64 `json:"delivered"`
	// FailRate is Failed/(Failed+Delivered); RestRate the same among rows
	// without this value.
	FailRate float64 `json:"fail_rate"`
	RestRate float64 `json:"rest_rate"`
	// Lift is FailRate/RestRate, with half a row added to each cell when a
	// count is zero (Haldane) so it stays finite.
	Lift float64 `json:"lift"`
	// P is the two-sided Fisher exact p-value; Q the Benjamini-Hochberg
	// adjusted one over all values tested in the comparison.
	P float64 `json:"p_value"`
	Q float64 `json:"q_value"`
	// OnlyOnFailures: no delivered row has this value.
	OnlyOnFailures bool `json:"only_on_failures"`
	// Significant: Q <= Alpha, Failed >= MinFailed and Lift > 1.
	Significant bool `json:"significant"`
}

// Comparison is the result of Compare.
type Comparison struct {
	Query     Query    `json:"-"`
	Campaigns []string `json:"campaigns"`
	// Failed and Delivered count the rows compared.
	Failed    int64 `json:"failed"`
	Delivered int64 `json:"delivered"`
	// Tested is the number of attribute values tested, the m of the
	// multiple-comparison correction.
	Tested int `json:"tested"`
	// Findings: values only on failures first, then by Q, P and count.
	Findings []Finding `json:"findings"`
}

// Significant returns the significant findings, in order.
func (c Comparison) Significant() []Finding {
	var out []Finding
	for _, f := range c.Findings {
		if f.Significant {
			out = append(out, f)
		}
	}
	return out
}

// notCompared are attributes that describe the outcome, not the message.
func notCompared(id uint16) bool { return id == attrTag || id == attrCategory }

// Compare is Aggregate.Compare on the view.
func (a *view) Compare(q Query) Comparison {
	if q.Alpha <= 0 {
		q.Alpha = 0.01
	}
	if q.MinFailed <= 0 {
		q.MinFailed = 3
	}
	res := Comparison{Query: q}
	var focusKey uint32
	focused := false
	switch {
	case q.Tag != "":
		id, ok := a.attrs[attrTag].ids[q.Tag]
		if !ok {
			return res
		}
		focusKey, focused = uint32(attrTag)<<24|id, true
	case q.Category != "":
		id, ok := a.attrs[attrCategory].ids[string(q.Category)]
		if !ok {
			return res
		}
		focusKey, focused = uint32(attrCategory)<<24|id, true
	}
	failedOf := func(g *group) int64 {
		if !focused {
			return g.c.Bounced
		}
		if f := g.focus[focusKey]; f != nil {
			return f.n
		}
		return 0
	}
	var gs []*group
	for _, g := range a.groupsOf(q.Provider) {
		if q.Campaign != "" && a.camps[g.camp] != q.Campaign {
			continue
		}
		if q.Campaign == "" && failedOf(g) == 0 {
			continue
		}
		gs = append(gs, g)
	}
	if len(gs) == 0 {
		return res
	}
	// Sum failed and delivered per attribute value over the groups.
	type cell struct{ failed, delivered int64 }
	sums := make([][]cell, len(a.attrs))
	for _, g := range gs {
		res.Campaigns = append(res.Campaigns, a.camps[g.camp])
		res.Failed += failedOf(g)
		res.Delivered += g.c.Delivered
		for attr, d := range g.dims {
			if notCompared(uint16(attr)) {
				continue
			}
			if sums[attr] == nil {
				sums[attr] = make([]cell, len(a.attrs[attr].values))
			}
			for v, c := range d {
				sums[attr][v].delivered += c.Delivered
				if !focused {
					sums[attr][v].failed += c.Bounced
				}
			}
		}
		if focused {
			if f := g.focus[focusKey]; f != nil {
				for attr, d := range f.dims {
					if notCompared(uint16(attr)) {
						continue
					}
					if sums[attr] == nil {
						sums[attr] = make([]cell, len(a.attrs[attr].values))
					}
					for v, n := range d {
						sums[attr][v].failed += n
					}
				}
			}
		}
	}
	F, D := res.Failed, res.Delivered
	add := func(attr, value string, x cell) {
		res.Tested++
		if x.failed == 0 {
			return
		}
		f := Finding{Attribute: attr, Value: value, Failed: x.failed, Delivered: x.delivered}
		rf, rd := F-x.failed, D-x.delivered
		f.FailRate = float64(x.failed) / float64(x.failed+x.delivered)
		if rf+rd > 0 {
			f.RestRate = float64(rf) / float64(rf+rd)
		}
		if x.delivered == 0 || rf == 0 || rd == 0 {
			f.Lift = ((float64(x.failed) + 0.5) / (float64(x.failed+x.delivered) + 1)) /
				((float64(rf) + 0.5) / (float64(rf+rd) + 1))
		} else {
			f.Lift = f.FailRate / f.RestRate
		}
		f.P = FisherExact(x.failed, x.delivered, rf, rd)
		f.OnlyOnFailures = x.delivered == 0
		res.Findings = append(res.Findings, f)
	}
	for attr, vals := range sums {
		for v, x := range vals {
			if x.failed == 0 && x.delivered == 0 {
				continue
			}
			add(a.attrs[attr].name, a.attrs[attr].values[v], x)
		}
	}
	if len(gs) > 1 {
		for _, g := range gs {
			add(AttrCampaign, a.camps[g.camp], cell{failedOf(g), g.c.Delivered})
		}
	}
	ps := make([]float64, len(res.Findings))
	for i, f := range res.Findings {
		ps[i] = f.P
	}
	qs := BenjaminiHochberg(ps, res.Tested)
	for i := range res.Findings {
		f := &res.Findings[i]
		f.Q = qs[i]
		f.Significant = f.Q <= q.Alpha && f.Failed >= q.MinFailed && f.Lift > 1
	}
	slices.SortStableFunc(res.Findings, func(x, y Finding) int {
		xo, yo := x.OnlyOnFailures && x.Failed >= q.MinFailed, y.OnlyOnFailures && y.Failed >= q.MinFailed
		if xo != yo {
			if xo {
				return -1
			}
			return 1
		}
		return cmp.Or(cmpFloat(x.Q, y.Q), cmpFloat(x.P, y.P), cmp.Compare(y.Failed, x.Failed),
			strings.Compare(x.Attribute, y.Attribute), strings.Compare(x.Value, y.Value))
	})
	return res
}

func cmpFloat(x, y float64) int {
	if math.IsNaN(x) || math.IsNaN(y) {
		return 0
	}
	return cmp.Compare(x, y)
}
