package inspect

// This file holds the header checks: the fields RFC 5322 §3.6 requires or
// limits, the list fields (RFC 2369, RFC 2919, RFC 8058), Gmail's
// Feedback-ID, and the From tricks receivers distrust.

import (
	"context"
	"net/mail"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
)

// freeMail are mailbox providers whose domains publish DMARC p=reject or
// quarantine: mail with their From sent through anyone else's servers fails
// DMARC (Yahoo since 2014, AOL, Gmail's p=quarantine since 2024...).
var freeMail = []string{
	"gmail.com", "googlemail.com", "yahoo.com", "yahoo.co.uk", "yahoo.fr", "yahoo.de", "ymail.com",
	"rocketmail.com", "aol.com", "outlook.com", "hotmail.com", "live.com", "msn.com", "icloud.com",
	"me.com", "mac.com", "gmx.com", "gmx.de", "gmx.net", "web.de", "mail.ru", "yandex.ru", "yandex.com",
	"proton.me", "protonmail.com", "zoho.com", "comcast.net", "orange.fr", "free.fr", "laposte.net",
	"libero.it", "t-online.de", "qq.com", "163.com", "naver.com",
}

// singleFields may appear at most once (RFC 5322 §3.6, the "Max number"
// column of the table).
var singleFields = []string{"Date", "From", "Sender", "Reply-To", "To", "Cc", "Bcc", "Message-ID", "In-Reply-To", "References", "Subject",
	// RFC 2045 §3 and RFC 2369/8058 fields, which receivers also read once.
	"MIME-Version", "Content-Type", "Content-Transfer-Encoding", "List-Unsubscribe", "List-Unsubscribe-Post", "List-Id"}

var (
	// RFC 5322 §3.6.4: msg-id = "<" id-left "@" id-right ">".
	msgIDRe = lazyRegexp(`^<[^<>@\s]+@[^<>@\s]+>$`)
	// RFC 2919 §2: list-id = [phrase] "<" list-label "." list-id-namespace ">".
	listIDRe = lazyRegexp(`^(?:[^<>]*)<([A-Za-z0-9!#$%&'*+\-/=?^_` + "`" + `{|}~]+(?:\.[A-Za-z0-9!#$%&'*+\-/=?^_` + "`" + `{|}~]+)+)>$`)
	// Gmail's Feedback-ID: "a:b:c:SenderId", 2 to 5 colon-separated
	// non-empty identifiers, SenderId last.
	// The fields are opaque to Gmail: Amazon SES writes
	// "1.us-west-2.<base64>=:AmazonSES".
	feedbackIDRe = lazyRegexp(`^[^\s:]+(?::[^\s:]+){1,4}$`)
	addrInTextRe = lazyRegexp(`(?i)[a-z0-9._%+\-]+@([a-z0-9\-]+(?:\.[a-z0-9\-]+)+)`)
	domainTextRe = lazyRegexp(`(?i)\b((?:[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?\.)+(?:com|net|org|co|io|de|uk|fr|us|info|biz|me|app|shop|store|xyz|online|site|example|[a-z]{2}))\b`)
)

