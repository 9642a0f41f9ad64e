package segment

import (
	"slices"
	"strings"
	"time"

	"github.com/bouncekit/bouncekit/classify"
)

// Names of the built-in attributes every event is counted under, besides its
// free attributes. AttrCampaign appears in comparisons that span several
// campaigns.
const (
	AttrDomain        = "domain"
	AttrTemplate      = "template"
	AttrSendingIP     = "sending_ip"
	AttrTransactional = "transactional"
	AttrSubscriberAge = "subscriber_age"
	AttrCategory      = "category"
	AttrTag           = "tag"
	AttrCampaign      = "campaign"
)

// builtin attribute IDs, in this order.
const (
	attrDomain uint16 = iota
	attrTemplate
	attrSendingIP
	attrTransactional
	attrSubscriberAge
	attrCategory
	attrTag
	numBuiltin
)

var builtinAttrs = [numBuiltin]string{AttrDomain, AttrTemplate, AttrSendingIP, AttrTransactional, AttrSubscriberAge, AttrCategory, AttrTag}

// OtherValue is the value that attribute values beyond
// Options.MaxValuesPerAttr are counted under.
const OtherValue = "(other)"

// Limits of an Aggregate's memory; see Options.
const (
	DefaultMaxValuesPerAttr = 1000
	DefaultMaxAttributes    = 64
	DefaultMaxRecipients    = 1 << 18
	DefaultMaxCampaigns     = 10000
	DefaultWindow           = 15 * time.Minute
	maxDomainCache          = 1 << 18
)

// Options configure an Aggregate. The zero value works.
type Options struct {
	// Window is the width of the trend windows; 0 means DefaultWindow.
	Window time.Duration
	// MaxValuesPerAttr caps the distinct values counted per attribute
	// (domains, templates, subjects, link hosts...); further values are
	// counted under OtherValue, and Stats().Folded says how many rows were.
	// 0 means DefaultMaxValuesPerAttr.
	MaxValuesPerAttr int
	// MaxCampaigns caps the distinct campaigns; further campaigns are
	// counted under OtherValue (Stats().Folded, attribute "campaign").
	// 0 means DefaultMaxCampaigns.
	MaxCampaigns int
	// MaxAttributes caps the distinct free attribute names; rows' values
	// for further names are not counted (Stats().DroppedAttrs says how
	// many). 0 means DefaultMaxAttributes.
	MaxAttributes int
	// MaxRecipients caps the delivered recipients remembered for the
	// suppression brake, as 8-byte hashes in a table of at most 16 bytes per
	// address. 0 means DefaultMaxRecipients (262,144: a 4 MiB table that
	// stays in cache, where 2^20 addresses cost a third of the aggregation
	// speed); past the cap, later addresses are not remembered and the
	// brake judges on the ones that are. A negative value turns the
	// recipient memory off.
	MaxRecipients int
	// KeepDomains are recipient domains kept whole as a segment instead of
	// being reduced to their registrable domain. nil means
	// {"privaterelay.appleid.com"}.
	KeepDomains []string
	// ProviderFor places a domain that classify does not know, typically by
	// looking up its MX hosts (a Google Workspace or Microsoft 365 domain).
	// It is called at most once per registrable domain; nil means such
	// domains go to provider "other".
	ProviderFor func(domain string) classify.Provider
	// Classifier classifies the replies of events that carry no Verdict,
	// and places recipient domains with the providers it knows (its
	// Options.Providers first): pass the one the queue uses, with its
	// in-house rules. nil means classify.Default(). Aggregates to be
	// merged should use classifiers with the same rules.
	Classifier *classify.Classifier
}

// ProviderOther and ProviderNone are the providers of recipients whose
// domain no provider claims, and of recipients without a domain.
const (
	ProviderOther classify.Provider = "other"
	ProviderNone  classify.Provider = "unknown"
)

type outcomeIdx uint8

const (
	oNone outcomeIdx = iota
	oDelivered
	oBounced
	oDeferred
	oComplained
)

func outcomeIndex(o Outcome) outcomeIdx {
	switch o {
	case OutcomeDelivered:
		return oDelivered
	case OutcomeBounced:
		return oBounced
	case OutcomeDeferred:
		return oDeferred
	case OutcomeComplained:
		return oComplained
	}
	return oNone
}

