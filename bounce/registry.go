package bounce

// The IANA "SMTP Enhanced Status Codes" registry (RFC 3463, RFC 5248 §2.4 and
// the RFCs that added codes since), as data. Codes outside it still parse;
// Describe falls back to the subject class for them.

// StatusInfo describes one registered enhanced status code, class-independent
// ("X.1.1").
type StatusInfo struct {
	Code        string // "X.1.1"
	Name        string // the registry's name
	Description string // what it means, paraphrased from the defining RFC
	Reference   string // the defining RFC and section
}

// SubjectInfo describes one subject class ("X.1.X").
type SubjectInfo struct {
	Code        string // "X.1.X"
	Name        string
	Description string
}

var classNames = [6]string{2: "Success", 4: "Persistent Transient Failure", 5: "Permanent Failure"}

// subjects is RFC 3463 §3.2 (and §4 for the text).
var subjects = [8]SubjectInfo{
	{"X.0.X", "Other or Undefined Status", "There is no additional subject information available."},
	{"X.1.X", "Addressing Status", "A problem with the originator or destination address: syntax or validity."},
	{"X.2.X", "Mailbox Status", "A condition of the destination mailbox, usually under the recipient's control."},
	{"X.3.X", "Mail System Status", "A condition of the destination mail system, under its administrator's control."},
	{"X.4.X", "Network and Routing Status", "A problem in the delivery infrastructure: directory, routing, connections."},
	{"X.5.X", "Mail Delivery Protocol Status", "A failure of the mail delivery protocol or its implementation."},
	{"X.6.X", "Message Content or Media Status", "A problem with the content: translation, conversion, media types."},
	{"X.7.X", "Security or Policy Status", "A security or policy decision: filtering, authentication, cryptography."},
}