func headerChecks() []Check {
	return []Check{
		{ID: "header.message-id", Group: GroupHeaders, Title: "one Message-ID, <left@right>",
			// RFC 5322 §3.6.4 (SHOULD be present); Gmail's guidelines require it.
			Ref: "RFC 5322 §3.6.4; https://support.google.com/mail/answer/81126",
			Run: checkMessageID},
		{ID: "header.date", Group: GroupHeaders, Title: "one valid Date, not in the future",
			// RFC 5322 §3.6.1 (Date is required), §3.3 (date-time syntax).
			Ref: "RFC 5322 §3.6.1, §3.3", Run: checkDate},
		{ID: "header.from", Group: GroupHeaders, Title: "exactly one From with one address",
			// RFC 5322 §3.6.2; RFC 7489 §6.6.1: a message with several From
			// addresses is rejected or its DMARC policy applied anyway;
			// Gmail rejects several From fields (550 5.7.1).
			Ref: "RFC 5322 §3.6.2; RFC 7489 §6.6.1", Run: checkFrom},
		{ID: "header.single-instance", Group: GroupHeaders, Title: "fields that may appear once appear once",
			Ref: "RFC 5322 §3.6 (table of field counts)", Run: checkSingleInstance},
		{ID: "header.subject", Group: GroupHeaders, Title: "a Subject that is not empty",
			// RFC 5322 §3.6.5; an empty or missing subject is a spam signal
			// to SpamAssassin (MISSING_SUBJECT, EMPTY_SUBJECT).
			Ref: "RFC 5322 §3.6.5", Run: checkSubject},
		{ID: "header.mime-version", Group: GroupHeaders, Title: "MIME-Version: 1.0 on a MIME message",
			Ref: "RFC 2045 §4", Run: checkMIMEVersion},
		{ID: "header.syntax", Group: GroupHeaders, Title: "every header line is a field",
			Ref: "RFC 5322 §2.2, §3.6.8", Run: checkHeaderSyntax},
		{ID: "header.8bit", Group: GroupHeaders, Title: "header in ASCII or RFC 2047 encoded words",
			// RFC 5322 §2.2 (fields are US-ASCII); raw UTF-8 needs SMTPUTF8
			// (RFC 6532) on every hop.
			Ref: "RFC 5322 §2.2; RFC 2047; RFC 6532", Run: check8bitHeader},
		{ID: "header.list-unsubscribe", Group: GroupHeaders, Title: "List-Unsubscribe with an https or mailto URI",
			Ref: "RFC 2369 §3.2; https://support.google.com/a/answer/81126", Run: checkListUnsubscribe},
		{ID: "header.one-click", Group: GroupHeaders, Title: "RFC 8058 one-click unsubscribe",
			Ref: "RFC 8058 §3.1", Run: checkOneClick},
		{ID: "header.list-id", Group: GroupHeaders, Title: "List-Id syntax",
			Ref: "RFC 2919 §2", Run: checkListID},
		{ID: "header.feedback-id", Group: GroupHeaders, Title: "Feedback-ID in Gmail's form",
			Ref: "https://support.google.com/a/answer/6254652", Run: checkFeedbackID},
		{ID: "header.freemail-from", Group: GroupHeaders, Title: "no free-mail From sent from elsewhere",
			// Google's sender guidelines: do not impersonate Gmail From
			// addresses; the providers' DMARC p=reject/quarantine fails it.
			Ref: "https://support.google.com/a/answer/81126; RFC 7489 §6.6", Run: checkFreeMailFrom},
		{ID: "header.display-name", Group: GroupHeaders, Title: "display name without tricks",
			// A display name holding another address or domain, or
			// invisible/bidi control characters, is how phishing spoofs a
			// sender (M3AAWG Sender BCP; Gmail's "impersonation" warnings).
			Ref: "RFC 5322 §3.4; Unicode TR 36 §3", Run: checkDisplayName},
		{ID: "header.reply-to", Group: GroupHeaders, Title: "Reply-To on the sender's domain",
			Ref: "RFC 5322 §3.6.2", Run: checkReplyTo},
		{ID: "header.envelope-alignment", Group: GroupHeaders, Title: "MAIL FROM domain aligned with From",
			// RFC 7489 §3.1.2: relaxed SPF alignment compares organizational domains.
			Ref: "RFC 7489 §3.1.2", Run: checkEnvelopeAlignment},
		{ID: "header.to", Group: GroupHeaders, Title: "a To field with the recipient",
			// RFC 5322 §3.6.3 allows none, but a missing To is a spam
			// signal (SpamAssassin MISSING_HEADERS).
			Ref: "RFC 5322 §3.6.3", Run: checkTo},
	}
}

func checkMessageID(_ context.Context, in *Input) Finding {
	h := in.Message.Header
	switch n := h.Count("Message-ID"); {
	case n == 0:
		return fail("Have the sending software set a Message-ID: <unique@your-domain>.", "no Message-ID field")
	case n > 1:
		return fail("Set exactly one Message-ID.", "%d Message-ID fields", n)
	}
	v := strings.TrimSpace(h.Get("Message-ID"))
	if !msgIDRe().MatchString(v) {
		return fail("Write it as <unique-part@your-domain>.", "Message-ID %q is not <left@right>", truncate(v, 80))
	}
	right := domainOf(strings.Trim(v, "<>"))
	if right == "localhost" || right == "localhost.localdomain" || !strings.Contains(right, ".") {
		return warn("Use your sending domain as the right part.", "Message-ID %s has host %q, not a domain name", truncate(v, 80), right)
	}
	return pass("Message-ID %s", truncate(v, 80))
}

