package inspect

// This file is the authentication group of the DNS-backed checks: each
// DKIM signature verified with its key, algorithm, expiry, l= and signed
// fields; SPF for MAIL FROM and HELO; DMARC result, policy, alignment and
// report addresses; ARC; BIMI. They read the msgauth evaluation WithDNS
// made.

import (
	"fmt"
	"slices"
	"strings"

	"github.com/bouncekit/bouncekit/authcheck/arc"
	"github.com/bouncekit/bouncekit/authcheck/dkim"
	"github.com/bouncekit/bouncekit/authcheck/dmarc"
	"github.com/bouncekit/bouncekit/authcheck/msgauth"
	"github.com/bouncekit/bouncekit/authcheck/spf"
)

func authChecks() []Check {
	g := GroupAuthentication
	return []Check{
		{ID: "auth.dkim.verify", Group: g, Title: "every DKIM signature verifies", Ref: "RFC 6376 §6; RFC 8463", Run: dnsCheck(checkDKIMVerify)},
		{ID: "auth.dkim.aligned", Group: g, Title: "a passing DKIM signature aligned with From", Ref: "RFC 7489 §3.1.1; https://support.google.com/a/answer/81126", Run: dnsCheck(checkDKIMAligned)},
		{ID: "auth.dkim.algorithm", Group: g, Title: "rsa-sha256 or ed25519-sha256", Ref: "RFC 8301 §3.1; RFC 8463 §3", Run: dnsCheck(checkDKIMAlgorithm)},
		{ID: "auth.dkim.key-size", Group: g, Title: "RSA keys of 2048 bits or more", Ref: "RFC 8301 §3.2", Run: dnsCheck(checkDKIMKeySize)},
		{ID: "auth.dkim.key-testing", Group: g, Title: "no key in testing mode", Ref: "RFC 6376 §3.6.1 (t=y)", Run: dnsCheck(checkDKIMKeyTesting)},
		{ID: "auth.dkim.expiry", Group: g, Title: "no signature past its x=", Ref: "RFC 6376 §3.5 (x=)", Run: dnsCheck(checkDKIMExpiry)},
		{ID: "auth.dkim.body-length", Group: g, Title: "no l= leaving the body open", Ref: "RFC 6376 §8.2", Run: dnsCheck(checkDKIMBodyLength)},
		{ID: "auth.dkim.signed-headers", Group: g, Title: "the aligned signature covers From, Subject, Date, Message-ID and the list fields", Ref: "RFC 6376 §5.4.1; RFC 8058 §4; https://support.google.com/a/answer/6254652", Run: dnsCheck(checkDKIMHeaders)},
		{ID: "auth.spf", Group: g, Title: "SPF passes for MAIL FROM", Ref: "RFC 7208 §2.4, §2.6", Run: dnsCheck(checkSPF)},
		{ID: "auth.spf-helo", Group: g, Title: "SPF passes for the HELO name", Ref: "RFC 7208 §2.3", Run: dnsCheck(checkSPFHELO)},
		{ID: "auth.dmarc", Group: g, Title: "DMARC passes", Ref: "RFC 7489 §6.6", Run: dnsCheck(checkDMARC)},
		{ID: "auth.dmarc-policy", Group: g, Title: "a DMARC policy at enforcement", Ref: "RFC 7489 §6.3; https://support.google.com/a/answer/81126", Run: dnsCheck(checkDMARCPolicy)},
		{ID: "auth.dmarc-alignment", Group: g, Title: "SPF and DKIM both aligned", Ref: "RFC 7489 §3.1", Run: dnsCheck(checkDMARCAlignment)},
		{ID: "auth.dmarc-rua", Group: g, Title: "aggregate reports requested and authorised", Ref: "RFC 7489 §6.3 (rua), §7.1", Run: dnsCheck(checkDMARCRUA)},
		{ID: "auth.arc", Group: g, Title: "an ARC chain, if any, validates", Ref: "RFC 8617 §5.2", Run: dnsCheck(checkARC)},
		{ID: "auth.bimi", Group: g, Title: "a BIMI logo can show", Ref: "draft-brand-indicators-for-message-identification §4", Run: dnsCheck(checkBIMI)},
	}
}

