package classify

import (
	"math/bits"
	"strings"

	"github.com/bouncekit/bouncekit/bounce"
)

// Context is what the queue knows about a reply besides its text.
type Context struct {
	// Recipient is the address the message was for ("bob@icloud.com").
	Recipient string
	// RemoteMTA is the host that answered ("mx01.mail.icloud.com"; the RFC
	// 3464 form "dns; mx01.mail.icloud.com" is accepted).
	RemoteMTA string
	// Stage is the SMTP command the reply answered, when the reply itself
	// does not say.
	Stage bounce.Stage
}

// Classifier classifies replies with an ordered list of rules. It is
// immutable after construction and safe for concurrent use.
type Classifier struct {
	rules []crule

	ac        *matcher
	patterns  []string   // pattern ID -> text
	patRules  [][]uint32 // pattern ID -> rules anchored on it
	clue      []int32    // pattern ID -> index in textClues, or -1
	tagExact  map[string][]uint32
	tagPrefix []tagAnchor
	stExact   map[uint16][]uint32 // subject*1000+detail -> rules
	stSubject [8][]uint32
	byCode    [600][]uint32 // basic code -> code-only rules
	always    []uint64
	// scoped marks the rules limited to one provider, byProvider the
	// rules of each provider: candidates of other providers are dropped
	// in one pass over the bitset instead of one check per rule.
	scoped     []uint64
	byProvider map[Provider][]uint64
	words      int
	// firstDefault is the index of the first built-in code-only default;
	// a reply decided at or after it gets a second look at its wrapper.
	firstDefault int
	// userHosts and userDomains are Options.Providers, lower-cased.
	userHosts, userDomains map[string]Provider
	// The meaning layer (meaning.go, rules_meaning.go; nil vocab without
	// built-in rules): the vocabulary, the compiled meaning rules, those
	// Options.Disable left out, and per rule whether a clear meaning
	// outranks it (catch-all text rules), may veto it (built-in generic
	// rules that suppress), or it only reads a code (codeMask).
	meaningCompiled
}

type tagAnchor struct {
	prefix string
	rule   uint32
}

// Classify returns the verdict for one reply. It is the queue's hot path: it
// does not allocate, and its cost grows with the length of the reply text,
// not with the number of rules. r is only read.
//
// Precedence (docs/classify.md): a provider tag or a specific phrase rule,
// then a clear textual meaning (ReadMeaning), then the enhanced status
// code's subject and detail, then the basic code. When the text decides
// against what the code alone would say, the verdict's CodeDisagrees is set
// and its explanation names both.
func (c *Classifier) Classify(r *bounce.Reply, in Context) Verdict {
	if r == nil {
		return unknownVerdict
	}
	var ml matchList
	text := r.Text
	if text == "" {
		text = r.Raw
	}
	c.ac.scan(text, &ml)
	prov := c.detectProvider(r, in, &ml)
	stage := r.Stage
	if stage == "" {
		stage = in.Stage
	}
	i, code := c.pick(r, prov, stage, &ml)
	// The text said nothing specific (no rule, a code-only default or a
	// catch-all such as "service unavailable"): look at the wrapper around
	// the reply too (a DSN's transcript, "maildrop: maildir over quota" or
	// "mail.local: unknown user" before the 5xx line), which ParseReply
	// leaves out of Text. The first rule in order over both wins.
	wrapped := len(r.Raw) > len(text)
	if (i < 0 || i >= c.firstDefault || c.rules[i].vague) && wrapped {
		n := ml.n
		if k := strings.Index(r.Raw, text); k >= 0 && text != "" {
			c.ac.scan(r.Raw[:k], &ml)
			c.ac.scan(r.Raw[k+len(text):], &ml)
		} else {
			c.ac.scan(r.Raw, &ml)
		}
		if ml.n > n {
			i, code = c.pick(r, prov, stage, &ml)
		}
	}
	// Still nothing specific, a catch-all, or a built-in generic rule that
	// would suppress: read what the words mean (the reply's text, else its
	// wrapper). A clear meaning decides over the codes' generic readings
	// and catch-all wording; over a suppressing rule only when it puts the
	// text on the sender's side.
	var m Meaning
	if c.vocab != nil && c.needsMeaning(i) {
		m, mi, soft := c.vocab.readHedged(text, c.meaningOff)
		if mi < 0 && wrapped {
			// The wrapper's words next to the reply ("mail.local: unknown
			// user" before it), at most maxWrapperRead bytes on each side.
			before, after := r.Raw, ""
			if k := strings.Index(r.Raw, text); k >= 0 && text != "" {
				before, after = r.Raw[:k], r.Raw[k+len(text):]
			}
			if len(before) > maxWrapperRead {
				before = before[len(before)-maxWrapperRead:]
			}
			if len(after) > maxWrapperRead {
				after = after[:maxWrapperRead]
			}
			m, mi, soft = c.vocab.readHedged(before, c.meaningOff)
			if mi < 0 && after != "" {
				m, mi, soft = c.vocab.readHedged(after, c.meaningOff)
			}
		}
		if mi >= 0 && c.meaningWins(i, mi, code, soft) {
			return c.meaningVerdict(r, prov, mi, m, code)
		}
		// The words say what the code says while only a catch-all
		// matched the text ("temporarily disabled" with 5.2.1): the
		// code's rule decides.
		if mi >= 0 && i >= 0 && c.rules[i].vague && c.codeAgrees(mi, code) {
			i = code
		}
	}
	if i >= 0 {
		v := c.rules[i].verdict(r, prov)
		v.Meaning = m
		if code >= 0 && code != i {
			c.noteDisagreement(&v, i, code)
		}
		return v
	}
	v := unknownVerdict
	v.Severity = severityOfClass(r)
	v.Retry = v.Severity == SeveritySoft
	v.Provider = prov
	v.Tag = r.Tags[0]
	v.Meaning = m
	return v
}

