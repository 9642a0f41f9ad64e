package segment

// This file builds the report's two address lists: the addresses to
// suppress, and the addresses that failed but must be kept because the
// message or the sender was refused, not the address.

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/bouncekit/bouncekit/bounce"
	"github.com/bouncekit/bouncekit/classify"
)

// DefaultMaxSuppressions bounds the distinct addresses of a report's two
// lists together when ReportOptions.MaxSuppressions is 0.
const DefaultMaxSuppressions = 1 << 20

// Suppressions are the addresses a report's bounces say to suppress and
// those to keep. Each address appears once, in the list of its latest
// bounce, except that an address once found bad stays in Suppress (a later
// policy refusal does not clear an unknown-user verdict). Lists are sorted
// by address; addresses are compared lower-cased.
type Suppressions struct {
	// Suppress: the address itself is bad (the classifier's Suppress
	// verdict: unknown user, disabled mailbox, domain without mail), and
	// its provider is not held by the suppression brake.
	Suppress []AddressVerdict `json:"suppress"`
	// Keep: the message was refused, not the address (content and policy
	// filters such as Apple's CS01, reputation, authentication, rate
	// limits), or the address would be suppressed but its provider is held
	// by the suppression brake. Do not suppress these addresses.
	Keep []AddressVerdict `json:"keep"`
	// Dropped counts addresses left out once a list reached its limit.
	Dropped int64 `json:"dropped"`
}

// AddressVerdict is one address with the verdict and evidence behind the
// list it is in.
type AddressVerdict struct {
	Address  string            `json:"address"`
	Provider classify.Provider `json:"provider"`
	Category classify.Category `json:"category"`
	Tag      string            `json:"tag,omitempty"`
	Rule     string            `json:"rule"`
	// Reason is the classifier's explanation, or the brake's reason.
	Reason string `json:"reason"`
	// Reply is the SMTP reply as logged (the evidence), Time when it came
	// (zero when the input had no time), Bounces how many bounces the
	// address had from the first that put it in a list on.
	Reply   string    `json:"reply"`
	Time    time.Time `json:"time,omitzero"`
	Bounces int64     `json:"bounces"`
}

// keepCategory reports whether a failure of category c refuses the message
// or the sender rather than the address (RFC 3463 x.7.x policy and
// security, provider content filters, reputation and rate limits): the
// address is fine and must not be suppressed.
func keepCategory(c classify.Category) bool {
	switch c {
	case classify.CategorySpamContent, classify.CategoryContentPolicy, classify.CategoryVirus,
		classify.CategoryMessageTooLarge, classify.CategoryReputationBlock, classify.CategoryAuthFailure,
		classify.CategoryRateLimited, classify.CategoryPolicy, classify.CategorySenderRejected,
		classify.CategoryRelayDenied, classify.CategoryTLSFailure:
		return true
	}
	return false
}

// suppressCollector gathers the lists while BuildReport reads. It is used
// from one goroutine.
type suppressCollector struct {
	c     *classify.Classifier
	max   int
	cache map[verdictKey]cachedVerdict
	byKey map[string]*AddressVerdict
	keyed []string
	// suppress marks the entries whose verdict says to suppress.
	suppress  map[string]bool
	dropped   int64
	keepLists bool
	// counts: each address's state when the lists are not kept.
	counts map[uint64]addrState
	// tags: the first verdict seen for each provider and tag (the key's
	// text is the tag).
	tags map[verdictKey]TagMeaning
}

type cachedVerdict struct {
	v    classify.Verdict
	text string // the reply, copied once
}

type verdictKey struct {
	prov classify.Provider
	text string
}

func newSuppressCollector(c *classify.Classifier, max int, lists bool) *suppressCollector {
	if max <= 0 {
		max = DefaultMaxSuppressions
	}
	return &suppressCollector{c: c, max: max, keepLists: lists, cache: map[verdictKey]cachedVerdict{},
		byKey: map[string]*AddressVerdict{}, suppress: map[string]bool{}, tags: map[verdictKey]TagMeaning{}}
}

