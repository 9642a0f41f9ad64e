package classify

// This file is the built-in vocabulary of meaning (meaning.go): the words
// for who a reply's text is about and what it says of it, negations,
// hedges, clause boundaries and notice boilerplate.

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
