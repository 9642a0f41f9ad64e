package inspect

// This file holds the link checks, read from the inventory of Links:
// plain http, IP literals, shorteners, redirectors and their targets, anchor
// text that names another domain, look-alike hosts, and the visible
// unsubscribe link.

import (
	"context"
	"net/netip"
	"net/url"
	"slices"
	"strings"
)

func linkChecks() []Check {
	return []Check{
		{ID: "links.inventory", Group: GroupLinks, Title: "every URL listed",
			Ref: "seed triage: check every domain in the message", Run: checkLinkInventory},
		{ID: "links.http", Group: GroupLinks, Title: "links and images over https",
			// Gmail marks http links; mixed content breaks images in
			// https webmail.
			Ref: "https://support.google.com/mail/answer/81126 (use https)", Run: checkHTTPLinks},
		{ID: "links.ip-literal", Group: GroupLinks, Title: "no URL with an IP address for host",
			// SpamAssassin NORMAL_HTTP_TO_IP / HTTP_IP: a hallmark of
			// phishing and compromised hosts.
			Ref: "SpamAssassin 20_uri_tests.cf NORMAL_HTTP_TO_IP", Run: checkIPLiteral},
		{ID: "links.shortener", Group: GroupLinks, Title: "no public URL shortener",
			// Shared shortener domains carry everyone's abuse; Spamhaus
			// DBL and SURBL list them.
			Ref: "https://www.spamhaus.org/resource-hub/email-security/url-shorteners/", Run: checkShortener},
		{ID: "links.redirect", Group: GroupLinks, Title: "redirect and tracking hosts with their targets",
			// Seed triage: the redirect host is checked like the link
			// host; an open redirect is abused and then blocklisted.
			Ref: "https://www.spamhaus.org/blocklists/domain-blocklist/", Run: checkRedirects},
		{ID: "links.anchor-mismatch", Group: GroupLinks, Title: "anchor text naming a domain links to it",
			// The phishing pattern of a visible URL that is not the href
			// (SpamAssassin's phishing heuristics; Gmail warnings).
			Ref: "Anti-Phishing Working Group; SpamAssassin HTML_LINK_CLICK_HERE family", Run: checkAnchorMismatch},
		{ID: "links.homoglyph", Group: GroupLinks, Title: "no host that imitates another",
			Ref: "Unicode TR 39 §4; RFC 5893", Run: checkHomoglyph},
		{ID: "links.userinfo", Group: GroupLinks, Title: "no user@ in link URLs",
			// RFC 3986 §7.6: userinfo before the host deceives readers
			// (https://bank.example@evil.example/).
			Ref: "RFC 3986 §3.2.1, §7.6", Run: checkUserinfo},
		{ID: "links.port", Group: GroupLinks, Title: "links on standard ports",
			Ref: "RFC 3986 §3.2.3", Run: checkPorts},
		{ID: "links.malformed", Group: GroupLinks, Title: "every URL parses",
			Ref: "RFC 3986 §3", Run: checkMalformed},
		{ID: "links.unsubscribe", Group: GroupLinks, Title: "a visible unsubscribe link in the body",
			// Yahoo's sender requirements: "a clearly visible unsubscribe
			// link in the body"; CAN-SPAM 16 CFR 316.5.
			Ref: "https://senders.yahooinc.com/best-practices/; 16 CFR 316.5", Run: checkUnsubLink},
	}
}

func checkLinkInventory(_ context.Context, in *Input) Finding {
	ls := in.Links()
	if len(ls) == 0 {
		return info("no URL in the message")
	}
	kinds := map[LinkKind]int{}
	var hosts []string
	seen := map[string]bool{}
	for _, l := range ls {
		kinds[l.Kind] += l.Count
		if l.Host != "" && !seen[l.Host] {
			seen[l.Host] = true
			hosts = append(hosts, l.Host)
		}
	}
	return info("%d links, %d images, %d tracking pixels, %d unsubscribe URLs on %s: %s",
		kinds[KindLink], kinds[KindImage], kinds[KindTrackingPixel], kinds[KindUnsubscribe], plural(len(hosts), "host"), strings.Join(first(hosts, 12), ", "))
}

