package inspect

// This file is the infrastructure group (the sending IP: PTR, FCrDNS, a
// generic-looking name, the HELO name, IP blocklists), the domain
// blocklists, and the DNS parts of the bulk-sender group. They read the
// msgauth evaluation WithDNS made.

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/bouncekit/bouncekit/authcheck/dkim"
	"github.com/bouncekit/bouncekit/authcheck/dmarc"
	"github.com/bouncekit/bouncekit/authcheck/dnsbl"
	"github.com/bouncekit/bouncekit/authcheck/msgauth"
	"github.com/bouncekit/bouncekit/authcheck/spf"
)

func infraChecks() []Check {
	g := GroupInfrastructure
	return []Check{
		{ID: "infra.ptr", Group: g, Title: "the sending IP has a PTR name", Ref: "RFC 1912 §2.1; https://support.google.com/a/answer/81126", Run: dnsCheck(withIP(checkPTR))},
		{ID: "infra.fcrdns", Group: g, Title: "the PTR name resolves back to the IP", Ref: "RFC 8601 §2.7.3 (iprev); https://support.google.com/a/answer/81126", Run: dnsCheck(withIP(checkFCrDNS))},
		{ID: "infra.generic-ptr", Group: g, Title: "the PTR name is not a generic pool name", Ref: "draft-msullivan-dnsop-generic-naming-schemes §3; https://www.spamhaus.org/blocklists/policy-blocklist/", Run: dnsCheck(withIP(checkGenericPTR))},
		{ID: "infra.helo-fqdn", Group: g, Title: "HELO is a fully qualified domain name", Ref: "RFC 5321 §4.1.1.1, §2.3.5", Run: dnsCheck(withIP(checkHELOFQDN))},
		{ID: "infra.helo-matches", Group: g, Title: "HELO resolves to the IP and matches its PTR", Ref: "RFC 5321 §4.1.4; https://senders.yahooinc.com/best-practices/", Run: dnsCheck(withIP(checkHELOMatches))},
		{ID: "infra.ip-blocklists", Group: g, Title: "the IP is on no blocklist", Ref: "RFC 5782 §2.1", Run: dnsCheck(withIP(checkIPBlocklists))},
	}
}

func withIP(run func(*Input, *msgauth.Result, *msgauth.Infra) Finding) func(*Input, *msgauth.Result) Finding {
	return func(in *Input, r *msgauth.Result) Finding {
		if r.Infra == nil {
			return skip("no sending IP given (--ip)")
		}
		return run(in, r, r.Infra)
	}
}

func checkPTR(_ *Input, _ *msgauth.Result, x *msgauth.Infra) Finding {
	if len(x.PTR) > 0 {
		return pass("%s -> %s", x.IP, joinN(x.PTR, 3))
	}
	if x.Err != nil {
		return warn("Retry when the reverse zone answers.", "PTR lookup for %s failed: %v", x.IP, x.Err)
	}
	return fail("Ask the IP's owner (your ESP or host) for a PTR record naming your mail host.", "%s has no PTR record", x.IP)
}

func checkFCrDNS(_ *Input, _ *msgauth.Result, x *msgauth.Infra) Finding {
	switch {
	case x.FCrDNS:
		return pass("%s -> %s -> %s", x.IP, joinN(x.Confirmed, 2), x.IP)
	case len(x.PTR) == 0:
		return skip("no PTR name to confirm")
	}
	return fail("Give "+x.PTR[0]+" an A/AAAA record of "+x.IP+" (or change the PTR to a name that has one).", "none of %s resolves back to %s", joinN(x.PTR, 3), x.IP)
}

func checkGenericPTR(_ *Input, _ *msgauth.Result, x *msgauth.Infra) Finding {
	if len(x.PTR) == 0 {
		return skip("no PTR name")
	}
	if x.GenericPTR {
		return warn("Use a PTR under your own domain (mail.example.com), not the provider's per-address name: receivers read generic names as end-user space.", "%s", x.GenericReason)
	}
	return pass("%s looks like a mail host's name", x.PTR[0])
}

func checkHELOFQDN(in *Input, _ *msgauth.Result, x *msgauth.Infra) Finding {
	h := x.HELO
	switch {
	case in.Envelope.HELO == "":
		return skip("no HELO name given (--helo)")
	case h.Literal:
		return warn("Send a fully qualified host name in EHLO rather than an address literal.", "HELO %s is an address literal", h.Name)
	case !h.FQDN:
		return fail("Send the host's fully qualified name in EHLO (RFC 5321 §4.1.1.1), e.g. its PTR name.", "HELO %q is not a fully qualified domain name", h.Name)
	}
	return pass("HELO %s", h.Name)
}

