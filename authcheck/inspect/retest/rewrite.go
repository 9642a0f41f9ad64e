package retest

// This file rewrites the message into its variants: links and images by
// host, tracking redirects to their targets, personal values and merge tags
// to static text; and says which signatures each rewrite breaks.

import (
	"bytes"
	"fmt"
	"mime/quotedprintable"
	"regexp"
	"slices"
	"strings"
	"unicode"

	"golang.org/x/net/html"

	"github.com/bouncekit/bouncekit/authcheck/inspect"
)

// staticName replaces the recipient's name; staticAddress their address.
const (
	staticName    = "there"
	staticAddress = "you@example.com"
)

// dropFields are not carried into variants: signatures and seals of the
// original (they no longer verify), trace fields of its delivery, and the
// fields regenerated per variant.
var dropFields = []string{"DKIM-Signature", "ARC-Seal", "ARC-Message-Signature", "ARC-Authentication-Results",
	"Authentication-Results", "Received", "Return-Path", "Delivered-To", "X-Google-DKIM-Signature", "X-Received",
	"Received-SPF", "Message-ID"}

// bodyFields are regenerated for rewritten variants.
var bodyFields = []string{"MIME-Version", "Content-Type", "Content-Transfer-Encoding"}

// maxPersonal bounds the personal values taken from Facts.
const maxPersonal = 50

type source struct {
	m          *inspect.Message
	links      map[string]inspect.Link // the inventory by URL
	html, text *inspect.Part
	personal   []string // longest first
	address    []string
}

type rewrite struct {
	static     bool
	keep       []string
	production bool
}

func readSource(in *inspect.Input, f Facts) *source {
	m := in.Message
	s := &source{m: m, links: map[string]inspect.Link{}}
	for _, l := range in.Links() {
		if _, ok := s.links[l.URL]; !ok {
			s.links[l.URL] = l
		}
	}
	for _, p := range m.Parts {
		if p.Attachment() {
			continue
		}
		switch {
		case p.MediaType == "text/html" && s.html == nil:
			s.html = p
		case p.MediaType == "text/plain" && s.text == nil && (p != m.Root || len(p.Raw) > 0):
			s.text = p
		}
	}
	// The recipient is the first address of To: a test send goes to one
	// recipient, and a bound keeps a To of thousands from multiplying the
	// rewrite's work.
	for _, v := range first(m.Header.Values("To"), 1) {
		as, err := inspect.ParseAddressList(v)
		if err != nil {
			continue
		}
		for _, a := range first(as, 1) {
			if a.Name != "" {
				s.personal = append(s.personal, a.Name)
				s.personal = append(s.personal, strings.Fields(a.Name)...)
			}
			s.address = append(s.address, a.Address)
			if local, _, ok := strings.Cut(a.Address, "@"); ok {
				for _, w := range strings.FieldsFunc(local, func(r rune) bool { return !unicode.IsLetter(r) }) {
					if len(w) >= 3 {
						s.personal = append(s.personal, w)
					}
				}
			}
		}
	}
	s.personal = append(s.personal, first(f.Personal, maxPersonal)...)
	s.personal = slices.DeleteFunc(s.personal, func(w string) bool { return len(strings.TrimSpace(w)) < 2 })
	slices.SortStableFunc(s.personal, func(a, b string) int { return len(b) - len(a) })
	s.personal = slices.Compact(s.personal)
	return s
}

// restorable lists the hosts the plain variant takes out (image hosts and
// tracking or redirect hosts), suspects first, then in document order.
func (s *source) restorable(suspects []Suspect) []string {
	var hosts []string
	added := map[string]bool{}
	add := func(h string) {
		if h != "" && !added[h] {
			added[h] = true
			hosts = append(hosts, h)
		}
	}
	var all []string
	seen := map[string]bool{}
	for _, u := range s.urls() {
		l := s.link(u.url)
		if (u.image || l.Redirect != "") && !seen[l.Host] {
			seen[l.Host] = true
			all = append(all, l.Host)
		}
	}
	for _, sp := range suspects {
		for _, h := range all {
			if strings.EqualFold(sp.Value, h) || strings.HasSuffix(h, "."+strings.ToLower(sp.Value)) {
				add(h)
			}
		}
	}
	for _, h := range all {
		add(h)
	}
	return hosts
}