func sigName(d msgauth.DKIM) string {
	if d.Domain == "" {
		return "an unreadable signature"
	}
	return fmt.Sprintf("d=%s s=%s", d.Domain, d.Selector)
}

func checkDKIMVerify(_ *Input, r *msgauth.Result) Finding {
	if len(r.DKIM) == 0 {
		return fail("Sign every message with DKIM for the From domain (RFC 6376 §5).", "no DKIM-Signature")
	}
	var ok, bad, temp []string
	for _, d := range r.DKIM {
		switch d.Result {
		case dkim.Pass:
			ok = append(ok, sigName(d))
		case dkim.TempError:
			temp = append(temp, sigName(d)+": "+d.Reason)
		default:
			bad = append(bad, fmt.Sprintf("%s %s: %s", sigName(d), d.Result, d.Reason))
		}
	}
	switch {
	case len(ok) == 0 && len(temp) > 0 && len(bad) == 0:
		return warn("Retry when the selector's DNS answers; check that the key record is published.", "key lookup failed: %s", joinN(temp, 3))
	case len(ok) == 0:
		return fail("Fix the signer (key published at the selector, body and signed fields unchanged after signing).", "no signature verifies: %s", joinN(append(bad, temp...), 3))
	case len(bad)+len(temp) > 0:
		// RFC 6376 §6.1: one good signature is enough, but a broken one
		// beside it is a signer or relay problem worth fixing.
		return warn("Remove or fix the signature that fails.", "%d pass (%s); failing: %s", len(ok), joinN(ok, 3), joinN(append(bad, temp...), 3))
	}
	return pass("%d of %d verify: %s", len(ok), len(r.DKIM), joinN(ok, 5))
}

func checkDKIMAligned(_ *Input, r *msgauth.Result) Finding {
	if r.FromDomain == "" {
		return skip("no From domain")
	}
	var passing []string
	for _, d := range r.DKIM {
		if d.Result != dkim.Pass {
			continue
		}
		if d.Aligned {
			return pass("%s passes and is aligned with From %s", sigName(d), r.FromDomain)
		}
		passing = append(passing, d.Domain)
	}
	if len(passing) > 0 {
		return fail("Sign with d= your From domain (or a subdomain of it) as well as the ESP's domain.", "passing signatures are by %s, not aligned with From %s", joinN(passing, 3), r.FromDomain)
	}
	return fail("Sign with a key published under the From domain.", "no passing DKIM signature for From %s", r.FromDomain)
}

func checkDKIMAlgorithm(_ *Input, r *msgauth.Result) Finding {
	if len(r.DKIM) == 0 {
		return skip("no DKIM-Signature")
	}
	var algs, weak []string
	for _, d := range r.DKIM {
		if d.Algorithm == "" {
			continue
		}
		algs = append(algs, d.Algorithm)
		if d.Algorithm != "rsa-sha256" && d.Algorithm != "ed25519-sha256" {
			weak = append(weak, sigName(d)+" "+d.Algorithm)
		}
	}
	if len(weak) > 0 {
		return fail("Sign with rsa-sha256 (and, optionally, ed25519-sha256 beside it).", "refused by receivers: %s", joinN(weak, 3))
	}
	if len(algs) == 0 {
		return skip("no signature could be read")
	}
	return pass("%s", strings.Join(slices.Compact(slices.Sorted(slices.Values(algs))), ", "))
}