func checkHELOMatches(in *Input, _ *msgauth.Result, x *msgauth.Infra) Finding {
	h := x.HELO
	switch {
	case in.Envelope.HELO == "":
		return skip("no HELO name given (--helo)")
	case !h.FQDN && !h.Literal:
		return skip("HELO is not a domain name")
	case h.MatchesIP && (h.MatchesPTR || h.Literal):
		return pass("HELO %s resolves to %s and is its PTR name", h.Name, x.IP)
	case h.MatchesIP:
		return warn("Make the HELO name and the PTR name the same host name.", "HELO %s resolves to %s but the PTR is %s", h.Name, x.IP, joinN(x.PTR, 2))
	case h.Err != nil:
		return warn("Retry when the HELO name's DNS answers.", "HELO %s: %v", h.Name, h.Err)
	case !h.Resolves:
		return fail("Publish an A/AAAA record for the HELO name "+h.Name+".", "HELO %s does not resolve", h.Name)
	}
	return fail("Point the HELO name at the sending IP, or send the name that does.", "HELO %s resolves to %s, not %s", h.Name, addrList(h.Addrs), x.IP)
}

func addrList(as []netip.Addr) string {
	var s []string
	for _, a := range as {
		s = append(s, a.String())
	}
	return joinN(s, 3)
}

// listingSummary splits blocklist results: listings, and zones that gave
// no usable answer (refused or error), which are never read as listed.
func listingSummary(rs []dnsbl.Result) (listed, unknown []string) {
	for _, r := range rs {
		switch r.Status {
		case dnsbl.Listed:
			s := fmt.Sprintf("%s on %s", r.Subject, r.List)
			if len(r.Meanings) > 0 {
				s += " (" + strings.Join(r.Meanings, ", ") + ")"
			}
			listed = append(listed, s)
		case dnsbl.Refused, dnsbl.Error:
			unknown = append(unknown, fmt.Sprintf("%s on %s: %s", r.Subject, r.List, r.Status))
		}
	}
	return listed, unknown
}

func checkIPBlocklists(_ *Input, _ *msgauth.Result, x *msgauth.Infra) Finding {
	if len(x.Listings) == 0 {
		return skip("no IP blocklist was asked")
	}
	listed, unknown := listingSummary(x.Listings)
	switch {
	case len(listed) > 0:
		return fail("Find why the IP is listed (each list's lookup page), fix the cause, then request delisting; move the stream off the IP meanwhile.", "%s", joinN(listed, 5))
	case len(unknown) > 0:
		// A refusal code (public resolver, quota) says nothing about the
		// IP (RFC 5782 §2.1 and the operators' return codes).
		return warn("Query the lists through your own resolver (or a Spamhaus DQS key): these answers say nothing.", "not listed where answered; no usable answer from %s", joinN(unknown, 3))
	}
	return pass("%s is on none of %d lists", x.IP, len(x.Listings))
}

func domainBlocklistChecks() []Check {
	g := GroupDomains
	return []Check{
		{ID: "domains.sender-blocklists", Group: g, Title: "the From, MAIL FROM, HELO and DKIM domains are on no blocklist", Ref: "RFC 5782 §2.3; https://www.spamhaus.org/blocklists/domain-blocklist/", Run: dnsCheck(domainListCheck(true))},
		{ID: "domains.link-blocklists", Group: g, Title: "no link, image or redirect domain is on a blocklist", Ref: "RFC 5782 §2.3; https://www.surbl.org/lists", Run: dnsCheck(domainListCheck(false))},
	}
}

func isSenderDomain(d msgauth.Domain) bool {
	for _, s := range d.Sources {
		if s != "given" {
			return true
		}
	}
	return false
}

