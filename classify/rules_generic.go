package classify

import "github.com/bouncekit/bouncekit/bounce"

// Generic text rules: wording used by many MTAs and filters (Postfix, Exim,
// qmail, Sendmail, milters; provider-codes.md §10 and the recurring texts of
// §§2-9). They run after the provider rules and before the code-only
// defaults. Order matters: causes that must never suppress (authentication,
// sender, reputation) are tried before recipient wording, so a reply that
// mentions both never suppresses a good address.

// senderSide is wording that puts a recipient-level phrase ("does not
// exist", "inactive", "has moved") on the sender's side: "Sender address
// does not exist", "Your account is inactive", "Sending IP deactivated". A
// reply that has it is never read as a dead recipient (suppression); later
// rules decide it.
var senderSide = []string{"sender", "sending", "your domain", "your account", "your ip", "ip address", "to send", "return-path", "return path", "envelope from"}

// queueTimeoutWords are the sending MTA's words for giving up because the
// message was queued too long (qmail-send: "this message has been in the
// queue too long"): bounce's, behind bounce.FlagGaveUp, so the rule and
// ClassifyDSN read the same words.
var queueTimeoutWords = bounce.GaveUpPhrases()

var genericRules = []Rule{
	{ID: "generic-greylist", Any: t("greylist", "graylist", "grey-list", "gray-list"), Severity: SeveritySoft, Category: CategoryRateLimited, Hint: HintNone,
		Explanation: "greylisting: retry after a few minutes, nothing to fix"},
	{ID: "generic-address-syntax", Any: t("malformed address", "may not follow"), Category: CategoryProtocol, Hint: HintRecipient,
		Explanation: "the recipient address is not a valid RFC 5322 address (Exim's 'malformed address: x may not follow y'): fix the address data, nothing was sent"},
	{ID: "generic-format-strong", Any: t("duplicate header", "multiple addresses in from", "multiple addresses in the from", "not rfc 5322 compliant", "not rfc5322 compliant", "rfc 5322 section", "headers too large", "header too large", "headers are not rfc compliant"), Category: CategoryContentPolicy,
		Explanation: "the message does not follow RFC 5322 (duplicate or malformed headers): fix the message, not the list"},
	{ID: "generic-dns-temporary", Any: t("try again"), All: t("name service error"), Category: CategoryNetwork, Severity: SeveritySoft,
		Explanation: "a temporary DNS failure looking up the recipient domain (TRY_AGAIN): retry"},
	// Postfix's "Recipient address rejected: User unknown" is an RCPT
	// answer even when a pipelining client reports it after DATA.
	{ID: "generic-filtered-unknown", Stages: []bounce.Stage{bounce.StageDATA, bounce.StageEndOfData}, Any: t("user unknown", "unknown user", "no such user"), None: t("recipient address rejected"), Category: CategoryPolicy, Hint: HintRecipient,
		Explanation: "'unknown user' in reply to DATA or after the message was sent (end of DATA), once the recipient had been accepted: a recipient-side filter (e.g. a carrier domain filter) refused this sender; do not suppress"},
	{ID: "generic-self-addressed", Any: t("send e-mail to yourself", "send email to yourself", "send mail to yourself", "sender and recipient are the same", "sender address is the same as the recipient"), Category: CategoryPolicy, Hint: HintAuthentication,
		Explanation: "the receiver refuses mail claiming to come from the recipient's own address (an anti-spoofing rule): check the envelope sender and authentication"},
	// A virus found is a virus, even when the gateway that found it calls
	// itself an anti-spam filter (hosted gateways: "virus found by the
	// spam and virus filter").
	{ID: "generic-virus-found", Any: t("virus found", "virus detected", "contains a virus", "containing a virus", "infected with", "infected by", "virus infected", "virus-infected", "contains malware", "malware detected", "found a virus", "detected a virus", "virus was found", "virus was detected", "is infected", "was infected", "trojan", "worm.", "contains a worm"), Category: CategoryVirus,
		Explanation: "the receiver found a virus or malware in the message (not spam): scan the content and attachments, the address is fine"},
	{ID: "generic-spam-verdict", Any: t("spam classification", "classified as spam", "detected as spam", "identified as spam", "marked as spam"), Category: CategorySpamContent,
		Explanation: "the receiver's filter says it classified the message as spam; advice about SPF or moderation that follows is not the cause"},
	{ID: "generic-dmarc", Any: t("dmarc"), Category: CategoryAuthFailure,
		Explanation: "DMARC policy applied: the message is not aligned (SPF/DKIM with the From domain); fix authentication, the address is fine"},
	{ID: "generic-spf-dkim", Any: t("spf", "dkim", "unauthenticated", "sender policy framework", "authentication checks", "arc validation", "must pass either", "authentication information", "fails to pass authentication", "invalid ip for sending"), Category: CategoryAuthFailure,
		Explanation: "SPF, DKIM or ARC authentication failed or is missing (RFC 7372 x.7.20-x.7.26)"},
	{ID: "generic-submission-auth", Any: t("authentication required", "username and password not accepted", "authentication failed", "application-specific password", "must authenticate", "authentication is required", "auth required", "authrequired", "without authentication", "turn on smtp authentication"), Category: CategoryAuthFailure, Hint: HintAuthentication,
		Explanation: "SMTP AUTH (RFC 4954) required or refused: the sending client's credentials, a submission problem"},
	{ID: "generic-rdns-helo", Any: t("ptr record", "ptr resource record", "reverse dns", "rdns", "cannot find your hostname", "reverse hostname", "find your reverse", "reverse host name", "reverse lookup", "helo command rejected", "must have a reverse", "hostname does not match", "mismatches client ip", "ip name lookup failed", "my name was rejected"), Category: CategoryAuthFailure, Hint: HintInfrastructure,
		Explanation: "the sending IP's reverse DNS or the HELO name failed the receiver's checks (RFC 7372 x.7.25)"},
	{ID: "generic-group-post", Any: t("permission to post", "not allowed to post", "not authorized to post", "only members can post", "you are not a member"), Category: CategorySenderRejected, Hint: HintRecipient,
		Explanation: "a mailing list or group (e.g. Google Groups) does not accept posts from this sender, or the group does not exist: not a bad address to suppress"},
	{ID: "generic-address-blocklisted", Any: t("address that has been blacklisted", "address has been blacklisted", "address is blacklisted", "address that has been blocklisted", "address has been blocklisted", "address is blocklisted"), Category: CategorySenderRejected,
		Explanation: "an envelope address (usually the sender's) is on the receiver's own block list, not an IP blocklist: check the sender address; the recipient is not shown to be bad"},
	{ID: "cpanel-unrouteable", Any: t("account or domain may not exist"), Category: CategoryBadDomain, Hint: HintRecipient,
		Explanation: "cPanel's Exim wording for an unrouteable address ('the account or domain may not exist, they may be blacklisted, or missing the proper dns entries'): usually the recipient domain has no mail route; suppress only if it repeats"},
	{ID: "generic-open-relay-listed", Any: t("is an open relay", "listed as an open relay", "listed as open relay"), Category: CategoryReputationBlock, Hint: HintInfrastructure,
		Explanation: "the receiver lists the sending host as an open relay: close the relay or fix the listing; the address is fine"},
	{ID: "generic-url-listed", Any: t("blacklisted url", "blocklisted url", "blacklisted link", "blocklisted link", "url in message", "url in the message", "urls in the message", "link in the message", "links in the message", "listed url", "listed domain in message", "uri in message"), Category: CategorySpamContent, Hint: HintContent,
		Explanation: "a link in the message points to a domain on a URI blocklist (SURBL, URIBL, Spamhaus DBL): remove or replace the link; the same sender with other links is accepted"},
	{ID: "generic-blocklist", Any: t("spamhaus", "blocked using", "blacklist", "black listed", "blocklist", "block list", "block listed", "dnsbl", "rbl", "cloudmark", "spamcop", "sorbs", "senderscore", "hostkarma", "spamrl.com", "listed at", "listed in", "listed on"), None: t("not listed", "not blacklisted", "not blocklisted", "not on any", "not currently listed", "not block listed"), Category: CategoryReputationBlock,
		Explanation: "the sending IP or a domain in the message is on a blocklist: delist, the address is fine"},
	{ID: "generic-reputation", Any: t("reputation", "poor sender", "suspicious activity", "unusual traffic", "user complaints"), Category: CategoryReputationBlock,
		Explanation: "sender IP or domain reputation"},
	{ID: "generic-sender-address", Any: t("sender address rejected", "domain of sender address", "unroutable sender", "sender domain", "sender verify failed", "sender rejected", "invalid sender", "bad sender", "sender address is invalid", "sender not allowed", "sender is not allowed", "your domain does not exist", "sending domain does not exist"), Category: CategorySenderRejected,
		Explanation: "the envelope sender address or its domain was refused (x.1.7, x.1.8): fix the Return-Path, the recipient is fine"},
	{ID: "generic-sender-unknown", All: t("sender"), Any: t("does not exist", "not exist", "unknown", "not found", "no such"), Category: CategorySenderRejected,
		Explanation: "the receiver says the sender's address or domain does not exist or is unknown: fix the envelope sender (Return-Path) and its DNS; the recipient is fine"},
	{ID: "generic-policy-reasons", Any: t("for policy reasons", "due to policy reasons"), Category: CategoryPolicy,
		Explanation: "refused 'for policy reasons' without naming one (even in reply to MAIL FROM): look at content, reputation and authentication; the address is fine"},
	{ID: "generic-mail-from-denied", Stages: []bounce.Stage{bounce.StageMAIL}, Code: "5xx", Any: t("access denied"), Category: CategorySenderRejected,
		Explanation: "access denied in reply to MAIL FROM (RFC 5321 §3.3): the receiver refuses this sender address or sending host; the recipient is not shown to be bad"},
	{ID: "generic-mail-from-stage", Code: "5xx", Status: "x.0.*,x.1.*", Stages: []bounce.Stage{bounce.StageMAIL}, Category: CategorySenderRejected,
		Explanation: "refused in reply to MAIL FROM (RFC 5321 §3.3): the sender, not the recipient"},
	{ID: "generic-excessive-invalid", Any: t("too many invalid recipients", "too many unknown recipients", "directory harvest", "namespace mining"), Category: CategoryReputationBlock,
		Explanation: "too many bad addresses from this sender: list hygiene problem, not this recipient"},
	{ID: "generic-mailbox-full", Any: t("over quota", "overquota", "quota exceeded", "exceeded quota", "quota violation", "mailbox full", "mailbox is full", "mailbox size limit exceeded", "exceeded storage allocation", "storage quota", "disk quota", "user quota", "mailbox quota", "full mailbox", "mailbox has exceeded", "exceeds quota", "insufficient storage space", "qq trouble in home directory", "over its quota", "folder is full", "mailbox exceeded", "mailbox exceeds"), Category: CategoryMailboxFull,
		Explanation: "the recipient's mailbox is full: retry, and suppress only if it stays full across sends over weeks"},
	{ID: "generic-recipient-moved", Any: t("no longer on server", "has moved", "mailbox has been moved", "user has moved", "address has changed"), None: senderSide, Category: CategoryRecipientMoved, Suppress: true,
		Explanation: "the mailbox has moved with no forwarding address (x.1.6)"},
	{ID: "generic-recipient-inactive", Any: t("inactive", "account is disabled", "account has been disabled", "mailbox disabled", "mailbox is disabled", "deactivated", "account closed", "account has been closed", "inactivity", "account is closed", "mailbox is closed", "no longer active", "expired account", "account expired", "account is suspended", "account has been suspended", "mailbox is suspended", "disabled or not yet active", "disabled recipient", "account is locked", "account locked"), None: senderSide, Category: CategoryRecipientInactive, Suppress: true,
		Explanation: "the mailbox exists but is disabled, closed or inactive (wording about the sender's account or IP is not about the recipient and is left to later rules)"},
	{ID: "generic-bad-domain", Any: t("host or domain name not found", "null mx", "nullmx", "does not accept mail", "no such domain", "domain does not exist", "domain name not found", "no mx record", "recipient domain not found", "host unknown", "indicated no smtp service"), None: append(t("try again", "accept mail from", "accept email from", "accept messages from"), senderSide...), Category: CategoryBadDomain, Suppress: true,
		Explanation: "the recipient domain does not exist or has no mail service (RFC 7505 null MX, NXDOMAIN)"},
	{ID: "generic-host-not-found", All: t("lookup failure", "not found"), None: append(t("try again", "temporar"), senderSide...), Category: CategoryBadDomain, Suppress: true,
		Explanation: "the sending MTA's DNS lookup found no such host for the recipient domain (dma's 'DNS lookup failure: host X not found'), as for NXDOMAIN"},
	{ID: "generic-unroutable", Any: t("domain not found", "unrouteable address", "unroutable address", "unable to route", "no route found to domain", "no route to domain"), None: senderSide, Category: CategoryBadDomain, Hint: HintRecipient,
		Explanation: "the recipient domain could not be routed: suppress only if it repeats"},
	{ID: "generic-loop", Any: t("mail loop", "routing loop", "loop detected", "too many hops", "exceeded 50 hops", "hop count exceeded", "loop alert", "loop back warning", "duplicated message-id"), Category: CategoryNetwork, Hint: HintRecipient,
		Explanation: "a mail loop (x.4.6; a mailing list's loop alert on a Message-ID it has already seen): usually forwarding rules at the recipient; do not suppress"},
	{ID: "generic-dns", Any: t("network error", "dns error", "host name lookup failure", "lookup failure", "name service error", "name server"), Category: CategoryNetwork,
		Explanation: "a DNS or network failure reaching the recipient domain: retry within the queue lifetime"},
	{ID: "generic-local-delivery-agent", Any: t("procmail:", "couldn't create \"/var/"), Category: CategorySystem,
		Explanation: "the receiver's local delivery agent (procmail) failed: its 'no such user' is about the agent's own set-up, not the mailbox; retry, do not suppress"},
	{ID: "jp-carrier-filtered-ezweb", Provider: ProviderJPMobile, Any: t(": user unknown"), None: t("@"), Category: CategoryPolicy, Hint: HintRecipient,
		Explanation: "au/KDDI answers ': User unknown' without the address when the recipient's domain filter refuses the sender (Sisimai's KDDI rules): not proof of a dead address"},
	{ID: "jp-carrier-filtered-docomo", Provider: ProviderJPMobile, Any: t("unknown user"), Category: CategoryPolicy, Hint: HintRecipient,
		Explanation: "NTT docomo answers 'Unknown user <address>' when the recipient's filter refuses the sender (Sisimai's docomo rules): not proof of a dead address"},
	{ID: "generic-recipient-access-denied", All: t("recipient address rejected", "access denied"), Category: CategoryRecipientUnknown, Hint: HintRecipient,
		Explanation: "Postfix's check_recipient_access REJECT ('Recipient address rejected: Access denied'): the receiver refuses this address, usually one it does not have, but the wording does not say so: suppress only if it repeats"},
	{ID: "generic-recipient-unknown", Any: t("user unknown", "unknown user", "no such user", "no such recipient", "no such mailbox", "user not found", "recipient not found", "recipientnotfound", "exrecipnotfound", "mailbox not found", "mailbox does not exist", "does not exist", "not our customer", "mailbox unallocated", "invalid recipient", "invalid mailbox", "recipient unknown", "unknown recipient", "bad destination mailbox", "not a valid recipient", "illegal alias", "or was misspelled", "not in recipient list", "bad address syntax", "no mailbox here", "addressee unknown", "user doesn't exist", "user not exist", "not a valid mailbox", "mailbox unknown", "unknown mailbox", "unknown local part", "no such account", "address rejected: user unknown", "is not a valid email address", "address couldn't be found", "address could not be found", "not a known user", "mailbox not available", "no such person", "not listed in domino directory", "not listed in the domino directory"), None: senderSide, Category: CategoryRecipientUnknown, Suppress: true,
		Explanation: "the mailbox does not exist (x.1.1): suppress the address"},
	{ID: "generic-recipient-filter", Any: t("recipient preferences", "recipient's preferences"), Category: CategoryPolicy, Hint: HintRecipient,
		Explanation: "the recipient's own filter or preferences refused this sender: not a bad address"},
	{ID: "generic-spam", Any: t("spam", "unsolicited", "junk", "rspamd", "content rejected", "bulk mail"), Category: CategorySpamContent,
		Explanation: "the receiver's filter judged the message spam: fix content, links or targeting"},
	{ID: "generic-content", Any: t("banned word", "content restriction", "content filter", "prohibited content", "objectionable content", "content policy"), Category: CategoryContentPolicy,
		Explanation: "a content rule of the receiver refused this message: change the message, the address is fine"},
	{ID: "generic-virus", Any: t("virus", "malware", "infected", "vba macro", "phish", "dangerous attachment", "forbidden attachment", "banned attachment", "attachment type"), Category: CategoryVirus,
		Explanation: "malware, phishing or a forbidden attachment was found"},
	{ID: "generic-too-large", Any: t("too large", "too big", "size limit", "message size", "exceeds size", "maximum email size", "message length exceeds", "size exceeds", "exceeds the maximum size", "exceeded maximum size", "line limit"), Category: CategoryMessageTooLarge,
		Explanation: "the message is larger than the receiver accepts (x.2.3, x.3.4)"},
	{ID: "generic-format", Any: t("malformed", "rfc 5322", "rfc5322", "rfc 2822", "rfc2822", "rfc 822", "not rfc compliant", "not rfc-compliant", "missing a valid", "duplicate header", "multiple addresses in the from", "bare lf", "header too long", "headers are not"), Category: CategoryContentPolicy,
		Explanation: "the message does not follow RFC 5322 (headers, From, Message-ID, line ends)"},
	{ID: "generic-rate", Any: t("rate limit", "rate-limit", "ratelimit", "too many connections", "too many sessions", "too many concurrent", "too many messages", "too many recipients", "too many recent messages", "message rate", "sending rate", "frequency", "throttl", "slow down", "too quickly", "too fast", "connection limit", "message threshold exceeded", "exceeded the rate", "limit exceeded", "limit reached", "excessive volume", "unexpected volume"), Category: CategoryRateLimited, SlowDown: true,
		Explanation: "a volume or rate limit: slow down the stream to this provider and retry"},
	{ID: "generic-relay", Any: t("relay access denied", "relaying denied", "relay not permitted", "unable to relay", "relaying disallowed", "not permitted to relay", "open relay not allowed", "rcpthosts", "relay denied", "we do not relay", "relaying not allowed", "all recipient addresses rejected", "relay not allowed", "not a local domain"), Category: CategoryRelayDenied,
		Explanation: "the host does not accept mail for this domain: check the recipient's MX; suppress only if it repeats"},
	{ID: "generic-tls", Any: t("tls", "encryption", "certificate", "mta-sts", "dane", "ssl"), Category: CategoryTLSFailure,
		Explanation: "TLS was required or failed (x.7.10, x.7.30, MTA-STS, DANE)"},
	{ID: "generic-greeting-refused", Any: t("refused to talk to me"), Category: CategoryPolicy, Hint: HintReputation,
		Explanation: "the receiver refused the session in its greeting (Postfix 'server refused to talk to me'): a block or a per-IP limit on the sending IP, not a connection failure; check reputation and volume"},
	// Expiry wording comes after the specific causes: an expiry inherits
	// the cause of the last deferral (GN13), so "mailbox is full: retry
	// timeout exceeded" is a full mailbox; before the vague connection and
	// system wording, which expiry notices often repeat.
	{ID: "generic-expired", Any: t("message expired", "exceeded max time without delivery", "delivery time expired", "retry timeout exceeded", "too long in queue", "retry time not reached for any host after a long failure period", "envelope expired", "failing for a long time"), Severity: SeverityHard, Category: CategoryExpired,
		Explanation: "the sending queue gave up (GN13, x.4.7): look at the last deferral for the cause; never suppress on expiry alone"},
	{ID: "generic-expired-wording", Any: t("was not delivered within", "could not be delivered within", "after multiple retries", "giving up on delivery", "retries, giving up", "could not deliver for the last"), Severity: SeverityHard, Category: CategoryExpired,
		Explanation: "the sending MTA ran out of time or attempts (GN13): the wording names no receiver's cause; never suppress on expiry alone"},
	{ID: "generic-expired-attempts", All: t("delivery failed", "attempts"), Severity: SeverityHard, Category: CategoryExpired,
		Explanation: "the sending MTA gave up after its maximum number of attempts (GN13): never suppress on expiry alone"},
	{ID: "generic-connection", Any: t("connection timed out", "connection refused", "lost connection", "no route to host", "network is unreachable", "connection reset", "host unreachable", "could not connect", "unable to connect", "connect to", "timed out while", "conversation with", "broken pipe", "not reachable", "did not accept our requests to connect", "establish an smtp connection"), None: t("not allowed to connect", "not permitted to connect", "not authorized to connect", "not authorised to connect", "not welcome to connect"), Category: CategoryNetwork,
		Explanation: "no SMTP conversation with the receiver (connection failure): retry within the queue lifetime"},
	{ID: "generic-protocol", Any: t("syntax error", "bad sequence", "command not", "unrecognized command", "unrecognised command", "invalid command", "too many errors", "helo/ehlo argument", "empty helo", "line too long", "command rejected", "protocol error"), Category: CategoryProtocol,
		Explanation: "an SMTP protocol error: a sending-side bug or misconfiguration"},
	{ID: "generic-system", Any: t("temporarily", "temporary", "try again later", "try later", "server busy", "service unavailable", "currently unavailable", "service not available", "system error", "server error", "system problem", "internal error", "insufficient system", "local error", "timeout", "overloaded", "busy"), Category: CategorySystem,
		Explanation: "a problem on the receiving side: retry later"},
	{ID: "generic-delayed", Any: t("will be retried", "will keep trying", "still undelivered", "delivery attempts will continue", "has been delayed", "not yet been delivered"), Severity: SeveritySoft, Category: CategoryExpired,
		Explanation: "a delay notice: the sending MTA is still retrying; nothing to do yet"},
	{ID: "generic-auto-reply", Any: t("out of office", "out of the office", "auto-reply", "autoreply", "automatic reply", "auto reply", "on vacation"), Severity: SeverityNone, Category: CategoryAutoReply,
		Explanation: "an automatic reply, not a failure"},
}

