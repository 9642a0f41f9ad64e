package classify

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/bouncekit/bouncekit/bounce"
	"github.com/bouncekit/bouncekit/internal/ascii"
)

// Rule is one classification rule: predicates on a reply and the verdict it
// gives when all of them hold. Rules are plain data (they marshal to and
// from JSON with the field names shown) and are tried in order; the first
// rule whose predicates all hold decides.
//
// Empty predicates are ignored, but a rule needs at least one. Text
// predicates match substrings of the reply text ignoring ASCII case; they
// are compiled together with every other rule's into one automaton, so
// adding rules does not make matching slower per rule.
type Rule struct {
	// ID names the rule in verdicts, errors and Options.Disable. Required,
	// unique within a Classifier.
	ID string `json:"id"`

	// Provider limits the rule to replies from this provider (as detected
	// from the remote MTA, the recipient domain or the text).
	Provider Provider `json:"provider,omitempty"`
	// Code matches the RFC 5321 basic reply code: "550", "55x", "5xx",
	// "550-554", or several of those separated by commas. A reply without a
	// basic code never matches a Code predicate.
	Code string `json:"code,omitempty"`
	// Status matches the RFC 3463 enhanced status code: "5.7.1", "x.1.1"
	// (any class), "5.7.*" (any detail), "4.7.500-699" (detail range),
	// "5.*.*", or several of those separated by commas.
	Status string `json:"status,omitempty"`
	// Tags matches when any of the reply's provider tags equals one of these
	// (ignoring case); a trailing "*" matches a prefix ("AUP#IPBL*").
	Tags []string `json:"tags,omitempty"`
	// Stages matches when the reply answered one of these SMTP stages (the
	// reply's own Stage, else Context.Stage). The bounce.Stage values are
	// expected; command names such as "rcpt" or "end of DATA" are accepted
	// too (see bounce.ParseStage).
	Stages []bounce.Stage `json:"stages,omitempty"`
	// Any matches when the text contains at least one of these substrings.
	Any []string `json:"any,omitempty"`
	// All matches when the text contains every one of these substrings.
	All []string `json:"all,omitempty"`
	// None matches when the text contains none of these substrings.
	None []string `json:"none,omitempty"`

	// Severity of the verdict; empty means "from the reply's class" (5xx
	// hard, 4xx soft, 2xx none; the basic code wins over a contradicting
	// enhanced code, as RFC 5321 §4.2.1 has the client act on it).
	Severity Severity `json:"severity,omitempty"`
	// Category of the verdict. Required.
	Category Category `json:"category"`
	// Hint of the verdict; empty means the category's usual hint.
	Hint Hint `json:"hint,omitempty"`
	// Suppress marks the address itself as bad. Allowed only with the
	// recipient-level categories recipient_unknown, recipient_inactive,
	// recipient_moved and bad_domain, and only effective when the verdict
	// is hard.
	Suppress bool `json:"suppress,omitempty"`
	// SlowDown asks the queue to throttle the stream to this provider.
	SlowDown bool `json:"slow_down,omitempty"`
	// Explanation is the one-line reason shown with the verdict.
	Explanation string `json:"explanation,omitempty"`
}

// Sentinel errors for invalid rules and options, wrapped in a *RuleError.
var (
	ErrNoID           = errors.New("rule has no ID")
	ErrDuplicateID    = errors.New("duplicate rule ID")
	ErrNoPredicate    = errors.New("rule has no predicate")
	ErrBadCode        = errors.New("invalid code pattern")
	ErrBadStatus      = errors.New("invalid status pattern")
	ErrBadSeverity    = errors.New("unknown severity")
	ErrBadCategory    = errors.New("unknown category")
	ErrBadHint        = errors.New("unknown hint")
	ErrBadStage       = errors.New("unknown stage")
	ErrEmptyPattern   = errors.New("empty text pattern or tag")
	ErrBadSuppress    = errors.New("suppress is only allowed for recipient-level categories")
	ErrUnknownRule    = errors.New("no built-in rule with this ID")
	ErrTooManyRules   = errors.New("too many rules")
	ErrTooManyPattern = errors.New("too many text patterns")
)