func checkHTTPLinks(_ context.Context, in *Input) Finding {
	var plain []string
	n := 0
	for _, l := range in.Links() {
		lu := strings.ToLower(l.URL)
		if strings.HasPrefix(lu, "http://") {
			plain = append(plain, truncate(l.URL, 60))
		}
		if strings.HasPrefix(lu, "http") {
			n++
		}
	}
	switch {
	case n == 0:
		return skip("no http(s) URL")
	case len(plain) > 0:
		return warn("Serve every link and image over https (your tracking domain needs a certificate).", "%d of %d URLs use http: %s", len(plain), n, strings.Join(first(plain, 3), ", "))
	}
	return pass("all %s use https", plural(n, "URL"))
}

func checkIPLiteral(_ context.Context, in *Input) Finding {
	var ips []string
	for _, l := range in.Links() {
		if _, err := netip.ParseAddr(strings.Trim(l.Host, "[]")); err == nil && l.Host != "" {
			ips = append(ips, truncate(l.URL, 60))
		} else if isNumericHost(l.Host) {
			// Browsers read decimal and hex forms (http://3232235777/) as IPv4.
			ips = append(ips, truncate(l.URL, 60))
		}
	}
	if len(ips) > 0 {
		return fail("Link to a domain name you own, never to an IP address.", "%s", strings.Join(first(ips, 3), ", "))
	}
	return pass("no IP-literal URL")
}

// isNumericHost reports whether h is an IPv4 address in a form netip does
// not read but browsers do: one decimal or hex number (http://3232235777/),
// or dotted parts in octal or hex.
func isNumericHost(h string) bool {
	if h == "" {
		return false
	}
	for _, p := range strings.Split(h, ".") {
		q := strings.TrimPrefix(strings.TrimPrefix(p, "0x"), "0X")
		digits := "0123456789"
		if q != p {
			digits = "0123456789abcdef"
		}
		if q == "" || strings.Trim(q, digits) != "" {
			return false
		}
	}
	return true
}

func checkShortener(_ context.Context, in *Input) Finding {
	var s []string
	for _, l := range in.Links() {
		if l.Redirect == "shortener" && len(s) < 10 && !slices.Contains(s, l.Host) {
			s = append(s, l.Host)
		}
	}
	if len(s) > 0 {
		return fail("Link to the destination, or to a branded short domain of your own.", "public shorteners: %s", strings.Join(s, ", "))
	}
	return pass("no public URL shortener")
}

func checkRedirects(_ context.Context, in *Input) Finding {
	var parts []string
	open := []string{}
	seen := map[string]bool{}
	for _, l := range in.Links() {
		if l.Redirect == "" || l.Redirect == "shortener" {
			continue
		}
		s := l.Host + " (" + l.Redirect + ")"
		if l.Target != "" {
			s += " → " + truncate(l.Target, 60)
			// A redirect on the sender's own domain that takes any target
			// from its query is an open redirect once found.
			if l.Redirect == "redirect" && l.Domain != l.TargetDomain {
				open = append(open, l.Host)
			}
		}
		if !seen[s] {
			seen[s] = true
			parts = append(parts, s)
		}
	}
	if len(parts) == 0 {
		return pass("no redirect or tracking host")
	}
	if len(open) > 0 {
		return warn("Sign or allow-list the redirect targets so the redirector cannot be used by others.", "redirects that carry their target in the URL: %s", strings.Join(first(parts, 6), "; "))
	}
	return info("%s: %s", plural(len(parts), "redirect/tracking host"), strings.Join(first(parts, 6), "; "))
}

