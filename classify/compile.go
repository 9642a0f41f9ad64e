package classify

// This file compiles an ordered rule list into a Classifier: the matcher over
// every rule's phrases, and the anchors that let the hot path test only the
// rules a reply can match.

import (
	"fmt"
	"sync"
)

var defaultClassifier = sync.OnceValue(func() *Classifier {
	c, err := New(Options{})
	if err != nil {
		panic("classify: built-in rules are invalid: " + err.Error())
	}
	return c
})

// Default returns the Classifier with the built-in rules. It is built once
// and shared.
func Default() *Classifier { return defaultClassifier() }

// New builds a Classifier from the built-in rules and opts. Invalid rules
// give a *RuleError naming the rule.
func New(opts Options) (*Classifier, error) {
	disabled := map[string]bool{}
	if len(opts.Disable) > 0 {
		known := map[string]bool{}
		for _, r := range builtinSpecific {
			known[r.ID] = true
		}
		for _, r := range builtinDefaults {
			known[r.ID] = true
		}
		for _, r := range meaningRules {
			known[r.ID] = true
		}
		for i, id := range opts.Disable {
			if !known[id] {
				return nil, &RuleError{ID: id, Index: i, Field: "disable", Err: ErrUnknownRule}
			}
			disabled[id] = true
		}
	}
	var list []*Rule
	add := func(rs []Rule, builtin bool) {
		for i := range rs {
			if builtin && disabled[rs[i].ID] {
				continue
			}
			list = append(list, &rs[i])
		}
	}
	add(opts.Before, false)
	if !opts.NoBuiltins {
		add(builtinSpecific, true)
	}
	add(opts.After, false)
	firstDefault := len(list)
	if !opts.NoBuiltins {
		add(builtinDefaults, true)
	}
	c, err := compile(list)
	if c != nil {
		c.firstDefault = firstDefault
		if err == nil {
			c.prepareMeaning(!opts.NoBuiltins && !opts.NoMeaning, disabled)
			c.userHosts, c.userDomains, err = providerMaps(opts.Providers)
		}
	}
	if err != nil {
		return nil, err
	}
	return c, nil
}

// compile builds the classifier for rules in order.
func compile(list []*Rule) (*Classifier, error) {
	if len(list) > MaxRules {
		return nil, &RuleError{ID: list[MaxRules].ID, Index: MaxRules, Err: fmt.Errorf("%w: more than %d", ErrTooManyRules, MaxRules)}
	}
	c := &Classifier{
		tagExact: map[string][]uint32{},
		stExact:  map[uint16][]uint32{},
		words:    (len(list) + 63) / 64,
	}
	ids := map[string]bool{}
	pidOf := map[string]uint32{}
	intern := func(p string) uint32 {
		if id, ok := pidOf[p]; ok {
			return id
		}
		id := uint32(len(c.patterns))
		pidOf[p] = id
		c.patterns = append(c.patterns, p)
		return id
	}
	for i, r := range list {
		cr, err := compileRule(r, i, intern)
		if err != nil {
			return nil, err
		}
		if ids[r.ID] {
			return nil, &RuleError{ID: r.ID, Index: i, Field: "id", Err: ErrDuplicateID}
		}
		ids[r.ID] = true
		cr.vague = vagueRules[r.ID]
		c.rules = append(c.rules, cr)
	}
	for _, tc := range textClues {
		intern(tc.pattern)
	}
	if len(c.patterns) > 1<<24 {
		return nil, &RuleError{Err: ErrTooManyPattern}
	}
	c.patRules = make([][]uint32, len(c.patterns))
	c.clue = make([]int32, len(c.patterns))
	for i := range c.clue {
		c.clue[i] = -1
	}
	for i := len(textClues) - 1; i >= 0; i-- {
		c.clue[pidOf[textClues[i].pattern]] = int32(i)
	}
	c.always = make([]uint64, c.words)
	c.scoped = make([]uint64, c.words)
	c.byProvider = map[Provider][]uint64{}
	for i := range c.rules {
		c.anchor(uint32(i))
		if p := c.rules[i].src.Provider; p != "" {
			m := c.byProvider[p]
			if m == nil {
				m = make([]uint64, c.words)
				c.byProvider[p] = m
			}
			m[i/64] |= 1 << (i % 64)
			c.scoped[i/64] |= 1 << (i % 64)
		}
	}
	// The built-in rules' matcher is precompiled (matcher_table.go); any
	// other phrase list is compiled here.
	if c.ac = tableMatcher(defaultMatcherTable, c.patterns); c.ac == nil {
		var err error
		if c.ac, err = newMatcher(c.patterns); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// anchor files rule i under the cheapest key that any match of it needs,
// so Classify only looks at rules that can match.
func (c *Classifier) anchor(i uint32) {
	r := &c.rules[i]
	switch {
	case len(r.any) > 0:
		for _, p := range r.any {
			c.patRules[p] = appendOnce(c.patRules[p], i)
		}
	case len(r.all) > 0:
		c.patRules[r.all[0]] = appendOnce(c.patRules[r.all[0]], i)
	case len(r.tags) > 0:
		for k, t := range r.tags {
			if r.tagPre[k] {
				c.tagPrefix = append(c.tagPrefix, tagAnchor{t, i})
			} else {
				c.tagExact[t] = appendOnce(c.tagExact[t], i)
			}
		}
	case len(r.statuses) == 0 && len(r.codes) > 0:
		for _, cr := range r.codes {
			for code := cr.lo; code <= cr.hi; code++ {
				c.byCode[code] = appendOnce(c.byCode[code], i)
			}
		}
	case len(r.statuses) > 0 && statusesAnchored(r.statuses):
		for _, sp := range r.statuses {
			if sp.lo == sp.hi {
				k := uint16(sp.subject*1000 + sp.lo)
				c.stExact[k] = appendOnce(c.stExact[k], i)
			} else {
				c.stSubject[sp.subject] = appendOnce(c.stSubject[sp.subject], i)
			}
		}
	default:
		c.always[i/64] |= 1 << (i % 64)
	}
}

func statusesAnchored(sps []statusPat) bool {
	for _, sp := range sps {
		if sp.subject < 0 {
			return false
		}
	}
	return true
}

func appendOnce(s []uint32, i uint32) []uint32 {
	if n := len(s); n > 0 && s[n-1] == i {
		return s
	}
	return append(s, i)
}

// Rules returns a copy of the classifier's rules in the order they are
// tried.
func (c *Classifier) Rules() []Rule {
	out := make([]Rule, len(c.rules))
	for i := range c.rules {
		out[i] = *c.rules[i].src
	}
	return out
}

// Rule returns the rule with the given ID.
func (c *Classifier) Rule(id string) (Rule, bool) {
	for i := range c.rules {
		if c.rules[i].src.ID == id {
			return *c.rules[i].src, true
		}
	}
	return Rule{}, false
}

// BuiltinRules returns a copy of the built-in rules in order.
func BuiltinRules() []Rule {
	out := make([]Rule, 0, len(builtinSpecific)+len(builtinDefaults))
	out = append(out, builtinSpecific...)
	return append(out, builtinDefaults...)
}
