package classify

import "github.com/bouncekit/bouncekit/bounce"

// Code-only defaults, tried after every text rule: the RFC 3463 enhanced
// status registry (IANA "SMTP Enhanced Status Codes", provider-codes.md
// §13b, with our default category and suppression), then its subject
// classes (RFC 3463 §3.2), then the RFC 5321 §4.2 basic reply codes
// (§14), then x.0.x (which says nothing a basic code would not), then the
// reply class. Unknown 5xx are hard, unknown 4xx soft.
// Severity follows the reply's class (basic code first), so one rule serves
// 4.x.x and 5.x.x.

// reg builds a registry rule.
func reg(status string, cat Category, suppress bool, why string) Rule {
	return Rule{ID: "rfc3463-" + status, Status: status, Category: cat, Suppress: suppress, Explanation: why}
}

var registryRules = []Rule{
	// RFC 7504 codes are specific enough to outrank the enhanced code.
	basic("521", CategoryBadDomain, "RFC 7504 521 host does not accept mail: suppress only if it repeats (also used by blocking servers)"),
	{ID: "rfc5321-556", Code: "556", Category: CategoryBadDomain, Suppress: true, Explanation: "RFC 7504 556 domain does not accept mail (null MX)"},
	reg("x.1.0", CategoryRecipientUnknown, false, "RFC 3463 x.1.0 other address status: probably the address, suppress only if it repeats"),
	reg("x.1.1", CategoryRecipientUnknown, true, "RFC 3463 x.1.1 bad destination mailbox address"),
	reg("x.1.2", CategoryBadDomain, true, "RFC 3463 x.1.2 bad destination system address"),
	reg("x.1.3", CategoryRecipientUnknown, true, "RFC 3463 x.1.3 bad destination mailbox address syntax"),
	reg("x.1.4", CategoryRecipientUnknown, false, "RFC 3463 x.1.4 destination mailbox address ambiguous"),
	reg("x.1.5", CategoryDelivered, false, "RFC 3463 x.1.5 destination address valid"),
	reg("x.1.6", CategoryRecipientMoved, true, "RFC 3463 x.1.6 destination mailbox has moved, no forwarding address"),
	reg("x.1.7", CategorySenderRejected, false, "RFC 3463 x.1.7 bad sender's mailbox address syntax"),
	reg("x.1.8", CategorySenderRejected, false, "RFC 3463 x.1.8 bad sender's system address"),
	reg("x.1.9", CategoryDelivered, false, "RFC 3886 x.1.9 message relayed to non-compliant mailer"),
	reg("x.1.10", CategoryBadDomain, true, "RFC 7505 x.1.10 recipient address has null MX"),
	reg("x.2.0", CategoryPolicy, false, "RFC 3463 x.2.0 other or undefined mailbox status"),
	{ID: "rfc3463-x.2.1", Status: "x.2.1", Category: CategoryRecipientInactive,
		Explanation: "RFC 3463 x.2.1 mailbox disabled; Google also uses it for rate limits, so suppress only if it repeats"},
	reg("x.2.2", CategoryMailboxFull, false, "RFC 3463 x.2.2 mailbox full: retry, suppress only if it stays full over weeks"),
	reg("x.2.3", CategoryMessageTooLarge, false, "RFC 3463 x.2.3 message length exceeds administrative limit"),
	reg("x.2.4", CategorySystem, false, "RFC 3463 x.2.4 mailing list expansion problem"),
	reg("x.3.0", CategorySystem, false, "RFC 3463 x.3.0 other or undefined mail system status"),
	reg("x.3.1", CategorySystem, false, "RFC 3463 x.3.1 mail system full"),
	reg("x.3.2", CategorySystem, false, "RFC 3463 x.3.2 system not accepting network messages"),
	reg("x.3.3", CategoryProtocol, false, "RFC 3463 x.3.3 system not capable of selected features"),
	reg("x.3.4", CategoryMessageTooLarge, false, "RFC 3463 x.3.4 message too big for system"),
	reg("x.3.5", CategorySystem, false, "RFC 3463 x.3.5 system incorrectly configured"),
	reg("x.3.6", CategoryDelivered, false, "RFC 6710 x.3.6 requested priority was changed"),
	reg("x.4.0", CategoryNetwork, false, "RFC 3463 x.4.0 other or undefined network or routing status"),
	reg("x.4.1", CategoryNetwork, false, "RFC 3463 x.4.1 no answer from host"),
	reg("x.4.2", CategoryNetwork, false, "RFC 3463 x.4.2 bad connection"),
	reg("x.4.3", CategorySystem, false, "RFC 3463 x.4.3 directory server failure"),
	reg("x.4.4", CategoryBadDomain, false, "RFC 3463 x.4.4 unable to route: suppress only if it repeats"),
	{ID: "rfc3463-x.4.5", Status: "x.4.5", Category: CategoryRateLimited, SlowDown: true, Explanation: "RFC 3463 x.4.5 mail system congestion"},
	reg("x.4.6", CategoryNetwork, false, "RFC 3463 x.4.6 routing loop detected"),
	{ID: "rfc3463-x.4.7", Status: "x.4.7", Severity: SeverityHard, Category: CategoryExpired,
		Explanation: "RFC 3463 x.4.7 delivery time expired: the queue gave up; the last deferral holds the cause"},
	reg("x.5.0", CategoryProtocol, false, "RFC 3463 x.5.0 other or undefined protocol status"),
	reg("x.5.1", CategoryProtocol, false, "RFC 3463 x.5.1 invalid command"),
	reg("x.5.2", CategoryProtocol, false, "RFC 3463 x.5.2 syntax error"),
	{ID: "rfc3463-x.5.3", Status: "x.5.3", Category: CategoryRateLimited, SlowDown: true,
		Explanation: "RFC 3463 x.5.3 too many recipients: send fewer per transaction (RFC 5321 §4.5.3.1.10)"},
	reg("x.5.4", CategoryProtocol, false, "RFC 3463 x.5.4 invalid command arguments"),
	reg("x.5.5", CategoryProtocol, false, "RFC 3463 x.5.5 wrong protocol version"),
	reg("x.5.6", CategorySenderRejected, false, "RFC 4954 x.5.6 authentication exchange line too long"),
	reg("x.6.0", CategoryContentPolicy, false, "RFC 3463 x.6.0 other or undefined media error"),
	reg("x.6.1", CategoryContentPolicy, false, "RFC 3463 x.6.1 media not supported"),
	reg("x.6.2", CategoryContentPolicy, false, "RFC 3463 x.6.2 conversion required and prohibited"),
	reg("x.6.3", CategoryContentPolicy, false, "RFC 3463 x.6.3 conversion required but not supported"),
	reg("x.6.4", CategoryDelivered, false, "RFC 3463 x.6.4 conversion with loss performed"),
	reg("x.6.5", CategoryContentPolicy, false, "RFC 3463 x.6.5 conversion failed"),
	reg("x.6.6", CategoryContentPolicy, false, "RFC 4468 x.6.6 message content not available"),
	reg("x.6.7", CategoryProtocol, false, "RFC 6531 x.6.7 non-ASCII addresses not permitted"),
	reg("x.6.8", CategoryProtocol, false, "RFC 6531 x.6.8 UTF-8 reply required but not permitted by the client"),
	reg("x.6.9", CategoryContentPolicy, false, "RFC 6531 x.6.9 UTF-8 header cannot be transferred"),
	reg("x.6.10", CategoryProtocol, false, "RFC 6531 x.6.10 (deprecated duplicate of x.6.8)"),
	reg("x.7.0", CategoryPolicy, false, "RFC 3463 x.7.0 other or undefined security status"),
	reg("x.7.1", CategoryPolicy, false, "RFC 3463 x.7.1 delivery not authorized, message refused: a policy rejection of the message or sender, not a bad address"),
	reg("x.7.2", CategoryPolicy, false, "RFC 3463 x.7.2 mailing list expansion prohibited"),
	reg("x.7.3", CategoryTLSFailure, false, "RFC 3463 x.7.3 security conversion required but not possible"),
	reg("x.7.4", CategoryTLSFailure, false, "RFC 3463 x.7.4 security features not supported"),
	reg("x.7.5", CategoryTLSFailure, false, "RFC 3463 x.7.5 cryptographic failure"),
	reg("x.7.6", CategoryTLSFailure, false, "RFC 3463 x.7.6 cryptographic algorithm not supported"),
	reg("x.7.7", CategoryContentPolicy, false, "RFC 3463 x.7.7 message integrity failure"),
	{ID: "rfc3463-x.7.8", Status: "x.7.8", Category: CategoryAuthFailure, Hint: HintAuthentication, Explanation: "RFC 4954 x.7.8 authentication credentials invalid (submission)"},
	{ID: "rfc3463-x.7.9", Status: "x.7.9", Category: CategoryAuthFailure, Hint: HintAuthentication, Explanation: "RFC 4954 x.7.9 authentication mechanism too weak (submission)"},
	reg("x.7.10", CategoryTLSFailure, false, "RFC 5248 x.7.10 encryption needed"),
	reg("x.7.11", CategoryTLSFailure, false, "RFC 4954 x.7.11 encryption required for requested authentication mechanism"),
	{ID: "rfc3463-x.7.12", Status: "x.7.12", Category: CategoryAuthFailure, Hint: HintAuthentication, Explanation: "RFC 4954 x.7.12 a password transition is needed (submission)"},
	{ID: "rfc3463-x.7.13", Status: "x.7.13", Category: CategorySenderRejected, Hint: HintAuthentication, Explanation: "RFC 5248 x.7.13 user account disabled (the sender's account)"},
	{ID: "rfc3463-x.7.14", Status: "x.7.14", Category: CategoryAuthFailure, Hint: HintAuthentication, Explanation: "RFC 5248 x.7.14 trust relationship required"},
	reg("x.7.15", CategoryPolicy, false, "RFC 6710 x.7.15 priority level is too low"),
	reg("x.7.16", CategoryMessageTooLarge, false, "RFC 6710 x.7.16 message too big for the specified priority"),
	reg("x.7.17", CategoryRecipientInactive, true, "RFC 7293 x.7.17 mailbox owner has changed"),
	reg("x.7.18", CategoryBadDomain, true, "RFC 7293 x.7.18 domain owner has changed"),
	reg("x.7.19", CategoryPolicy, false, "RFC 7293 x.7.19 RRVS test cannot be completed"),
	reg("x.7.20", CategoryAuthFailure, false, "RFC 7372 x.7.20 no passing DKIM signature found"),
	reg("x.7.21", CategoryAuthFailure, false, "RFC 7372 x.7.21 no acceptable DKIM signature found"),
	reg("x.7.22", CategoryAuthFailure, false, "RFC 7372 x.7.22 no valid author-matched DKIM signature found"),
	reg("x.7.23", CategoryAuthFailure, false, "RFC 7372 x.7.23 SPF validation failed"),
	reg("x.7.24", CategoryAuthFailure, false, "RFC 7372 x.7.24 SPF validation error"),
	{ID: "rfc3463-x.7.25", Status: "x.7.25", Category: CategoryAuthFailure, Hint: HintInfrastructure, Explanation: "RFC 7372 x.7.25 reverse DNS validation failed"},
	reg("x.7.26", CategoryAuthFailure, false, "RFC 7372 x.7.26 multiple authentication checks failed"),
	reg("x.7.27", CategorySenderRejected, false, "RFC 7505 x.7.27 sender address has null MX"),
	{ID: "rfc3463-x.7.28", Status: "x.7.28", Category: CategoryRateLimited, Hint: HintReputation, SlowDown: true, Explanation: "IANA x.7.28 mail flood detected"},
	reg("x.7.29", CategoryAuthFailure, false, "RFC 8617 x.7.29 ARC validation failure"),
	reg("x.7.30", CategoryTLSFailure, false, "RFC 8689 x.7.30 REQUIRETLS support required"),
}

