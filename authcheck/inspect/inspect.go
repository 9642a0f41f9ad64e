package inspect

// This file is the entry point: the options, the input the checks read, the
// report and Inspect itself.

import (
	"context"
	"net/mail"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/bouncekit/bouncekit/authcheck/contentfilter"
)

// Envelope is what the SMTP session said about the message; every field is
// optional. Checks that need a field skip when it is empty.
type Envelope struct {
	IP       netip.Addr
	HELO     string
	MailFrom string
	Rcpt     []string
}

// Options configures Inspect. The zero value runs the offline checks of
// this package with the current time.
type Options struct {
	Envelope Envelope
	// Now is the time the message is judged at (Date in the future,
	// signature expiry); zero means time.Now().
	Now    time.Time
	Limits Limits
	// Checks replaces the list of checks run; nil means Checks().
	Checks []Check
	// Extra checks run after Checks: the DNS-backed authentication and
	// infrastructure checks plug in here.
	Extra []Check
	// Auth, when set, runs before the checks and fills the report's dkim,
	// spf, dmarc and arc sections; checks read its result in Input.Auth.
	Auth func(ctx context.Context, in *Input) Auth
	// Filters are content filters the raw message is handed to, in
	// parallel, each under its own timeout; their results fill the
	// report's filter section and the filter.* checks.
	Filters []contentfilter.Filter
}

// Input is what a check reads. It is built once per Inspect call and is not
// safe for concurrent use.
type Input struct {
	Message  *Message
	Envelope Envelope
	Now      time.Time
	// Auth is what Options.Auth returned; nil without it.
	Auth *Auth
	// Filter holds each filter's result by name; Errors their errors.
	Filter       map[string]contentfilter.Result
	FilterErrors map[string]error

	lim      Limits
	lk       linker
	docs     *content
	from     *fromInfo
	links    []Link
	domains  []Domain
	dkimTags []map[string]string
}

// Auth is the authentication part of the report, filled by Options.Auth.
type Auth struct {
	DKIM  []DKIM
	SPF   *SPF
	DMARC *DMARC
	ARC   *ARC

	// ext is what the DNS checks of WithDNS computed (a *msgauth.Result),
	// for their checks to read; it is not part of the report.
	ext any
}

// DKIM is the verdict on one DKIM-Signature (RFC 6376 §6; RFC 8601 result
// tokens: pass, fail, neutral, temperror, permerror, policy, none).
type DKIM struct {
	Domain    string `json:"domain"`
	Selector  string `json:"selector"`
	Algorithm string `json:"algorithm"`
	Result    string `json:"result"`
	Reason    string `json:"reason"`
}

// SPF is the SPF verdict for the envelope (RFC 7208 §2.6 result tokens).
type SPF struct {
	Result string `json:"result"`
	Domain string `json:"domain"`
	IP     string `json:"ip"`
	HELO   string `json:"helo,omitempty"`
	Reason string `json:"reason"`
}

// DMARC is the DMARC verdict for the From domain (RFC 7489 §6.6).
type DMARC struct {
	Result      string   `json:"result"`
	Domain      string   `json:"domain"`
	Policy      string   `json:"policy"`
	DKIMAligned bool     `json:"dkim_aligned"`
	SPFAligned  bool     `json:"spf_aligned"`
	RUA         []string `json:"rua"`
	Reason      string   `json:"reason"`
}

// ARC is the ARC chain verdict (RFC 8617 §5.2: cv none, pass or fail).
type ARC struct {
	CV        string `json:"cv"`
	Instances int    `json:"instances"`
	Reason    string `json:"reason"`
}

// Report is the result of Inspect. Its JSON form is a contract: the field
// names below do not change. A Report is plain data, safe to read from
// several goroutines.
type Report struct {
	DKIM  []DKIM `json:"dkim"`
	SPF   *SPF   `json:"spf"`
	DMARC *DMARC `json:"dmarc"`
	ARC   *ARC   `json:"arc"`
	// Checks are the findings in the order the checks ran.
	Checks []Finding `json:"checks"`
	// Passed counts the pass findings; Total the scored ones (pass, warn,
	// fail). Info and skip are not scored.
	Passed int `json:"passed"`
	Total  int `json:"total"`
	// Links is the inventory of every URL of the message.
	Links []Link `json:"links"`
	// Domains is every domain the message names, with where it appears.
	Domains []Domain `json:"domains"`
	// Filter holds each content filter's result by name.
	Filter map[string]contentfilter.Result `json:"filter"`
}

// Finding returns the finding of the check id, false when it did not run.
func (r *Report) Finding(id string) (Finding, bool) {
	for _, f := range r.Checks {
		if f.ID == id {
			return f, true
		}
	}
	return Finding{}, false
}

