package classify

// The meaning rules: what a subject in a given state means for the queue.
// They are tried after the provider and specific phrase rules and before
// the enhanced and basic codes' generic meanings (docs/classify.md,
// "Precedence"): a reply whose text clearly says "the recipient does not
// exist" is a dead address whatever its code ("that recipient doesn't
// exist (#5.7.1)", "no longer exists" with 5.3.0). Order matters: causes
// that never suppress (authentication, the sender, the sending host, relay)
// come before the recipient's, so a reply that names both never suppresses
// a good address (provider-codes.md §11).

// meaningRule maps subjects in states to a verdict.
type meaningRule struct {
	subjects []Subject
	states   []State
	rule     Rule
	// weak readings decide only where the code says nothing specific.
	weak bool
}

var meaningTable = []meaningRule{
	{[]Subject{SubjectAuthentication}, []State{StateFailed, StateInvalid, StateRequired, StateRefused, StateUnknown},
		Rule{ID: "meaning-auth-failed", Category: CategoryAuthFailure, Hint: HintAuthentication,
			Explanation: "the text says authentication failed or is required (RFC 4954 535/530, RFC 7372): the sender's credentials or signatures, not the recipient"}, false},
	{[]Subject{SubjectSender}, []State{StateUnknown, StateInvalid, StateDisabled, StateBlocked, StateRefused, StateFailed, StateMalformed},
		Rule{ID: "meaning-sender-refused", Category: CategorySenderRejected,
			Explanation: "the text is about the sender (its address, domain, account or identity: unknown, unverified, invalid or refused; RFC 3463 x.1.7, x.1.8, x.7.13): fix the envelope sender; the recipient is not shown to be bad"}, false},
	{[]Subject{SubjectSendingHost}, []State{StateBlocked, StateRefused, StateInvalid}, Rule{ID: "meaning-sending-host-blocked", Category: CategoryReputationBlock,
		Explanation: "the text says the sending IP or host is blocked, listed, of bad reputation or not allowed to connect (a blocklisting without a list name): delist or warm up; the address is fine"}, false},
	{[]Subject{SubjectRelay}, []State{StateRefused, StateFailed, StateInvalid, StateBlocked}, Rule{ID: "meaning-relay-denied", Category: CategoryRelayDenied,
		Explanation: "the text says the host does not relay for this domain (RFC 5321 §3.6): check the recipient's MX; suppress only if it repeats"}, false},
	{[]Subject{SubjectNone, SubjectRecipient, SubjectMessage, SubjectDomain, SubjectSystem}, []State{StateLooping}, Rule{ID: "meaning-loop", Category: CategoryNetwork, Hint: HintRecipient,
		Explanation: "the text says the mail loops (RFC 5321 §6.3, x.4.6: forwarding or MX set-up at the recipient): do not suppress"}, false},
	{[]Subject{SubjectRecipient}, []State{StateUnknown, StateInvalid}, Rule{ID: "meaning-recipient-unknown", Category: CategoryRecipientUnknown, Suppress: true,
		Explanation: "the text says the recipient's address, user or mailbox does not exist or is invalid (x.1.1): suppress the address"}, false},
	{nil, nil, Rule{ID: "meaning-address-unknown", Category: CategoryRecipientUnknown, Hint: HintRecipient,
		Explanation: "the text says an address (not named as the recipient's mailbox) is invalid, or hedges that the recipient may not exist: probably the recipient, but suppress only if it repeats"}, true},
	{[]Subject{SubjectRecipient}, []State{StateDisabled}, Rule{ID: "meaning-recipient-disabled", Category: CategoryRecipientInactive, Suppress: true,
		Explanation: "the text says the recipient's mailbox or account is disabled, suspended, closed or inactive (x.2.1): suppress the address"}, false},
	{nil, nil, Rule{ID: "meaning-recipient-disabled-for-now", Category: CategoryRecipientInactive,
		Explanation: "the text says the recipient's mailbox or account is disabled or suspended for now (temporarily, currently): not permanent, suppress only if it repeats"}, true},
	{[]Subject{SubjectRecipient}, []State{StateBlocked}, Rule{ID: "meaning-recipient-blocked", Category: CategoryRecipientInactive,
		Explanation: "the text says the recipient's account or mailbox is blocked: closed by its provider, or blocking this sender; suppress only if it repeats"}, true},
	{[]Subject{SubjectRecipient}, []State{StateFull, StateTooLarge}, Rule{ID: "meaning-mailbox-full", Category: CategoryMailboxFull,
		Explanation: "the text says the recipient's mailbox is full or over quota (x.2.2): retry, suppress only if it stays full across sends over weeks"}, false},
	{[]Subject{SubjectDomain}, []State{StateUnknown}, Rule{ID: "meaning-domain-unknown", Category: CategoryBadDomain, Suppress: true,
		Explanation: "the text says the recipient's domain or host does not exist (x.1.2, NXDOMAIN): suppress the address"}, false},
	{[]Subject{SubjectDomain}, []State{StateInvalid, StateDisabled}, Rule{ID: "meaning-domain-invalid", Category: CategoryBadDomain, Hint: HintRecipient,
		Explanation: "the text says the recipient's domain is invalid or disabled: suppress only if it repeats"}, true},
	{[]Subject{SubjectDomain}, []State{StateBlocked}, Rule{ID: "meaning-domain-blocked", Category: CategoryReputationBlock,
		Explanation: "the text says a domain (the sender's or one in the message) is blocked or listed: delist or replace it; the address is fine"}, true},
	{[]Subject{SubjectMessage}, []State{StateMalformed, StateInvalid}, Rule{ID: "meaning-message-malformed", Category: CategoryContentPolicy,
		Explanation: "the text says the message, its headers or its MIME structure are malformed (RFC 5322, RFC 2045; x.6.x): fix the message, the address is fine"}, false},
	{[]Subject{SubjectMessage}, []State{StateTooLarge}, Rule{ID: "meaning-message-too-large", Category: CategoryMessageTooLarge,
		Explanation: "the text says the message is too large (x.2.3, x.3.4)"}, false},
	{[]Subject{SubjectRecipient}, []State{StateMalformed}, Rule{ID: "meaning-address-malformed", Category: CategoryProtocol, Hint: HintRecipient,
		Explanation: "the text says the recipient address is malformed (RFC 5321 §4.1.2 syntax, x.1.3): fix the address data"}, true},
	{[]Subject{SubjectSystem}, []State{StateFailed, StateFull, StateInvalid, StateMalformed, StateUnknown}, Rule{ID: "meaning-system-error", Category: CategorySystem,
		Explanation: "the text says the receiving system, its mailer or local delivery failed (x.3.x; Sendmail mailer and Exim transport errors): retry later, the address is not shown to be bad"}, true},
	{[]Subject{SubjectCommand}, []State{StateUnknown, StateInvalid, StateMalformed, StateFailed, StateRefused}, Rule{ID: "meaning-protocol-error", Category: CategoryProtocol,
		Explanation: "the text says an SMTP command or its syntax was wrong (RFC 5321 §4.2.4, x.5.x): a sending-side bug or misconfiguration"}, true},
}