func checkDate(_ context.Context, in *Input) Finding {
	h := in.Message.Header
	switch n := h.Count("Date"); {
	case n == 0:
		return fail("Set a Date field at submission (RFC 5322 §3.6.1 requires it).", "no Date field")
	case n > 1:
		return fail("Set exactly one Date.", "%d Date fields", n)
	}
	v := h.Get("Date")
	t, err := mail.ParseDate(v)
	if err != nil {
		return fail("Write the date as RFC 5322 §3.3 date-time, e.g. \"Tue, 01 Dec 2026 10:00:00 +0000\".", "Date %q does not parse: %v", truncate(v, 60), err)
	}
	// Receivers allow for clock skew; 15 minutes is SpamAssassin's
	// DATE_IN_FUTURE_* lower edge beside ordinary NTP error.
	if d := t.Sub(in.Now); d > 15*time.Minute {
		return fail("Fix the sending host's clock or the template's Date.", "Date %s is %s in the future", t.UTC().Format(time.RFC3339), d.Round(time.Minute))
	}
	if d := in.Now.Sub(t); d > 7*24*time.Hour {
		return warn("Set Date at send time, not when the campaign was written.", "Date %s is %s in the past", t.UTC().Format(time.RFC3339), d.Round(time.Hour))
	}
	return pass("Date %s", t.UTC().Format(time.RFC3339))
}

func checkFrom(_ context.Context, in *Input) Finding {
	addrs, n, err := in.From()
	switch {
	case n == 0:
		return fail("Set a From field (RFC 5322 §3.6.2 requires one).", "no From field")
	case n > 1:
		return fail("Keep one From field.", "%d From fields", n)
	case err != nil:
		return fail("Write From as \"Name <local@domain>\".", "From %q does not parse: %v", truncate(in.Message.Header.Get("From"), 80), err)
	case len(addrs) != 1:
		return fail("Put one address in From; other authors go in Sender or Reply-To.", "From has %d addresses", len(addrs))
	}
	return pass("From %s", addrs[0].Address)
}

func checkSingleInstance(_ context.Context, in *Input) Finding {
	var dup []string
	for _, f := range singleFields {
		if n := in.Message.Header.Count(f); n > 1 {
			dup = append(dup, f+" ×"+strconv.Itoa(n))
		}
	}
	if len(dup) > 0 {
		return fail("Remove the repeated fields: receivers read one and may reject the message.", "repeated: %s", strings.Join(dup, ", "))
	}
	return pass("no field of %d that may appear once is repeated", len(singleFields))
}

func checkSubject(_ context.Context, in *Input) Finding {
	h := in.Message.Header
	if h.Count("Subject") == 0 {
		return warn("Give the message a subject.", "no Subject field")
	}
	s := decodeWords(h.Get("Subject"))
	if strings.TrimSpace(s) == "" {
		return warn("Give the message a subject.", "empty Subject")
	}
	letters, upper := 0, 0
	for _, r := range s {
		if unicode.IsLetter(r) {
			letters++
			if unicode.IsUpper(r) {
				upper++
			}
		}
	}
	if letters >= 10 && upper*10 >= letters*8 {
		return warn("Write the subject in sentence case.", "Subject %q is in capitals", truncate(s, 80))
	}
	if strings.Count(s, "!") >= 3 || strings.Contains(s, "$$") {
		return warn("Drop the repeated exclamation marks and dollar signs.", "Subject %q", truncate(s, 80))
	}
	return pass("Subject %q", truncate(s, 80))
}