// Inspect checks msg, the message as sent (CRLF line endings; see [CRLF]).
// It reads nothing but msg unless Options add DNS checks or filters. It is
// safe for concurrent use (as are the built-in checks); the Report it
// returns is the caller's.
func Inspect(ctx context.Context, msg []byte, opts Options) Report {
	in := NewInput(msg, opts)
	rep := Report{DKIM: []DKIM{}, Checks: []Finding{}, Filter: map[string]contentfilter.Result{}}
	if opts.Auth != nil {
		a := opts.Auth(ctx, in)
		in.Auth = &a
		if a.DKIM != nil {
			rep.DKIM = a.DKIM
		}
		rep.SPF, rep.DMARC, rep.ARC = a.SPF, a.DMARC, a.ARC
	}
	if len(opts.Filters) > 0 {
		runFilters(ctx, in, opts.Filters)
		for name, r := range in.Filter {
			rep.Filter[name] = r
		}
	}
	checks := opts.Checks
	if checks == nil {
		checks = Checks()
	}
	for _, list := range [][]Check{checks, opts.Extra} {
		for _, c := range list {
			if ctx.Err() != nil {
				rep.Checks = append(rep.Checks, Finding{ID: c.ID, Group: c.Group, Result: Skip, Detail: "not run: " + ctx.Err().Error()})
				continue
			}
			f := c.Run(ctx, in)
			f.ID, f.Group = c.ID, c.Group
			rep.Checks = append(rep.Checks, f)
		}
	}
	for _, f := range rep.Checks {
		switch f.Result {
		case Pass:
			rep.Passed++
			rep.Total++
		case Warn, Fail:
			rep.Total++
		}
	}
	rep.Links = in.Links()
	if rep.Links == nil {
		rep.Links = []Link{}
	}
	rep.Domains = in.Domains()
	if rep.Domains == nil {
		rep.Domains = []Domain{}
	}
	return rep
}

// NewInput parses msg for the checks. Inspect calls it; it is exported for
// checks tested on their own.
func NewInput(msg []byte, opts Options) *Input {
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	lim := opts.Limits.withDefaults()
	return &Input{Message: ParseMessage(msg, lim), Envelope: opts.Envelope, Now: now, lim: lim}
}

func runFilters(ctx context.Context, in *Input, filters []contentfilter.Filter) {
	in.Filter = make(map[string]contentfilter.Result, len(filters))
	in.FilterErrors = make(map[string]error)
	env := contentfilter.Envelope{IP: in.Envelope.IP, HELO: in.Envelope.HELO, MailFrom: in.Envelope.MailFrom, Rcpt: in.Envelope.Rcpt}
	if len(env.Rcpt) == 0 {
		for _, a := range in.addresses("To") {
			env.Rcpt = append(env.Rcpt, a.Address)
		}
	}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, f := range filters {
		wg.Go(func() {
			r, err := f.Check(ctx, in.Message.Raw, env)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				r.Error = err.Error()
				in.FilterErrors[f.Name()] = err
			}
			if r.Engine == "" {
				r.Engine = f.Name()
			}
			if r.Symbols == nil {
				r.Symbols = []contentfilter.Symbol{}
			}
			in.Filter[f.Name()] = r
		})
	}
	wg.Wait()
}

// fromInfo is the From field read once.
type fromInfo struct {
	count int // From fields
	addrs []*mail.Address
	err   error
}

// From returns the addresses of the first From field and how many From
// fields the header has; err is why the first did not parse.
func (in *Input) From() (addrs []*mail.Address, fields int, err error) {
	if in.from == nil {
		fi := &fromInfo{count: in.Message.Header.Count("From")}
		if v := in.Message.Header.Get("From"); v != "" {
			fi.addrs, fi.err = addressParser.ParseList(v)
		}
		in.from = fi
	}
	return in.from.addrs, in.from.count, in.from.err
}

// FromDomain is the lower-case domain of the first From address, "" when
// none parses.
func (in *Input) FromDomain() string {
	addrs, _, _ := in.From()
	if len(addrs) == 0 {
		return ""
	}
	return domainOf(addrs[0].Address)
}

// EnvelopeDomain is the MAIL FROM domain: Envelope.MailFrom, else the
// Return-Path field.
func (in *Input) EnvelopeDomain() string {
	if in.Envelope.MailFrom != "" {
		return domainOf(in.Envelope.MailFrom)
	}
	rp := strings.Trim(strings.TrimSpace(in.Message.Header.Get("Return-Path")), "<>")
	return domainOf(rp)
}

func (in *Input) addresses(field string) []*mail.Address {
	var out []*mail.Address
	for _, v := range in.Message.Header.Values(field) {
		as, _ := addressParser.ParseList(v)
		out = append(out, as...)
	}
	return out
}

// addressParser decodes RFC 2047 display names in any charset x/net knows.
var addressParser = &mail.AddressParser{WordDecoder: wordDecoder}

func domainOf(addr string) string {
	addr = strings.TrimSpace(strings.Trim(strings.TrimSpace(addr), "<>"))
	if i := strings.LastIndexByte(addr, '@'); i >= 0 {
		addr = addr[i+1:]
	}
	return strings.TrimSuffix(strings.ToLower(addr), ".")
}

// DKIMTags returns the tags of every DKIM-Signature field (RFC 6376 §3.2
// tag=value lists), in order. They are read, not verified: verification is
// the DNS checks' work.
func (in *Input) DKIMTags() []map[string]string {
	if in.dkimTags == nil {
		in.dkimTags = []map[string]string{}
		for _, v := range in.Message.Header.Values("DKIM-Signature") {
			in.dkimTags = append(in.dkimTags, tagList(v))
		}
	}
	return in.dkimTags
}

// tagList reads an RFC 6376 §3.2 tag list leniently: later duplicates are
// ignored, white space is removed from values.
func tagList(v string) map[string]string {
	m := map[string]string{}
	for _, t := range strings.Split(v, ";") {
		k, val, ok := strings.Cut(t, "=")
		if !ok {
			continue
		}
		k = strings.TrimSpace(k)
		if _, dup := m[k]; dup || k == "" {
			continue
		}
		m[k] = strings.Join(strings.Fields(val), "")
	}
	return m
}

// ParseAddressList parses an address-list field value (RFC 5322 §3.4) with
// RFC 2047 display names decoded in any charset golang.org/x/net knows.
func ParseAddressList(v string) ([]*mail.Address, error) {
	return addressParser.ParseList(v)
}