func domainListCheck(sender bool) func(*Input, *msgauth.Result) Finding {
	return func(_ *Input, r *msgauth.Result) Finding {
		var rs []dnsbl.Result
		n, skipped := 0, 0
		for _, d := range r.Domains {
			if isSenderDomain(d) != sender {
				continue
			}
			if d.Skipped {
				skipped++
				continue
			}
			n++
			rs = append(rs, d.Results...)
		}
		what := "link, image and redirect"
		if sender {
			what = "sender"
		}
		if n == 0 {
			return skip("no %s domains", what)
		}
		if len(rs) == 0 {
			return skip("no domain blocklist was asked")
		}
		listed, unknown := listingSummary(rs)
		switch {
		case len(listed) > 0:
			return fail("Remove or replace the listed domain (a listed link host fails the whole message), then request delisting.", "%s", joinN(listed, 5))
		case len(unknown) > 0:
			return warn("Query the lists through your own resolver: a refusal says nothing about the domain.", "not listed where answered; no usable answer for %s", joinN(unknown, 3))
		}
		note := ""
		if skipped > 0 {
			note = fmt.Sprintf(" (%d more not checked: over %d domains)", skipped, msgauth.MaxDomains)
		}
		return pass("%d %s domains on no list%s", n, what, note)
	}
}

func bulkDNSChecks() []Check {
	g := GroupBulkSender
	return []Check{
		{ID: "bulk.spf-and-dkim", Group: g, Title: "SPF and DKIM both pass", Ref: googleGuidelines + " (bulk senders: set up SPF and DKIM)", Run: dnsCheck(checkBulkSPFDKIM)},
		{ID: "bulk.dmarc-published", Group: g, Title: "a DMARC record (p=none at least)", Ref: googleGuidelines + " (bulk senders: DMARC, p=none allowed); " + yahooGuidelines, Run: dnsCheck(checkBulkDMARC)},
		{ID: "bulk.dmarc-pass", Group: g, Title: "DMARC passes through an aligned identifier", Ref: googleGuidelines + " (DMARC alignment); RFC 7489 §6.6", Run: dnsCheck(checkBulkDMARCPass)},
		{ID: "bulk.rdns", Group: g, Title: "valid forward and reverse DNS for the sending IP", Ref: googleGuidelines + " (valid forward and reverse DNS records)", Run: dnsCheck(withIP(checkBulkRDNS))},
	}
}

func checkBulkSPFDKIM(_ *Input, r *msgauth.Result) Finding {
	dk := false
	for _, d := range r.DKIM {
		dk = dk || d.Result == dkim.Pass
	}
	sp := r.SPF.Result == spf.Pass
	switch {
	case r.SPF.Skipped != "" && dk:
		return skip("DKIM passes; SPF needs the envelope (--ip, --mail-from)")
	case dk && sp:
		return pass("SPF pass (%s) and DKIM pass", r.SPF.Domain)
	case !dk && !sp:
		return fail("Bulk senders need both: publish SPF for the MAIL FROM domain and sign with DKIM.", "neither SPF nor DKIM passes")
	case !dk:
		return fail("Sign with DKIM: Google and Yahoo require it of bulk senders.", "SPF passes but no DKIM signature does")
	}
	return fail("Authorise the sending IP in the MAIL FROM domain's SPF record.", "DKIM passes but SPF is %s", nonEmpty(string(r.SPF.Result), "not evaluated"))
}

func checkBulkDMARC(_ *Input, r *msgauth.Result) Finding {
	d := r.DMARC
	switch {
	case d.Result == dmarc.TempError:
		return skip("DMARC discovery failed: %s", d.Reason)
	case d.Record == "":
		return fail("Publish v=DMARC1; p=none; rua=mailto:... at _dmarc."+orDash(d.Domain)+".", "no DMARC record for %s", orDash(d.Domain))
	}
	return pass("p=%s at %s", d.Policy, d.PolicyDomain)
}

func checkBulkDMARCPass(_ *Input, r *msgauth.Result) Finding {
	d := r.DMARC
	switch d.Result {
	case dmarc.Pass:
		return pass("%s", d.Reason)
	case dmarc.TempError:
		return skip("DMARC discovery failed: %s", d.Reason)
	case dmarc.None:
		return fail("Publish a DMARC record and align DKIM with the From domain.", "no DMARC policy to pass")
	}
	return fail("Align the DKIM d= or the MAIL FROM domain with the From domain.", "%s", d.Reason)
}

func checkBulkRDNS(_ *Input, _ *msgauth.Result, x *msgauth.Infra) Finding {
	if x.FCrDNS {
		return pass("%s <-> %s", x.IP, x.Confirmed[0])
	}
	if len(x.PTR) == 0 {
		return fail("Get a PTR record for the sending IP that resolves back to it.", "%s has no PTR", x.IP)
	}
	return fail("Make the PTR name resolve back to the IP.", "%s's PTR %s does not resolve back", x.IP, x.PTR[0])
}
