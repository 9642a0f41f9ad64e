package classify

// This file reads what a reply's words mean, beside the phrase rules: who
// the text is about (the recipient's address or mailbox, the recipient's
// domain, the sender, the sending host, the message, ...) and what it says
// of it (unknown, disabled, full, blocked, looping, malformed, ...). It
// handles scope ("Sender address rejected: domain not found" is about the
// sender; "the account that you tried to reach does not exist" about the
// account) and negation and hedging ("user is not blocked", "may not
// exist", "temporarily disabled" state nothing). The vocabulary is its own
// small Aho-Corasick automaton (matcher.go), scanned with match positions;
// reading one reply allocates nothing.
//
// The words come from how MTAs phrase their reasons (RFC 5321 §4.2 and
// RFC 3463 §3 describe the same statuses in prose; Postfix, Exim, qmail,
// Sendmail, Exchange, Domino, IMail, GroupWise, MDaemon and hosted gateways
// word them differently), not from any one sample.

import (
	"errors"
	"strings"
	"sync"
)

// Subject is who or what a reply's text is about. The values are the wire
// tokens of Meaning.
type Subject string

// Subjects.
const (
	SubjectNone Subject = ""
	// SubjectRecipient: the recipient's address, user, mailbox or account.
	SubjectRecipient Subject = "recipient"
	// SubjectDomain: a domain not named as the sender's (the recipient's,
	// in practice).
	SubjectDomain Subject = "domain"
	// SubjectSender: the envelope sender, its domain or account ("your
	// account", "you").
	SubjectSender Subject = "sender"
	// SubjectSendingHost: the sending IP, client host or network.
	SubjectSendingHost Subject = "sending_host"
	// SubjectMessage: the message, its content, headers or MIME structure.
	SubjectMessage Subject = "message"
	// SubjectSystem: the receiving system, its mailer, disk or delivery agent.
	SubjectSystem Subject = "system"
	// SubjectAuthentication: SMTP AUTH, credentials, signatures.
	SubjectAuthentication Subject = "authentication"
	// SubjectRelay: relaying through the receiving host.
	SubjectRelay Subject = "relay"
	// SubjectCommand: an SMTP command or its syntax.
	SubjectCommand Subject = "command"
)

// State is what a reply's text says of its subject. The values are the
// wire tokens of Meaning.
type State string

// States.
const (
	StateNone State = ""
	// StateUnknown: unknown, not found, does not exist, no such, not listed.
	StateUnknown State = "unknown"
	// StateInvalid: invalid, bad, illegal, not valid.
	StateInvalid State = "invalid"
	// StateDisabled: disabled, suspended, inactive, closed, locked, expired.
	StateDisabled State = "disabled"
	// StateFull: full, over quota, out of storage.
	StateFull State = "full"
	// StateBlocked: blocked, listed, banned, of bad reputation.
	StateBlocked State = "blocked"
	// StateRefused: refused, denied, not allowed, not permitted.
	StateRefused State = "refused"
	// StateLooping: looping, too many hops.
	StateLooping State = "looping"
	// StateMalformed: malformed, broken, not RFC compliant.
	StateMalformed State = "malformed"
	// StateTooLarge: too large, too big.
	StateTooLarge State = "too_large"
	// StateFailed: failed, an error.
	StateFailed State = "failed"
	// StateRequired: required, must.
	StateRequired State = "required"
)

// Meaning is what a reply's words say: a subject and its state, such as
// recipient/unknown or sending_host/blocked. The zero Meaning says nothing.
// Its text form is "subject/state" ("recipient/unknown"; "state" alone for
// a state with no subject, "looping"). It is a comparable value.
type Meaning struct {
	Subject Subject
	State   State
}

// ErrBadMeaning is returned by ParseMeaning for an unknown subject or state.
var ErrBadMeaning = errors.New("classify: invalid meaning")

var validSubjects = map[Subject]bool{
	SubjectRecipient: true, SubjectDomain: true, SubjectSender: true, SubjectSendingHost: true,
	SubjectMessage: true, SubjectSystem: true, SubjectAuthentication: true, SubjectRelay: true, SubjectCommand: true,
}

var validStates = map[State]bool{
	StateUnknown: true, StateInvalid: true, StateDisabled: true, StateFull: true, StateBlocked: true,
	StateRefused: true, StateLooping: true, StateMalformed: true, StateTooLarge: true, StateFailed: true, StateRequired: true,
}

// IsZero reports whether m says nothing.
func (m Meaning) IsZero() bool { return m.Subject == "" && m.State == "" }

// String returns "subject/state", the state alone when there is no
// subject, or "" for the zero Meaning.
func (m Meaning) String() string {
	switch {
	case m.State == "":
		return ""
	case m.Subject == "":
		return string(m.State)
	}
	return string(m.Subject) + "/" + string(m.State)
}

