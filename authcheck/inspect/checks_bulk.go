package inspect

// This file is the Google and Yahoo 2024 bulk-sender requirements as one
// group, the parts that can be judged from the message alone: one-click
// unsubscribe, a visible unsubscribe link, a DKIM signature aligned with
// From, an aligned MAIL FROM or DKIM domain, RFC 5322 format, and no
// free-mail From. Authentication results, rDNS and TLS need DNS and the SMTP
// session: the DNS checks add them.

import (
	"context"
	"strings"
)

const (
	googleGuidelines = "https://support.google.com/a/answer/81126"
	yahooGuidelines  = "https://senders.yahooinc.com/best-practices/"
)

func bulkChecks() []Check {
	return []Check{
		{ID: "bulk.one-click-unsubscribe", Group: GroupBulkSender, Title: "RFC 8058 one-click unsubscribe",
			Ref: googleGuidelines + " (bulk senders: one-click unsubscribe); " + yahooGuidelines,
			Run: func(ctx context.Context, in *Input) Finding {
				if !isBulk(in) {
					// Google and Yahoo exempt transactional mail (receipts,
					// password resets) from the unsubscribe requirements.
					return skip("the message does not look like bulk mail (no List-Unsubscribe, List-Id, Feedback-ID, Precedence: bulk, ESP campaign field or unsubscribe link); transactional mail is exempt")
				}
				return checkOneClick(ctx, in)
			}},
		{ID: "bulk.unsubscribe-link", Group: GroupBulkSender, Title: "a visible unsubscribe link",
			Ref: yahooGuidelines + " (unsubscribe link in the body)",
			Run: func(ctx context.Context, in *Input) Finding {
				if !isBulk(in) {
					return skip("the message does not look like bulk mail; transactional mail is exempt")
				}
				return checkUnsubLink(ctx, in)
			}},
		{ID: "bulk.dkim-signed", Group: GroupBulkSender, Title: "DKIM-signed with d= aligned with From",
			// Google: "Set up SPF and DKIM email authentication"; bulk
			// senders need DMARC alignment, which DKIM gives even when SPF
			// breaks on forwarding. Verified by the DNS checks.
			Ref: googleGuidelines + " (authentication); RFC 7489 §3.1.1",
			Run: func(_ context.Context, in *Input) Finding {
				from := registrable(in.FromDomain())
				tags := in.DKIMTags()
				if len(tags) == 0 {
					return fail("Sign every message with DKIM (a 2048-bit key) for your From domain.", "no DKIM-Signature")
				}
				var ds []string
				for _, t := range tags {
					if from != "" && registrable(strings.ToLower(t["d"])) == from {
						return pass("DKIM-Signature d=%s s=%s aligned with From %s (signature not verified offline)", t["d"], t["s"], in.FromDomain())
					}
					ds = append(ds, t["d"])
				}
				return fail("Sign with d= your From domain (or a subdomain of it), not only the ESP's domain.", "DKIM d=%s, none aligned with From %s", strings.Join(ds, ", "), in.FromDomain())
			}},
		{ID: "bulk.dmarc-alignment", Group: GroupBulkSender, Title: "SPF or DKIM domain aligned with From",
			Ref: googleGuidelines + " (DMARC alignment); RFC 7489 §3.1",
			Run: func(_ context.Context, in *Input) Finding {
				from := registrable(in.FromDomain())
				if from == "" {
					return fail("Set a From address.", "no From domain")
				}
				var how []string
				if env := in.EnvelopeDomain(); env != "" && registrable(env) == from {
					how = append(how, "MAIL FROM "+env)
				}
				for _, t := range in.DKIMTags() {
					if registrable(strings.ToLower(t["d"])) == from {
						how = append(how, "DKIM d="+t["d"])
						break
					}
				}
				if len(how) == 0 {
					return fail("Align the DKIM d= or the MAIL FROM domain with the From domain.", "neither the MAIL FROM domain nor a DKIM d= is under %s", from)
				}
				return pass("aligned through %s", strings.Join(how, " and "))
			}},
		{ID: "bulk.rfc5322", Group: GroupBulkSender, Title: "formatted according to RFC 5322",
			Ref: googleGuidelines + " (format messages according to RFC 5322)",
			Run: func(ctx context.Context, in *Input) Finding {
				var bad []string
				for _, c := range []func(context.Context, *Input) Finding{checkMessageID, checkDate, checkFrom, checkSingleInstance, checkHeaderSyntax, checkBareLF, checkLineLength} {
					if f := c(ctx, in); f.Result == Fail {
						bad = append(bad, f.Detail)
					}
				}
				if len(bad) > 0 {
					return fail("Fix the header and line-format findings above.", "%s", strings.Join(first(bad, 3), "; "))
				}
				return pass("Message-ID, Date, one From, single fields, CRLF, line lengths")
			}},
		{ID: "bulk.no-freemail-from", Group: GroupBulkSender, Title: "no Gmail or Yahoo From sent from elsewhere",
			Ref: googleGuidelines + " (don't impersonate Gmail From: headers)",
			Run: checkFreeMailFrom},
	}
}