// registry is ordered by subject then detail; lookups index it by (subject, detail).
var registry = [...]StatusInfo{
	{"X.0.0", "Other undefined Status", "Other undefined status is the only undefined error code.", "RFC 3463 §3.1"},
	{"X.1.0", "Other address status", "Something about the address specified in the message caused this DSN.", "RFC 3463 §3.2"},
	{"X.1.1", "Bad destination mailbox address", "The mailbox specified in the address does not exist.", "RFC 3463 §3.2"},
	{"X.1.2", "Bad destination system address", "The destination system specified in the address does not exist or cannot accept mail.", "RFC 3463 §3.2"},
	{"X.1.3", "Bad destination mailbox address syntax", "The destination address was syntactically invalid.", "RFC 3463 §3.2"},
	{"X.1.4", "Destination mailbox address ambiguous", "The mailbox address as specified matches one or more recipients on the destination system.", "RFC 3463 §3.2"},
	{"X.1.5", "Destination address valid", "This mailbox address as specified was valid.", "RFC 3463 §3.2"},
	{"X.1.6", "Destination mailbox has moved, No forwarding address", "The mailbox address provided was at one time valid, but mail is no longer being accepted for that address.", "RFC 3463 §3.2"},
	{"X.1.7", "Bad sender's mailbox address syntax", "The sender's address was syntactically invalid.", "RFC 3463 §3.2"},
	{"X.1.8", "Bad sender's system address", "The sender's system specified in the address does not exist or is incapable of accepting return mail.", "RFC 3463 §3.2"},
	{"X.1.9", "Message relayed to non-compliant mailer", "The mailbox address specified was valid, but the message has been relayed to a system that does not speak SMTP.", "RFC 3886 §5"},
	{"X.1.10", "Recipient address has null MX", "The domain part of the recipient address has a null MX and accepts no mail.", "RFC 7505 §4.2"},
	{"X.2.0", "Other or undefined mailbox status", "The mailbox exists, but something about the destination mailbox has caused the sending of this DSN.", "RFC 3463 §3.3"},
	{"X.2.1", "Mailbox disabled, not accepting messages", "The mailbox exists, but is not accepting messages.", "RFC 3463 §3.3"},
	{"X.2.2", "Mailbox full", "The mailbox is full because the user has exceeded a per-mailbox administrative quota or physical capacity.", "RFC 3463 §3.3"},
	{"X.2.3", "Message length exceeds administrative limit", "A per-mailbox administrative message length limit has been exceeded.", "RFC 3463 §3.3"},
	{"X.2.4", "Mailing list expansion problem", "The mailbox is a mailing list address and the mailing list was unable to be expanded.", "RFC 3463 §3.3"},
	{"X.3.0", "Other or undefined mail system status", "The destination system exists and normally accepts mail, but something about the system has caused the generation of this DSN.", "RFC 3463 §3.4"},
	{"X.3.1", "Mail system full", "Mail system storage has been exceeded.", "RFC 3463 §3.4"},
	{"X.3.2", "System not accepting network messages", "The host on which the mailbox is resident is not accepting messages.", "RFC 3463 §3.4"},
	{"X.3.3", "System not capable of selected features", "Selected features specified for the message are not supported by the destination system.", "RFC 3463 §3.4"},
	{"X.3.4", "Message too big for system", "The message is larger than per-message size limit.", "RFC 3463 §3.4"},
	{"X.3.5", "System incorrectly configured", "The system is not configured in a manner that will permit it to accept this message.", "RFC 3463 §3.4"},
	{"X.3.6", "Requested priority was changed", "The message was accepted for relay/delivery, but the requested priority was changed.", "RFC 6710 §5"},
	{"X.4.0", "Other or undefined network or routing status", "Something went wrong with the networking, but it is not clear what the problem is.", "RFC 3463 §3.5"},
	{"X.4.1", "No answer from host", "The outbound connection attempt was not answered.", "RFC 3463 §3.5"},
	{"X.4.2", "Bad connection", "The outbound connection was established, but was unable to complete the message transaction.", "RFC 3463 §3.5"},
	{"X.4.3", "Directory server failure", "The network system was unable to forward the message, because a directory server was unavailable.", "RFC 3463 §3.5"},
	{"X.4.4", "Unable to route", "The mail system was unable to determine the next hop for the message.", "RFC 3463 §3.5"},
	{"X.4.5", "Mail system congestion", "The mail system was unable to deliver the message because the mail system was congested.", "RFC 3463 §3.5"},
	{"X.4.6", "Routing loop detected", "A routing loop caused the message to be forwarded too many times.", "RFC 3463 §3.5"},
	{"X.4.7", "Delivery time expired", "The message was considered too old by the rejecting system, having been in the queue too long or having a short time-to-live.", "RFC 3463 §3.5"},
	{"X.5.0", "Other or undefined protocol status", "Something was wrong with the protocol necessary to deliver the message.", "RFC 3463 §3.6"},
	{"X.5.1", "Invalid command", "A mail transaction protocol command was issued which was out of sequence or unsupported.", "RFC 3463 §3.6"},
	{"X.5.2", "Syntax error", "A mail transaction protocol command was issued which could not be interpreted.", "RFC 3463 §3.6"},
	{"X.5.3", "Too many recipients", "More recipients were specified for the message than could have been delivered by the protocol.", "RFC 3463 §3.6"},
	{"X.5.4", "Invalid command arguments", "A valid mail transaction protocol command was issued with invalid arguments.", "RFC 3463 §3.6"},
	{"X.5.5", "Wrong protocol version", "A protocol version mis-match existed which could not be automatically resolved.", "RFC 3463 §3.6"},
	{"X.5.6", "Authentication Exchange line is too long", "The client sent an authentication exchange line longer than the server accepts.", "RFC 4954 §6"},
	{"X.6.0", "Other or undefined media error", "Something about the content of a message caused it to be considered undeliverable.", "RFC 3463 §3.7"},
	{"X.6.1", "Media not supported", "The media of the message is not supported by either the delivery protocol or the next system in the forwarding path.", "RFC 3463 §3.7"},
	{"X.6.2", "Conversion required and prohibited", "The content of the message must be converted before it can be delivered and such conversion is not permitted.", "RFC 3463 §3.7"},
	{"X.6.3", "Conversion required but not supported", "The message content must be converted in order to be forwarded but such conversion is not possible or is not practical.", "RFC 3463 §3.7"},
	{"X.6.4", "Conversion with loss performed", "This is a warning sent to the sender when message delivery was successfully but when the delivery required a conversion in which some data was lost.", "RFC 3463 §3.7"},
	{"X.6.5", "Conversion Failed", "A conversion was required but was unsuccessful.", "RFC 3463 §3.7"},
	{"X.6.6", "Message content not available", "The message content could not be fetched from a remote system.", "RFC 4468 §5"},
	{"X.6.7", "Non-ASCII addresses not permitted for that sender/recipient", "Non-ASCII addresses are not permitted for that sender or recipient.", "RFC 6531 §3.7.4"},
	{"X.6.8", "UTF-8 string reply is required, but not permitted by the SMTP client", "A reply containing a UTF-8 string is required to show the mailbox name, but that form of response is not permitted by the SMTP client.", "RFC 6531 §3.7.4"},
	{"X.6.9", "UTF-8 header message cannot be transferred to one or more recipients, so the message must be rejected", "The transaction failed due to the presence of a UTF-8 header that the next hop cannot accept.", "RFC 6531 §3.7.4"},
	{"X.6.10", "UTF-8 string reply is required (duplicate of X.6.8)", "Registered in error as a duplicate of X.6.8; deprecated.", "RFC 6531 §3.7.4"},
	{"X.7.0", "Other or undefined security status", "Something related to security caused the message to be returned, and the problem cannot be well expressed with any of the other provided detail codes.", "RFC 3463 §3.8"},
	{"X.7.1", "Delivery not authorized, message refused", "The sender is not authorized to send to the destination, because of per-host or per-recipient filtering.", "RFC 3463 §3.8"},
	{"X.7.2", "Mailing list expansion prohibited", "The sender is not authorized to send a message to the intended mailing list.", "RFC 3463 §3.8"},
	{"X.7.3", "Security conversion required but not possible", "A conversion from one secure messaging protocol to another was required for delivery and such conversion was not possible.", "RFC 3463 §3.8"},
	{"X.7.4", "Security features not supported", "A message contained security features such as secure authentication that could not be supported on the delivery protocol.", "RFC 3463 §3.8"},
	{"X.7.5", "Cryptographic failure", "A transport system otherwise authorized to validate or decrypt a message in transport was unable to do so.", "RFC 3463 §3.8"},
	{"X.7.6", "Cryptographic algorithm not supported", "A transport system otherwise authorized to validate or decrypt a message was unable to do so because necessary algorithms were not supported.", "RFC 3463 §3.8"},
	{"X.7.7", "Message integrity failure", "A transport system otherwise authorized to validate a message was unable to do so because the message was corrupted or altered.", "RFC 3463 §3.8"},
	{"X.7.8", "Authentication credentials invalid", "The authentication mechanism failed because the credentials were invalid.", "RFC 4954 §6"},
	{"X.7.9", "Authentication mechanism is too weak", "The selected authentication mechanism is weaker than server policy permits for that user.", "RFC 4954 §6"},
	{"X.7.10", "Encryption Needed", "An external strong privacy layer was needed but was not negotiated.", "RFC 5248 §2.4"},
	{"X.7.11", "Encryption required for requested authentication mechanism", "The authentication mechanism requires encryption of the session first.", "RFC 4954 §6"},
	{"X.7.12", "A password transition is needed", "The user must change the password before authenticating with this mechanism.", "RFC 4954 §6"},
	{"X.7.13", "User Account Disabled", "The account is disabled (possibly suspended or closed) and cannot be used to send mail.", "RFC 5248 §2.4"},
	{"X.7.14", "Trust relationship required", "The submission server requires a configured trust relationship with a third-party server.", "RFC 5248 §2.4"},
	{"X.7.15", "Priority Level is too low", "The specified priority level is below the lowest priority acceptable for the receiving SMTP server.", "RFC 6710 §5"},
	{"X.7.16", "Message is too big for the specified priority", "The message is too big for the specified priority.", "RFC 6710 §5"},
	{"X.7.17", "Mailbox owner has changed", "The mailbox owner has changed since the date given in the RRVS parameter.", "RFC 7293 §3.3"},
	{"X.7.18", "Domain owner has changed", "The domain owner has changed since the date given in the RRVS parameter.", "RFC 7293 §3.3"},
	{"X.7.19", "RRVS test cannot be completed", "The require-recipient-valid-since test could not be completed.", "RFC 7293 §3.3"},
	{"X.7.20", "No passing DKIM signature found", "The message carried no valid DKIM signature, or none that passed.", "RFC 7372 §3.1"},
	{"X.7.21", "No acceptable DKIM signature found", "The message had passing DKIM signatures, but none acceptable under local policy.", "RFC 7372 §3.1"},
	{"X.7.22", "No valid author-matched DKIM signature found", "No passing DKIM signature's domain matched the author's domain.", "RFC 7372 §3.1"},
	{"X.7.23", "SPF validation failed", "The SPF check of the sender failed.", "RFC 7372 §3.2"},
	{"X.7.24", "SPF validation error", "The SPF check could not be completed (temperror or permerror).", "RFC 7372 §3.2"},
	{"X.7.25", "Reverse DNS validation failed", "The client's reverse DNS (PTR and its forward confirmation) did not validate.", "RFC 7372 §3.3"},
	{"X.7.26", "Multiple authentication checks failed", "More than one authentication check failed.", "RFC 7372 §3.4"},
	{"X.7.27", "Sender address has null MX", "The domain of the sender address has a null MX and can receive no replies.", "RFC 7505 §4.2"},
	{"X.7.28", "Mail flood detected", "The message is one of too many similar messages in a short time.", "IANA registry (RFC 5248 §2.4 procedure)"},
	{"X.7.29", "ARC validation failure", "The message's ARC set did not validate.", "RFC 8617 §6.1"},
	{"X.7.30", "REQUIRETLS support required", "The message requires REQUIRETLS and the next hop does not support it.", "RFC 8689 §5"},
}

