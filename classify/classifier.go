package classify

import (
	"errors"
	"fmt"
	"math/bits"
	"strings"
	"sync"

	"github.com/bouncekit/bouncekit/bounce"
	"github.com/bouncekit/bouncekit/internal/ascii"
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

// Options configure a Classifier. The zero Options give the built-in rules.
// Options marshal to and from JSON (see ReadOptions).
type Options struct {
	// Before are tried ahead of every built-in rule.
	Before []Rule `json:"before,omitempty"`
	// After are tried after the built-in provider and text rules, ahead of
	// the built-in code-only defaults (RFC 3463 registry and RFC 5321 basic
	// codes), which match every reply that carries a code.
	After []Rule `json:"after,omitempty"`
	// Disable lists built-in rule IDs to leave out.
	Disable []string `json:"disable,omitempty"`
	// NoBuiltins leaves out every built-in rule.
	NoBuiltins bool `json:"no_builtins,omitempty"`
	// Providers place hosts and domains the built-in tables do not know
	// with a provider (a regional mailbox provider, an in-house gateway),
	// so rules scoped to it (Rule.Provider) fire and verdicts name it.
	// They are consulted before the built-in tables.
	Providers []ProviderMap `json:"providers,omitempty"`
}

// ProviderMap places remote MTA hosts and recipient domains with a
// provider. At most MaxProviderNames hosts and domains in total.
type ProviderMap struct {
	Provider Provider `json:"provider"`
	// Hosts are MX or remote MTA host names: a host matches one when it
	// equals it or ends in "." and it ("acme-mail.example" matches
	// "mx1.acme-mail.example").
	Hosts []string `json:"hosts,omitempty"`
	// Domains are recipient domains, matched exactly.
	Domains []string `json:"domains,omitempty"`
}

// MaxProviderNames is the largest number of hosts plus domains that
// Options.Providers may hold.
const MaxProviderNames = 1 << 16

// MaxRules is the largest number of rules a Classifier takes (the candidate
// set of one Classify call is a bitset of this size on the stack).
const MaxRules = 8192

const maxRuleWords = MaxRules / 64

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
}

type tagAnchor struct {
	prefix string
	rule   uint32
}

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
			c.userHosts, c.userDomains, err = providerMaps(opts.Providers)
		}
	}
	if err != nil {
		return nil, err
	}
	return c, nil
}

// ErrBadProviderMap is wrapped by the *RuleError New returns for an
// invalid Options.Providers entry (no provider, an empty or over-long name,
// too many names).
var ErrBadProviderMap = errors.New("invalid provider map")

// providerMaps indexes Options.Providers by lower-cased host and domain.
func providerMaps(pms []ProviderMap) (hosts, domains map[string]Provider, err error) {
	if len(pms) == 0 {
		return nil, nil, nil
	}
	hosts, domains = map[string]Provider{}, map[string]Provider{}
	n := 0
	for i, pm := range pms {
		bad := func(field, why string) error {
			return &RuleError{ID: string(pm.Provider), Index: i, Field: "providers." + field, Err: fmt.Errorf("%w: %s", ErrBadProviderMap, why)}
		}
		if strings.TrimSpace(string(pm.Provider)) == "" {
			return nil, nil, bad("provider", "no provider name")
		}
		for _, set := range [...]struct {
			field string
			names []string
			m     map[string]Provider
		}{{"hosts", pm.Hosts, hosts}, {"domains", pm.Domains, domains}} {
			for _, name := range set.names {
				key := ascii.Lower(cleanName(name))
				if key == "" || len(key) > 253 {
					return nil, nil, bad(set.field, fmt.Sprintf("%q is not a host or domain name", name))
				}
				if n++; n > MaxProviderNames {
					return nil, nil, bad(set.field, fmt.Sprintf("more than %d names", MaxProviderNames))
				}
				set.m[key] = pm.Provider
			}
		}
	}
	return hosts, domains, nil
}