func checkDKIMKeySize(_ *Input, r *msgauth.Result) Finding {
	var sizes, small []string
	tooSmall := false
	for _, d := range r.DKIM {
		if d.KeyBits == 0 {
			continue
		}
		sizes = append(sizes, fmt.Sprintf("%s %s %d bits", sigName(d), d.KeyType, d.KeyBits))
		if d.KeyType == dkim.KeyRSA && d.KeyBits < dkim.RecommendedRSABits {
			small = append(small, fmt.Sprintf("%s: %d bits", sigName(d), d.KeyBits))
			tooSmall = tooSmall || d.KeyBits < dkim.MinRSABits
		}
	}
	switch {
	case len(sizes) == 0:
		return skip("no key was fetched")
	case tooSmall:
		return fail("Publish a 2048-bit RSA key and sign with it.", "below the 1024-bit minimum: %s", joinN(small, 3))
	case len(small) > 0:
		return warn("Rotate to a 2048-bit RSA key (RFC 8301 §3.2: SHOULD); Gmail recommends 2048.", "%s", joinN(small, 3))
	}
	return pass("%s", joinN(sizes, 5))
}

func checkDKIMKeyTesting(_ *Input, r *msgauth.Result) Finding {
	var t []string
	for _, d := range r.DKIM {
		if d.KeyTesting {
			t = append(t, sigName(d))
		}
	}
	if len(t) > 0 {
		return warn("Remove t=y from the key record once signing works: receivers may ignore failures in testing mode, and some ignore passes.", "key in testing mode: %s", joinN(t, 3))
	}
	if len(r.DKIM) == 0 {
		return skip("no DKIM-Signature")
	}
	return pass("no key has t=y")
}

func checkDKIMExpiry(_ *Input, r *msgauth.Result) Finding {
	var exp, set []string
	for _, d := range r.DKIM {
		if d.Expires.IsZero() {
			continue
		}
		set = append(set, fmt.Sprintf("%s x=%s", sigName(d), d.Expires.UTC().Format("2006-01-02 15:04Z")))
		if d.Expired {
			exp = append(exp, fmt.Sprintf("%s expired %s", sigName(d), d.Expires.UTC().Format("2006-01-02 15:04Z")))
		}
	}
	switch {
	case len(exp) > 0:
		return fail("Lengthen x= to cover retries (days, not minutes), or drop x=.", "%s", joinN(exp, 3))
	case len(set) > 0:
		return pass("not yet expired: %s", joinN(set, 3))
	case len(r.DKIM) == 0:
		return skip("no DKIM-Signature")
	}
	return pass("no signature carries x=")
}

func checkDKIMBodyLength(_ *Input, r *msgauth.Result) Finding {
	var l []string
	for _, d := range r.DKIM {
		if d.BodyLength >= 0 {
			l = append(l, fmt.Sprintf("%s l=%d (%d bytes after it unsigned)", sigName(d), d.BodyLength, d.UnsignedBodyBytes))
		}
	}
	if len(l) > 0 {
		return warn("Sign the whole body (drop l=): anyone can append content that still verifies.", "%s", joinN(l, 3))
	}
	if len(r.DKIM) == 0 {
		return skip("no DKIM-Signature")
	}
	return pass("every signature covers the whole body")
}

// mustSign are fields an aligned signature must cover when present: RFC
// 6376 §5.4.1 names From as required and lists Subject, Date and
// Message-ID; RFC 8058 §4 requires List-Unsubscribe and
// List-Unsubscribe-Post to be signed for one-click to be honoured.
var mustSign = []string{"From", "Subject", "Date", "Message-ID", "List-Unsubscribe", "List-Unsubscribe-Post"}

