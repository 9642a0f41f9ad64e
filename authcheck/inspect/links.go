package inspect

// This file builds the link inventory: every URL of the message (HTML
// anchors and images, plain-text URLs, List-Unsubscribe URIs), with its host,
// registrable domain (public suffix list), kind, and for redirect and
// tracking URLs the target the URL carries.

import (
	"net/netip"
	"net/url"
	"strings"

	"golang.org/x/net/idna"
	"golang.org/x/net/publicsuffix"
)

// LinkKind says what a URL is for.
type LinkKind string

// Link kinds.
const (
	KindLink          LinkKind = "link"
	KindImage         LinkKind = "image"
	KindTrackingPixel LinkKind = "tracking_pixel"
	KindUnsubscribe   LinkKind = "unsubscribe"
)

// Link is one URL of the message. Equal URLs of the same kind and source
// are listed once, with Count.
type Link struct {
	URL    string   `json:"url"`
	Host   string   `json:"host"`
	Domain string   `json:"domain"`
	Kind   LinkKind `json:"kind"`
	// Source is where the URL appears: "html", "text" or "header"
	// (List-Unsubscribe).
	Source string `json:"source"`
	Count  int    `json:"count"`
	// Text is the anchor text, trimmed, for HTML links.
	Text string `json:"text,omitempty"`
	// Redirect names the tracking or redirect service of the host
	// ("sendgrid", "shortener", "redirect" for an unnamed one), Target the
	// URL it sends to when the URL carries it, TargetDomain its
	// registrable domain.
	Redirect     string `json:"redirect,omitempty"`
	Target       string `json:"target,omitempty"`
	TargetDomain string `json:"target_domain,omitempty"`
	// Err says why the URL did not parse; Host is then empty.
	Err string `json:"error,omitempty"`

	targetHost string
}

// Links returns the link inventory in document order: HTML anchors and
// images, then plain-text URLs, then List-Unsubscribe URIs.
func (in *Input) Links() []Link {
	if in.links != nil {
		return in.links
	}
	c := in.content()
	var out []Link
	idx := map[string]int{}
	add := func(raw string, kind LinkKind, source, text string) {
		raw = strings.TrimSpace(raw)
		if raw == "" || strings.HasPrefix(raw, "#") || strings.HasPrefix(strings.ToLower(raw), "data:") || strings.HasPrefix(strings.ToLower(raw), "cid:") {
			return
		}
		key := string(kind) + "\x00" + source + "\x00" + raw
		if i, ok := idx[key]; ok {
			out[i].Count++
			return
		}
		if len(out) >= in.lim.MaxLinks {
			return
		}
		l := in.lk.link(raw, kind, source)
		l.Text = truncate(strings.Join(strings.Fields(text), " "), 120)
		idx[key] = len(out)
		out = append(out, l)
	}
	for _, a := range c.anchors {
		kind := KindLink
		if isUnsubscribe(a.href, a.text.String()) {
			kind = KindUnsubscribe
		}
		add(a.href, kind, "html", a.text.String())
	}
	for _, im := range c.images {
		kind := KindImage
		if im.hidden || (im.width >= 0 && im.width <= 1 && im.height >= 0 && im.height <= 1) || (im.width == 0 || im.height == 0) {
			kind = KindTrackingPixel
		}
		add(im.src, kind, "html", "")
	}
	for _, u := range c.textURLs {
		kind := KindLink
		if isUnsubscribe(u, "") {
			kind = KindUnsubscribe
		}
		add(u, kind, "text", "")
	}
	for _, u := range listUnsubscribeURIs(in.Message.Header.Get("List-Unsubscribe")) {
		add(u, KindUnsubscribe, "header", "")
	}
	// A host that serves a tracking pixel is a tracking host: its links
	// are click-tracking redirects even when no known path or parameter
	// says so (the target is then hidden in the host's database).
	pixelHosts := map[string]bool{}
	for _, l := range out {
		if l.Kind == KindTrackingPixel && l.Host != "" {
			pixelHosts[l.Host] = true
		}
	}
	for i := range out {
		if out[i].Redirect == "" && (out[i].Kind == KindLink || out[i].Kind == KindUnsubscribe) && out[i].Source != "header" && pixelHosts[out[i].Host] {
			out[i].Redirect = "tracking"
		}
	}
	if out == nil {
		out = []Link{}
	}
	in.links = out
	return out
}