// meanings returns the tag meanings, by provider and tag.
func (s *suppressCollector) meanings() []TagMeaning {
	out := make([]TagMeaning, 0, len(s.tags))
	for _, m := range s.tags {
		out = append(out, m)
	}
	slices.SortFunc(out, func(x, y TagMeaning) int {
		return cmp.Or(cmp.Compare(x.Provider, y.Provider), cmp.Compare(x.Tag, y.Tag))
	})
	return out
}

// add looks at one event; only bounces count.
func (s *suppressCollector) add(a *Aggregate, ev *Event) {
	if ev.Outcome != OutcomeBounced || ev.Recipient == "" {
		return
	}
	_, prov := a.SegmentDomain(ev.Domain())
	v := ev.Verdict
	reply := "" // the evidence, a copy of ev.ReplyText shared by equal replies
	if v.Category == "" {
		if ev.ReplyText == "" {
			return
		}
		k := verdictKey{prov, ev.ReplyText}
		if c, ok := s.cache[k]; ok {
			v, reply = c.v, c.text
		} else {
			// The reply is read from a copy: the verdict's strings (the
			// tag) point into what was parsed, and the event's text may
			// share its memory with the reader's whole row or batch,
			// which the lists must not keep alive.
			k.text = strings.Clone(k.text)
			r, _ := bounce.ParseReply(k.text)
			v, reply = classifyReply(s.c, &r, ev.Recipient), k.text
			// A small cache: the replies worth caching repeat; those
			// that name their address are unique and would only grow it.
			if len(s.cache) < 4096 {
				s.cache[k] = cachedVerdict{v, k.text}
			}
		}
	}
	if v.Tag != "" && len(s.tags) < 1024 {
		if _, ok := s.tags[verdictKey{prov, v.Tag}]; !ok {
			s.tags[verdictKey{prov, strings.Clone(v.Tag)}] = TagMeaning{Provider: prov, Tag: strings.Clone(v.Tag), Meaning: v.Explanation, Rule: v.Rule, Suppress: v.Suppress}
		}
	}
	sup, keep := v.Suppress, keepCategory(v.Category)
	if !s.keepLists {
		s.count(ev.Recipient, prov, sup, keep)
		return
	}
	key := strings.ToLower(strings.Trim(ev.Recipient, "<> "))
	e := s.byKey[key]
	if e == nil {
		key = strings.Clone(key) // ToLower may return the row's own memory
	}
	switch {
	case e != nil && (s.suppress[key] && !sup || !sup && !keep):
		// Once found bad, an address stays in Suppress; a bounce that
		// decides nothing (mailbox full, a deferral) is only counted.
		e.Bounces++
		return
	case e == nil && !sup && !keep:
		return // mailbox full, expired, network...: neither list
	case e == nil:
		if len(s.keyed) >= s.max {
			s.dropped++
			return
		}
		e = &AddressVerdict{}
		s.byKey[key] = e
		s.keyed = append(s.keyed, key)
	}
	s.suppress[key] = sup
	bounces := e.Bounces + 1
	if reply == "" {
		reply = strings.Clone(ev.ReplyText)
	}
	*e = AddressVerdict{Address: key, Provider: prov, Category: v.Category, Tag: strings.Clone(v.Tag), Rule: v.Rule,
		Reason: v.Explanation, Reply: reply, Time: ev.Time, Bounces: bounces}
	if e.Provider == "" {
		e.Provider = v.Provider
	}
}

// count is add without the lists: only each address's list (by a hash of
// the address, case-folded) and provider are kept, some 40 bytes an
// address, for the counts.
func (s *suppressCollector) count(recipient string, prov classify.Provider, sup, keep bool) {
	h := hashFold(strings.Trim(recipient, "<> "))
	st, ok := s.counts[h]
	switch {
	case ok && (st.sup || !sup):
		return // once found bad, an address stays suppressed
	case !ok && !sup && !keep:
		return
	case !ok && len(s.counts) >= s.max:
		s.dropped++
		return
	}
	if s.counts == nil {
		s.counts = map[uint64]addrState{}
	}
	s.counts[h] = addrState{sup, prov}
}