// RuleError reports an invalid rule (or an invalid ID in Options.Disable).
// It wraps one of the Err* sentinels.
type RuleError struct {
	ID    string // the rule's ID ("" if it had none)
	Index int    // position in the list it came from
	Field string // the offending field, e.g. "status"
	Err   error
}

func (e *RuleError) Error() string {
	id := e.ID
	if id == "" {
		id = "#" + strconv.Itoa(e.Index)
	}
	if e.Field != "" {
		return fmt.Sprintf("classify: rule %q: %s: %v", id, e.Field, e.Err)
	}
	return fmt.Sprintf("classify: rule %q: %v", id, e.Err)
}

func (e *RuleError) Unwrap() error { return e.Err }

// codeRange is an inclusive range of basic codes.
type codeRange struct{ lo, hi int }

// statusPat matches an enhanced status code; class and subject -1 mean any.
type statusPat struct {
	class, subject int
	lo, hi         int // detail range
}

func (p statusPat) match(st bounce.Status) bool {
	return (p.class < 0 || p.class == st.Class()) &&
		(p.subject < 0 || p.subject == st.Subject()) &&
		st.Detail() >= p.lo && st.Detail() <= p.hi
}

// crule is a compiled Rule.
type crule struct {
	src *Rule
	// vague marks a catch-all text rule ("service unavailable"): a reply
	// decided by it still gets a look at its wrapper.
	vague    bool
	codes    []codeRange
	statuses []statusPat
	tags     []string // lower-cased; prefix when it ends in '*' (stripped, see tagPrefix)
	tagPre   []bool
	stages   []bounce.Stage
	any      []uint32 // pattern IDs
	all      []uint32
	none     []uint32
	sev      Severity
	hint     Hint
	suppress bool
}

var validCategories = map[Category]Hint{
	CategoryRecipientUnknown:  HintRecipient,
	CategoryRecipientInactive: HintRecipient,
	CategoryRecipientMoved:    HintRecipient,
	CategoryMailboxFull:       HintRecipient,
	CategoryBadDomain:         HintRecipient,
	CategoryMessageTooLarge:   HintContent,
	CategorySpamContent:       HintContent,
	CategoryContentPolicy:     HintContent,
	CategoryVirus:             HintContent,
	CategoryReputationBlock:   HintReputation,
	CategoryAuthFailure:       HintAuthentication,
	CategoryRateLimited:       HintVolume,
	CategoryRelayDenied:       HintInfrastructure,
	CategorySenderRejected:    HintInfrastructure,
	CategoryPolicy:            HintUnknown,
	CategoryTLSFailure:        HintInfrastructure,
	CategoryExpired:           HintUnknown,
	CategoryNetwork:           HintNone,
	CategoryProtocol:          HintInfrastructure,
	CategorySystem:            HintNone,
	CategoryAutoReply:         HintNone,
	CategoryComplaint:         HintReputation,
	CategoryDelivered:         HintNone,
	CategoryUnknown:           HintUnknown,
}

var validHints = map[Hint]bool{
	HintRecipient: true, HintContent: true, HintReputation: true, HintAuthentication: true,
	HintVolume: true, HintInfrastructure: true, HintForwarding: true, HintNone: true, HintUnknown: true,
}

var validStages = map[bounce.Stage]bool{
	bounce.StageConnect: true, bounce.StageHELO: true, bounce.StageSTARTTLS: true, bounce.StageAUTH: true,
	bounce.StageMAIL: true, bounce.StageRCPT: true, bounce.StageDATA: true, bounce.StageEndOfData: true,
	bounce.StageBDAT: true, bounce.StageQUIT: true,
}

// IsRecipientLevel reports whether c is a cause that lies with the address
// itself, the only categories a verdict may suppress.
func (c Category) IsRecipientLevel() bool {
	switch c {
	case CategoryRecipientUnknown, CategoryRecipientInactive, CategoryRecipientMoved, CategoryBadDomain:
		return true
	}
	return false
}

