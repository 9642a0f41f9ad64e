package inspect

// This file lists every domain of the message with where it appears, the
// list a receiver checks against domain blocklists (the seed triage: "check
// every domain in the message, not only the sending domain").

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// Domain is one registrable domain of the message.
type Domain struct {
	Domain string `json:"domain"`
	// Sources says where it appears, in the order of the source constants:
	// from, sender, reply-to, envelope, helo, message-id, dkim, link,
	// image, redirect, unsubscribe.
	Sources []string `json:"sources"`
}

var sourceOrder = []string{"from", "sender", "reply-to", "envelope", "helo", "message-id", "dkim", "link", "image", "redirect", "unsubscribe"}

// Domains returns every registrable domain of the message: header addresses,
// the envelope, DKIM d=, and the hosts of links, images and redirect
// targets; ordered by first source, then first appearance.
func (in *Input) Domains() []Domain {
	if in.domains != nil {
		return in.domains
	}
	var out []Domain
	idx := map[string]int{}
	add := func(d, src string) {
		d = in.lk.registrable(strings.ToLower(strings.TrimSuffix(d, ".")))
		if d == "" || !strings.Contains(d, ".") {
			return
		}
		i, ok := idx[d]
		if !ok {
			i = len(out)
			idx[d] = i
			out = append(out, Domain{Domain: d})
		}
		if !slices.Contains(out[i].Sources, src) {
			out[i].Sources = append(out[i].Sources, src)
		}
	}
	for _, a := range in.addresses("From") {
		add(domainOf(a.Address), "from")
	}
	for _, a := range in.addresses("Sender") {
		add(domainOf(a.Address), "sender")
	}
	for _, a := range in.addresses("Reply-To") {
		add(domainOf(a.Address), "reply-to")
	}
	add(in.EnvelopeDomain(), "envelope")
	add(in.Envelope.HELO, "helo")
	if id := in.Message.Header.Get("Message-ID"); id != "" {
		add(domainOf(strings.Trim(strings.TrimSpace(id), "<>")), "message-id")
	}
	for _, t := range in.DKIMTags() {
		add(t["d"], "dkim")
	}
	for _, l := range in.Links() {
		switch l.Kind {
		case KindImage, KindTrackingPixel:
			add(l.Host, "image")
		case KindUnsubscribe:
			add(l.Host, "unsubscribe")
		default:
			add(l.Host, "link")
		}
		if l.targetHost != "" {
			add(l.targetHost, "redirect")
		}
	}
	for i := range out {
		slices.SortStableFunc(out[i].Sources, func(a, b string) int {
			return slices.Index(sourceOrder, a) - slices.Index(sourceOrder, b)
		})
	}
	if out == nil {
		out = []Domain{}
	}
	in.domains = out
	return out
}

func domainChecks() []Check {
	return []Check{
		{ID: "domains.inventory", Group: GroupDomains, Title: "every domain of the message listed",
			// Seed triage; Spamhaus DBL and SURBL list domains wherever
			// they appear in a message (https://www.spamhaus.org/blocklists/domain-blocklist/).
			Ref: "https://www.spamhaus.org/blocklists/domain-blocklist/",
			Run: func(_ context.Context, in *Input) Finding {
				ds := in.Domains()
				if len(ds) == 0 {
					return info("the message names no domain")
				}
				var parts []string
				for _, d := range ds {
					parts = append(parts, d.Domain+" ("+strings.Join(d.Sources, ",")+")")
				}
				return info("%d domains: %s", len(ds), strings.Join(parts, "; "))
			}},
		{ID: "domains.third-party", Group: GroupDomains, Title: "few domains other than the sender's",
			// Each extra domain is one more reputation the message carries;
			// a blocklisted link or image host fails the whole message.
			Ref: "https://support.google.com/a/answer/81126",
			Run: func(_ context.Context, in *Input) Finding {
				own := registrable(in.FromDomain())
				if own == "" {
					return skip("no From domain")
				}
				var others []string
				for _, d := range in.Domains() {
					if d.Domain == own {
						continue
					}
					content := false
					for _, s := range d.Sources {
						if s == "link" || s == "image" || s == "redirect" || s == "unsubscribe" {
							content = true
						}
					}
					if content {
						others = append(others, d.Domain)
					}
				}
				switch {
				case len(others) == 0:
					return pass("every link and image is on %s", own)
				case len(others) > 5:
					return warn("Serve links and images from your own domain (a branded tracking domain) and drop the hosts you do not need.",
						"%d domains other than %s in links and images: %s", len(others), own, strings.Join(others, ", "))
				}
				return info("%d other domain(s) in links and images: %s", len(others), strings.Join(others, ", "))
			}},
		{ID: "domains.lookalike", Group: GroupDomains, Title: "no domain imitates another of the message",
			// Unicode TR 39 §4 confusable skeletons: two domains with the
			// same skeleton read alike.
			Ref: "https://www.unicode.org/reports/tr39/#Confusable_Detection",
			Run: func(_ context.Context, in *Input) Finding {
				ds := in.Domains()
				// One skeleton per domain, looked up in a map: linear in
				// the number of domains.
				seen := make(map[string]string, len(ds))
				for _, d := range ds {
					u := unicodeHost(d.Domain)
					sk := skeleton(u)
					if other, ok := seen[sk]; ok {
						return fail("Remove the look-alike domain: receivers read it as phishing.", "%s and %s read alike", other, u)
					}
					seen[sk] = u
				}
				return pass("%d domains, none a look-alike of another", len(ds))
			}},
	}
}

func plural(n int, word string) string {
	if n == 1 {
		return fmt.Sprintf("1 %s", word)
	}
	return fmt.Sprintf("%d %ss", n, word)
}