func checkAnchorMismatch(_ context.Context, in *Input) Finding {
	var bad []string
	byURL := map[string]Link{}
	for _, l := range in.Links() {
		if _, ok := byURL[l.URL]; !ok && l.Source == "html" {
			byURL[l.URL] = l
		}
	}
	for _, a := range in.content().anchors {
		text := strings.TrimSpace(a.text.String())
		m := domainTextRe().FindString(text)
		if m == "" {
			continue
		}
		shown := registrable(strings.ToLower(m))
		l, ok := byURL[a.href]
		if !ok {
			l = makeLink(a.href, KindLink, "html")
		}
		if l.Host == "" || shown == "" {
			continue
		}
		if shown == l.Domain || shown == l.TargetDomain {
			continue
		}
		if l.Redirect != "" && l.Target == "" {
			// A tracking redirect hides its target; the click still goes
			// to a host other than the one shown.
			bad = append(bad, m+" → "+l.Host+" (tracking, target not visible)")
			continue
		}
		bad = append(bad, m+" → "+l.Host)
	}
	if len(bad) > 0 {
		return fail("Make the visible text match the link, or use words instead of a domain as anchor text.", "anchor text names another domain than its link: %s", strings.Join(first(bad, 3), "; "))
	}
	return pass("no anchor text names another domain")
}

func checkHomoglyph(_ context.Context, in *Input) Finding {
	own := registrable(in.FromDomain())
	var bad, idn []string
	for _, l := range in.Links() {
		if l.Host == "" {
			continue
		}
		if lbl := mixedScript(l.Host); lbl != "" {
			bad = append(bad, unicodeHost(l.Host)+" (mixes Latin with Cyrillic or Greek)")
			continue
		}
		if own != "" && l.Domain != own && skeleton(unicodeHost(l.Domain)) == skeleton(unicodeHost(own)) {
			bad = append(bad, unicodeHost(l.Host)+" (reads as "+own+")")
			continue
		}
		if nonASCII(l.Host) && len(idn) < 10 && !slices.Contains(idn, unicodeHost(l.Host)) {
			idn = append(idn, unicodeHost(l.Host))
		}
	}
	switch {
	case len(bad) > 0:
		return fail("Remove the look-alike hosts.", "%s", strings.Join(first(bad, 3), "; "))
	case len(idn) > 0:
		return info("internationalised hosts: %s", strings.Join(first(idn, 3), ", "))
	}
	return pass("no look-alike host")
}

func checkUserinfo(_ context.Context, in *Input) Finding {
	var bad []string
	for _, l := range in.Links() {
		if u, err := url.Parse(l.URL); err == nil && u.User != nil && u.Scheme != "mailto" {
			bad = append(bad, truncate(l.URL, 60))
		}
	}
	if len(bad) > 0 {
		return fail("Remove the user@ part of the URLs.", "%s", strings.Join(first(bad, 3), ", "))
	}
	return pass("no userinfo in URLs")
}

func checkPorts(_ context.Context, in *Input) Finding {
	var bad []string
	for _, l := range in.Links() {
		if u, err := url.Parse(l.URL); err == nil && u.Port() != "" && u.Port() != "80" && u.Port() != "443" {
			bad = append(bad, truncate(l.URL, 60))
		}
	}
	if len(bad) > 0 {
		return warn("Serve links on the default https port.", "%s", strings.Join(first(bad, 3), ", "))
	}
	return pass("no non-standard port")
}

func checkMalformed(_ context.Context, in *Input) Finding {
	var bad []string
	for _, l := range in.Links() {
		if l.Err != "" || (l.Host == "" && strings.HasPrefix(strings.ToLower(l.URL), "http")) {
			bad = append(bad, truncate(l.URL, 60))
		}
	}
	if len(bad) > 0 {
		return fail("Fix the URLs: percent-encode spaces and special characters, give every http(s) URL a host.", "%s", strings.Join(first(bad, 3), ", "))
	}
	return pass("%s parse", plural(len(in.Links()), "URL"))
}

func checkUnsubLink(_ context.Context, in *Input) Finding {
	for _, l := range in.Links() {
		if l.Kind == KindUnsubscribe && l.Source != "header" {
			return pass("unsubscribe link %s", truncate(l.URL, 80))
		}
	}
	if isBulk(in) {
		return fail("Put a visible unsubscribe link in the body (Yahoo requires it; CAN-SPAM too).", "no unsubscribe link in the body of a bulk message (%s)", bulkEvidence(in))
	}
	return info("no unsubscribe link (the message does not look like bulk mail)")
}