// ProviderForHost is the package's ProviderForHost with the hosts of
// Options.Providers tried first. Safe for concurrent use; does not
// allocate.
func (c *Classifier) ProviderForHost(host string) Provider {
	if len(c.userHosts) > 0 {
		var buf [256]byte
		if h, ok := foldBuf(buf[:], cleanName(host)); ok && len(h) > 0 {
			if p, ok := c.userHosts[string(h)]; ok {
				return p
			}
			for i := 0; i < len(h); i++ {
				if h[i] == '.' {
					if p, ok := c.userHosts[string(h[i+1:])]; ok {
						return p
					}
				}
			}
		}
	}
	return ProviderForHost(host)
}

// ProviderForDomain is the package's ProviderForDomain with the domains of
// Options.Providers tried first. Safe for concurrent use; does not
// allocate.
func (c *Classifier) ProviderForDomain(domain string) Provider {
	if len(c.userDomains) > 0 {
		d := domain
		if i := strings.LastIndexByte(d, '@'); i >= 0 {
			d = d[i+1:]
		}
		var buf [256]byte
		if k, ok := foldBuf(buf[:], cleanName(d)); ok && len(k) > 0 {
			if p, ok := c.userDomains[string(k)]; ok {
				return p
			}
		}
	}
	return ProviderForDomain(domain)
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
	c.ac = newMatcher(c.patterns)
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

// Classify returns the verdict for one reply. It is the queue's hot path: it
// does not allocate, and its cost grows with the length of the reply text,
// not with the number of rules. r is only read.
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
	i := c.pick(r, prov, stage, &ml)
	// The text said nothing specific (no rule, a code-only default or a
	// catch-all such as "service unavailable"): look at the wrapper around
	// the reply too (a DSN's transcript, "maildrop: maildir over quota" or
	// "mail.local: unknown user" before the 5xx line), which ParseReply
	// leaves out of Text. The first rule in order over both wins.
	if (i < 0 || i >= c.firstDefault || c.rules[i].vague) && len(r.Raw) > len(text) {
		n := ml.n
		if k := strings.Index(r.Raw, text); k >= 0 && text != "" {
			c.ac.scan(r.Raw[:k], &ml)
			c.ac.scan(r.Raw[k+len(text):], &ml)
		} else {
			c.ac.scan(r.Raw, &ml)
		}
		if ml.n > n {
			i = c.pick(r, prov, stage, &ml)
		}
	}
	if i >= 0 {
		return c.rules[i].verdict(r, prov)
	}
	v := unknownVerdict
	v.Severity = severityOfClass(r)
	v.Retry = v.Severity == SeveritySoft
	v.Provider = prov
	v.Tag = r.Tags[0]
	return v
}

// pick returns the index of the first rule that matches, or -1.
func (c *Classifier) pick(r *bounce.Reply, prov Provider, stage bounce.Stage, ml *matchList) int {
	// The candidate bitset lives on the stack; a small one for the usual
	// rule counts saves zeroing the full MaxRules bits on every call.
	if c.words <= 16 {
		var cand [16]uint64
		return c.pickIn(cand[:c.words], r, prov, stage, ml)
	}
	var cand [maxRuleWords]uint64
	return c.pickIn(cand[:c.words], r, prov, stage, ml)
}