type addrState struct {
	sup  bool
	prov classify.Provider
}

// AddressCounts are the sizes of the two address lists (see Suppressions),
// known whether or not the lists themselves were kept.
type AddressCounts struct {
	Suppress int64 `json:"suppress"`
	Keep     int64 `json:"keep"`
	Dropped  int64 `json:"dropped"`
}

func heldProviders(brakes []Brake) map[classify.Provider]string {
	held := map[classify.Provider]string{}
	for _, b := range brakes {
		if b.Hold {
			held[b.Provider] = b.Reason
		}
	}
	return held
}

// addressCounts returns the list sizes, the brake applied.
func (s *suppressCollector) addressCounts(brakes []Brake, lists *Suppressions) AddressCounts {
	if lists != nil {
		return AddressCounts{int64(len(lists.Suppress)), int64(len(lists.Keep)), lists.Dropped}
	}
	held := heldProviders(brakes)
	c := AddressCounts{Dropped: s.dropped}
	for _, st := range s.counts {
		if _, hold := held[st.prov]; st.sup && !hold {
			c.Suppress++
		} else {
			c.Keep++
		}
	}
	return c
}

// lists returns the lists, the brake applied: a held provider's addresses
// move from Suppress to Keep with the brake's reason.
func (s *suppressCollector) lists(brakes []Brake) *Suppressions {
	held := heldProviders(brakes)
	out := &Suppressions{Suppress: []AddressVerdict{}, Keep: []AddressVerdict{}, Dropped: s.dropped}
	for _, k := range s.keyed {
		e := *s.byKey[k]
		switch reason, hold := held[e.Provider]; {
		case s.suppress[k] && hold:
			e.Reason = "suppression brake: " + reason
			out.Keep = append(out.Keep, e)
		case s.suppress[k]:
			out.Suppress = append(out.Suppress, e)
		default:
			out.Keep = append(out.Keep, e)
		}
	}
	byAddr := func(x, y AddressVerdict) int { return cmp.Compare(x.Address, y.Address) }
	slices.SortFunc(out.Suppress, byAddr)
	slices.SortFunc(out.Keep, byAddr)
	return out
}

// AddressCollector gathers what a report keeps of its bounces besides the
// aggregate: the meaning of each provider tag, and the two address lists
// (or, without them, their sizes). BuildReport uses one while it reads. A
// caller that aggregates elsewhere (a Beam pipeline merging Aggregates
// built on many workers) feeds it the outcomes in the order BuildReport
// would meet them, then fills the report NewReport built with Finish; the
// report is then the one BuildReport gives. An AddressCollector is not safe
// for concurrent use.
type AddressCollector struct {
	s     *suppressCollector
	lists bool
}

// NewAddressCollector returns a collector for a report built with opt
// (opt.Aggregate.Classifier, opt.Suppressions, opt.MaxSuppressions).
func NewAddressCollector(opt ReportOptions) *AddressCollector {
	return &AddressCollector{newSuppressCollector(opt.Aggregate.Classifier, opt.MaxSuppressions, opt.Suppressions), opt.Suppressions}
}

// Add looks at one outcome; only bounces count. a places the recipient's
// domain with its provider (the report's aggregate).
func (c *AddressCollector) Add(a *Aggregate, ev *Event) { c.s.add(a, ev) }

// Finish sets r's TagMeanings, Suppress (when collected) and
// AddressCounts, the suppression brake of r applied.
func (c *AddressCollector) Finish(r *Report) {
	r.TagMeanings = c.s.meanings()
	if c.lists {
		r.Suppress = c.s.lists(r.Brakes)
	}
	r.AddressCounts = c.s.addressCounts(r.Brakes, r.Suppress)
}