func isUnsubscribe(href, text string) bool {
	s := strings.ToLower(href + " " + text)
	for _, w := range []string{"unsubscribe", "unsub", "opt-out", "optout", "opt_out", "abmelden", "désinscri", "desinscri", "darse de baja", "afmelden", "manage preferences", "email preferences"} {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

// listUnsubscribeURIs reads the <URI> list of List-Unsubscribe (RFC 2369 §3.2).
func listUnsubscribeURIs(v string) []string {
	var out []string
	for {
		i := strings.IndexByte(v, '<')
		if i < 0 {
			return out
		}
		j := strings.IndexByte(v[i:], '>')
		if j < 0 {
			return out
		}
		out = append(out, strings.TrimSpace(v[i+1:i+j]))
		v = v[i+j+1:]
	}
}

// linker reads URLs with a memo of registrable domains: a newsletter links
// the same few hosts hundreds of times, and the public-suffix and IDNA
// lookups are most of the inventory's cost.
type linker struct{ reg map[string]string }

func (lk *linker) registrable(host string) string {
	if d, ok := lk.reg[host]; ok {
		return d
	}
	d := registrable(host)
	if lk.reg == nil {
		lk.reg = map[string]string{}
	}
	if len(lk.reg) < 10000 {
		lk.reg[host] = d
	}
	return d
}

func makeLink(raw string, kind LinkKind, source string) Link {
	var lk linker
	return lk.link(raw, kind, source)
}

func (lk *linker) link(raw string, kind LinkKind, source string) Link {
	l := Link{URL: raw, Kind: kind, Source: source, Count: 1}
	u, err := url.Parse(raw)
	if err != nil {
		l.Err = err.Error()
		return l
	}
	if u.Scheme == "mailto" {
		addr := u.Opaque
		if i := strings.IndexByte(addr, '?'); i >= 0 {
			addr = addr[:i]
		}
		if a, err := url.PathUnescape(addr); err == nil {
			addr = a
		}
		l.Host = domainOf(addr)
		l.Domain = lk.registrable(l.Host)
		return l
	}
	l.Host = strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	if l.Host == "" {
		return l
	}
	l.Domain = lk.registrable(l.Host)
	l.Redirect = redirector(l.Host, u.Path)
	if t := redirectTarget(u); t != "" {
		l.Target = t
		if tu, err := url.Parse(t); err == nil {
			l.targetHost = strings.TrimSuffix(strings.ToLower(tu.Hostname()), ".")
			l.TargetDomain = lk.registrable(l.targetHost)
		}
		if l.Redirect == "" {
			l.Redirect = "redirect"
		}
	}
	return l
}

// registrable returns the registrable domain of host (eTLD+1 by the public
// suffix list); the host itself when it is an IP address or a suffix.
func registrable(host string) string {
	if host == "" {
		return ""
	}
	if _, err := netip.ParseAddr(strings.Trim(host, "[]")); err == nil {
		return ""
	}
	if a, err := idna.Lookup.ToASCII(host); err == nil && a != "" {
		host = a
	}
	d, err := publicsuffix.EffectiveTLDPlusOne(host)
	if err != nil {
		return host
	}
	return d
}

// trackers are click-tracking and redirect hosts of email service providers,
// matched as the host or a suffix of it (each provider's tracking-domain
// documentation names them; custom tracking domains are found by the path
// patterns and target parameters below instead).
var trackers = []struct{ suffix, name string }{
	{"ct.sendgrid.net", "sendgrid"}, {"sendgrid.net", "sendgrid"},
	{"list-manage.com", "mailchimp"}, {"mailchi.mp", "mailchimp"}, {"mcusercontent.com", "mailchimp"},
	{"mandrillapp.com", "mandrill"},
	{"rs6.net", "constant-contact"},
	{"hubspotlinks.com", "hubspot"}, {"hubspotemail.net", "hubspot"}, {"hs-sites.com", "hubspot"},
	{"klclick.com", "klaviyo"}, {"klclick1.com", "klaviyo"}, {"klclick2.com", "klaviyo"}, {"klaviyomail.com", "klaviyo"},
	{"mjt.lu", "mailjet"},
	{"sparkpostmail.com", "sparkpost"}, {"spgo.io", "sparkpost"},
	{"exct.net", "salesforce"}, {"sfmc-content.com", "salesforce"},
	{"awstrack.me", "amazon-ses"},
	{"createsend1.com", "campaign-monitor"}, {"cmail19.com", "campaign-monitor"}, {"cmail20.com", "campaign-monitor"},
	{"mlsend.com", "mailerlite"}, {"mlsend2.com", "mailerlite"},
	{"sendibt2.com", "brevo"}, {"sendibt3.com", "brevo"}, {"r.sendinblue.com", "brevo"},
	{"mailgun.org", "mailgun"},
	{"postmarkapp.com", "postmark"}, {"pstmrk.it", "postmark"},
	{"convertkit-mail.com", "convertkit"}, {"ck.page", "convertkit"},
	{"emltrk.com", "litmus"},
	{"safelinks.protection.outlook.com", "microsoft-safelinks"},
	{"urldefense.com", "proofpoint"}, {"urldefense.proofpoint.com", "proofpoint"},
	{"google.com/url", "google"},
}

// shorteners are public URL shorteners: receivers distrust them because
// anyone can point them anywhere (Spamhaus and SURBL list their abuse).
var shorteners = []string{
	"bit.ly", "bitly.com", "tinyurl.com", "t.co", "goo.gl", "ow.ly", "is.gd", "buff.ly", "rebrand.ly",
	"cutt.ly", "shorturl.at", "rb.gy", "t.ly", "tiny.cc", "bl.ink", "lnkd.in", "s.id", "v.gd", "qr.ae",
	"shorte.st", "adf.ly", "soo.gd", "clck.ru", "short.io", "tiny.one", "urlz.fr", "shrtco.de", "x.co",
	"trib.al", "dlvr.it", "ift.tt", "fb.me", "amzn.to", "youtu.be", "2.gp", "1url.com", "snip.ly",
}

func hostIs(host, suffix string) bool {
	n := len(host) - len(suffix)
	return host == suffix || n > 0 && host[n-1] == '.' && host[n:] == suffix
}

// redirector names the redirect service of host, "" when none is known.
func redirector(host, path string) string {
	for _, s := range shorteners {
		if host == s || host == "www."+s {
			return "shortener"
		}
	}
	for _, t := range trackers {
		if h, p, ok := strings.Cut(t.suffix, "/"); ok {
			if hostIs(host, h) && strings.HasPrefix(path, "/"+p) {
				return t.name
			}
			continue
		}
		if hostIs(host, t.suffix) {
			return t.name
		}
	}
	// Path shapes of click tracking on custom tracking domains (SendGrid
	// /ls/click and /wf/click, Mailgun /c/, Mailjet /lnk/, generic
	// /track/click).
	p := strings.ToLower(path)
	for _, pre := range []string{"/ls/click", "/wf/click", "/track/click", "/lnk/", "/click/", "/t/click", "/trk/"} {
		if strings.HasPrefix(p, pre) {
			return "tracking"
		}
	}
	if strings.HasPrefix(host, "click.") || strings.HasPrefix(host, "clicks.") || strings.HasPrefix(host, "track.") || strings.HasPrefix(host, "trk.") || strings.HasPrefix(host, "links.") || strings.HasPrefix(host, "email.") && strings.HasPrefix(p, "/c/") {
		return "tracking"
	}
	return ""
}

// targetParams are the query parameters redirectors carry their target in.
var targetParams = []string{"url", "u", "target", "redirect", "redirect_url", "redirect_uri", "redirecturl", "dest", "destination", "to", "link", "goto", "q", "r", "returnurl", "continue", "next", "out", "href"}

// redirectTarget returns the http(s) URL a redirect URL carries in its query
// (possibly percent-encoded twice), "" when it carries none.
func redirectTarget(u *url.URL) string {
	// The pairs in the order written, so the answer never depends on map
	// order when a URL repeats a parameter in different cases.
	type pair struct{ k, v string }
	var pairs []pair
	for _, kv := range strings.Split(u.RawQuery, "&") {
		k, v, _ := strings.Cut(kv, "=")
		if uk, err := url.QueryUnescape(k); err == nil {
			k = uk
		}
		if uv, err := url.QueryUnescape(v); err == nil {
			v = uv
		}
		pairs = append(pairs, pair{k, v})
		if len(pairs) > 100 {
			break
		}
	}
	for _, p := range targetParams {
		for _, kv := range pairs {
			if !strings.EqualFold(kv.k, p) {
				continue
			}
			v := kv.v
			for range 2 {
				lv := strings.ToLower(v)
				if strings.HasPrefix(lv, "http://") || strings.HasPrefix(lv, "https://") {
					if t, err := url.Parse(v); err == nil && t.Hostname() != "" {
						return v
					}
					break
				}
				d, err := url.QueryUnescape(v)
				if err != nil || d == v {
					break
				}
				v = d
			}
		}
	}
	return ""
}

// ParseLink reads one URL as the inventory does: host, registrable domain,
// redirect service and target. Kind is KindLink and Source empty.
func ParseLink(raw string) Link {
	return makeLink(strings.TrimSpace(raw), KindLink, "")
}