// registrySubjectRules are the subject classes (RFC 3463 §3.2) for details
// outside the registry.
var registrySubjectRules = []Rule{
	reg("x.1.*", CategoryRecipientUnknown, false, "RFC 3463 x.1.x addressing status (unregistered detail): suppress only if it repeats"),
	{ID: "rfc3463-x.2.*", Status: "x.2.*", Category: CategoryPolicy, Hint: HintRecipient, Explanation: "RFC 3463 x.2.x mailbox status (unregistered detail)"},
	reg("x.3.*", CategorySystem, false, "RFC 3463 x.3.x mail system status (unregistered detail)"),
	reg("x.4.*", CategoryNetwork, false, "RFC 3463 x.4.x network and routing status (unregistered detail)"),
	reg("x.5.*", CategoryProtocol, false, "RFC 3463 x.5.x mail delivery protocol status (unregistered detail)"),
	reg("x.6.*", CategoryContentPolicy, false, "RFC 3463 x.6.x message content or media status (unregistered detail)"),
	reg("x.7.*", CategoryPolicy, false, "RFC 3463 x.7.x security or policy status (unregistered detail)"),
}

// basic builds a basic-code rule.
func basic(code string, cat Category, why string) Rule {
	return Rule{ID: "rfc5321-" + code, Code: code, Category: cat, Explanation: why}
}