func checkMIMEVersion(_ context.Context, in *Input) Finding {
	h := in.Message.Header
	v := strings.TrimSpace(h.Get("MIME-Version"))
	if h.Get("Content-Type") == "" && h.Get("Content-Transfer-Encoding") == "" {
		if v == "" {
			return info("not a MIME message (plain RFC 5322 text)")
		}
	}
	if v == "" {
		return warn("Add \"MIME-Version: 1.0\".", "Content-Type without MIME-Version")
	}
	if i := strings.IndexByte(v, '('); i >= 0 {
		v = strings.TrimSpace(v[:i]) // RFC 2045 §4 allows comments
	}
	if strings.ReplaceAll(v, " ", "") != "1.0" {
		return fail("Write \"MIME-Version: 1.0\".", "MIME-Version %q", truncate(v, 40))
	}
	return pass("MIME-Version 1.0")
}

func checkHeaderSyntax(_ context.Context, in *Input) Finding {
	if in.Message.HeaderErr != nil {
		return fail("Fix the header: each line is \"Name: value\" or a continuation starting with white space, and an empty line ends it.", "%v", in.Message.HeaderErr)
	}
	return pass("%s", plural(len(in.Message.Header), "field"))
}

func check8bitHeader(_ context.Context, in *Input) Finding {
	var raw, bad []string
	for _, f := range in.Message.Header {
		for i := 0; i < len(f.Value); i++ {
			if f.Value[i] >= 0x80 {
				raw = append(raw, f.Name)
				break
			}
		}
		if strings.Contains(f.Value, "=?") {
			if _, err := wordDecoder.DecodeHeader(f.Value); err != nil {
				bad = append(bad, f.Name)
			}
		}
	}
	switch {
	case len(bad) > 0:
		return fail("Encode the words as =?utf-8?q?...?= or =?utf-8?b?...?= (RFC 2047 §2).", "malformed RFC 2047 encoded words in %s", strings.Join(slices.Compact(bad), ", "))
	case len(raw) > 0:
		return warn("Encode non-ASCII text with RFC 2047 encoded words unless every hop speaks SMTPUTF8.", "raw 8-bit text in %s", strings.Join(slices.Compact(raw), ", "))
	}
	return pass("header is ASCII")
}

func checkListUnsubscribe(_ context.Context, in *Input) Finding {
	v := in.Message.Header.Get("List-Unsubscribe")
	if v == "" {
		if isBulk(in) {
			return fail("Add List-Unsubscribe: <https://...>, <mailto:...> (Google and Yahoo require it of bulk senders).", "no List-Unsubscribe on a message that looks like bulk mail (%s)", bulkEvidence(in))
		}
		return info("no List-Unsubscribe (the message does not look like bulk mail)")
	}
	uris := listUnsubscribeURIs(v)
	if len(uris) == 0 {
		return fail("Put each URI in angle brackets: <https://...>, <mailto:...>.", "List-Unsubscribe %q has no <URI>", truncate(v, 80))
	}
	var kinds []string
	for _, u := range uris {
		lu := strings.ToLower(u)
		switch {
		case strings.HasPrefix(lu, "https://"):
			kinds = append(kinds, "https")
		case strings.HasPrefix(lu, "mailto:"):
			kinds = append(kinds, "mailto")
		case strings.HasPrefix(lu, "http://"):
			return warn("Use an https URI: RFC 8058 one-click needs it and receivers distrust http.", "List-Unsubscribe URI %q is http", truncate(u, 80))
		default:
			return fail("Use https or mailto URIs.", "List-Unsubscribe URI %q is neither https nor mailto", truncate(u, 80))
		}
	}
	return pass("List-Unsubscribe with %s", strings.Join(kinds, " and "))
}

