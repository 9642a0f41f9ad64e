package inspect

// This file holds the MIME checks: line length and line endings (RFC 5322
// §2.1.1, §2.3), Content-Type and boundaries (RFC 2045 §5, RFC 2046 §5.1),
// charsets and transfer encodings (RFC 2045 §6), the text part beside the
// HTML (RFC 2046 §5.1.4) and the size at which Gmail clips.

import (
	"context"
	"errors"
	"fmt"
	"path"
	"slices"
	"strings"
	"unicode"
)

// gmailClip is the HTML size above which Gmail shows "[Message clipped]"
// and hides the rest, unsubscribe link and tracking pixel included.
const gmailClip = 102 * 1024

func mimeChecks() []Check {
	return []Check{
		{ID: "mime.line-length", Group: GroupMIME, Title: "no line over 998 octets",
			Ref: "RFC 5322 §2.1.1; RFC 5321 §4.5.3.1.6", Run: checkLineLength},
		{ID: "mime.bare-lf", Group: GroupMIME, Title: "every line ends in CRLF",
			// RFC 5322 §2.3: CR and LF only together; Gmail and Microsoft
			// reject bare LF since the 2024 SMTP-smuggling fixes.
			Ref: "RFC 5322 §2.3; RFC 5321 §2.3.8", Run: checkBareLF},
		{ID: "mime.content-type", Group: GroupMIME, Title: "every Content-Type parses",
			Ref: "RFC 2045 §5.1", Run: checkContentType},
		{ID: "mime.boundary", Group: GroupMIME, Title: "multipart boundaries present and closed",
			Ref: "RFC 2046 §5.1.1", Run: checkBoundary},
		{ID: "mime.charset", Group: GroupMIME, Title: "text parts declare a known charset that fits the data",
			Ref: "RFC 2045 §5.2; RFC 2046 §4.1.2", Run: checkCharset},
		{ID: "mime.transfer-encoding", Group: GroupMIME, Title: "transfer encoding matches the data",
			Ref: "RFC 2045 §6", Run: checkTransferEncoding},
		{ID: "mime.text-alternative", Group: GroupMIME, Title: "a text/plain part beside the HTML",
			// RFC 2046 §5.1.4 multipart/alternative; SpamAssassin
			// MIME_HTML_ONLY scores HTML without text.
			Ref: "RFC 2046 §5.1.4", Run: checkTextAlternative},
		{ID: "mime.text-html-agree", Group: GroupMIME, Title: "text and HTML parts say the same",
			// RFC 2046 §5.1.4: alternatives are the same content;
			// SpamAssassin MPART_ALT_DIFF scores parts that differ.
			Ref: "RFC 2046 §5.1.4", Run: checkTextHTMLAgree},
		{ID: "mime.size", Group: GroupMIME, Title: "HTML under Gmail's 102 KB clip",
			Ref: "https://support.google.com/mail/answer/25760 (clipped messages)", Run: checkSize},
		{ID: "mime.attachments", Group: GroupMIME, Title: "no executable attachment",
			Ref: "https://support.google.com/mail/answer/6590 (blocked file types)", Run: checkAttachments},
		{ID: "mime.limits", Group: GroupMIME, Title: "message within the inspector's limits",
			Ref: "inspect.Limits", Run: checkLimits},
		{ID: "mime.body", Group: GroupMIME, Title: "a body with content",
			Ref: "RFC 5322 §3.5", Run: checkBody},
	}
}

func checkLineLength(_ context.Context, in *Input) Finding {
	raw := in.Message.Raw
	longest, line, count, lineNo := 0, 0, 0, 1
	start := 0
	for i := 0; i <= len(raw); i++ {
		if i == len(raw) || raw[i] == '\n' {
			n := i - start
			if n > 0 && raw[i-1] == '\r' {
				n--
			}
			if n > 998 {
				count++
				if n > longest {
					longest, line = n, lineNo
				}
			}
			start = i + 1
			lineNo++
		}
	}
	if count > 0 {
		return fail("Encode long lines (quoted-printable or base64) or break the HTML into lines under 998 octets: relays split them and break the markup and the DKIM body hash.",
			"%s over 998 octets, the longest %d octets at line %d", plural(count, "line"), longest, line)
	}
	return pass("every line within 998 octets")
}