var basicRules = []Rule{
	{ID: "rfc5321-5xx-greeting", Code: "5xx", Stages: []bounce.Stage{bounce.StageConnect, bounce.StageHELO}, Category: CategoryReputationBlock,
		Explanation: "refused at the greeting or HELO (RFC 5321 §3.1, §4.2: 554 'no SMTP service here'): the client IP or name is refused, usually a reputation block"},
	{ID: "rfc5321-5xx-end-of-data", Code: "5xx", Stages: []bounce.Stage{bounce.StageEndOfData}, Category: CategoryPolicy, Hint: HintContent,
		Explanation: "refused after the message was sent (end of DATA) without a reason: a message-level verdict, the address is fine"},
	{ID: "rfc5321-2xx", Code: "2xx", Severity: SeverityNone, Category: CategoryDelivered, Explanation: "RFC 5321 §4.2 positive completion: accepted"},
	{ID: "rfc5321-3xx", Code: "3xx", Severity: SeveritySoft, Category: CategoryProtocol, Explanation: "RFC 5321 §4.2 intermediate reply where a final one was expected"},
	{ID: "rfc5321-421", Code: "421", Category: CategorySystem, SlowDown: true, Explanation: "RFC 5321 421 service not available, closing channel: retry later"},
	{ID: "rfc5321-432", Code: "432", Category: CategoryAuthFailure, Hint: HintAuthentication, Explanation: "RFC 4954 432 a password transition is needed"},
	basic("450", CategoryUnknown, "RFC 5321 450 mailbox unavailable (busy or temporarily blocked): retry"),
	basic("451", CategorySystem, "RFC 5321 451 local error in processing: retry"),
	basic("452", CategorySystem, "RFC 5321 452 insufficient system storage (or too many recipients): retry"),
	basic("454", CategoryTLSFailure, "RFC 3207/4954 454 TLS or authentication temporarily unavailable"),
	basic("455", CategoryProtocol, "RFC 5321 455 server unable to accommodate parameters"),
	basic("500-504", CategoryProtocol, "RFC 5321 500-504 syntax error or unsupported command"),
	{ID: "rfc5321-530-538", Code: "530-538", Category: CategoryAuthFailure, Hint: HintAuthentication, Explanation: "RFC 4954 53x authentication required or failed (submission)"},
	basic("550", CategoryUnknown, "RFC 5321 550 mailbox unavailable or rejected for policy, with nothing more specific: do not retry, do not suppress"),
	basic("551", CategoryRecipientMoved, "RFC 5321 551 user not local: the recipient has a different address"),
	basic("552", CategoryMailboxFull, "RFC 5321 552 exceeded storage allocation (also used for size and recipient limits)"),
	basic("553", CategoryRecipientUnknown, "RFC 5321 553 mailbox name not allowed: suppress only if it repeats"),
	basic("554", CategoryUnknown, "RFC 5321 554 transaction failed, no reason given: do not retry, do not suppress"),
	basic("555", CategoryProtocol, "RFC 5321 555 MAIL/RCPT parameters not recognized"),
	reg("x.0.*", CategoryUnknown, false, "RFC 3463 x.0.x other or undefined status: no further information"),
	basic("4xx", CategoryUnknown, "unknown 4xx code: transient, retry"),
	basic("5xx", CategoryUnknown, "unknown 5xx code: permanent, do not retry"),
}

var builtinDefaults = concatRules(registryRules, weakTextRules, registrySubjectRules, basicRules)
