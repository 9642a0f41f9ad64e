// The translation of the per-protocol results (DKIM keys, reverse DNS and
// HELO, the envelope domain, blocklists) into coded findings.

package authcheck

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/bouncekit/bouncekit/authcheck/dkim"
	"github.com/bouncekit/bouncekit/authcheck/dnsbl"
	"github.com/bouncekit/bouncekit/authcheck/envelope"
	"github.com/bouncekit/bouncekit/authcheck/rdns"
)

// DKIMKeyFindings turns a key check into coded findings.
func DKIMKeyFindings(c dkim.KeyCheck) []Finding {
	subj := c.Name
	switch c.Status {
	case dkim.KeyMissing:
		return []Finding{{Code: FindingDKIMKeyMissing, Severity: SeverityError, Subject: subj,
			Message: "no DKIM key at this selector: signatures made with it fail (permerror)", RFC: "RFC 6376 §6.1.2"}}
	case dkim.KeyRevoked:
		return []Finding{{Code: FindingDKIMKeyRevoked, Severity: SeverityError, Subject: subj,
			Message: "the key is revoked (empty p=): signatures made with it fail", RFC: "RFC 6376 §3.6.1"}}
	case dkim.KeyInvalid:
		return []Finding{{Code: FindingDKIMKeyInvalid, Severity: SeverityError, Subject: subj,
			Message: fmt.Sprintf("the key record is unusable: %v", c.Err), RFC: "RFC 6376 §3.6.1"}}
	case dkim.KeyTempError:
		return []Finding{{Code: FindingDKIMTempError, Severity: SeverityWarning, Subject: subj,
			Message: fmt.Sprintf("key lookup failed (temperror, not a missing key): %v", c.Err), RFC: "RFC 6376 §6.1.2"}}
	}
	var fs []Finding
	k := c.Key
	switch {
	case k.Type == dkim.KeyRSA && k.Bits < dkim.MinRSABits:
		fs = append(fs, Finding{Code: FindingDKIMKeyWeak, Severity: SeverityError, Subject: subj,
			Message: fmt.Sprintf("RSA key of %d bits: receivers must not accept it (minimum %d)", k.Bits, dkim.MinRSABits), RFC: "RFC 8301 §3.2"})
	case k.Type == dkim.KeyRSA && k.Bits < dkim.RecommendedRSABits:
		fs = append(fs, Finding{Code: FindingDKIMKeyWeak, Severity: SeverityWarning, Subject: subj,
			Message: fmt.Sprintf("RSA key of %d bits; %d is recommended", k.Bits, dkim.RecommendedRSABits), RFC: "RFC 8301 §3.2"})
	}
	if k.Testing {
		fs = append(fs, Finding{Code: FindingDKIMTesting, Severity: SeverityWarning, Subject: subj,
			Message: "the key is in testing mode (t=y): receivers may ignore failures and some discount passes", RFC: "RFC 6376 §3.6.1"})
	}
	if len(k.Hashes) > 0 && !k.AllowsHash("sha256") {
		fs = append(fs, Finding{Code: FindingDKIMKeyWeak, Severity: SeverityError, Subject: subj,
			Message: fmt.Sprintf("h=%s excludes sha256; rsa-sha1 signatures are refused", strings.Join(k.Hashes, ":")), RFC: "RFC 8301 §3.1"})
	}
	return fs
}

// RDNSFindings turns a reverse DNS result (with its HELO check) into coded findings, in a fixed order.
func RDNSFindings(r rdns.Result) []Finding {
	var fs []Finding
	subject := r.IP.String()
	switch {
	case r.Err != nil:
		fs = append(fs, Finding{Code: FindingRDNSTempError, Severity: SeverityWarning, Subject: subject,
			Message: fmt.Sprintf("PTR lookup failed: %v", r.Err), RFC: "RFC 1035 §3.5"})
	case len(r.PTR) == 0:
		fs = append(fs, Finding{Code: FindingRDNSMissing, Severity: SeverityError, Subject: subject,
			Message: "the sending address has no PTR record; most large receivers reject or throttle such mail", RFC: "RFC 1912 §2.1"})
	case !r.FCrDNS:
		fs = append(fs, Finding{Code: FindingRDNSMismatch, Severity: SeverityError, Subject: subject,
			Message: fmt.Sprintf("no PTR name (%s) resolves back to the address (forward-confirmed rDNS fails)", strings.Join(r.PTR, ", ")), RFC: "RFC 8601 §3 (iprev)"})
	}
	return append(fs, HELOFindings(r.HELO, r.IP)...)
}