// Validate checks r on its own (not against other rules) and returns a
// *RuleError naming the rule and the field.
func (r *Rule) Validate() error {
	_, err := compileRule(r, 0, func(string) uint32 { return 0 })
	return err
}

// compileRule checks and compiles r; pid interns a text pattern.
func compileRule(r *Rule, index int, pid func(string) uint32) (crule, error) {
	fail := func(field string, err error) (crule, error) {
		return crule{}, &RuleError{ID: r.ID, Index: index, Field: field, Err: err}
	}
	if strings.TrimSpace(r.ID) == "" {
		return fail("id", ErrNoID)
	}
	c := crule{src: r, sev: r.Severity, hint: r.Hint, suppress: r.Suppress}
	var err error
	if c.codes, err = parseCodePattern(r.Code); err != nil {
		return fail("code", err)
	}
	if c.statuses, err = parseStatusPattern(r.Status); err != nil {
		return fail("status", err)
	}
	for _, t := range r.Tags {
		pre := strings.HasSuffix(t, "*")
		t = strings.TrimSuffix(t, "*")
		if t == "" {
			return fail("tags", ErrEmptyPattern)
		}
		c.tags = append(c.tags, strings.ToLower(t))
		c.tagPre = append(c.tagPre, pre)
	}
	for _, s := range r.Stages {
		if !validStages[s] {
			// Accept the names queues use ("rcpt", "RCPT TO", "end of DATA").
			if n := bounce.ParseStage(string(s)); n != "" {
				s = n
			} else {
				return fail("stages", fmt.Errorf("%w: %q", ErrBadStage, s))
			}
		}
		c.stages = append(c.stages, s)
	}
	for _, set := range []struct {
		name string
		in   []string
		out  *[]uint32
	}{{"any", r.Any, &c.any}, {"all", r.All, &c.all}, {"none", r.None, &c.none}} {
		for _, p := range set.in {
			if p == "" {
				return fail(set.name, ErrEmptyPattern)
			}
			*set.out = append(*set.out, pid(ascii.Lower(p)))
		}
	}
	if r.Provider == "" && len(c.codes) == 0 && len(c.statuses) == 0 && len(c.tags) == 0 &&
		len(c.stages) == 0 && len(c.any) == 0 && len(c.all) == 0 && len(c.none) == 0 {
		return fail("", ErrNoPredicate)
	}
	switch r.Severity {
	case "", SeverityHard, SeveritySoft, SeverityNone:
	default:
		return fail("severity", fmt.Errorf("%w: %q", ErrBadSeverity, r.Severity))
	}
	defHint, ok := validCategories[r.Category]
	if !ok {
		return fail("category", fmt.Errorf("%w: %q", ErrBadCategory, r.Category))
	}
	if r.Hint == "" {
		c.hint = defHint
	} else if !validHints[r.Hint] {
		return fail("hint", fmt.Errorf("%w: %q", ErrBadHint, r.Hint))
	}
	if r.Suppress && !r.Category.IsRecipientLevel() {
		return fail("suppress", ErrBadSuppress)
	}
	return c, nil
}

// parseCodePattern reads "550", "55x", "5xx", "550-554", comma-separated.
func parseCodePattern(s string) ([]codeRange, error) {
	if s == "" {
		return nil, nil
	}
	var out []codeRange
	for _, p := range strings.Split(s, ",") {
		p = strings.ToLower(strings.TrimSpace(p))
		var r codeRange
		switch {
		case len(p) == 3 && strings.HasSuffix(p, "xx"):
			d, err := digit(p[0])
			if err != nil {
				return nil, fmt.Errorf("%w: %q", ErrBadCode, s)
			}
			r = codeRange{d * 100, d*100 + 99}
		case len(p) == 3 && p[2] == 'x':
			n, err := strconv.Atoi(p[:2])
			if err != nil || n < 10 {
				return nil, fmt.Errorf("%w: %q", ErrBadCode, s)
			}
			r = codeRange{n * 10, n*10 + 9}
		case strings.Contains(p, "-"):
			a, b, _ := strings.Cut(p, "-")
			lo, err1 := strconv.Atoi(a)
			hi, err2 := strconv.Atoi(b)
			if err1 != nil || err2 != nil || lo > hi {
				return nil, fmt.Errorf("%w: %q", ErrBadCode, s)
			}
			r = codeRange{lo, hi}
		default:
			n, err := strconv.Atoi(p)
			if err != nil {
				return nil, fmt.Errorf("%w: %q", ErrBadCode, s)
			}
			r = codeRange{n, n}
		}
		if r.lo < 200 || r.hi > 599 {
			return nil, fmt.Errorf("%w: %q (basic codes are 200-599)", ErrBadCode, s)
		}
		out = append(out, r)
	}
	return out, nil
}

