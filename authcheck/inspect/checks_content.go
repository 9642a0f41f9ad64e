package inspect

// This file holds the content checks: template tags the ESP did not fill,
// images against text, hidden text, and markup mail clients strip or
// receivers score (scripts, forms, embedded objects, data URIs, meta
// refresh).

import (
	"context"
	"net/url"
	"regexp"
	"strings"
	"sync"
)

// mergeTagRes are the placeholder syntaxes of the common template engines
// and ESPs, each one left in a message when a merge failed.
var mergeTagRes = sync.OnceValue(func() []mergeTagRe {
	return []mergeTagRe{
		{"Handlebars/Liquid {{..}}", regexp.MustCompile(`\{\{[^{}\n]{1,80}\}\}|\{%[^{}\n]{1,80}%\}`)},
		{"Mailchimp *|..|*", regexp.MustCompile(`\*\|[A-Za-z0-9_:\- ]{1,60}\|\*`)},
		{"Salesforce/ExactTarget %%..%%", regexp.MustCompile(`%%[A-Za-z0-9_.\-\[\] ]{1,60}%%`)},
		{"bracket [FirstName]", regexp.MustCompile(`\[(?i:first[ _]?name|last[ _]?name|full[ _]?name|name|email|company|city|country)\]|\[[A-Z][a-z]+(?:[A-Z][a-z]+)+\]`)},
		{"hash #name#", regexp.MustCompile(`#(?i:name|first_?name|last_?name|email|company|[a-z]+_[a-z_]+)#`)},
		{"${..}", regexp.MustCompile(`\$\{[^{}\n]{1,60}\}`)},
		{"Mailgun %recipient.x%", regexp.MustCompile(`%recipient\.[A-Za-z0-9_]{1,40}%`)},
	}
})

// mergeTagRe is one placeholder syntax; compiled on first use, not at start-up.
type mergeTagRe struct {
	name string
	re   *regexp.Regexp
}

func contentChecks() []Check {
	return []Check{
		{ID: "content.merge-tags", Group: GroupContent, Title: "no unrendered merge tags",
			// A placeholder left in a message is a template failure the
			// reader sees; Apple's and Gmail's filters score it as a
			// broken bulk send (seed triage: "personalised fields").
			Ref: "https://mailchimp.com/help/all-the-merge-tags-cheat-sheet/", Run: checkMergeTags},
		{ID: "content.image-text-ratio", Group: GroupContent, Title: "enough text beside the images",
			// SpamAssassin HTML_IMAGE_ONLY_* and HTML_IMAGE_RATIO_*.
			Ref: "SpamAssassin 20_html_tests.cf HTML_IMAGE_ONLY, HTML_IMAGE_RATIO", Run: checkImageRatio},
		{ID: "content.image-alt", Group: GroupContent, Title: "every image has alt text",
			// WCAG 2.1 SC 1.1.1; most clients block images by default and
			// show the alt text instead.
			Ref: "WCAG 2.1 SC 1.1.1", Run: checkImageAlt},
		{ID: "content.hidden-text", Group: GroupContent, Title: "no hidden text beyond a preheader",
			// Hidden text is a classic filter-evasion trick (SpamAssassin
			// HIDDEN_TEXT_*, Gmail's "deceptive content").
			Ref: "https://support.google.com/mail/answer/81126 (deceptive content)", Run: checkHiddenText},
		{ID: "content.data-uri", Group: GroupContent, Title: "no data: URIs",
			// Gmail and Outlook block data: images; receivers score them.
			Ref: "RFC 2397; https://www.caniemail.com/features/image-base64/", Run: checkDataURI},
		{ID: "content.meta-refresh", Group: GroupContent, Title: "no meta refresh",
			Ref: "HTML Living Standard §4.2.5.3 (refresh); phishing redirect pattern", Run: checkMetaRefresh},
		{ID: "content.script", Group: GroupContent, Title: "no scripts or event handlers",
			// Every mail client strips scripts; their presence is a
			// malware signal.
			Ref: "https://www.caniemail.com/features/html-script/", Run: checkScript},
		{ID: "content.form", Group: GroupContent, Title: "no forms",
			Ref: "https://www.caniemail.com/features/html-form/", Run: checkForm},
		{ID: "content.embed", Group: GroupContent, Title: "no iframes, objects or embeds",
			Ref: "https://www.caniemail.com/features/html-iframe/", Run: checkEmbed},
	}
}

// mergeTagHits finds unrendered tags in the subject, the From name, the
// visible text of both bodies and the URLs.
func mergeTagHits(in *Input) []string {
	c := in.content()
	var hits []string
	scan := func(where, s string) {
		for _, m := range mergeTagRes() {
			for _, loc := range m.re.FindAllString(s, 3) {
				if len(hits) < 10 {
					hits = append(hits, where+": "+truncate(loc, 40))
				}
			}
		}
	}
	scan("Subject", decodeWords(in.Message.Header.Get("Subject")))
	if addrs, _, _ := in.From(); len(addrs) > 0 {
		scan("From", addrs[0].Name)
	}
	scan("text", c.plainText.String())
	scan("HTML", c.htmlText.String())
	for _, a := range c.anchors {
		u := a.href
		if d, err := url.PathUnescape(u); err == nil {
			u = d
		}
		scan("link", u)
	}
	return hits
}