// pick returns the index of the first rule that matches, or -1, and the
// first code-only default after it that matches (what the codes alone
// would say), or -1.
func (c *Classifier) pick(r *bounce.Reply, prov Provider, stage bounce.Stage, ml *matchList) (int, int) {
	// The candidate bitset lives on the stack; a small one for the usual
	// rule counts saves zeroing the full MaxRules bits on every call.
	if c.words <= 16 {
		var cand [16]uint64
		return c.pickIn(cand[:c.words], r, prov, stage, ml)
	}
	var cand [maxRuleWords]uint64
	return c.pickIn(cand[:c.words], r, prov, stage, ml)
}

func (c *Classifier) pickIn(cand []uint64, r *bounce.Reply, prov Provider, stage bounce.Stage, ml *matchList) (int, int) {
	copy(cand, c.always)
	for k := 0; k < ml.n; k++ {
		for _, i := range c.patRules[ml.ids[k]] {
			cand[i/64] |= 1 << (i % 64)
		}
	}
	if len(c.tagExact) > 0 || len(c.tagPrefix) > 0 {
		var buf [64]byte
		for _, t := range r.Tags {
			if t == "" {
				break
			}
			lt, ok := foldBuf(buf[:], t)
			if !ok {
				continue
			}
			for _, i := range c.tagExact[string(lt)] {
				cand[i/64] |= 1 << (i % 64)
			}
			for _, ta := range c.tagPrefix {
				if len(lt) >= len(ta.prefix) && string(lt[:len(ta.prefix)]) == ta.prefix {
					cand[ta.rule/64] |= 1 << (ta.rule % 64)
				}
			}
		}
	}
	if r.Code >= 200 && r.Code < 600 {
		for _, i := range c.byCode[r.Code] {
			cand[i/64] |= 1 << (i % 64)
		}
	}
	if st := r.Status; st.IsValid() {
		for _, i := range c.stExact[uint16(st.Subject()*1000+st.Detail())] {
			cand[i/64] |= 1 << (i % 64)
		}
		for _, i := range c.stSubject[st.Subject()] {
			cand[i/64] |= 1 << (i % 64)
		}
	}

	mine := c.byProvider[prov]
	first := -1
	for w := 0; w < c.words; w++ {
		word := cand[w] &^ c.scoped[w]
		if mine != nil {
			word |= cand[w] & mine[w]
		}
		if first >= 0 {
			word &= c.codeMask[w]
		}
		for ; word != 0; word &= word - 1 {
			b := bits.TrailingZeros64(word)
			i := w*64 + b
			if first >= 0 && c.codeMask[w]&(1<<b) == 0 {
				continue
			}
			if c.rules[i].match(r, prov, stage, ml) {
				if first >= 0 || c.codeMask[w]&(1<<b) != 0 {
					if first < 0 {
						return i, i
					}
					return first, i
				}
				first = i
			}
		}
	}
	return first, -1
}

// unknownVerdict is the answer when no rule matches (only possible with
// NoBuiltins or for replies without any code).
var unknownVerdict = Verdict{
	Severity: SeveritySoft, Category: CategoryUnknown, Hint: HintUnknown, Retry: true,
	Rule: "", Explanation: "no rule matched this reply",
}

// severityOfClass is the severity the reply's own class implies: the basic
// code when there is one (RFC 5321 §4.2.1: the client acts on it), else the
// enhanced status class (RFC 3463 §3.1). Replies with neither are soft:
// nothing says the failure is permanent, and the queue lifetime bounds the
// retries.
func severityOfClass(r *bounce.Reply) Severity {
	switch r.Class() {
	case 2:
		return SeverityNone
	case 5:
		return SeverityHard
	}
	return SeveritySoft
}

func (cr *crule) verdict(r *bounce.Reply, prov Provider) Verdict {
	sev := cr.sev
	if sev == "" {
		sev = severityOfClass(r)
	}
	return Verdict{
		Severity:    sev,
		Category:    cr.src.Category,
		Hint:        cr.hint,
		Retry:       sev == SeveritySoft,
		Suppress:    cr.suppress && sev == SeverityHard,
		SlowDown:    cr.src.SlowDown,
		Provider:    prov,
		Tag:         r.Tags[0],
		Rule:        cr.src.ID,
		Explanation: cr.src.Explanation,
	}
}
