package classify

// This file puts the meaning layer into the classifier's precedence: when
// the vocabulary is read, when its meaning decides, and how a verdict says
// that its text and its code disagree.

import (
	"strings"
	"sync"
	"sync/atomic"

	"github.com/bouncekit/bouncekit/bounce"
)

// meaningCompiled is the classifier's share of the meaning layer.
type meaningCompiled struct {
	vocab      *vocab
	mrules     []crule
	meaningOff uint64 // bit k: meaningRules[k] disabled
	// Per rule index.
	broad    []bool   // a catch-all phrase rule a clear, non-suppressing meaning outranks
	veto     []bool   // a built-in generic rule that suppresses: a sender-side meaning overrules it
	codeMask []uint64 // code-only defaults (no text, no tag predicate)
	generic  []bool   // a code reading too unspecific to disagree with ("other or undefined", policy, unknown)
	yields   []bool   // a code reading any clear meaning outranks (generic ones and the bare basic codes)

	explMu sync.Mutex
	expl   atomic.Pointer[map[uint64]string]
}

// vetoBelow: meaning rules before this index (authentication, sender,
// sending host, relay) put a reply on the sender's side and overrule a
// generic rule that would suppress.
const vetoBelow = 4

// maxWrapperRead bounds how much of a reply's wrapper (DSN transcript,
// MTA prefix) on each side of its text the meaning layer reads.
const maxWrapperRead = 200

// maxExplanations bounds the cache of text-versus-code explanations.
const maxExplanations = 4096

// basicMailboxCodes are the RFC 5321 §4.2.2 basic codes whose meaning is
// a family of causes ("mailbox unavailable", "insufficient storage",
// "exceeded storage allocation", "mailbox name not allowed"): MTAs send
// them for many reasons, so any clear meaning of the text outranks them
// (552 with "MIME structure invalid" is a malformed message), though they
// still count as a disagreement.
var basicMailboxCodes = map[string]bool{
	"rfc5321-450": true, "rfc5321-451": true, "rfc5321-452": true, "rfc5321-550": true, "rfc5321-551": true,
	"rfc5321-552": true, "rfc5321-553": true, "rfc5321-554": true, "rfc5321-4xx": true, "rfc5321-5xx": true,
}

// broadRules are built-in catch-alls keyed on one common word ("spam"):
// "your IP identified as spammer" is a blocked host, not spam content.
var broadRules = map[string]bool{"generic-spam": true, "generic-spam-verdict": true}

// prepareMeaning sets up the meaning layer after compile; builtin says
// whether the built-in rules are in (the vocabulary comes with them).
func (c *Classifier) prepareMeaning(builtin bool, disabled map[string]bool) {
	isBuiltin := map[*Rule]bool{}
	for i := range builtinSpecific {
		isBuiltin[&builtinSpecific[i]] = true
	}
	for i := range builtinDefaults {
		isBuiltin[&builtinDefaults[i]] = true
	}
	n := len(c.rules)
	c.broad, c.veto, c.generic, c.yields = make([]bool, n), make([]bool, n), make([]bool, n), make([]bool, n)
	c.codeMask = make([]uint64, c.words)
	for i := range c.rules {
		src := c.rules[i].src
		if isBuiltin[src] {
			c.broad[i] = broadRules[src.ID]
			c.veto[i] = src.Suppress && src.Provider == "" && strings.HasPrefix(src.ID, "generic-")
		}
		if i >= c.firstDefault && len(src.Any)+len(src.All)+len(src.None)+len(src.Tags) == 0 {
			c.codeMask[i/64] |= 1 << (i % 64)
			c.generic[i] = src.Category == CategoryUnknown || src.Category == CategoryPolicy ||
				strings.HasSuffix(src.ID, ".0") || strings.HasSuffix(src.ID, ".*")
			c.yields[i] = c.generic[i] || isBuiltin[src] && basicMailboxCodes[src.ID]
		}
	}
	if !builtin {
		return
	}
	c.vocab = builtinVocab()
	c.mrules = make([]crule, len(meaningRules))
	for k := range meaningRules {
		r := &meaningRules[k]
		hint := r.Hint
		if hint == "" {
			hint = validCategories[r.Category]
		}
		c.mrules[k] = crule{src: r, hint: hint, suppress: r.Suppress}
		if disabled[r.ID] {
			c.meaningOff |= 1 << k
		}
	}
}