func checkBareLF(_ context.Context, in *Input) Finding {
	raw := in.Message.Raw
	lf, cr, first := 0, 0, 0
	line := 1
	for i, c := range raw {
		switch c {
		case '\n':
			if i == 0 || raw[i-1] != '\r' {
				lf++
				if first == 0 {
					first = line
				}
			}
			line++
		case '\r':
			if i+1 >= len(raw) || raw[i+1] != '\n' {
				cr++
				if first == 0 {
					first = line
				}
			}
		}
	}
	if lf+cr > 0 {
		return fail("End every line with CRLF; a stored file with LF endings stands for CRLF (bouncekit inspect converts it when no line has CRLF).",
			"%d bare LF and %d bare CR, the first at line %d", lf, cr, first)
	}
	return pass("CRLF line endings")
}

func checkContentType(_ context.Context, in *Input) Finding {
	var errs []string
	for _, p := range in.Message.Parts {
		if p.TypeErr != nil {
			errs = append(errs, p.TypeErr.Error())
		}
	}
	if len(errs) > 0 {
		return fail("Write Content-Type as type/subtype; param=value with quoted values where they hold special characters (RFC 2045 §5.1).", "%s", strings.Join(first(errs, 3), "; "))
	}
	return pass("%s: %s", plural(len(in.Message.Parts), "part"), partTypes(in.Message.Parts))
}

func partTypes(ps []*Part) string {
	var ts []string
	for _, p := range ps {
		if !slices.Contains(ts, p.MediaType) {
			ts = append(ts, p.MediaType)
		}
	}
	return strings.Join(first(ts, 8), ", ")
}

func checkBoundary(_ context.Context, in *Input) Finding {
	var errs, unclosed []string
	multi := 0
	for _, p := range in.Message.Parts {
		if strings.HasPrefix(p.MediaType, "multipart/") {
			multi++
			switch {
			case errors.Is(p.BoundaryErr, ErrUnclosed):
				unclosed = append(unclosed, p.BoundaryErr.Error())
			case p.BoundaryErr != nil:
				errs = append(errs, p.BoundaryErr.Error())
			case len(p.Parts) == 0:
				errs = append(errs, p.MediaType+" with no parts")
			}
		}
	}
	const fix = "Have the MIME library write the message: each part starts with --boundary on its own line and the last ends with --boundary--."
	switch {
	case multi == 0:
		return info("not multipart")
	case len(errs) > 0:
		return fail(fix, "%s", strings.Join(first(append(errs, unclosed...), 3), "; "))
	case len(unclosed) > 0:
		// Readers take the end of the body as the end of the last part,
		// but a truncated message looks the same.
		return warn(fix, "%s", strings.Join(first(unclosed, 3), "; "))
	}
	return pass("%s, every boundary closed", plural(multi, "multipart"))
}

func checkCharset(_ context.Context, in *Input) Finding {
	var bad, undeclared []string
	texts := 0
	for _, p := range in.Message.Parts {
		if !strings.HasPrefix(p.MediaType, "text/") || p.Attachment() {
			continue
		}
		texts++
		if p.CharsetErr != nil {
			bad = append(bad, p.MediaType+": "+p.CharsetErr.Error())
			continue
		}
		if p.Params["charset"] == "" && hasNonASCII(p.Body) {
			undeclared = append(undeclared, p.MediaType)
		}
	}
	switch {
	case texts == 0:
		return skip("no text part")
	case len(bad) > 0:
		return fail("Declare the charset the text is written in (charset=utf-8 for UTF-8 text).", "%s", strings.Join(first(bad, 3), "; "))
	case len(undeclared) > 0:
		return warn("Add charset=utf-8 to the Content-Type.", "8-bit text without a charset in %s", strings.Join(undeclared, ", "))
	}
	return pass("%s, charsets declared and valid", plural(texts, "text part"))
}