// registryIndex maps (subject, detail) to the position in registry; detail
// values above maxRegistryDetail are never registered.
const maxRegistryDetail = 30

var registryIndex = func() (idx [8][maxRegistryDetail + 1]int16) {
	for i := range idx {
		for j := range idx[i] {
			idx[i][j] = -1
		}
	}
	for i, e := range registry {
		st, n := scanStatus("5" + e.Code[1:])
		if n == 0 {
			panic("bounce: bad registry code " + e.Code)
		}
		idx[st.subject][st.detail] = int16(i)
	}
	return idx
}()

// Info returns the registry entry of st (class-independent, "X.7.1"), and
// false when st is invalid or its code is not registered (a provider's own
// code such as 5.7.606).
func (st Status) Info() (StatusInfo, bool) {
	if !st.IsValid() || st.detail > maxRegistryDetail {
		return StatusInfo{}, false
	}
	i := registryIndex[st.subject][st.detail]
	if i < 0 {
		return StatusInfo{}, false
	}
	return registry[i], true
}

// SubjectInfo returns the subject class of st ("X.7.X", "Security or Policy Status").
func (st Status) SubjectInfo() SubjectInfo {
	if !st.IsValid() {
		return SubjectInfo{}
	}
	return subjects[st.subject]
}

// Describe names st in words: "Permanent Failure: Delivery not authorized,
// message refused" for a registered code, "Permanent Failure: Security or
// Policy Status (unregistered detail 606)" for a provider's own code, "" for
// the zero Status.
func (st Status) Describe() string {
	if !st.IsValid() {
		return ""
	}
	if info, ok := st.Info(); ok {
		return classNames[st.class] + ": " + info.Name
	}
	var b []byte
	b = append(b, classNames[st.class]...)
	b = append(b, ": "...)
	b = append(b, subjects[st.subject].Name...)
	b = append(b, " (unregistered detail "...)
	b = appendUint(b, int(st.detail))
	b = append(b, ')')
	return string(b)
}

// Registry returns a copy of the enumerated codes of the IANA registry, in
// order.
func Registry() []StatusInfo { return append([]StatusInfo(nil), registry[:]...) }

// Subjects returns the eight subject classes of RFC 3463 §3.2, in order.
func Subjects() []SubjectInfo { return append([]SubjectInfo(nil), subjects[:]...) }

func appendUint(b []byte, v int) []byte {
	var tmp [8]byte
	i := len(tmp)
	for {
		i--
		tmp[i] = byte('0' + v%10)
		v /= 10
		if v == 0 {
			break
		}
	}
	return append(b, tmp[i:]...)
}