// Aggregate counts events per provider, campaign and attribute value. Memory
// grows with the number of distinct keys (providers x campaigns x attribute
// values, capped by Options), never with the number of events.
//
// An Aggregate is not safe for concurrent use: give each goroutine its own
// and Merge them.
type Aggregate struct {
	opt Options

	attrs     []*attrTable
	attrIndex map[string]uint16

	provs     []*providerState
	provIndex map[classify.Provider]uint32

	camps      []string
	campIndex  map[string]uint32
	lastCamp   *string
	lastCampID uint32
	campFolded int64

	groups     []*group
	groupIndex map[uint64]uint32

	domains map[string]domInfo
	// regProv caches the provider of each registrable domain, so
	// Options.ProviderFor runs once per domain.
	regProv map[string]classify.Provider
	cache   replyCache

	seen    hashSet
	seenOff bool

	total   Counts
	invalid int64
	dropped int64

	lastKeys []string
	lastIDs  []uint16
	scratch  []attrVal
	lastDom  string
	lastDI   domInfo
	// fixed value IDs of the transactional and subscriber-age attributes.
	boolIDs [2]uint32
	ageIDs  map[string]uint32
}

type attrTable struct {
	name   string
	ids    map[string]uint32
	values []string // values[0] is OtherValue
	folded int64
	// last is the value looked up last: logs come sorted by campaign,
	// template or time often enough that this saves a hash lookup.
	last   string
	lastID uint32
}

type attrVal struct {
	attr uint16
	val  uint32
}

type domInfo struct {
	prov uint32
	dom  uint32
}

type group struct {
	prov, camp  uint32
	c           Counts
	first, last int64
	dims        [][]Counts
	focus       map[uint32]*focusCells
}

// focusCells count the bounces that carry one tag (or category) per
// attribute value.
type focusCells struct {
	n    int64
	dims [][]int64
}

type providerState struct {
	name classify.Provider
	fig  outcomeFigures
	win  map[int64]*WindowCounts
	lk   int64
	lw   *WindowCounts
}

// WindowCounts are the counts of one provider in one time window, with the
// figures the suppression brake reads.
type WindowCounts struct {
	Counts
	// RecipientFailures are bounces that say the address itself is bad
	// (unknown, inactive, bad domain): what suppression acts on.
	RecipientFailures int64 `json:"recipient_failures"`
	// Returning are messages to recipients this aggregate saw delivered to
	// before; ReturningFailures the recipient-level bounces among them.
	Returning         int64 `json:"returning"`
	ReturningFailures int64 `json:"returning_failures"`
}

func (w *WindowCounts) add(o WindowCounts) {
	w.Counts.add(o.Counts)
	w.RecipientFailures += o.RecipientFailures
	w.Returning += o.Returning
	w.ReturningFailures += o.ReturningFailures
}

// NewAggregate returns an empty Aggregate.
func NewAggregate(opt Options) *Aggregate {
	if opt.Window <= 0 {
		opt.Window = DefaultWindow
	}
	if opt.MaxValuesPerAttr <= 0 {
		opt.MaxValuesPerAttr = DefaultMaxValuesPerAttr
	}
	// Focus keys pack a value ID into 24 bits.
	opt.MaxValuesPerAttr = min(opt.MaxValuesPerAttr, 1<<24-2)
	if opt.MaxAttributes <= 0 {
		opt.MaxAttributes = DefaultMaxAttributes
	}
	if opt.MaxCampaigns <= 0 {
		opt.MaxCampaigns = DefaultMaxCampaigns
	}
	if opt.MaxRecipients == 0 {
		opt.MaxRecipients = DefaultMaxRecipients
	}
	if opt.KeepDomains == nil {
		opt.KeepDomains = []string{"privaterelay.appleid.com"}
	}
	a := &Aggregate{
		opt:        opt,
		attrIndex:  map[string]uint16{},
		provIndex:  map[classify.Provider]uint32{},
		campIndex:  map[string]uint32{},
		groupIndex: map[uint64]uint32{},
		domains:    map[string]domInfo{},
		regProv:    map[string]classify.Provider{},
		cache:      replyCache{max: DefaultMaxReplyCache, c: opt.Classifier},
	}
	a.seenOff = opt.MaxRecipients < 0
	for _, n := range builtinAttrs {
		a.newAttr(n)
	}
	a.boolIDs = [2]uint32{a.valueID(a.attrs[attrTransactional], "false"), a.valueID(a.attrs[attrTransactional], "true")}
	a.ageIDs = map[string]uint32{}
	for _, b := range []string{"new", "established", "old"} {
		a.ageIDs[b] = a.valueID(a.attrs[attrSubscriberAge], b)
	}
	return a
}