type srcURL struct {
	url   string
	image bool
}

func (s *source) urls() []srcURL {
	var out []srcURL
	if s.html != nil {
		z := html.NewTokenizer(strings.NewReader(s.html.Text))
		for tt := z.Next(); tt != html.ErrorToken; tt = z.Next() {
			if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
				continue
			}
			tok := z.Token()
			for _, a := range tok.Attr {
				switch {
				case tok.Data == "img" && a.Key == "src", a.Key == "background":
					out = append(out, srcURL{a.Val, true})
				case (tok.Data == "a" || tok.Data == "area") && a.Key == "href":
					out = append(out, srcURL{a.Val, false})
				}
			}
		}
	}
	if s.text != nil {
		for _, u := range urlRe.FindAllString(s.text.Text, -1) {
			out = append(out, srcURL{u, false})
		}
	}
	return out
}

var urlRe = regexp.MustCompile(`(?i)https?://[^\s<>"'` + "`" + `]+[^\s<>"'` + "`" + `.,;:!?)\]]`)

func (s *source) plainChanges() []string {
	var ch []string
	images, redirects, removed := 0, 0, 0
	for _, u := range s.urls() {
		l := s.link(u.url)
		switch {
		case u.image:
			images++
		case l.Redirect != "" && l.Target != "":
			redirects++
		case l.Redirect != "":
			removed++
		}
	}
	if images > 0 {
		ch = append(ch, fmt.Sprintf("images removed (%d, tracking pixels included)", images))
	}
	if redirects > 0 {
		ch = append(ch, fmt.Sprintf("tracking redirects replaced by their targets (%d)", redirects))
	}
	if removed > 0 {
		ch = append(ch, fmt.Sprintf("tracking links without a visible target removed, their text kept (%d)", removed))
	}
	if len(s.personal) > 0 || len(s.address) > 0 {
		ch = append(ch, fmt.Sprintf("personal values made static (%s → %q)", strings.Join(first(s.personal, 4), ", "), staticName))
	}
	if s.hasMergeTags() {
		ch = append(ch, "merge tags left unrendered removed")
	}
	if len(ch) == 0 {
		ch = append(ch, "none: the message has no image, tracking link or personal value")
	}
	return ch
}

func first[T any](s []T, n int) []T {
	if len(s) > n {
		return s[:n]
	}
	return s
}

func (s *source) hasMergeTags() bool {
	var all string
	if s.html != nil {
		all += s.html.Text
	}
	if s.text != nil {
		all += s.text.Text
	}
	all += s.m.Header.Get("Subject")
	return inspect.ReplaceMergeTags(all, "") != all
}

// static replaces personal values (whole words, any case) and merge tags.
func (s *source) static(t string) string {
	for _, a := range s.address {
		t = replaceFold(t, a, staticAddress)
	}
	for _, p := range s.personal {
		t = replaceWord(t, p, staticName)
	}
	return inspect.ReplaceMergeTags(t, "")
}

func replaceFold(t, old, repl string) string {
	if old == "" {
		return t
	}
	lt, lo := strings.ToLower(t), strings.ToLower(old)
	if len(lt) != len(t) {
		return t
	}
	var b strings.Builder
	for {
		i := strings.Index(lt, lo)
		if i < 0 {
			b.WriteString(t)
			return b.String()
		}
		b.WriteString(t[:i])
		b.WriteString(repl)
		t, lt = t[i+len(old):], lt[i+len(old):]
	}
}

// replaceWord replaces whole-word, case-insensitive occurrences of w.
func replaceWord(t, w, repl string) string {
	lt, lw := strings.ToLower(t), strings.ToLower(w)
	if len(lt) != len(t) || lw == "" {
		return t
	}
	var b strings.Builder
	for from := 0; ; {
		i := strings.Index(lt[from:], lw)
		if i < 0 {
			b.WriteString(t[from:])
			return b.String()
		}
		i += from
		j := i + len(lw)
		if (i == 0 || !isWordByte(t[i-1])) && (j == len(t) || !isWordByte(t[j])) {
			b.WriteString(t[from:i])
			b.WriteString(repl)
		} else {
			b.WriteString(t[from:j])
		}
		from = j
	}
}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c >= 0x80
}