// AppendText appends m.String() to b.
func (m Meaning) AppendText(b []byte) ([]byte, error) {
	if m.State != "" && m.Subject != "" {
		b = append(b, m.Subject...)
		b = append(b, '/')
	}
	return append(b, m.State...), nil
}

// MarshalText returns m.String().
func (m Meaning) MarshalText() ([]byte, error) { return m.AppendText(nil) }

// UnmarshalText reads what MarshalText writes.
func (m *Meaning) UnmarshalText(b []byte) error {
	v, err := ParseMeaning(string(b))
	if err != nil {
		return err
	}
	*m = v
	return nil
}

// ParseMeaning reads "subject/state", "state" or "" (the zero Meaning).
func ParseMeaning(s string) (Meaning, error) {
	if s == "" {
		return Meaning{}, nil
	}
	subj, st, ok := strings.Cut(s, "/")
	if !ok {
		subj, st = "", s
	}
	m := Meaning{Subject: Subject(subj), State: State(st)}
	if (subj != "" && !validSubjects[m.Subject]) || !validStates[m.State] {
		return Meaning{}, errors.Join(ErrBadMeaning, errors.New("classify: not subject/state: "+s))
	}
	return m, nil
}

// ReadMeaning returns what the text says, as the built-in vocabulary reads
// it: the meaning of the first clause whose subject and state map to a
// cause, in the order of the meaning rules (docs/classify.md, "Meaning").
// Safe for concurrent use; does not allocate.
func ReadMeaning(text string) Meaning {
	m, _ := builtinVocab().read(text, 0)
	return m
}

// Term kinds.
const (
	termSubject = iota + 1
	termState
	termNeg   // "not", "no", "never", "isn't": negates a state after it
	termHedge // "may", "if", "temporarily": what follows in the clause is not stated
	termBreak // a clause boundary: ". ", "; ", ": ", "because", "due to"
	// termNeutral is notice boilerplate that states nothing about anyone
	// ("SMTP error from remote mail server", "permanent failure"); as the
	// longer term it hides the words inside it.
	termNeutral
)

type vterm struct {
	text string
	kind uint8
	// weak subjects ("address", "domain", "you") yield to a strong one in
	// the same clause and to a sender or host named in the clause before.
	weak bool
	// one marks a singular noun that "no" turns into "there is no such"
	// ("no mailbox here", "no account by that name").
	one  bool
	no   bool // the negation "no"
	subj Subject
	st   State
	// pre marks a state that stands before its noun ("unknown user",
	// "invalid recipient", "inactive account").
	pre bool
	// implied is the subject a state implies on its own ("not a member of
	// this domain" is about a user).
	implied Subject
}

// vocab is the compiled vocabulary: immutable, safe for concurrent use.
// Its automaton is the phrase matcher's (matcher.go), with the transition
// table kept as uint16 state numbers: a quarter of the size of the
// pre-multiplied uint32 table, so that it shares the cache with the phrase
// automaton; the multiply per byte costs less than the misses it saves.
type vocab struct {
	terms []vterm
	m     *matcher
	delta []uint16 // delta[s*nclass+class] = next state
	thr   uint16   // states at or above it end a term
}

var builtinVocab = sync.OnceValue(func() *vocab { return newVocab(vocabulary()) })

// newVocab compiles the vocabulary, or takes its precompiled automaton
// (vocab_default.bin, matcher_table.go) when it was built from exactly these
// terms.
func newVocab(terms []vterm) *vocab {
	pats := vocabPatterns(terms)
	if m, d, thr := readTable(defaultVocabTable, pats); m != nil && d != nil && thr < 1<<16 {
		m.outThreshold = thr * uint32(m.nclass) // as newMatcher has it
		return &vocab{terms: terms, m: m, delta: d, thr: uint16(thr)}
	}
	return compileVocab(terms, pats)
}

func vocabPatterns(terms []vterm) []string {
	pats := make([]string, len(terms))
	for i, t := range terms {
		pats[i] = t.text
	}
	return pats
}

// compileVocab builds the vocabulary's automaton from its patterns.
func compileVocab(terms []vterm, pats []string) *vocab {
	m, err := newMatcher(pats)
	if err != nil {
		panic("classify: vocabulary automaton: " + err.Error()) // built-in data within every cap
	}
	nc := uint32(m.nclass)
	if uint64(m.states()) >= 1<<16 {
		panic("classify: vocabulary automaton too large")
	}
	d := make([]uint16, len(m.delta))
	for i, t := range m.delta {
		d[i] = uint16(t / nc)
	}
	m.delta = nil // the scan reads d; the uint32 table is not kept
	return &vocab{terms: terms, m: m, delta: d, thr: uint16(m.outThreshold / nc)}
}

