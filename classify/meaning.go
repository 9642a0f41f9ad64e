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

func subj(s Subject, words ...string) []vterm {
	out := make([]vterm, len(words))
	for i, w := range words {
		out[i] = vterm{text: w, kind: termSubject, subj: s}
	}
	return out
}

func weakSubj(s Subject, words ...string) []vterm {
	out := subj(s, words...)
	for i := range out {
		out[i].weak = true
	}
	return out
}

func oneSubj(s Subject, words ...string) []vterm {
	out := subj(s, words...)
	for i := range out {
		out[i].one = true
	}
	return out
}

func state(st State, pre bool, words ...string) []vterm {
	out := make([]vterm, len(words))
	for i, w := range words {
		out[i] = vterm{text: w, kind: termState, st: st, pre: pre}
	}
	return out
}

func implied(s Subject, st State, words ...string) []vterm {
	out := state(st, false, words...)
	for i := range out {
		out[i].implied = s
	}
	return out
}

func kindTerms(kind uint8, words ...string) []vterm {
	out := make([]vterm, len(words))
	for i, w := range words {
		out[i] = vterm{text: w, kind: kind, no: w == "no"}
	}
	return out
}

// vocabulary is the built-in word list. Longer terms win over the terms
// they contain ("sender address" over "address", "not found" over "not").
func vocabulary() []vterm {
	var v []vterm
	add := func(ts []vterm) { v = append(v, ts...) }

	// Who: the recipient (RFC 5321 §4.2.2 "mailbox", RFC 3463 x.1.1
	// "destination mailbox address").
	add(oneSubj(SubjectRecipient, "recipient", "user", "mailbox", "mail box", "account", "addressee", "person",
		"local user", "local recipient", "mail user", "user account", "email account", "e-mail account", "mail account",
		"destination mailbox", "username", "user name", "user id", "userid", "alias", "mailbox name", "inbox", "subscriber"))
	add(subj(SubjectRecipient, "recipients", "users", "mailboxes", "accounts", "recipient's", "user's", "recipient address",
		"email address", "e-mail address", "mail address", "destination address", "local part", "local-part", "rcpt",
		"receiver", "recipient mailbox", "mailbox address", "your recipient", "intended recipient", "e-mail id", "email id",
		"member"))
	add(weakSubj(SubjectRecipient, "address", "addr", "addresses", "destination"))
	// The recipient's domain (RFC 3463 x.1.2 "destination system").
	add(weakSubj(SubjectDomain, "domain", "domains", "domain name", "recipient domain", "mail domain", "destination domain",
		"recipient's domain", "destination system", "destination host", "mail exchanger", "mx", "host", "host name",
		"hostname", "remote host", "remote server", "remote system"))
	// The sender (RFC 3463 x.1.7, x.1.8, x.7.13: the sender's mailbox,
	// system and account).
	add(subj(SubjectSender, "sender", "senders", "sender's", "sender address", "sender domain", "sending domain",
		"from address", "from domain", "envelope sender", "envelope from", "envelope-from", "mail from", "mail-from",
		"return path", "return-path", "reverse path", "reverse-path", "originator", "your account", "your address",
		"your email address", "your e-mail address", "your domain", "your mailbox", "sender identity", "your identity",
		"sender's identity", "author", "from header address"))
	// "you" in a receiver's reply is the connecting client: "you are
	// not allowed to connect", "you have been blocked".
	add(weakSubj(SubjectSendingHost, "you"))
	// The sending host (RFC 3463 x.7.1 "delivery not authorized"; RFC
	// 7372 x.7.25 reverse DNS).
	add(subj(SubjectSendingHost, "ip", "ip address", "your ip", "your ip address", "sending ip", "sender ip", "client ip",
		"client host", "client", "connecting ip", "connecting host", "remote ip", "sending host", "sending server",
		"sending mta", "your host", "your server", "your mail server", "your network", "netblock", "ip range",
		"source ip", "originating ip", "to connect", "connection from", "connections from", "your ip's", "ip's",
		"peer", "helo name", "your hostname", "client hostname"))
	// The message (RFC 5322 format, RFC 2045 MIME; RFC 3463 x.6.x).
	add(subj(SubjectMessage, "message", "messages", "your message", "your mail", "your email", "your e-mail", "mail",
		"e-mail", "email", "content", "contents", "body", "header", "headers", "mime", "mime structure", "mime part",
		"mime parts", "multipart", "boundary", "attachment", "attachments", "encoding", "message structure",
		"message format", "message header", "message headers", "message body", "from header", "date header",
		"message-id", "subject line", "line length", "bare lf", "line ending", "line endings",
		"content-type", "content type", "character set", "charset"))
	// The receiving system (RFC 3463 x.3.x; Sendmail's mailers, Exim's
	// transports, local delivery agents).
	add(subj(SubjectSystem, "mail system", "local system", "mailer", "local mailer", "delivery agent",
		"local delivery", "transport", "configuration", "local configuration", "disk", "disk space",
		"file system", "filesystem", "i/o", "process", "child process", "program", "pipe", "database", "directory server",
		"storage system"))
	// Authentication (RFC 4954; RFC 7372 x.7.20-x.7.26).
	add(subj(SubjectAuthentication, "authentication", "auth", "smtp auth", "credentials", "password", "login",
		"signature", "dkim signature", "authentication credentials"))
	// Relaying (RFC 5321 §3.6; RFC 3463 x.7.1).
	add(subj(SubjectRelay, "relay", "relaying", "relay access", "relay attempt"))
	// SMTP commands (RFC 5321 §4.2.4, RFC 3463 x.5.x).
	add(subj(SubjectCommand, "command", "commands", "syntax", "smtp command", "protocol", "sequence", "argument",
		"arguments", "parameter", "parameters", "smtp protocol", "pipelining", "smtp session"))

	// What: does not exist (RFC 3463 x.1.1, x.1.2).
	add(state(StateUnknown, true, "unknown", "nonexistent", "non-existent", "non existent", "inexistent", "nonexisting",
		"non-existing", "unrecognized", "unrecognised", "unregistered", "unlisted", "unallocated", "unassigned",
		"unverified", "unverifiable", "unroutable", "unrouteable"))
	add(state(StateUnknown, false, "not found", "no such", "does not exist", "doesn't exist", "doesnt exist",
		"do not exist", "don't exist", "dosn't exist", "dosen't exist", "does't exist", "not exsist",
		"does not exsist", "dose not exist", "did not exist", "not exist", "not exists", "not existing", "no longer exists",
		"no longer exist", "does not exists", "not listed", "isn't listed", "not known", "not recognized",
		"not recognised", "not registered", "isn't registered", "is not registered", "could not be found",
		"couldn't be found", "cannot be found", "can't be found", "can not be found", "could not find", "couldn't find",
		"cannot find", "can't find", "unable to find", "not be found", "was not found", "wasn't found", "not located",
		"cannot be verified", "could not be verified", "can't be verified", "couldn't be verified",
		"not be verified", "verification failed", "failed verification", "verify failed", "failed to verify",
		"unable to verify", "lookup failed", "no record", "not in our", "not on this", "not here",
		"not hosted", "not served", "not a known", "does not have a", "doesn't have a", "has no", "does not have an",
		"doesn't have an", "no mailbox", "no account", "not provisioned", "not configured"))
	add(implied(SubjectRecipient, StateUnknown, "not a member", "is not a member", "no longer a member",
		"not a valid user", "not a local user", "no user by that name", "by that name", "not a user",
		"not a recipient", "no one by that name"))
	add(implied(SubjectAuthentication, StateFailed, "failed authentication", "authentication failure",
		"authentication failed", "not properly authenticated"))
	// An identity "not verified" is the sender's (a sending service's
	// verified-identity check: "Email address is not verified").
	add(implied(SubjectSender, StateUnknown, "not verified", "is not verified", "identity not verified",
		"identities failed the check", "failed the check"))
	add(implied(SubjectSystem, StateFailed, "local delivery failed", "delivery to local mailbox failed",
		"local delivery error", "mailer error", "local error"))
	add(implied(SubjectRelay, StateRefused, "not configured to relay", "do not relay", "does not relay", "don't relay",
		"we do not relay", "not relay", "cannot relay", "can't relay", "will not relay", "won't relay"))
	// Invalid (RFC 3463 x.1.3 bad syntax, x.1.1 bad address).
	add(state(StateInvalid, true, "invalid", "bad", "illegal", "wrong", "incorrect", "bogus"))
	add(state(StateInvalid, false, "not valid", "is not a valid", "not a valid", "isn't valid", "isn't a valid",
		"no longer valid", "not a correct", "not correct", "not acceptable", "not permitted here"))
	// Disabled (RFC 3463 x.2.1 mailbox disabled; x.7.13 account disabled).
	add(state(StateDisabled, true, "disabled", "suspended", "inactive", "deactivated", "inactivated", "closed", "locked",
		"expired", "terminated", "cancelled", "canceled", "deleted", "removed", "discontinued", "dormant", "frozen",
		"retired", "abandoned", "archived", "blocked account", "de-activated"))
	add(state(StateDisabled, false, "not activated", "not active", "no longer active", "not yet active", "not enabled",
		"no longer in use", "not in use", "no longer available", "no longer accepts", "no longer receives",
		"no longer accepting", "not accepting mail", "not receiving mail", "is not receiving", "has been closed",
		"been disabled", "been suspended", "been deactivated", "been terminated", "been deleted", "been removed",
		"been locked", "put on hold", "on hold", "out of service"))
	// Full (RFC 3463 x.2.2; RFC 5321 552 exceeded storage allocation).
	add(state(StateFull, true, "full", "over quota", "overquota", "over-quota"))
	// Not "exceeded" or "limit" alone: "user has exceeded the maximum
	// number of messages per hour" is a rate limit, "size limit" the
	// message's.
	add(state(StateFull, false, "is full", "quota", "out of space", "out of storage", "no space", "no more space",
		"not enough space", "insufficient space", "insufficient storage", "storage space", "storage limit",
		"storage allocation", "exceeded storage", "exceeds storage", "space left", "space exhausted",
		"storage exhausted", "disk space exhausted", "mailbox size", "inbox size"))
	// Blocked (RFC 3463 x.7.1; DNSBL listings, RFC 5782).
	add(state(StateBlocked, true, "blocked", "blacklisted", "blocklisted", "black-listed", "black listed",
		"block-listed", "denylisted", "banned", "blacklist", "blocklist", "dnsbl", "rbl", "spammer", "spamming",
		"suspicious", "untrusted", "dynamic", "residential", "dial-up", "dialup", "compromised", "abusive", "poor",
		"low reputation", "bad reputation", "poor reputation", "known spam", "spam source"))
	add(state(StateBlocked, false, "listed", "is listed", "identified as", "flagged", "not trusted", "reputation",
		"on our", "on a list", "in our list", "sends spam", "sending spam", "sent spam", "source of spam"))
	// Refused (RFC 5321 §4.2.2 550/554 wording, RFC 3463 x.7.1).
	add(state(StateRefused, false, "rejected", "denied", "refused", "not allowed", "not permitted", "not authorized",
		"not authorised", "unauthorized", "unauthorised", "prohibited", "forbidden", "disallowed", "not accepted",
		"is not accepted", "not welcome", "not authorized to", "refuse", "reject", "deny", "declined", "not allowed to"))
	// Looping (RFC 5321 §6.3; RFC 3463 x.4.6).
	add(state(StateLooping, false, "loop", "loops", "looping", "looped", "loops back", "loop detected", "too many hops",
		"hop count", "hops exceeded", "routing loop", "mail loop"))
	// Malformed (RFC 5322, RFC 2045; RFC 3463 x.6.x).
	add(state(StateMalformed, true, "malformed", "broken", "corrupt", "corrupted", "non-compliant", "noncompliant",
		"non compliant", "improperly formatted", "improper", "unparsable", "unparseable", "truncated", "garbled",
		"nonstandard", "non-standard"))
	add(state(StateMalformed, false, "not compliant", "not rfc compliant", "not rfc-compliant", "violates rfc",
		"violation of rfc", "syntax error", "not properly formatted", "not well formed", "not well-formed",
		"could not be parsed", "cannot be parsed", "failed to parse", "parse error",
		"does not conform", "doesn't conform", "not conform", "missing", "mismatch", "duplicate"))
	// Too large (RFC 3463 x.2.3, x.3.4; RFC 1870).
	add(state(StateTooLarge, false, "too large", "too big", "exceeds the size", "exceeds size",
		"exceeds the maximum", "size exceeds", "larger than", "oversized"))
	// Failed (RFC 3463 x.0.0, x.3.0 "other or undefined" status words).
	add(state(StateFailed, false, "failed", "failure", "fails", "error", "errors", "problem", "returned", "crashed",
		"not responding", "could not", "unable to", "cannot", "can't", "not possible", "did not succeed"))
	// Required (RFC 4954 530).
	add(state(StateRequired, false, "required", "is required", "must", "needed", "mandatory"))

	// Negation, hedges and clause boundaries.
	add(kindTerms(termNeg, "not", "no", "never", "isn't", "aren't", "wasn't", "weren't", "is not", "are not",
		"was not", "nor", "without", "none"))
	add(kindTerms(termHedge, "may", "might", "maybe", "if", "whether", "unless", "possibly", "probably", "perhaps",
		"temporarily", "temporary", "temporarly", "currently", "at this time", "at the moment", "for now",
		"try again", "try later", "please check", "check that", "verify that", "make sure", "ensure that"))
	add(kindTerms(termBreak, ". ", "; ", ": ", " - ", " -- ", ", but ", " but ", "because", "due to",
		" since ", " as it ", " as the ", " as your ", "reason:", "(", ")", "\n", " / "))
	add(kindTerms(termNeutral, "smtp error from remote mail server", "smtp error from remote server", "permanent failure",
		"permanent error", "temporary failure", "temporary error", "fatal error", "technical details", "delivery error",
		"delivery failure", "delivery failed", "delivery has failed", "failed recipient", "failed recipients",
		"the following error", "error message", "error messages", "returned mail", "mail delivery failed",
		"mail delivery failure", "mail delivery system", "delivery status notification", "undelivered mail",
		"the error that the other server returned", "the other server returned", "the server returned",
		"remote server returned", "server replied", "remote host said", "host said", "said:", "reporting-mta",
		"final-recipient", "diagnostic-code", "original message", "this message", "your message to",
		"could not be delivered", "couldn't be delivered", "was not delivered", "wasn't delivered",
		"cannot be delivered", "can't be delivered", "could not deliver", "couldn't deliver", "unable to deliver",
		"not be delivered", "delivery to the following", "delivery attempt", "for further information",
		"further assistance", "error code", "reason code",
		// A recipient that does not take mail from this sender is a
		// policy of the recipient's, not a closed mailbox.
		"not accepting mail from", "not accepting messages from", "not accepting email from", "not accept mail from",
		"not accept messages from", "not accept email from", "no longer accepts mail from", "accept mail from",
		"accept messages from", "accept email from", "receive mail from", "receive messages from", "refuses mail from",
		// Amazon SES's fixed prefixes before the receiver's own reply.
		"unknown address error", "address blacklisted"))
	return v
}

var builtinVocab = sync.OnceValue(func() *vocab { return newVocab(vocabulary()) })

func newVocab(terms []vterm) *vocab {
	pats := make([]string, len(terms))
	for i, t := range terms {
		pats[i] = t.text
	}
	m := newMatcher(pats)
	nc := uint32(m.nclass)
	if uint64(m.states()) >= 1<<16 {
		panic("classify: vocabulary automaton too large")
	}
	d := make([]uint16, len(m.delta))
	for i, t := range m.delta {
		d[i] = uint16(t / nc)
	}
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