func checkDKIMHeaders(_ *Input, r *msgauth.Result) Finding {
	var best *msgauth.DKIM
	for i, d := range r.DKIM {
		if d.Result == dkim.Pass && d.Aligned {
			best = &r.DKIM[i]
			break
		}
	}
	if best == nil {
		for i, d := range r.DKIM {
			if d.Result == dkim.Pass {
				best = &r.DKIM[i]
				break
			}
		}
	}
	if best == nil {
		return skip("no passing DKIM signature")
	}
	var missing, soft []string
	for _, f := range best.Uncovered {
		if slices.Contains(mustSign, f) {
			missing = append(missing, f)
		} else {
			soft = append(soft, f)
		}
	}
	switch {
	case slices.Contains(missing, "List-Unsubscribe-Post") || slices.Contains(missing, "List-Unsubscribe") || slices.Contains(missing, "From"):
		return fail("Add "+strings.Join(missing, ", ")+" to h= of the aligned signature (RFC 8058 §4: the one-click fields must be signed).", "%s does not sign %s", sigName(*best), strings.Join(missing, ", "))
	case len(missing) > 0:
		return warn("Add "+strings.Join(missing, ", ")+" to h=.", "%s does not sign %s", sigName(*best), strings.Join(missing, ", "))
	case len(soft) > 0:
		return pass("%s signs %s (not %s)", sigName(*best), strings.Join(best.Covered, ", "), strings.Join(soft, ", "))
	}
	return pass("%s signs %s", sigName(*best), strings.Join(best.Covered, ", "))
}

func checkSPF(_ *Input, r *msgauth.Result) Finding {
	s := r.SPF
	if s.Skipped != "" {
		return skip("%s (give --ip and --mail-from or --helo)", s.Skipped)
	}
	switch s.Result {
	case spf.Pass:
		return pass("%s", s.Reason)
	case spf.Fail:
		return fail("Add the sending IP "+s.IP+" to the SPF record of "+s.Domain+" (an ip4:/ip6: or include: of your ESP).", "%s", s.Reason)
	case spf.PermError:
		return fail("Fix the SPF record of "+s.Domain+" (syntax, or more than 10 lookups).", "%s", s.Reason)
	case spf.TempError:
		return warn("Retry when "+s.Domain+"'s DNS answers.", "%s", s.Reason)
	case spf.None:
		return fail("Publish an SPF record for "+s.Domain+" that covers the sending IP.", "%s", s.Reason)
	}
	return warn("Make the SPF record of "+s.Domain+" authorise "+s.IP+" explicitly and end it in -all or ~all.", "%s", s.Reason)
}

func checkSPFHELO(in *Input, r *msgauth.Result) Finding {
	s := r.SPF
	if s.IP == "" || s.HELO == "" {
		return skip("needs --ip and --helo")
	}
	switch s.HELOResult {
	case spf.Pass:
		return pass("SPF for HELO %s passes", s.HELO)
	case spf.None:
		// RFC 7208 §2.3 recommends HELO checks; receivers use them for
		// null-sender mail (bounces).
		return warn("Publish \"v=spf1 a -all\" at the HELO name "+s.HELO+" so bounces it sends authenticate.", "no SPF record at HELO %s", s.HELO)
	}
	return warn("Authorise "+s.IP+" in the SPF record of the HELO name "+s.HELO+".", "SPF for HELO %s is %s", s.HELO, s.HELOResult)
}

func checkDMARC(_ *Input, r *msgauth.Result) Finding {
	d := r.DMARC
	switch d.Result {
	case dmarc.Pass:
		return pass("%s", d.Reason)
	case dmarc.Fail:
		return fail("Align SPF (MAIL FROM under "+d.Domain+") or DKIM (d= under "+d.Domain+") and make it pass.", "%s (disposition %s)", d.Reason, d.Disposition)
	case dmarc.TempError:
		return warn("Retry when the _dmarc records answer.", "%s", d.Reason)
	}
	return fail("Publish a DMARC record at _dmarc."+orDash(d.Domain)+" (start with p=none; rua=mailto:...).", "%s", nonEmpty(d.Reason, "no DMARC record"))
}