// maxEvents bounds the terms one reading keeps; a reply with more keeps
// the first ones (replies that matter say what they mean early).
const maxEvents = 48

type vevent struct {
	start, end int32
	id         uint32
}

type eventList struct {
	n  int
	ev [maxEvents]vevent
	// subj and weak are a subject event's reading in context: a noun
	// right after the sender's or its host's ("sender account", "sender
	// mailbox") is theirs.
	subj [maxEvents]uint8 // subjectIdx of the subject
	weak [maxEvents]bool
}

func isWordByte(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b >= 0x80
}

// scan collects the vocabulary's terms in text with their positions, the
// longest of overlapping terms kept, in text order.
func (v *vocab) scan(text string, el *eventList) {
	m := v.m
	if m == nil || len(v.delta) == 0 {
		return
	}
	nc := uint32(m.nclass)
	delta, classOf, thr := v.delta, &m.classOf, v.thr
	s := uint16(0)
	for i := 0; i < len(text); i++ {
		s = delta[uint32(s)*nc+uint32(classOf[text[i]])]
		if s < thr {
			continue
		}
		st := uint32(s)
		for _, id := range m.out[m.outStart[st]:m.outStart[st+1]] {
			t := &v.terms[id]
			end := i + 1
			start := end - len(t.text)
			// Words match whole words: "user" is not in "username";
			// punctuation terms (". ", "(") stand anywhere.
			if isWordByte(t.text[0]) && start > 0 && isWordByte(text[start-1]) {
				continue
			}
			if isWordByte(t.text[len(t.text)-1]) && end < len(text) && isWordByte(text[end]) {
				continue
			}
			el.add(vevent{int32(start), int32(end), id})
		}
	}
}

// subject is subject event k's reading in context.
func (el *eventList) subject(k int) Subject { return subjectByIdx[el.subj[k]] }

// add keeps e unless a kept term overlaps it and is at least as long;
// kept terms it overlaps and outlasts are dropped. Events arrive in order
// of their end.
func (el *eventList) add(e vevent) {
	for el.n > 0 {
		last := &el.ev[el.n-1]
		if last.end <= e.start {
			break
		}
		if last.end-last.start >= e.end-e.start {
			return
		}
		el.n--
	}
	if el.n < maxEvents {
		el.ev[el.n] = e
		el.n++
	}
}

// clause is what the reading knows of the clause it is in: the index of
// its latest strong and first weak subject event so far, or -1, and
// whether it stated anything.
type clause struct {
	strong, weak int
	stated       bool // a state was said in it (negated or not)
}

// read returns the meaning of text and the index of the meaning rule it
// maps to (-1 when it maps to none), leaving out the rules whose bit is
// set in off. Of several clauses with a meaning the
// one whose rule comes first in meaningRules wins, so a reply that speaks
// of the sender and of a user never reads as a dead recipient.
func (v *vocab) read(text string, off uint64) (Meaning, int) {
	m, k, _ := v.readHedged(text, off)
	return m, k
}

// readHedged is read that also reports whether the meaning was softened
// by a hedge (a suppressing reading turned into one that does not
// suppress: "if the user does not exist").
func (v *vocab) readHedged(text string, off uint64) (Meaning, int, bool) {
	var el eventList
	v.scan(text, &el)
	best, bestM, bestSoft := -1, Meaning{}, false
	consider := func(s Subject, st State, hedged, weak bool) {
		k := meaningRuleFor(s, st)
		k0 := k
		// A bare "address" said to be invalid may be a syntax or policy
		// matter ("invalid address"): it reads as unknown, but not as
		// proof to suppress ("unknown address", "address not found" are).
		// A hedged or temporary statement ("may not exist", "temporarily
		// disabled") is no ground to suppress either.
		switch {
		case k == ruleRecipientUnknown && (weak && st == StateInvalid || hedged):
			k = ruleAddressUnknown
		case k == ruleRecipientDisabled && hedged:
			k = ruleRecipientDisabledForNow
		case k == ruleDomainUnknown && hedged:
			k = ruleDomainInvalid
		}
		if k < 0 || off&(1<<k) != 0 || hedged && meaningRules[k].Suppress {
			return
		}
		if best < 0 || k < best {
			best, bestM, bestSoft = k, Meaning{s, st}, hedged && k != k0
		}
	}
	v.readSubjects(&el)
	// prevSubj is the subject of the clause before, for scope; prevOpen
	// the same when that clause stated nothing of it ("User (bob@x)
	// unknown"), for a clause without a subject.
	prevSubj, prevOpen := SubjectNone, SubjectNone
	c := clause{-1, -1, false}
	hedged := false
	clauseStart := 0
	for k := 0; k < el.n; k++ {
		t := &v.terms[el.ev[k].id]
		switch t.kind {
		case termBreak:
			if s, _ := v.clauseSubject(&el, c); s != SubjectNone {
				prevSubj, prevOpen = s, s
				if c.stated {
					prevOpen = SubjectNone
				}
			}
			c, hedged, clauseStart = clause{-1, -1, false}, false, k+1
		case termHedge:
			hedged = true
		case termSubject:
			if el.weak[k] {
				if c.weak < 0 {
					c.weak = k
				}
			} else {
				c.strong = k
			}
			// "no mailbox here", "no such user": there is no such one.
			if t.one && k > clauseStart {
				p := el.ev[k-1]
				if pt := &v.terms[p.id]; pt.kind == termNeg && pt.no && el.ev[k].start-p.end <= 1 {
					consider(el.subject(k), StateUnknown, hedged, el.weak[k])
				}
			}
		case termState:
			c.stated = true
			if v.negated(&el, k, clauseStart) {
				continue
			}
			s, weak := v.subjectOf(&el, k, c)
			if t.implied != SubjectNone {
				s, weak = t.implied, false
			}
			// Scope: a clause without a subject, or with only a weak one
			// ("domain", "address"), after a clause about the sender or
			// its host is about them too ("Sender address rejected:
			// Domain not found"); one without any subject continues the
			// clause before ("User (bob@example.com) unknown").
			switch {
			case weak && (prevSubj == SubjectSender || prevSubj == SubjectSendingHost):
				s = prevSubj
			case s == SubjectNone:
				s = prevOpen
			}
			consider(s, t.st, hedged, weak)
		}
	}
	if best < 0 {
		return Meaning{}, -1, false
	}
	return bestM, best, bestSoft
}

