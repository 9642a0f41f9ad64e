package inspect

// This file reads the body parts the way a mail client renders them: the
// visible text, the anchors and images of the HTML (golang.org/x/net/html's
// tokenizer, which follows the WHATWG tokenization rules in linear time),
// the hidden text, and the URLs of the plain-text part.

import (
	"io"
	"mime"
	"strconv"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/charset"
)

// maxText bounds the visible text kept per message for the content checks.
const maxText = 1 << 20

// maxStack bounds the element stack kept while tokenizing; deeper elements
// are read as if they were void (their hidden state is inherited).
const maxStack = 512

var wordDecoder = &mime.WordDecoder{CharsetReader: func(label string, r io.Reader) (io.Reader, error) {
	return charset.NewReaderLabel(label, r)
}}

// anchor is one <a href> or <area href>.
type anchor struct {
	href     string
	text     strings.Builder
	hasImage bool
	hidden   bool
}

// image is one <img> (or background= attribute).
type image struct {
	src           string
	alt           string
	hasAlt        bool
	width, height int // -1 when not given
	hidden        bool
	inAnchor      bool
}

// content is what the body parts say, read once per message.
type content struct {
	htmlParts, textParts []*Part
	htmlRaw              strings.Builder // HTML source, all parts
	htmlText             strings.Builder // visible text of the HTML
	plainText            strings.Builder // text/plain parts
	anchors              []*anchor
	images               []image
	hiddenText           []string // text inside hidden elements
	hiddenLinks          int      // anchors inside hidden elements
	metaRefresh          []string
	dataURIs             []string // data: URIs in src/href (truncated)
	scripts              int      // <script>, javascript: URLs, on* handlers
	forms                int
	embeds               int // iframe, object, embed, applet
	textURLs             []string
}

func (in *Input) content() *content {
	if in.docs != nil {
		return in.docs
	}
	c := &content{}
	for _, p := range in.Message.Parts {
		if p.Attachment() {
			continue
		}
		switch p.MediaType {
		case "text/html":
			c.htmlParts = append(c.htmlParts, p)
			if c.htmlRaw.Len() < maxText {
				c.htmlRaw.WriteString(p.Text)
			}
			c.readHTML(p.Text, in.lim.MaxLinks)
		case "text/plain":
			if p == in.Message.Root && p.MediaType == "text/plain" && len(p.Raw) == 0 {
				continue
			}
			c.textParts = append(c.textParts, p)
			if c.plainText.Len() < maxText {
				c.plainText.WriteString(p.Text)
				c.plainText.WriteByte('\n')
			}
			for _, u := range textURLs(p.Text) {
				if len(c.textURLs) < in.lim.MaxLinks {
					c.textURLs = append(c.textURLs, u)
				}
			}
		}
	}
	in.docs = c
	return c
}

var voidElements = map[string]bool{
	"area": true, "base": true, "br": true, "col": true, "embed": true, "hr": true, "img": true,
	"input": true, "link": true, "meta": true, "source": true, "track": true, "wbr": true, "param": true,
}

type elem struct {
	name   string
	hidden bool
	silent bool // text not rendered: head, script, style, title, template
}

func (c *content) readHTML(src string, maxLinks int) {
	z := html.NewTokenizerFragment(strings.NewReader(src), "body")
	var stack []elem
	var cur *anchor
	top := func() elem {
		if len(stack) == 0 {
			return elem{}
		}
		return stack[len(stack)-1]
	}
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return
		case html.TextToken:
			t := top()
			if t.silent {
				continue
			}
			text := string(z.Text())
			if strings.TrimSpace(text) == "" {
				if c.htmlText.Len() < maxText {
					c.htmlText.WriteByte(' ')
				}
				continue
			}
			if t.hidden {
				if len(c.hiddenText) < 100 {
					c.hiddenText = append(c.hiddenText, truncate(strings.Join(strings.Fields(text), " "), 80))
				}
				continue
			}
			if c.htmlText.Len() < maxText {
				c.htmlText.WriteString(text)
			}
			if cur != nil && cur.text.Len() < 200 {
				cur.text.WriteString(text)
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			tok := z.Token()
			name := tok.Data
			parent := top()
			e := elem{name: name, hidden: parent.hidden || hiddenStyle(tok), silent: parent.silent}
			switch name {
			case "head", "script", "style", "title", "template", "xml":
				e.silent = true
			}
			c.element(tok, e, &cur, maxLinks)
			if name == "br" || name == "p" || name == "div" || name == "td" || name == "li" || name == "tr" {
				if c.htmlText.Len() < maxText {
					c.htmlText.WriteByte('\n')
				}
			}
			if tt == html.StartTagToken && !voidElements[name] && len(stack) < maxStack {
				stack = append(stack, e)
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			n := string(name)
			if n == "a" {
				cur = nil
			}
			for i := len(stack) - 1; i >= 0 && i >= len(stack)-32; i-- {
				if stack[i].name == n {
					stack = stack[:i]
					break
				}
			}
		}
	}
}