// weakTextRules are wording too common to outrank an enhanced status code
// ("access denied", "recipient address rejected"): they run after the
// registry's exact codes and before its subject classes and the basic codes.
var weakTextRules = []Rule{
	{ID: "generic-recipient-weak", Any: t("mailbox unavailable", "recipient rejected", "recipient address rejected", "invalid address", "address rejected", "mailbox name not allowed"), Category: CategoryRecipientUnknown,
		Explanation: "probably a bad address, but the wording is also used for policy rejections: suppress only if it repeats"},
	{ID: "generic-queue-too-long", Any: queueTimeoutWords, Severity: SeverityHard, Category: CategoryExpired,
		Explanation: "the sending MTA gave up (qmail: 'this message has been in the queue too long') and the reply names no more specific cause: never suppress on expiry alone"},
	{ID: "generic-check-address", Any: t("check if address is correct", "check if the address is correct", "check the recipient address", "check the address and try again"), None: senderSide, Category: CategoryRecipientUnknown,
		Explanation: "the gateway could not deliver and asks to check the address (Trend Micro InterScan): probably a bad address, but the wording does not say so: suppress only if it repeats"},
	{ID: "generic-no-valid-recipients", Any: t("no valid recipients", "no valid recipient"), Category: CategoryRecipientUnknown,
		Explanation: "every recipient was refused (the receiver found no valid recipient): probably bad addresses, but suppress only if it repeats"},
	{ID: "generic-policy", Any: t("policy", "not authorized", "not authorised", "access denied", "prohibited", "not allowed", "administratively denied"), Category: CategoryPolicy,
		Explanation: "the receiver refused by local policy without saying why: look at content, reputation and authentication"},
}

var builtinSpecific = concatRules(providerRules, genericRules, providerStatusRules)

func concatRules(lists ...[]Rule) []Rule {
	var out []Rule
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}