func digit(b byte) (int, error) {
	if b < '2' || b > '5' {
		return 0, ErrBadCode
	}
	return int(b - '0'), nil
}

// parseStatusPattern reads "5.7.1", "x.1.1", "5.7.*", "4.7.500-699",
// comma-separated.
func parseStatusPattern(s string) ([]statusPat, error) {
	if s == "" {
		return nil, nil
	}
	var out []statusPat
	for _, p := range strings.Split(s, ",") {
		p = strings.ToLower(strings.TrimSpace(p))
		parts := strings.Split(p, ".")
		if len(parts) != 3 {
			return nil, fmt.Errorf("%w: %q", ErrBadStatus, s)
		}
		sp := statusPat{class: -1, subject: -1, lo: 0, hi: 999}
		switch parts[0] {
		case "x", "*":
		case "2", "4", "5":
			sp.class = int(parts[0][0] - '0')
		default:
			return nil, fmt.Errorf("%w: %q (class must be 2, 4, 5 or x)", ErrBadStatus, s)
		}
		if parts[1] != "*" && parts[1] != "x" {
			n, err := strconv.Atoi(parts[1])
			if err != nil || n < 0 || n > 7 {
				return nil, fmt.Errorf("%w: %q (subject must be 0-7)", ErrBadStatus, s)
			}
			sp.subject = n
		}
		if parts[2] != "*" && parts[2] != "x" {
			a, b, rng := strings.Cut(parts[2], "-")
			lo, err := strconv.Atoi(a)
			hi := lo
			if rng {
				hi, err = strconv.Atoi(b)
				if err == nil {
					_, err = strconv.Atoi(a)
				}
			}
			if err != nil || lo < 0 || hi > 999 || lo > hi {
				return nil, fmt.Errorf("%w: %q (detail must be 0-999)", ErrBadStatus, s)
			}
			sp.lo, sp.hi = lo, hi
		}
		out = append(out, sp)
	}
	return out, nil
}

// match reports whether the compiled rule's predicates all hold.
func (c *crule) match(r *bounce.Reply, prov Provider, stage bounce.Stage, ml *matchList) bool {
	if c.src.Provider != "" && c.src.Provider != prov {
		return false
	}
	if len(c.codes) > 0 {
		ok := false
		for _, cr := range c.codes {
			if r.Code >= cr.lo && r.Code <= cr.hi {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	if len(c.statuses) > 0 {
		if !r.Status.IsValid() {
			return false
		}
		ok := false
		for _, sp := range c.statuses {
			if sp.match(r.Status) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	if len(c.stages) > 0 {
		ok := false
		for _, s := range c.stages {
			if s == stage {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	if len(c.tags) > 0 && !c.matchTags(r) {
		return false
	}
	if len(c.any) > 0 {
		ok := false
		for _, id := range c.any {
			if ml.has(id) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	for _, id := range c.all {
		if !ml.has(id) {
			return false
		}
	}
	for _, id := range c.none {
		if ml.has(id) {
			return false
		}
	}
	return true
}

func (c *crule) matchTags(r *bounce.Reply) bool {
	for _, t := range r.Tags {
		if t == "" {
			break
		}
		for i, want := range c.tags {
			if c.tagPre[i] {
				if len(t) >= len(want) && strings.EqualFold(t[:len(want)], want) {
					return true
				}
			} else if strings.EqualFold(t, want) {
				return true
			}
		}
	}
	return false
}