func checkTransferEncoding(_ context.Context, in *Input) Finding {
	var fails, warns []string
	for _, p := range in.Message.Parts {
		where := p.MediaType
		if strings.HasPrefix(p.MediaType, "multipart/") {
			// RFC 2045 §6.4: a multipart is 7bit, 8bit or binary only.
			if p.Encoding != "7bit" && p.Encoding != "8bit" && p.Encoding != "binary" {
				fails = append(fails, fmt.Sprintf("%s declares %s (RFC 2045 §6.4 allows only 7bit, 8bit, binary)", where, p.Encoding))
			}
			continue
		}
		if p.DecodeErr != nil {
			fails = append(fails, where+": "+p.DecodeErr.Error())
			continue
		}
		switch p.Encoding {
		case "7bit":
			if hasNonASCII(p.Raw) {
				fails = append(fails, where+": 8-bit data in a 7bit part")
			}
		case "binary":
			warns = append(warns, where+": binary needs BINARYMIME (RFC 3030) on every hop")
		case "base64", "quoted-printable":
			// RFC 2045 §6.7 rule 5 and §6.8: encoded lines are at most 76
			// characters.
			if longestLine(p.Raw) > 76 {
				warns = append(warns, fmt.Sprintf("%s: %s lines longer than 76 characters", where, p.Encoding))
			}
		}
		if p.Encoding != "base64" && bytesContains(p.Body, 0) {
			fails = append(fails, where+": NUL bytes in a text encoding")
		}
	}
	switch {
	case len(fails) > 0:
		return fail("Let the MIME library choose the encoding: quoted-printable or base64 for 8-bit text, base64 for binary data.", "%s", strings.Join(first(fails, 3), "; "))
	case len(warns) > 0:
		return warn("Encode with lines of at most 76 characters, and avoid binary.", "%s", strings.Join(first(warns, 3), "; "))
	}
	return pass("every part's transfer encoding fits its data")
}

func checkTextAlternative(_ context.Context, in *Input) Finding {
	c := in.content()
	switch {
	case len(c.htmlParts) == 0 && len(c.textParts) == 0:
		return skip("no text or HTML body")
	case len(c.htmlParts) == 0:
		return pass("plain text only")
	case len(c.textParts) == 0:
		return warn("Send multipart/alternative with a text/plain version of the HTML.", "HTML without a text/plain alternative")
	}
	return pass("text/plain beside text/html")
}

func checkTextHTMLAgree(_ context.Context, in *Input) Finding {
	c := in.content()
	if len(c.htmlParts) == 0 || len(c.textParts) == 0 {
		return skip("needs both a text and an HTML part")
	}
	tw, hw := wordSet(c.plainText.String()), wordSet(c.htmlText.String())
	if len(hw) == 0 {
		return skip("the HTML has no text")
	}
	common := 0
	for w := range tw {
		if hw[w] {
			common++
		}
	}
	union := len(tw) + len(hw) - common
	sim := float64(common) / float64(union)
	if len(tw)*5 < len(hw) {
		return warn("Generate the text part from the same content as the HTML, not a stub.", "the text part has %d distinct words, the HTML %d: the text is a stub", len(tw), len(hw))
	}
	if sim < 0.3 {
		return warn("Generate the text part from the same content as the HTML.", "text and HTML share %.0f%% of their words", 100*sim)
	}
	return pass("text and HTML share %.0f%% of their words", 100*sim)
}

func wordSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		if len(w) >= 3 && len(m) < 20000 {
			m[w] = true
		}
	}
	return m
}