func checkOneClick(_ context.Context, in *Input) Finding {
	h := in.Message.Header
	post := strings.TrimSpace(h.Get("List-Unsubscribe-Post"))
	hasHTTPS := false
	for _, u := range listUnsubscribeURIs(h.Get("List-Unsubscribe")) {
		if strings.HasPrefix(strings.ToLower(u), "https://") {
			hasHTTPS = true
		}
	}
	const fix = "Add \"List-Unsubscribe-Post: List-Unsubscribe=One-Click\" and an https URI in List-Unsubscribe, both covered by the DKIM signature (RFC 8058 §3.1, §4)."
	switch {
	case post == "" && !hasHTTPS && h.Get("List-Unsubscribe") == "":
		if isBulk(in) {
			return fail(fix, "no one-click unsubscribe on bulk mail")
		}
		return info("no List-Unsubscribe-Post (the message does not look like bulk mail)")
	case post == "":
		return fail(fix, "no List-Unsubscribe-Post field")
	case post != "List-Unsubscribe=One-Click":
		return fail(fix, "List-Unsubscribe-Post is %q, not \"List-Unsubscribe=One-Click\"", truncate(post, 60))
	case !hasHTTPS:
		return fail(fix, "List-Unsubscribe-Post without an https URI in List-Unsubscribe")
	}
	// RFC 8058 §4: the signature must cover both fields, or a forwarder
	// could add them; the DKIM checks verify h= against the key.
	for _, t := range in.DKIMTags() {
		hl := strings.ToLower(t["h"])
		if strings.Contains(":"+hl+":", ":list-unsubscribe:") && strings.Contains(":"+hl+":", ":list-unsubscribe-post:") {
			return pass("one-click unsubscribe, both fields in the h= of d=%s", t["d"])
		}
	}
	if len(in.DKIMTags()) == 0 {
		return warn("Sign the message with DKIM, List-Unsubscribe and List-Unsubscribe-Post in h= (RFC 8058 §4).", "one-click fields present but the message has no DKIM-Signature")
	}
	return warn("Add list-unsubscribe and list-unsubscribe-post to the DKIM h= tag (RFC 8058 §4).", "one-click fields present but no DKIM-Signature covers both")
}

func checkListID(_ context.Context, in *Input) Finding {
	v := strings.TrimSpace(in.Message.Header.Get("List-Id"))
	if v == "" {
		return info("no List-Id")
	}
	if !listIDRe().MatchString(v) {
		return fail("Write it as \"Name <list-label.your-domain>\" (RFC 2919 §2).", "List-Id %q", truncate(v, 80))
	}
	return pass("List-Id %s", truncate(v, 80))
}

func checkFeedbackID(_ context.Context, in *Input) Finding {
	h := in.Message.Header
	v := strings.TrimSpace(h.Get("Feedback-ID"))
	if v == "" {
		return info("no Feedback-ID (Gmail's Postmaster Tools feedback loop needs one)")
	}
	if !feedbackIDRe().MatchString(v) {
		return fail("Write it as CampaignID:CustomerID:MailType:SenderID: 2 to 5 non-empty colon-separated fields without spaces.", "Feedback-ID %q", truncate(v, 80))
	}
	parts := strings.Split(v, ":")
	sender := parts[len(parts)-1]
	for _, t := range in.DKIMTags() {
		if strings.Contains(":"+strings.ToLower(t["h"])+":", ":feedback-id:") {
			return pass("Feedback-ID %s (sender id %s), signed by d=%s", v, sender, t["d"])
		}
	}
	return warn("Cover Feedback-ID in the DKIM signature's h= so it cannot be forged.", "Feedback-ID %s (sender id %s) is not covered by any DKIM signature", v, sender)
}

func checkFreeMailFrom(_ context.Context, in *Input) Finding {
	d := in.FromDomain()
	if d == "" {
		return skip("no From domain")
	}
	if !slices.Contains(freeMail, d) {
		return pass("From domain %s is not a free-mail domain", d)
	}
	for _, t := range in.DKIMTags() {
		if strings.EqualFold(t["d"], d) {
			return pass("From %s, signed by d=%s (sent through the provider)", d, t["d"])
		}
	}
	return fail("Send from your own domain: "+d+" publishes a DMARC policy that fails mail it did not send.", "From domain %s is a free-mail provider and no DKIM signature is from it", d)
}