// needsMeaning reports whether the reading of the words can change a
// decision by rule i (-1: none): no rule, a code default, a catch-all, or
// a built-in generic rule that would suppress (which a sender-side or
// hedged reading vetoes). (Gating the veto on cue words interned in the
// phrase automaton was measured: the larger automaton slowed every scan
// more than the readings it saved.)
func (c *Classifier) needsMeaning(i int) bool {
	if i >= c.firstDefault && c.codeMask[i/64]&(1<<(i%64)) != 0 && !c.yields[i] {
		// A specific code that no meaning outranks (codeYields): a
		// sender-side, authentication, protocol or content code.
		cat := c.rules[i].src.Category
		return cat.IsRecipientLevel() || cat == CategoryMailboxFull
	}
	return i < 0 || i >= c.firstDefault || c.rules[i].vague || c.broad[i] || c.veto[i]
}

// meaningWins reports whether meaning rule mi decides over rule i, with
// code the code-only rule the codes alone would give (-1: none); soft says
// the reading was hedged ("if the user does not exist"), which also
// overrules a generic rule that would suppress.
func (c *Classifier) meaningWins(i, mi, code int, soft bool) bool {
	mr := &meaningRules[mi]
	if c.codeAgrees(mi, code) {
		return false
	}
	if i >= 0 && i < c.firstDefault && !c.rules[i].vague {
		switch {
		case c.broad[i]:
			return !mr.Suppress && c.codeYields(code, mi)
		case c.veto[i]:
			return mi < vetoBelow || soft
		}
		return false
	}
	return c.codeYields(code, mi)
}

// codeAgrees reports whether the code's reading (rule code) says what
// meaning rule mi says, at least as strongly: its rule explains it more
// precisely ("550 5.1.1 user unknown" is rfc3463-x.1.1's).
func (c *Classifier) codeAgrees(mi, code int) bool {
	mr := &meaningRules[mi]
	return code >= 0 && c.rules[code].src.Category == mr.Category && (c.rules[code].suppress || !mr.Suppress)
}

// codeYields reports whether the code's reading (rule code, -1 for none)
// gives way to meaning rule mi: a generic code ("other or undefined",
// x.7.1 "delivery not authorized", a bare basic code) gives way to any
// clear meaning; a specific one only to a strong meaning, and only where
// the code speaks of the recipient's address or mailbox (a specific
// sender-side, authentication or protocol code is never turned into a
// reason to suppress).
func (c *Classifier) codeYields(code, mi int) bool {
	if code < 0 || c.yields[code] {
		return true
	}
	if meaningTable[mi].weak {
		return false
	}
	cat := c.rules[code].src.Category
	return cat.IsRecipientLevel() || cat == CategoryMailboxFull
}

func (c *Classifier) meaningVerdict(r *bounce.Reply, prov Provider, mi int, m Meaning, code int) Verdict {
	v := c.mrules[mi].verdict(r, prov)
	v.Meaning = m
	if code >= 0 {
		c.noteDisagreement(&v, len(c.rules)+mi, code)
	}
	return v
}

// noteDisagreement flags v, decided by text rule key (a rule index, or
// len(rules)+k for meaning rule k), when code-only rule code would have
// given another category and says something specific.
func (c *Classifier) noteDisagreement(v *Verdict, key, code int) {
	cr := &c.rules[code]
	if c.generic[code] || cr.src.Category == v.Category {
		return
	}
	v.CodeDisagrees = true
	v.CodeRule = cr.src.ID
	v.Explanation = c.disagreement(uint64(key)<<32|uint64(code), v.Explanation, cr.src)
}

// disagreement returns the explanation naming the text's reading and the
// code's. The strings are built once per pair and cached (bounded), so the
// hot path does not allocate once warm.
func (c *Classifier) disagreement(key uint64, text string, code *Rule) string {
	if m := c.expl.Load(); m != nil {
		if s, ok := (*m)[key]; ok {
			return s
		}
	}
	c.explMu.Lock()
	defer c.explMu.Unlock()
	old := c.expl.Load()
	if old != nil {
		if s, ok := (*old)[key]; ok {
			return s
		}
		if len(*old) >= maxExplanations {
			return text + disagreeSuffix
		}
	}
	s := text + " [the text outranks the code: " + code.ID + " alone reads " + string(code.Category) + ": " + code.Explanation + "]"
	next := make(map[uint64]string, 1)
	if old != nil {
		next = make(map[uint64]string, len(*old)+1)
		for k, v := range *old {
			next[k] = v
		}
	}
	next[key] = s
	c.expl.Store(&next)
	return s
}

const disagreeSuffix = " [the text outranks the code, which alone reads otherwise: see code_rule]"