// HELOFindings turns a HELO check into coded findings.
func HELOFindings(h rdns.HELOResult, ip netip.Addr) []Finding {
	subject := h.Name
	switch {
	case h.Literal:
		if ip.IsValid() && !h.MatchesIP {
			return []Finding{{Code: FindingHELOMismatch, Severity: SeverityWarning, Subject: subject,
				Message: fmt.Sprintf("address literal does not match the sending address %s", ip), RFC: "RFC 5321 §4.1.4"}}
		}
		return []Finding{{Code: FindingHELONotFQDN, Severity: SeverityInfo, Subject: subject,
			Message: "HELO is an address literal; many receivers score a name higher", RFC: "RFC 5321 §4.1.1.1"}}
	case !h.FQDN:
		return []Finding{{Code: FindingHELONotFQDN, Severity: SeverityError, Subject: subject,
			Message: "HELO is not a fully-qualified domain name", RFC: "RFC 5321 §4.1.1.1"}}
	case h.Err != nil && !h.Resolves:
		return []Finding{{Code: dnsFailureCode(h.Err), Severity: SeverityWarning, Subject: subject,
			Message: fmt.Sprintf("HELO lookup failed: %v", h.Err), RFC: "RFC 5321 §4.1.4"}}
	case !h.Resolves:
		return []Finding{{Code: FindingHELOUnresolvable, Severity: SeverityError, Subject: subject,
			Message: "HELO name has no A or AAAA record", RFC: "RFC 5321 §4.1.4"}}
	case ip.IsValid() && !h.MatchesIP:
		return []Finding{{Code: FindingHELOMismatch, Severity: SeverityWarning, Subject: subject,
			Message: fmt.Sprintf("HELO name does not resolve to the sending address %s", ip), RFC: "RFC 5321 §4.1.4"}}
	}
	return nil
}

// EnvelopeFindings turns an envelope-domain check into coded findings.
func EnvelopeFindings(e envelope.Result) []Finding {
	switch {
	case e.NullMX:
		return []Finding{{Code: FindingEnvelopeNullMX, Severity: SeverityError, Subject: e.Domain,
			Message: "the domain publishes a null MX: it accepts no mail, so bounces are lost and many receivers reject it as a sender", RFC: "RFC 7505 §4.2"}}
	case e.Err != nil && !e.CanReceive:
		return []Finding{{Code: dnsFailureCode(e.Err), Severity: SeverityWarning, Subject: e.Domain,
			Message: fmt.Sprintf("MX/A lookup failed: %v", e.Err), RFC: "RFC 5321 §5.1"}}
	case !e.CanReceive && len(e.MX) > 0:
		return []Finding{{Code: FindingEnvelopeNoMX, Severity: SeverityError, Subject: e.Domain,
			Message: fmt.Sprintf("no MX host resolves (%s): bounces cannot be delivered", strings.Join(e.Unresolvable, ", ")), RFC: "RFC 5321 §5.1"}}
	case !e.CanReceive:
		return []Finding{{Code: FindingEnvelopeNoMX, Severity: SeverityError, Subject: e.Domain,
			Message: "no MX and no A/AAAA record: bounces cannot be delivered", RFC: "RFC 5321 §5.1"}}
	case e.Implicit:
		return []Finding{{Code: FindingEnvelopeNoMX, Severity: SeverityInfo, Subject: e.Domain,
			Message: "no MX record; mail goes to the domain's own address (implicit MX)", RFC: "RFC 5321 §5.1"}}
	}
	return nil
}

// BlocklistFindings turns results into coded findings, in result order:
// listings are errors, refusals warnings (the list said nothing, so the
// check must be redone from a resolver the operator accepts) and lookup
// failures info.
func BlocklistFindings(results []dnsbl.Result) []Finding {
	var fs []Finding
	for _, b := range results {
		subject := b.Subject + " on " + b.Zone
		switch b.Status {
		case dnsbl.Listed:
			msg := "listed: " + strings.Join(b.Meanings, "; ")
			if b.Reason != "" {
				msg += " (" + b.Reason + ")"
			}
			fs = append(fs, Finding{Code: FindingBlocklistListed, Severity: SeverityError, Subject: subject, Message: msg, RFC: "RFC 5782 §2.1"})
		case dnsbl.Refused:
			msg := "the list refused the query; the result is unknown, not clean"
			if len(b.Meanings) > 0 {
				msg = b.Meanings[0] + "; the result is unknown, not clean"
			}
			fs = append(fs, Finding{Code: FindingBlocklistRefused, Severity: SeverityWarning, Subject: subject, Message: msg, RFC: "RFC 5782 §2.1"})
		case dnsbl.Error:
			fs = append(fs, Finding{Code: FindingBlocklistError, Severity: SeverityInfo, Subject: subject, Message: fmt.Sprint(b.Err), RFC: "RFC 5782 §2.1"})
		}
	}
	return fs
}