func checkSize(_ context.Context, in *Input) Finding {
	html := 0
	for _, p := range in.content().htmlParts {
		html += len(p.Body)
	}
	total := len(in.Message.Raw)
	switch {
	case total > 25<<20:
		return fail("Link large files instead of attaching them.", "message is %s, over the 25 MB most providers accept", kb(total))
	case html > gmailClip:
		return warn("Cut the HTML under 102 KB (inline CSS once, drop comments and unused markup): Gmail hides the rest, unsubscribe link and open pixel included.", "HTML is %s, over Gmail's 102 KB clip", kb(html))
	}
	return pass("message %s, HTML %s", kb(total), kb(html))
}

func kb(n int) string {
	if n < 1024 {
		return fmt.Sprintf("%d bytes", n)
	}
	return fmt.Sprintf("%.1f KB", float64(n)/1024)
}

// riskyExtensions are the file types Gmail blocks (its "blocked file
// types" page), executables and scripts all.
var riskyExtensions = []string{".ade", ".adp", ".apk", ".appx", ".bat", ".cab", ".chm", ".cmd", ".com", ".cpl", ".dll", ".dmg",
	".exe", ".hta", ".ins", ".iso", ".isp", ".jar", ".js", ".jse", ".lib", ".lnk", ".mde", ".msc", ".msi", ".msix", ".msp", ".mst",
	".nsh", ".pif", ".ps1", ".scr", ".sct", ".shb", ".sys", ".vb", ".vbe", ".vbs", ".vxd", ".wsc", ".wsf", ".wsh"}

func checkAttachments(_ context.Context, in *Input) Finding {
	var names, risky []string
	for _, p := range in.Message.Parts {
		if !p.Attachment() {
			continue
		}
		n := p.Filename()
		names = append(names, n)
		if slices.Contains(riskyExtensions, strings.ToLower(path.Ext(n))) {
			risky = append(risky, n)
		}
	}
	switch {
	case len(risky) > 0:
		return fail("Do not attach programs or scripts; link to a download page.", "blocked file types: %s", strings.Join(first(risky, 5), ", "))
	case len(names) > 0:
		return info("%s: %s", plural(len(names), "attachment"), strings.Join(first(names, 5), ", "))
	}
	return pass("no attachment")
}

func checkLimits(_ context.Context, in *Input) Finding {
	if len(in.Message.Errs) > 0 {
		var s []string
		for _, e := range in.Message.Errs {
			s = append(s, e.Error())
		}
		return warn("The message is larger or deeper than any template needs; the checks saw part of it.", "%s", strings.Join(first(s, 3), "; "))
	}
	return pass("%s, %s", kb(len(in.Message.Raw)), plural(len(in.Message.Parts), "MIME part"))
}

func checkBody(_ context.Context, in *Input) Finding {
	c := in.content()
	if len(c.htmlParts)+len(c.textParts) == 0 {
		if len(in.Message.Parts) > 1 {
			return warn("Add a text body beside the attachments.", "no text or HTML body part")
		}
		return fail("Give the message a body.", "empty body")
	}
	if strings.TrimSpace(c.plainText.String()) == "" && strings.TrimSpace(c.htmlText.String()) == "" && len(c.images) == 0 {
		return fail("Give the message a body.", "the body parts are empty")
	}
	return pass("%s, %s", plural(len(c.htmlParts), "HTML part"), plural(len(c.textParts), "text part"))
}

func first(s []string, n int) []string {
	if len(s) > n {
		return append(s[:n:n], fmt.Sprintf("and %d more", len(s)-n))
	}
	return s
}

func hasNonASCII(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return true
		}
	}
	return false
}

func bytesContains(b []byte, c byte) bool {
	for _, x := range b {
		if x == c {
			return true
		}
	}
	return false
}

func longestLine(b []byte) int {
	longest, start := 0, 0
	for i := 0; i <= len(b); i++ {
		if i == len(b) || b[i] == '\n' {
			n := i - start
			if n > 0 && b[i-1] == '\r' {
				n--
			}
			longest = max(longest, n)
			start = i + 1
		}
	}
	return longest
}