func (c *content) element(tok html.Token, e elem, cur **anchor, maxLinks int) {
	attr := func(k string) (string, bool) {
		for _, a := range tok.Attr {
			if a.Key == k {
				return a.Val, true
			}
		}
		return "", false
	}
	for _, a := range tok.Attr {
		if strings.HasPrefix(a.Key, "on") && len(a.Key) > 2 {
			c.scripts++
		}
		if a.Key == "href" || a.Key == "src" || a.Key == "background" || a.Key == "action" {
			v := strings.ToLower(strings.TrimSpace(a.Val))
			if strings.HasPrefix(v, "javascript:") || strings.HasPrefix(v, "vbscript:") {
				c.scripts++
			}
			if strings.HasPrefix(v, "data:") && len(c.dataURIs) < 100 {
				c.dataURIs = append(c.dataURIs, tok.Data+" "+a.Key+"="+truncate(strings.TrimSpace(a.Val), 40))
			}
		}
	}
	switch tok.Data {
	case "a", "area":
		if href, ok := attr("href"); ok && len(c.anchors) < maxLinks {
			a := &anchor{href: strings.TrimSpace(href), hidden: e.hidden}
			if e.hidden {
				c.hiddenLinks++
			}
			c.anchors = append(c.anchors, a)
			if tok.Data == "a" {
				*cur = a
			}
		}
	case "img":
		if len(c.images) >= maxLinks {
			return
		}
		src, _ := attr("src")
		alt, hasAlt := attr("alt")
		im := image{src: strings.TrimSpace(src), alt: alt, hasAlt: hasAlt, width: dim(attr("width")), height: dim(attr("height")), hidden: e.hidden, inAnchor: *cur != nil}
		if style, ok := attr("style"); ok {
			s := compactStyle(style)
			if w := cssPx(s, "width:"); w >= 0 {
				im.width = w
			}
			if h := cssPx(s, "height:"); h >= 0 {
				im.height = h
			}
		}
		c.images = append(c.images, im)
		if *cur != nil {
			(*cur).hasImage = true
			if (*cur).text.Len() < 200 && alt != "" {
				(*cur).text.WriteString(" " + alt + " ")
			}
		}
	case "meta":
		if he, _ := attr("http-equiv"); strings.EqualFold(strings.TrimSpace(he), "refresh") {
			v, _ := attr("content")
			c.metaRefresh = append(c.metaRefresh, truncate(v, 100))
		}
	case "script":
		c.scripts++
	case "form":
		c.forms++
	case "iframe", "object", "embed", "applet", "frame":
		c.embeds++
	}
	if bg, ok := attr("background"); ok && strings.TrimSpace(bg) != "" && len(c.images) < maxLinks {
		c.images = append(c.images, image{src: strings.TrimSpace(bg), hasAlt: true, width: -1, height: -1, hidden: e.hidden})
	}
}

func dim(v string, ok bool) int {
	if !ok {
		return -1
	}
	v = strings.TrimSuffix(strings.TrimSpace(v), "px")
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return -1
	}
	return n
}

func compactStyle(s string) string {
	return strings.ToLower(strings.Join(strings.Fields(s), ""))
}

// cssPx reads "prop:Npx" from a compacted style, -1 when absent.
func cssPx(s, prop string) int {
	i := strings.Index(s, prop)
	if i < 0 || (i > 0 && s[i-1] != ';' && s[i-1] != '"') {
		return -1
	}
	v := s[i+len(prop):]
	if j := strings.IndexByte(v, ';'); j >= 0 {
		v = v[:j]
	}
	v = strings.TrimSuffix(strings.TrimSuffix(v, "!important"), "px")
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return -1
	}
	return n
}

// hiddenStyle reports whether an element is rendered invisible: the hidden
// attribute, display:none, visibility:hidden, a zero font size, zero
// opacity, or a zero max-height with overflow hidden (the usual preheader
// markup).
func hiddenStyle(tok html.Token) bool {
	for _, a := range tok.Attr {
		switch a.Key {
		case "hidden":
			return true
		case "style":
			s := compactStyle(a.Val)
			for _, p := range []string{"display:none", "visibility:hidden", "font-size:0;", "font-size:0px", "opacity:0;", "opacity:0.0"} {
				if strings.Contains(s+";", p) {
					return true
				}
			}
			if (strings.Contains(s, "max-height:0;") || strings.Contains(s, "max-height:0px") || strings.HasSuffix(s, "max-height:0")) && strings.Contains(s, "overflow:hidden") {
				return true
			}
		}
	}
	return false
}

// textURLs finds the http and https URLs of plain text. A URL ends at white
// space or a character that cannot appear in one unescaped; trailing
// punctuation is sentence punctuation (RFC 3986 Appendix C).
func textURLs(s string) []string {
	var out []string
	lower := strings.ToLower(s)
	for i := 0; i < len(s); {
		j := strings.Index(lower[i:], "http")
		if j < 0 {
			break
		}
		start := i + j
		rest := lower[start:]
		if !strings.HasPrefix(rest, "http://") && !strings.HasPrefix(rest, "https://") {
			i = start + 4
			continue
		}
		end := start
		for end < len(s) && !strings.ContainsRune(" \t\r\n<>\"'`{}|\\^", rune(s[end])) {
			end++
		}
		u := strings.TrimRight(s[start:end], ".,;:!?)]")
		if len(u) > len("https://") {
			out = append(out, u)
		}
		i = end
		if i == start {
			i++
		}
	}
	return out
}