func checkMergeTags(_ context.Context, in *Input) Finding {
	if hits := mergeTagHits(in); len(hits) > 0 {
		return fail("Fix the merge: give every field a default value and test-render the template with an empty recipient record.", "unrendered tags: %s", strings.Join(hits, "; "))
	}
	return pass("no unrendered merge tag in subject, From, text, HTML or links")
}

func checkImageRatio(_ context.Context, in *Input) Finding {
	c := in.content()
	if len(c.htmlParts) == 0 {
		return skip("no HTML part")
	}
	imgs := 0
	for _, im := range c.images {
		if !im.hidden && !(im.width >= 0 && im.width <= 1 && im.height >= 0 && im.height <= 1) {
			imgs++
		}
	}
	words := len(strings.Fields(c.htmlText.String()))
	switch {
	case imgs == 0:
		return pass("%s, no images", plural(words, "word"))
	case words < 20:
		return fail("Put the message in text, not only in images: receivers cannot read images and most clients block them.", "%s and only %s of text", plural(imgs, "image"), plural(words, "word"))
	case words/imgs < 10:
		return warn("Add text or drop images: receivers read text, and most clients block images.", "%s for %s: %d words per image", plural(imgs, "image"), plural(words, "word"), words/imgs)
	}
	return pass("%s, %s", plural(words, "word"), plural(imgs, "image"))
}

func checkImageAlt(_ context.Context, in *Input) Finding {
	c := in.content()
	var missing []string
	n := 0
	for _, im := range c.images {
		if im.hidden || (im.width >= 0 && im.width <= 1 && im.height >= 0 && im.height <= 1) {
			continue // pixels need no alt
		}
		n++
		if !im.hasAlt {
			missing = append(missing, truncate(im.src, 60))
		}
	}
	switch {
	case n == 0:
		return skip("no images")
	case len(missing) > 0:
		return warn("Give every image an alt attribute (alt=\"\" for decoration).", "%d of %d images without alt: %s", len(missing), n, strings.Join(first(missing, 3), ", "))
	}
	return pass("all %s have alt", plural(n, "image"))
}

func checkHiddenText(_ context.Context, in *Input) Finding {
	c := in.content()
	total := 0
	for _, t := range c.hiddenText {
		total += len(t)
	}
	switch {
	case c.hiddenLinks > 0:
		return fail("Remove links from hidden elements.", "%s inside hidden elements", plural(c.hiddenLinks, "link"))
	case len(c.hiddenText) == 0:
		return pass("no hidden text")
	case len(c.hiddenText) <= 2 && total <= 200:
		// One short hidden block is the preheader (inbox preview text).
		return info("preheader (hidden preview text): %q", strings.Join(c.hiddenText, " "))
	}
	return warn("Show the text or remove it; keep hidden text to one short preheader.", "%s of hidden text in %s: %q", plural(total, "character"), plural(len(c.hiddenText), "block"), truncate(strings.Join(c.hiddenText, " | "), 120))
}

func checkDataURI(_ context.Context, in *Input) Finding {
	c := in.content()
	if len(c.dataURIs) > 0 {
		return warn("Host images on https and link them, or attach them as cid: parts.", "%s: %s", plural(len(c.dataURIs), "data: URI"), strings.Join(first(c.dataURIs, 3), ", "))
	}
	return pass("no data: URI")
}

func checkMetaRefresh(_ context.Context, in *Input) Finding {
	c := in.content()
	if len(c.metaRefresh) > 0 {
		return fail("Remove the meta refresh.", "meta refresh %q", c.metaRefresh[0])
	}
	return pass("no meta refresh")
}

func checkScript(_ context.Context, in *Input) Finding {
	if n := in.content().scripts; n > 0 {
		return fail("Remove scripts, javascript: URLs and on* attributes.", "%s", plural(n, "script"))
	}
	return pass("no script")
}

func checkForm(_ context.Context, in *Input) Finding {
	if n := in.content().forms; n > 0 {
		return warn("Link to a form on your site instead.", "%s in the HTML", plural(n, "form"))
	}
	return pass("no form")
}

func checkEmbed(_ context.Context, in *Input) Finding {
	if n := in.content().embeds; n > 0 {
		return fail("Remove the iframes and objects; link to the content.", "%s", plural(n, "iframe/object/embed"))
	}
	return pass("no iframe, object or embed")
}

// ReplaceMergeTags replaces every unrendered merge tag of s (the syntaxes of
// the content.merge-tags check) with repl.
func ReplaceMergeTags(s, repl string) string {
	for _, m := range mergeTagRes() {
		s = m.re.ReplaceAllLiteralString(s, repl)
	}
	return s
}