// Meaning rules the reading picks by name.
var (
	ruleRecipientUnknown = meaningRuleIndex("meaning-recipient-unknown")
	ruleAddressUnknown   = meaningRuleIndex("meaning-address-unknown")

	ruleRecipientDisabled       = meaningRuleIndex("meaning-recipient-disabled")
	ruleRecipientDisabledForNow = meaningRuleIndex("meaning-recipient-disabled-for-now")
	ruleDomainUnknown           = meaningRuleIndex("meaning-domain-unknown")
	ruleDomainInvalid           = meaningRuleIndex("meaning-domain-invalid")
)

func meaningRuleIndex(id string) int {
	for i := range meaningTable {
		if meaningTable[i].rule.ID == id {
			return i
		}
	}
	panic("classify: no meaning rule " + id)
}

// meaningRules are the meaning table's verdicts, in order (their IDs are
// built-in rule IDs for Options.Disable).
var meaningRules = func() []Rule {
	out := make([]Rule, len(meaningTable))
	for i, m := range meaningTable {
		out[i] = m.rule
	}
	return out
}()

var subjectIndex = map[Subject]int{SubjectNone: 0, SubjectRecipient: 1, SubjectDomain: 2, SubjectSender: 3, SubjectSendingHost: 4,
	SubjectMessage: 5, SubjectSystem: 6, SubjectAuthentication: 7, SubjectRelay: 8, SubjectCommand: 9}

var stateIndex = map[State]int{StateNone: 0, StateUnknown: 1, StateInvalid: 2, StateDisabled: 3, StateFull: 4, StateBlocked: 5,
	StateRefused: 6, StateLooping: 7, StateMalformed: 8, StateTooLarge: 9, StateFailed: 10, StateRequired: 11}

// subjectByIdx is subjectIdx's inverse.
var subjectByIdx = [10]Subject{SubjectNone, SubjectRecipient, SubjectDomain, SubjectSender, SubjectSendingHost,
	SubjectMessage, SubjectSystem, SubjectAuthentication, SubjectRelay, SubjectCommand}

func subjectIdx(s Subject) int {
	switch s {
	case SubjectNone:
		return 0
	case SubjectRecipient:
		return 1
	case SubjectDomain:
		return 2
	case SubjectSender:
		return 3
	case SubjectSendingHost:
		return 4
	case SubjectMessage:
		return 5
	case SubjectSystem:
		return 6
	case SubjectAuthentication:
		return 7
	case SubjectRelay:
		return 8
	case SubjectCommand:
		return 9
	}
	return -1
}

func stateIdx(s State) int {
	switch s {
	case StateUnknown:
		return 1
	case StateInvalid:
		return 2
	case StateDisabled:
		return 3
	case StateFull:
		return 4
	case StateBlocked:
		return 5
	case StateRefused:
		return 6
	case StateLooping:
		return 7
	case StateMalformed:
		return 8
	case StateTooLarge:
		return 9
	case StateFailed:
		return 10
	case StateRequired:
		return 11
	}
	return -1
}

// meaningIndex[subject][state] is the first meaning rule for the pair, -1
// for none.
var meaningIndex = func() (t [10][12]int8) {
	for i := range t {
		for j := range t[i] {
			t[i][j] = -1
		}
	}
	for k := len(meaningTable) - 1; k >= 0; k-- {
		for _, s := range meaningTable[k].subjects {
			for _, st := range meaningTable[k].states {
				t[subjectIndex[s]][stateIndex[st]] = int8(k)
			}
		}
	}
	return t
}()

// meaningRuleFor returns the index in meaningRules for a subject in a
// state, or -1.
func meaningRuleFor(s Subject, st State) int {
	i, j := subjectIdx(s), stateIdx(st)
	if i < 0 || j < 0 {
		return -1
	}
	return int(meaningIndex[i][j])
}

// MeaningRules returns a copy of the built-in meaning rules in order: the
// verdicts a clear meaning of the text gives (docs/classify.md,
// "Meaning"). Their IDs can be given to Options.Disable.
func MeaningRules() []Rule {
	return append([]Rule(nil), meaningRules...)
}