func (c *Classifier) pickIn(cand []uint64, r *bounce.Reply, prov Provider, stage bounce.Stage, ml *matchList) int {
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
	for w := 0; w < c.words; w++ {
		word := cand[w] &^ c.scoped[w]
		if mine != nil {
			word |= cand[w] & mine[w]
		}
		for ; word != 0; word &= word - 1 {
			i := w*64 + bits.TrailingZeros64(word)
			if c.rules[i].match(r, prov, stage, ml) {
				return i
			}
		}
	}
	return -1
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

// detectProvider: remote MTA first, then the recipient domain, then text
// clues (provider-codes.md, design note 1: the recipient domain is
// unreliable where mail is hosted elsewhere, the MX host is not).
func (c *Classifier) detectProvider(r *bounce.Reply, in Context, ml *matchList) Provider {
	if in.RemoteMTA != "" {
		if p := c.ProviderForHost(in.RemoteMTA); p != "" {
			return p
		}
	}
	if r.RemoteHost != "" {
		if p := c.ProviderForHost(r.RemoteHost); p != "" {
			return p
		}
	}
	if in.Recipient != "" {
		if p := c.ProviderForDomain(in.Recipient); p != "" {
			return p
		}
	}
	best := int32(-1)
	for k := 0; k < ml.n; k++ {
		if ci := c.clue[ml.ids[k]]; ci >= 0 && (best < 0 || ci < best) {
			best = ci
		}
	}
	if best >= 0 {
		return textClues[best].provider
	}
	return ""
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

// ClassifyDSN classifies one recipient of a delivery status notification
// (RFC 3464 §2.3): its Action ("failed", "delayed", "delivered", "relayed",
// "expanded"), its Status, and the parsed Diagnostic-Code when there was one
// (nil otherwise). Two pseudo-actions cover the other reports a bounce
// mailbox receives: "complaint" (RFC 5965 feedback report) and
// "auto-reply" (RFC 3834).
//
// The action refines the reply's verdict: "delayed" means the reporting MTA
// is still trying (soft, never suppressed; category expired unless the
// reply names a cause); "failed" after a transient reply means it gave up
// (hard, not suppressed; the category stays the transient cause's, as an
// expiry inherits the cause of the last deferral, and is expired only when
// that cause is unknown).
func (c *Classifier) ClassifyDSN(action string, status bounce.Status, diag *bounce.Reply, in Context) Verdict {
	action = strings.TrimSpace(action)
	switch {
	case strings.EqualFold(action, "delivered"), strings.EqualFold(action, "relayed"), strings.EqualFold(action, "expanded"):
		return Verdict{Severity: SeverityNone, Category: CategoryDelivered, Hint: HintNone,
			Provider: c.providerOnly(diag, in), Rule: "dsn-delivered", Explanation: "the DSN reports the message delivered, relayed or expanded (RFC 3464 §2.3.3)"}
	case strings.EqualFold(action, "complaint"), strings.EqualFold(action, "feedback"), strings.EqualFold(action, "abuse"):
		return Verdict{Severity: SeverityNone, Category: CategoryComplaint, Hint: HintReputation,
			Provider: c.providerOnly(diag, in), Rule: "dsn-complaint", Explanation: "a feedback report (RFC 5965): the recipient marked the message as spam; stop mailing them, the address is not bad"}
	case strings.EqualFold(action, "auto-reply"), strings.EqualFold(action, "autoreply"), strings.EqualFold(action, "vacation"):
		return Verdict{Severity: SeverityNone, Category: CategoryAutoReply, Hint: HintNone,
			Provider: c.providerOnly(diag, in), Rule: "dsn-auto-reply", Explanation: "an automatic reply (RFC 3834), not a failure"}
	}
	var rep bounce.Reply
	if diag != nil {
		rep = *diag
	}
	if !rep.Status.IsValid() && status.IsValid() {
		rep.Status = status
	}
	v := c.Classify(&rep, in)
	switch {
	case strings.EqualFold(action, "delayed"):
		// Still queued (RFC 3464 §2.3.3): soft, never suppressed. A delay
		// notice keeps the receiver's cause (a DNS error, a full disk at
		// the receiver); one without a usable cause, or where no server
		// answered at all (connection failures), is filed as expired, the
		// delivery-time family.
		v.Severity, v.Retry, v.Suppress = SeveritySoft, true, false
		if connectionRules[v.Rule] || v.Category == CategoryUnknown || v.Category == CategoryDelivered {
			v.Category, v.Hint = CategoryExpired, HintUnknown
			v.Rule, v.Explanation = "dsn-delayed", "the reporting MTA is still retrying (RFC 3464 action delayed); the delay has no more specific cause"
		}
	case strings.EqualFold(action, "failed"):
		if v.Severity != SeverityHard {
			// The reporting MTA gave up after a transient reply: final
			// for this message, but a transient cause never suppresses.
			// The expiry inherits the cause of the last deferral
			// (provider-codes.md GN13); expired only when that cause is
			// unknown, or only vaguely worded ("temporarily unavailable")
			// while the notice itself names the queue lifetime as the
			// reason, or no server ever answered (connection failures:
			// there is no receiver's cause to inherit).
			v.Severity, v.Retry, v.Suppress = SeverityHard, false, false
			switch {
			case connectionRules[v.Rule] || vagueRules[v.Rule] && saysQueueTimeout(rep.Text) || v.Category == CategoryUnknown && rep.Class() == 4:
				v.Category, v.Hint = CategoryExpired, HintUnknown
				v.Rule, v.Explanation = "dsn-gave-up", "the reporting MTA gave up after transient failures (RFC 3464 action failed after connection failures or an unspecific 4.x.x): the queue lifetime ran out"
			case v.Category == CategoryDelivered || v.Category == CategoryUnknown:
				// No cause, or a text that reads as a success: the text
				// is not the reason.
				v.Category, v.Hint, v.Rule, v.Explanation = CategoryUnknown, HintUnknown, "dsn-failed", "the DSN says failed but gives no usable reason"
			case v.Category != CategoryExpired && rep.Class() != 0:
				// (A notice without any code was not a transient
				// failure: its rule's explanation stands.)
				v.Explanation = gaveUpExplanation
			}
		}
	}
	return v
}

// saysQueueTimeout reports whether a notice gives the queue lifetime as
// the reason it stopped (qmail-send: "I'm not going to try again; this
// message has been in the queue too long").
func saysQueueTimeout(text string) bool {
	lower := ascii.Lower(text)
	for _, w := range queueTimeoutWords {
		if strings.Contains(lower, w) {
			return true
		}
	}
	return false
}

// vagueRules are the built-in catch-all text rules: wording that says
// something failed without saying what ("service unavailable", "protocol
// error"), so a more specific cause in the reply's wrapper outranks them.
var vagueRules = map[string]bool{"generic-system": true, "generic-protocol": true}

// connectionRules are the rules for "could not connect" causes and the
// unspecific network status x.4.0: no receiver ever answered, so a delayed
// or failed record after them is an expiry, whereas one after a DNS error or
// a receiver's own answer keeps that cause's category.
var connectionRules = map[string]bool{
	"generic-connection": true, "rfc3463-x.4.1": true, "rfc3463-x.4.2": true, "rfc3463-x.4.0": true,
}

// gaveUpExplanation replaces the explanation of a transient cause when the
// reporting MTA gave up on it (action failed): the category stays the
// cause's (GN13), the verdict is final for this message.
const gaveUpExplanation = "the reporting MTA gave up after transient failures (RFC 3464 action failed): the category is the cause of the last deferral (provider-codes.md GN13); do not retry this message, do not suppress the address"

func (c *Classifier) providerOnly(diag *bounce.Reply, in Context) Provider {
	var r bounce.Reply
	if diag != nil {
		r = *diag
	}
	var ml matchList
	c.ac.scan(r.Text, &ml)
	return c.detectProvider(&r, in, &ml)
}

// StageFromCommand maps how queues and MTAs name the SMTP command a reply
// answered ("RCPT TO", "rcpt", "end of DATA", "MAIL FROM", "EHLO",
// "connect", "greeting") to a bounce.Stage; "" when not recognised.
func StageFromCommand(s string) bounce.Stage {
	s = strings.ToUpper(strings.TrimSpace(s))
	switch {
	case s == "":
		return ""
	case strings.HasPrefix(s, "RCPT"):
		return bounce.StageRCPT
	case strings.HasPrefix(s, "MAIL"):
		return bounce.StageMAIL
	case s == "DATA-END", strings.Contains(s, "END OF DATA"), s == "EOD", s == "DATA END", s == ".":
		return bounce.StageEndOfData
	case s == "DATA":
		return bounce.StageDATA
	case s == "BDAT":
		return bounce.StageBDAT
	case s == "HELO", s == "EHLO", s == "LHLO":
		return bounce.StageHELO
	case s == "STARTTLS":
		return bounce.StageSTARTTLS
	case s == "AUTH":
		return bounce.StageAUTH
	case s == "QUIT":
		return bounce.StageQUIT
	case s == "CONNECT", s == "GREETING", s == "BANNER", s == "CONNECTION":
		return bounce.StageConnect
	}
	return ""
}