func checkDisplayName(_ context.Context, in *Input) Finding {
	addrs, _, _ := in.From()
	if len(addrs) == 0 {
		return skip("no From address")
	}
	a := addrs[0]
	name := a.Name
	for _, r := range name {
		// Bidi overrides and zero-width characters reorder or hide text.
		if (r >= 0x202A && r <= 0x202E) || (r >= 0x2066 && r <= 0x2069) || r == 0x200B || r == 0x200C || r == 0x200D || r == 0xFEFF || r == 0x200E || r == 0x200F {
			return fail("Remove the invisible or direction-changing characters from the display name.", "display name %q has U+%04X", truncate(name, 60), r)
		}
	}
	own := registrable(domainOf(a.Address))
	if m := addrInTextRe().FindStringSubmatch(name); m != nil {
		if registrable(strings.ToLower(m[1])) != own {
			return fail("Do not put another address in the display name.", "display name %q names %s but the address is %s", truncate(name, 60), m[0], a.Address)
		}
		return warn("Use a name, not the address, as display name.", "display name %q repeats an address", truncate(name, 60))
	}
	if m := domainTextRe().FindString(name); m != "" && registrable(strings.ToLower(m)) != own && strings.Contains(m, ".") {
		return warn("Do not name another domain in the display name.", "display name %q names %s but the address is %s", truncate(name, 60), m, a.Address)
	}
	if name == "" {
		return info("From %s has no display name", a.Address)
	}
	return pass("display name %q", truncate(name, 60))
}

func checkReplyTo(_ context.Context, in *Input) Finding {
	rt := in.addresses("Reply-To")
	if len(rt) == 0 {
		return info("no Reply-To")
	}
	own := registrable(in.FromDomain())
	for _, a := range rt {
		if d := registrable(domainOf(a.Address)); d != own {
			if slices.Contains(freeMail, domainOf(a.Address)) {
				return warn("Point Reply-To at your own domain.", "Reply-To %s is a free-mail address, From is on %s", a.Address, own)
			}
			return info("Reply-To %s is on %s, From on %s", a.Address, d, own)
		}
	}
	return pass("Reply-To on %s", own)
}

func checkEnvelopeAlignment(_ context.Context, in *Input) Finding {
	env := in.EnvelopeDomain()
	from := in.FromDomain()
	switch {
	case from == "":
		return skip("no From domain")
	case env == "":
		return skip("no MAIL FROM: give --mail-from or keep the Return-Path field")
	}
	if registrable(env) == registrable(from) {
		return pass("MAIL FROM %s aligned with From %s (relaxed)", env, from)
	}
	return warn("Use a bounce domain under your From domain (e.g. bounces."+registrable(from)+") so SPF aligns for DMARC.", "MAIL FROM %s is not aligned with From %s: DMARC then rests on DKIM alone", env, from)
}

func checkTo(_ context.Context, in *Input) Finding {
	h := in.Message.Header
	if h.Count("To") == 0 {
		if h.Count("Cc") > 0 {
			return info("no To, recipients in Cc")
		}
		return warn("Address the message to its recipient in To.", "no To field")
	}
	if len(in.addresses("To")) == 0 {
		return warn("Put the recipient's address in To.", "To %q has no address", truncate(h.Get("To"), 60))
	}
	return pass("To %s", truncate(h.Get("To"), 60))
}

// isBulk reports whether the message looks like bulk mail: list fields,
// ESP campaign fields, a Precedence of bulk or list, or an unsubscribe link.
func isBulk(in *Input) bool { return bulkEvidence(in) != "" }

func bulkEvidence(in *Input) string {
	h := in.Message.Header
	for _, f := range []string{"List-Unsubscribe", "List-Id", "Feedback-ID", "X-Campaign", "X-Mailgun-Tag", "X-SES-CONFIGURATION-SET", "X-SMTPAPI", "X-MC-User"} {
		if h.Get(f) != "" {
			return f + " field"
		}
	}
	if p := strings.ToLower(strings.TrimSpace(h.Get("Precedence"))); p == "bulk" || p == "list" {
		return "Precedence: " + p
	}
	for _, l := range in.Links() {
		if l.Kind == KindUnsubscribe && l.Source != "header" {
			return "an unsubscribe link in the body"
		}
	}
	return ""
}

func decodeWords(s string) string {
	if d, err := wordDecoder.DecodeHeader(s); err == nil {
		return d
	}
	return s
}

// lazyRegexp compiles expr on first use: a program that never inspects a
// message (the queue path, bouncekit parse) does not pay for it at start-up.
func lazyRegexp(expr string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}