// Options returns the options the Aggregate was made with, defaults filled.
func (a *Aggregate) Options() Options { return a.opt }

// Add counts one event. Events with an unknown outcome are counted in
// Stats().Invalid and otherwise ignored.
func (a *Aggregate) Add(ev *Event) {
	o := outcomeIndex(ev.Outcome)
	if o == oNone {
		a.invalid++
		return
	}
	di := a.domainInfo(ev.Domain())
	g := a.group(di.prov, a.campID(ev.Campaign))
	g.c.inc(o)
	a.provs[di.prov].fig.add(o, ev)
	a.total.inc(o)
	var cl classified
	if o != oDelivered {
		cl = a.cache.get(ev, di.prov)
	}
	var t int64
	if !ev.Time.IsZero() {
		t = ev.Time.UnixNano()
		if g.first == 0 || t < g.first {
			g.first = t
		}
		if t > g.last {
			g.last = t
		}
	}

	sc := a.scratch[:0]
	sc = append(sc, attrVal{attrDomain, di.dom})
	if ev.Template != "" {
		sc = append(sc, attrVal{attrTemplate, a.valueID(a.attrs[attrTemplate], ev.Template)})
	}
	if ev.SendingIP != "" {
		sc = append(sc, attrVal{attrSendingIP, a.valueID(a.attrs[attrSendingIP], ev.SendingIP)})
	}
	tv := a.boolIDs[0]
	if ev.Transactional {
		tv = a.boolIDs[1]
	}
	sc = append(sc, attrVal{attrTransactional, tv})
	if b := AgeBucket(ev.age()); b != "" {
		sc = append(sc, attrVal{attrSubscriberAge, a.ageIDs[b]})
	}
	for i := range ev.Attrs {
		at := &ev.Attrs[i]
		if at.Value == "" {
			continue
		}
		var id uint16
		if i < len(a.lastKeys) && a.lastKeys[i] == at.Key {
			id = a.lastIDs[i]
		} else {
			var ok bool
			if id, ok = a.attrID(at.Key); !ok {
				a.dropped++
				continue
			}
			for len(a.lastKeys) <= i {
				a.lastKeys = append(a.lastKeys, "")
				a.lastIDs = append(a.lastIDs, 0)
			}
			a.lastKeys[i], a.lastIDs[i] = a.attrs[id].name, id
		}
		sc = append(sc, attrVal{id, a.valueID(a.attrs[id], at.Value)})
	}
	nsc := len(sc)
	var catID, tagID uint32
	if cl.category != "" {
		catID = a.valueID(a.attrs[attrCategory], cl.category)
		sc = append(sc, attrVal{attrCategory, catID})
	}
	if cl.tag != "" {
		tagID = a.valueID(a.attrs[attrTag], cl.tag)
		sc = append(sc, attrVal{attrTag, tagID})
	}
	for _, av := range sc {
		g.inc(av, o)
	}
	if o == oBounced {
		if cl.tag != "" {
			g.focusInc(uint32(attrTag)<<24|tagID, sc[:nsc])
		}
		if cl.category != "" {
			g.focusInc(uint32(attrCategory)<<24|catID, sc[:nsc])
		}
	}
	a.scratch = sc

	var w *WindowCounts
	if t != 0 {
		w = a.provs[di.prov].window(t / int64(a.opt.Window))
		w.Counts.inc(o)
		if cl.recipientLevel && o == oBounced {
			w.RecipientFailures++
		}
	}
	if !a.seenOff && ev.Recipient != "" {
		h := hashFold(ev.Recipient)
		seen := a.seen.has(h)
		if seen && w != nil && o != oComplained {
			w.Returning++
			if cl.recipientLevel && o == oBounced {
				w.ReturningFailures++
			}
		}
		if !seen && o == oDelivered && a.seen.n < a.opt.MaxRecipients {
			a.seen.add(h)
		}
	}
}