func checkDMARCPolicy(_ *Input, r *msgauth.Result) Finding {
	d := r.DMARC
	switch {
	case d.Result == dmarc.TempError:
		return skip("DMARC discovery failed: %s", d.Reason)
	case d.Record == "":
		return fail("Publish a DMARC record (Google and Yahoo require one of bulk senders, p=none at least).", "no DMARC record for %s", orDash(d.Domain))
	case d.Enforced():
		return pass("p=%s at pct=100 (record at %s)", d.Policy, d.PolicyDomain)
	case d.Policy == dmarc.PolicyNone:
		return warn("Move to p=quarantine, then p=reject, once reports show all your mail aligned.", "p=none: monitoring only, spoofed mail is delivered (record at %s)", d.PolicyDomain)
	}
	return warn("Raise pct= to 100 once reports are clean.", "p=%s applies to %d%% of failing mail", d.Policy, d.Percent)
}

func checkDMARCAlignment(_ *Input, r *msgauth.Result) Finding {
	d := r.DMARC
	if d.Result == dmarc.TempError || d.Domain == "" {
		return skip("no DMARC evaluation: %s", nonEmpty(d.Reason, "no From domain"))
	}
	switch {
	case d.DKIMAligned && d.SPFAligned:
		return pass("DKIM and SPF both aligned with %s", d.Domain)
	case d.DKIMAligned:
		return pass("DKIM aligned with %s; SPF not aligned (MAIL FROM %s), so forwarding keeps DMARC only through DKIM", d.Domain, orDash(r.SPF.Domain))
	case d.SPFAligned:
		// SPF breaks on every forward (RFC 7489 §4.2); DKIM alignment is
		// what survives mailing lists and forwarders.
		return warn("Sign with an aligned DKIM key: SPF alone fails DMARC as soon as the message is forwarded.", "only SPF aligned (MAIL FROM %s)", r.SPF.Domain)
	}
	return fail("Align the DKIM d= (best) or the MAIL FROM domain with "+d.Domain+".", "neither DKIM nor SPF aligned with %s", d.Domain)
}

func checkDMARCRUA(_ *Input, r *msgauth.Result) Finding {
	d := r.DMARC
	if d.Record == "" {
		return skip("no DMARC record")
	}
	if len(d.RUA) == 0 {
		return warn("Add rua=mailto:... to the DMARC record: without aggregate reports you cannot see who sends as you.", "no rua= in %s", d.Record)
	}
	var unauth []string
	for _, rd := range d.Reports {
		if rd.Tag == "rua" && rd.External && !rd.Authorized {
			unauth = append(unauth, rd.URI+" (no "+rd.Query+")")
		}
	}
	if len(unauth) > 0 {
		return warn("Have the report receiver publish the RFC 7489 §7.1 record, or point rua= at your own domain.", "external rua not authorised, reports will not be sent: %s", joinN(unauth, 3))
	}
	return pass("rua=%s", strings.Join(d.RUA, ","))
}

func checkARC(_ *Input, r *msgauth.Result) Finding {
	a := r.ARC
	switch a.CV {
	case arc.None:
		return info("no ARC sets: the message was not forwarded by an ARC sealer")
	case arc.Pass:
		return pass("%d ARC sets validate; hop 1 recorded: %s", a.Instances, first(a.Hops, 1)[0])
	}
	if a.Temporary {
		return warn("Retry when the sealer's key answers.", "%s", a.Reason)
	}
	return fail("The forwarder at instance "+fmt.Sprint(a.FailedInstance)+" (or something after it) changed the message after sealing; receivers will not trust its results.", "%s", a.Reason)
}

func checkBIMI(_ *Input, r *msgauth.Result) Finding {
	b := r.BIMI
	switch {
	case b.Eligible:
		return pass("%s (record at %s)", b.Reason, b.Domain)
	case b.Err != nil:
		return warn("Fix the BIMI record.", "%s", b.Reason)
	case b.Record == nil:
		return info("%s", b.Reason)
	}
	return warn("BIMI needs DMARC passing at p=quarantine or p=reject (pct=100) and a logo URL.", "%s", b.Reason)
}

func orDash(s string) string { return nonEmpty(s, "-") }

func nonEmpty(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