// link returns the inventory's reading of u (which knows tracking hosts by
// their pixels), else reads it alone.
func (s *source) link(u string) inspect.Link {
	if l, ok := s.links[strings.TrimSpace(u)]; ok {
		return l
	}
	return inspect.ParseLink(u)
}

func (o rewrite) kept(host string) bool { return slices.Contains(o.keep, host) }

// url rewrites one link URL: "" removes it.
func (o rewrite) linkURL(s *source, u string) string {
	l := s.link(u)
	switch {
	case l.Redirect == "" || o.kept(l.Host):
		return u
	case l.Target != "":
		return l.Target
	}
	return ""
}

func (o rewrite) html(s *source, src string) string {
	z := html.NewTokenizer(strings.NewReader(src))
	var b strings.Builder
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			return b.String()
		}
		raw := string(z.Raw())
		switch tt {
		case html.StartTagToken, html.SelfClosingTagToken:
			tok := z.Token()
			changed := false
			if tok.Data == "img" {
				drop := true
				for _, a := range tok.Attr {
					if a.Key == "src" && o.kept(s.link(a.Val).Host) {
						drop = false
					}
				}
				if drop {
					continue
				}
			}
			attrs := tok.Attr[:0]
			for _, a := range tok.Attr {
				switch {
				case a.Key == "background" && !o.kept(s.link(a.Val).Host):
					changed = true
					continue
				case a.Key == "href" && (tok.Data == "a" || tok.Data == "area"):
					nu := o.linkURL(s, a.Val)
					if nu == "" {
						changed = true
						continue
					}
					if nu != a.Val {
						a.Val, changed = nu, true
					}
				}
				attrs = append(attrs, a)
			}
			tok.Attr = attrs
			if changed {
				b.WriteString(tok.String())
			} else {
				b.WriteString(raw)
			}
		case html.TextToken:
			if o.static {
				raw = s.static(raw)
			}
			b.WriteString(raw)
		default:
			b.WriteString(raw)
		}
	}
}

func (o rewrite) text(s *source, t string) string {
	var b strings.Builder
	last := 0
	for _, loc := range urlRe.FindAllStringIndex(t, -1) {
		seg := t[last:loc[0]]
		if o.static {
			seg = s.static(seg)
		}
		b.WriteString(seg)
		b.WriteString(o.linkURL(s, t[loc[0]:loc[1]]))
		last = loc[1]
	}
	seg := t[last:]
	if o.static {
		seg = s.static(seg)
	}
	b.WriteString(seg)
	return b.String()
}

func (o rewrite) subjectChanged(s *source) bool {
	subj := s.m.Header.Get("Subject")
	return o.static && s.static(subj) != subj
}

// build writes the variant named name.
func (s *source) build(o rewrite, name string) []byte {
	var b bytes.Buffer
	for _, f := range s.m.Header {
		if containsFold(dropFields, f.Name) || (!o.production && containsFold(bodyFields, f.Name)) {
			continue
		}
		if o.static && (strings.EqualFold(f.Name, "Subject") || strings.EqualFold(f.Name, "To")) {
			if v := s.static(f.Value); v != f.Value {
				fmt.Fprintf(&b, "%s: %s\r\n", f.Name, v)
				continue
			}
		}
		// Unchanged fields keep their folding (RFC 5322 §2.2.3), so long
		// ones stay under the line limit. A bare LF in the folding of the
		// original is written as CRLF.
		raw := strings.ReplaceAll(strings.ReplaceAll(f.Raw, "\r\n", "\n"), "\n", "\r\n")
		b.WriteString(raw)
		b.WriteString("\r\n")
	}
	fmt.Fprintf(&b, "Message-ID: %s\r\n", variantID(s.m.Header.Get("Message-ID"), name))
	fmt.Fprintf(&b, "X-Retest-Variant: %s\r\n", name)
	if o.production {
		b.WriteString("\r\n")
		b.Write(s.m.Root.Raw)
		return b.Bytes()
	}
	boundary := "retest-" + safeName(name)
	fmt.Fprintf(&b, "MIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=\"%s\"\r\n\r\n", boundary)
	part := func(ctype, body string) {
		fmt.Fprintf(&b, "--%s\r\nContent-Type: %s; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n", boundary, ctype)
		var q bytes.Buffer
		w := quotedprintable.NewWriter(&q)
		w.Write([]byte(strings.ReplaceAll(strings.ReplaceAll(body, "\r\n", "\n"), "\n", "\r\n")))
		w.Close()
		b.Write(q.Bytes())
		b.WriteString("\r\n")
	}
	if s.text != nil {
		part("text/plain", o.text(s, s.text.Text))
	}
	if s.html != nil {
		part("text/html", o.html(s, s.html.Text))
	}
	fmt.Fprintf(&b, "--%s--\r\n", boundary)
	return b.Bytes()
}