func (p *providerState) window(k int64) *WindowCounts {
	if p.lw != nil && p.lk == k {
		return p.lw
	}
	w := p.win[k]
	if w == nil {
		w = &WindowCounts{}
		p.win[k] = w
	}
	p.lk, p.lw = k, w
	return w
}

func (g *group) inc(av attrVal, o outcomeIdx) {
	for int(av.attr) >= len(g.dims) {
		g.dims = append(g.dims, nil)
	}
	d := g.dims[av.attr]
	if int(av.val) >= len(d) {
		d = append(d, make([]Counts, int(av.val)+1-len(d))...)
		g.dims[av.attr] = d
	}
	d[av.val].inc(o)
}

func (g *group) focusCell(key uint32) *focusCells {
	if g.focus == nil {
		g.focus = map[uint32]*focusCells{}
	}
	f := g.focus[key]
	if f == nil {
		f = &focusCells{}
		g.focus[key] = f
	}
	return f
}

func (g *group) focusInc(key uint32, avs []attrVal) {
	f := g.focusCell(key)
	f.n++
	for _, av := range avs {
		f.addAt(av, 1)
	}
}

func (f *focusCells) addAt(av attrVal, n int64) {
	for int(av.attr) >= len(f.dims) {
		f.dims = append(f.dims, nil)
	}
	d := f.dims[av.attr]
	if int(av.val) >= len(d) {
		d = append(d, make([]int64, int(av.val)+1-len(d))...)
		f.dims[av.attr] = d
	}
	d[av.val] += n
}

// hashFold is FNV-1a over the ASCII-lower-cased bytes of s: stable across
// processes, so shards agree on it.
func hashFold(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		h ^= uint64(c)
		h *= 1099511628211
	}
	return h
}

// AggregateStats describe an Aggregate's contents and what its limits cut.
type AggregateStats struct {
	Total   Counts
	Invalid int64 // events with an unknown outcome
	// Groups is the number of provider x campaign groups; Values the
	// distinct attribute values over all attributes.
	Groups, Values int
	// Folded lists, per attribute, the rows whose value was counted under
	// OtherValue because the attribute had MaxValuesPerAttr values already.
	Folded []FoldedAttr
	// DroppedAttrs counts attribute values not counted because there were
	// MaxAttributes attribute names already.
	DroppedAttrs int64
	// Recipients remembered for the suppression brake.
	Recipients int
}

// FoldedAttr is one attribute that hit MaxValuesPerAttr.
type FoldedAttr struct {
	Attr string `json:"attr"`
	Rows int64  `json:"rows"`
}

// Stats returns the Aggregate's statistics.
func (a *Aggregate) Stats() AggregateStats {
	s := AggregateStats{Total: a.total, Invalid: a.invalid, Groups: len(a.groups), DroppedAttrs: a.dropped, Recipients: a.seen.n}
	if a.campFolded > 0 {
		s.Folded = append(s.Folded, FoldedAttr{AttrCampaign, a.campFolded})
	}
	for _, t := range a.attrs {
		s.Values += len(t.values) - 1
		if t.folded > 0 {
			s.Folded = append(s.Folded, FoldedAttr{t.name, t.folded})
		}
	}
	return s
}

// Total returns the counts over all events.
func (a *Aggregate) Total() Counts { return a.total }

// Attributes returns the names of all attributes counted, built-in ones
// first, then free ones in the order first seen.
func (a *Aggregate) Attributes() []string {
	out := make([]string, len(a.attrs))
	for i, t := range a.attrs {
		out[i] = t.name
	}
	return out
}

// groupsOf returns the groups of one provider in a stable order (campaign
// name).
func (a *view) groupsOf(p classify.Provider) []*group {
	pid, ok := a.provIndex[p]
	if !ok {
		return nil
	}
	var gs []*group
	for _, g := range a.groups {
		if g.prov == pid {
			gs = append(gs, g)
		}
	}
	slices.SortFunc(gs, func(x, y *group) int { return strings.Compare(a.camps[x.camp], a.camps[y.camp]) })
	return gs
}
