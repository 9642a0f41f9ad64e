package bounce

// This file reads the facts of the returned original message that a triage
// compares between failed and delivered mail: identifiers, subject, sender,
// list and campaign headers, authentication results, and every domain the
// message names, reduced to its registrable domain (public suffix list).

import (
	"bytes"
	"strings"
	"time"

	"golang.org/x/net/publicsuffix"
)

// maxOriginalScan bounds how much of the original's body is searched for
// link hosts: 1 MiB of text is more than any template, and the bound keeps
// a huge attachment from costing more than its decoding.
const maxOriginalScan = 1 << 20

// Original describes the message a report returned (RFC 3464 §2: the
// message/rfc822 or text/rfc822-headers part; or the copy quoted in a
// plain-text bounce).
type Original struct {
	// Header is the original's header as returned.
	Header Header
	// HeadersOnly is true when only the header came back.
	HeadersOnly bool

	MessageID  string // without angle brackets
	Subject    string
	From       string // bare address
	To         []string
	ReplyTo    string
	ReturnPath string
	Date       time.Time
	ListID     string
	FeedbackID string
	// Campaign holds the ESP and campaign headers in order: X-Campaign*,
	// X-Mailgun-*, X-SES-*, X-SG-*, X-MC-*, X-Mailchimp-*, X-PM-*,
	// X-MSYS-API, X-Job, X-SMTPAPI, X-Mailer-Campaign ...
	Campaign []Field
	// AuthenticationResults holds the Authentication-Results values
	// (RFC 8601) in order.
	AuthenticationResults []string
	// DKIMDomains are the d= tags of the DKIM-Signature fields.
	DKIMDomains []string
	// Domains lists every registrable domain the message names (From,
	// Return-Path, Reply-To, Sender, DKIM d=, link hosts in the body),
	// deduplicated in first-seen order.
	Domains []string
}

// campaignPrefixes are the lower-case header name prefixes kept in
// Original.Campaign.
var campaignPrefixes = [...]string{
	"x-campaign", "x-mailgun-", "x-ses-", "x-sg-", "x-mc-", "x-mailchimp", "x-pm-", "x-msys-api",
	"x-job", "x-smtpapi", "x-mailer-campaign", "x-mandrill", "x-sfmc", "x-mkto", "x-hubspot",
	"x-braze", "x-sendinblue", "x-mailjet", "x-emarsys", "x-list-id", "x-abuse-id", "x-cm-",
}

func readOriginal(st *mimeState, p *part, quoted string) *Original {
	var (
		h        Header
		bodyText string
		only     bool
	)
	switch {
	case p != nil && len(p.parts) > 0:
		m := p.parts[0]
		h = m.header
		only = len(bytes.TrimSpace(m.body)) == 0 && len(m.parts) == 0
	case p != nil:
		var rest []byte
		h, rest = st.readHeader(p.body, true)
		only = len(bytes.TrimSpace(rest)) == 0
		bodyText = string(rest[:min(len(rest), maxOriginalScan)])
	case quoted != "":
		var rest []byte
		h, rest = st.readHeader([]byte(strings.TrimLeft(quoted, "\n")), true)
		bodyText = string(rest)
		only = strings.TrimSpace(bodyText) == ""
	}
	if len(h) == 0 {
		return nil
	}
	o := &Original{Header: h, HeadersOnly: only}
	o.MessageID = strings.Trim(strings.TrimSpace(h.Get("Message-ID")), "<>")
	o.Subject = h.Get("Subject")
	if a := listAddresses(h.Get("From")); len(a) > 0 {
		o.From = a[0]
	}
	o.To = listAddresses(h.Get("To"))
	if a := listAddresses(h.Get("Reply-To")); len(a) > 0 {
		o.ReplyTo = a[0]
	}
	o.ReturnPath = bareAddress(h.Get("Return-Path"))
	o.Date = parseDate(h.Get("Date"))
	o.ListID = h.Get("List-Id")
	o.FeedbackID = h.Get("Feedback-ID")
	for _, f := range h {
		n := f.Name
		switch {
		case strings.EqualFold(n, "authentication-results"):
			o.AuthenticationResults = append(o.AuthenticationResults, f.Value)
			continue
		case strings.EqualFold(n, "dkim-signature"):
			if d := tagValue(f.Value, "d"); d != "" {
				o.DKIMDomains = append(o.DKIMDomains, strings.ToLower(d))
			}
			continue
		case len(n) < 2 || n[0] != 'X' && n[0] != 'x':
			continue // every campaign header is an X- field
		}
		for _, pre := range campaignPrefixes {
			if len(n) >= len(pre) && strings.EqualFold(n[:len(pre)], pre) {
				o.Campaign = append(o.Campaign, f)
				break
			}
		}
	}
	seen := map[string]bool{}
	addHost := func(host string) {
		host = strings.ToLower(strings.Trim(host, ".[] "))
		if host == "" || strings.IndexByte(host, '.') < 0 {
			return
		}
		d, err := publicsuffix.EffectiveTLDPlusOne(host)
		if err != nil || seen[d] {
			return
		}
		seen[d] = true
		o.Domains = append(o.Domains, d)
	}
	addAddr := func(a string) {
		if i := strings.LastIndexByte(a, '@'); i >= 0 {
			addHost(a[i+1:])
		}
	}
	addAddr(o.From)
	addAddr(o.ReturnPath)
	addAddr(o.ReplyTo)
	for _, a := range listAddresses(h.Get("Sender")) {
		addAddr(a)
	}
	for _, d := range o.DKIMDomains {
		addHost(d)
	}
	if p != nil && len(p.parts) > 0 {
		// Link hosts are ASCII in every charset a template uses, so the
		// transfer-decoded bytes are searched without charset decoding.
		budget := maxOriginalScan
		p.parts[0].walk(func(q *part) bool {
			if budget <= 0 {
				return false
			}
			if len(q.parts) == 0 && strings.HasPrefix(q.ctype, "text/") {
				b := q.body[:min(len(q.body), budget)]
				budget -= len(b)
				linkHosts(b, addHost)
			}
			return true
		})
	} else {
		linkHosts([]byte(bodyText[:min(len(bodyText), maxOriginalScan)]), addHost)
	}
	return o
}

// tagValue returns the value of tag name in a tag=value list (RFC 6376
// §3.2).
func tagValue(v, name string) string {
	for _, kv := range strings.Split(v, ";") {
		k, val, ok := strings.Cut(kv, "=")
		if ok && strings.EqualFold(strings.TrimSpace(k), name) {
			return strings.Join(strings.Fields(val), "")
		}
	}
	return ""
}

// linkHosts calls fn with the host of each http and https link in text, in
// order.
func linkHosts(s []byte, fn func(string)) {
	for pos := 0; pos < len(s); {
		i := bytes.Index(s[pos:], []byte("http"))
		if i < 0 {
			break
		}
		i += pos
		rest := s[i+4:]
		switch {
		case bytes.HasPrefix(rest, []byte("://")):
			rest = rest[3:]
		case bytes.HasPrefix(rest, []byte("s://")):
			rest = rest[4:]
		default:
			pos = i + 4
			continue
		}
		j := 0
		for j < len(rest) && isDomainChar(rest[j]) {
			j++
		}
		if j > 0 {
			fn(string(rest[:j]))
		}
		pos = len(s) - len(rest) + j
	}
}