// readSubjects fills el.subj and el.weak: each subject term's own
// reading, except that a noun right after the sender's or its host's is
// theirs ("sender account", "sender mailbox", "sender domain name"); a
// host after "mail from" stays a host ("mail from your IP is refused").
func (v *vocab) readSubjects(el *eventList) {
	for k := 0; k < el.n; k++ {
		t := &v.terms[el.ev[k].id]
		if t.kind != termSubject {
			continue
		}
		el.subj[k], el.weak[k] = uint8(subjectIdx(t.subj)), t.weak
		if k > 0 {
			p := el.ev[k-1]
			if ps := el.subject(k - 1); v.terms[p.id].kind == termSubject && el.ev[k].start-p.end <= 1 &&
				(ps == SubjectSender || ps == SubjectSendingHost) && (t.subj == SubjectRecipient || t.subj == SubjectDomain) {
				el.subj[k], el.weak[k] = uint8(subjectIdx(ps)), false
			}
		}
	}
}

// negated reports whether a negation stands shortly before state event k
// in its clause ("is not blocked", "never full").
func (v *vocab) negated(el *eventList, k, clauseStart int) bool {
	for j := k - 1; j >= clauseStart && j >= k-2; j-- {
		p := el.ev[j]
		if el.ev[k].start-p.end > 14 {
			return false
		}
		if v.terms[p.id].kind == termNeg {
			return true
		}
	}
	return false
}

// subjectOf finds the subject of state event k and whether it is a weak
// one: the noun right after a state that stands before its noun ("unknown
// user"), else the nearest strong subject of the clause before the state
// (the head of "the account that you tried to reach does not exist", as
// "you" is weak; "parameters" in "MAIL FROM parameters not recognized"),
// else a strong subject after it ("you are not allowed to connect"), else
// the first weak one before it, else any subject after it in the clause.
func (v *vocab) subjectOf(el *eventList, k int, c clause) (Subject, bool) {
	t := &v.terms[el.ev[k].id]
	if t.pre && k+1 < el.n {
		n := el.ev[k+1]
		if nt := &v.terms[n.id]; nt.kind == termSubject && n.start-el.ev[k].end <= 2 {
			return el.subject(k + 1), el.weak[k+1]
		}
	}
	if c.strong >= 0 && c.strong < k {
		return el.subject(c.strong), false
	}
	after, afterWeak := SubjectNone, false
	for j := k + 1; j < el.n; j++ {
		nt := &v.terms[el.ev[j].id]
		if nt.kind == termBreak {
			break
		}
		if nt.kind == termSubject {
			if !el.weak[j] {
				return el.subject(j), false
			}
			if after == SubjectNone {
				after, afterWeak = el.subject(j), true
			}
		}
	}
	if c.weak >= 0 && c.weak < k {
		return el.subject(c.weak), true
	}
	return after, afterWeak
}

// clauseSubject is the clause's latest strong subject, else its first
// weak one.
func (v *vocab) clauseSubject(el *eventList, c clause) (Subject, bool) {
	if c.strong >= 0 {
		return el.subject(c.strong), false
	}
	if c.weak >= 0 {
		return el.subject(c.weak), true
	}
	return SubjectNone, false
}