func containsFold(list []string, s string) bool {
	return slices.ContainsFunc(list, func(x string) bool { return strings.EqualFold(x, s) })
}

// variantID derives a new Message-ID from the original's: each variant is a
// new message (RFC 5322 §3.6.4), and receivers de-duplicate on the ID.
func variantID(orig, name string) string {
	id := strings.Trim(strings.TrimSpace(orig), "<>")
	left, right, ok := strings.Cut(id, "@")
	if !ok || right == "" {
		left, right = "message", "retest.invalid"
	}
	return "<retest-" + safeName(name) + "." + left + "@" + right + ">"
}

// signatureBreaks returns, per variant, what of the original's DKIM
// signatures and ARC sets the variant breaks.
func signatureBreaks(m *inspect.Message) func(rewrite, *source) []string {
	type sig struct{ d, s, h string }
	var sigs []sig
	for _, v := range m.Header.Values("DKIM-Signature") {
		t := tagList(v)
		sigs = append(sigs, sig{t["d"], t["s"], strings.ToLower(t["h"])})
	}
	arcs := m.Header.Count("ARC-Seal")
	return func(o rewrite, s *source) []string {
		out := []string{}
		for _, sg := range sigs {
			var why []string
			if !o.production {
				// RFC 6376 §3.7: bh= hashes the canonical body.
				why = append(why, "the body hash (bh=) no longer matches the rewritten body")
			}
			signed := ":" + strings.ReplaceAll(sg.h, " ", "") + ":"
			if strings.Contains(signed, ":message-id:") {
				why = append(why, "h= covers Message-ID, which is new")
			}
			if o.subjectChanged(s) && strings.Contains(signed, ":subject:") {
				why = append(why, "h= covers Subject, whose personal values are now static")
			}
			if o.static && strings.Contains(signed, ":to:") && s.static(s.m.Header.Get("To")) != s.m.Header.Get("To") {
				why = append(why, "h= covers To, now static")
			}
			if len(why) == 0 {
				why = append(why, "dropped from the file; the sending MTA signs the resend")
			}
			out = append(out, fmt.Sprintf("DKIM d=%s s=%s: %s", sg.d, sg.s, strings.Join(why, "; ")))
		}
		if arcs > 0 {
			// RFC 8617 §5.2: the seals cover the message as the
			// forwarder saw it; a resend starts a new chain.
			out = append(out, fmt.Sprintf("ARC: %d set(s) of the original's forwarding dropped; a forwarder seals the resend anew", arcs))
		}
		if len(sigs) == 0 {
			out = append(out, "no DKIM signature in the original: sign the variants anyway (receivers require DKIM of bulk senders)")
		}
		return out
	}
}

func tagList(v string) map[string]string {
	m := map[string]string{}
	for _, t := range strings.Split(v, ";") {
		k, val, ok := strings.Cut(t, "=")
		if !ok {
			continue
		}
		k = strings.TrimSpace(k)
		if _, dup := m[k]; !dup && k != "" {
			m[k] = strings.Join(strings.Fields(val), "")
		}
	}
	return m
}
