// DNS blocklists (RFC 5782): IP addresses and domains checked against
// configurable zones, each with its table of return codes, so that refusal
// and error codes are never mistaken for listings.

package dnsbl

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"strings"
	"sync"

	"github.com/bouncekit/bouncekit/authcheck/resolve"
	"golang.org/x/net/idna"
	"golang.org/x/net/publicsuffix"
)

// Kind says what a zone lists.
type Kind string

// The kinds of blocklist zone.
const (
	IP     Kind = "ip"     // RFC 5782 §2.1 (IPv4), §2.4 (IPv6)
	Domain Kind = "domain" // RFC 5782 §2.3 (URI/domain lists)
)

// Code gives the meaning of a return address (RFC 5782 §2.1:
// lists use 127.0.0.0/8 answers to encode why an entry is listed).
type Code struct {
	// Match is the answer address or range this entry covers. For
	// bitmask zones an entry with Bit set matches when that bit of the
	// last octet is set, and Match is ignored.
	Match   netip.Prefix
	Bit     uint8
	Meaning string // e.g. "SBL", "XBL", "phish"
	// Refused marks codes by which the operator refuses or rejects the
	// query (public resolver, over quota, bad query): never a listing.
	Refused bool
}

// Zone is one list to query. It is a plain value, safe to share
// between goroutines once built.
type Zone struct {
	Name string // a human name, "Spamhaus ZEN"
	Zone string // the DNS zone, "zen.spamhaus.org"
	Kind Kind   // what it lists
	IPv6 bool   // for IP zones: whether it lists IPv6 (nibble) names
	// Registrable makes a domain zone query the registrable domain
	// (public suffix + 1 label) rather than the host name given, as
	// SURBL and URIBL expect.
	Registrable bool
	// Bitmask says the last octet of an answer is a bit set of sublists
	// (SURBL, URIBL) rather than one code.
	Bitmask bool
	// Codes is the return-code table, in order; the first refusal entry
	// matching an answer wins, then every matching listing entry applies.
	// An answer in 127.0.0.0/8 that no entry covers is a listing of
	// unknown meaning; an answer outside 127.0.0.0/8 is an error (RFC
	// 5782 §2.1: a resolver that rewrites NXDOMAIN, typically).
	Codes []Code
}

// Status is the outcome of one query; the values are wire tokens.
type Status string

// The outcomes of a blocklist query.
const (
	Listed    Status = "listed"     // an A record with a listing code (RFC 5782 §2.1)
	NotListed Status = "not_listed" // NXDOMAIN (RFC 5782 §2.1)
	Refused   Status = "refused"    // a refusal code or REFUSED rcode: the answer says nothing
	Error     Status = "error"      // timeout, SERVFAIL, unexpected answer or bad input
)

// Result is the outcome of checking one subject on one zone.
type Result struct {
	Zone     string       // the DNS zone
	List     string       // the zone's human name
	Kind     Kind         // ip or domain
	Subject  string       // the IP address or domain checked
	Query    string       // the name queried
	Status   Status       // the outcome
	Codes    []netip.Addr // the answer addresses
	Meanings []string     // what the codes mean, in table order
	Reason   string       // the zone's TXT text for a listing, if any (RFC 5782 §2.1)
	Err      error        // for Error and Refused
}

// LogValue implements slog.LogValuer.
func (b Result) LogValue() slog.Value {
	return slog.GroupValue(slog.String("zone", b.Zone), slog.String("subject", b.Subject),
		slog.String("status", string(b.Status)), slog.Any("meanings", b.Meanings))
}

// Sentinels for Result.Err.
var (
	ErrRefused    = errors.New("blocklist refused the query")                           // refusal code or REFUSED
	ErrBadAnswer  = errors.New("blocklist answer outside 127.0.0.0/8")                  // RFC 5782 §2.1
	ErrBadSubject = errors.New("blocklist subject is not a valid IP address or domain") // input
)

func blCode(addr, meaning string) Code {
	return Code{Match: netip.PrefixFrom(netip.MustParseAddr(addr), 32), Meaning: meaning}
}

func blBit(b uint8, meaning string) Code { return Code{Bit: b, Meaning: meaning} }

func blRefused(prefix, meaning string) Code {
	return Code{Match: netip.MustParsePrefix(prefix), Meaning: meaning, Refused: true}
}

// spamhausRefusals are the Spamhaus error codes
// (https://www.spamhaus.org/faqs/domain-blocklist/#dnsbl-return-codes):
// 127.255.255.252 typing error in the zone name, .254 query through a public
// or open resolver, .255 excessive number of queries.
var spamhausRefusals = []Code{
	blRefused("127.255.255.252/30", "refused by Spamhaus (public resolver, quota or bad query)"),
}

// DefaultZones returns the common lists, in this order: Spamhaus ZEN
// and DBL, Barracuda, SpamCop, SURBL and URIBL, with their documented return
// codes. Several of them refuse queries sent through large public resolvers
// (and say so with a refusal code, reported as Refused); use a
// local recursive resolver or the operator's data service.
func DefaultZones() []Zone {
	return []Zone{
		{
			Name: "Spamhaus ZEN", Zone: "zen.spamhaus.org", Kind: IP, IPv6: true,
			Codes: append(append([]Code(nil), spamhausRefusals...),
				blCode("127.0.0.2", "SBL: Spamhaus spam source"),
				blCode("127.0.0.3", "SBL CSS: snowshoe spam source"),
				blCode("127.0.0.4", "XBL: exploited or infected host"),
				blCode("127.0.0.5", "XBL: exploited or infected host"),
				blCode("127.0.0.6", "XBL: exploited or infected host"),
				blCode("127.0.0.7", "XBL: exploited or infected host"),
				blCode("127.0.0.9", "SBL DROP: hijacked netblock"),
				blCode("127.0.0.10", "PBL: ISP says the address should not send direct mail"),
				blCode("127.0.0.11", "PBL: Spamhaus says the address should not send direct mail"),
			),
		},
		{
			Name: "Spamhaus DBL", Zone: "dbl.spamhaus.org", Kind: Domain,
			Codes: append(append([]Code(nil), spamhausRefusals...),
				Code{Match: netip.MustParsePrefix("127.0.1.255/32"), Meaning: "refused by DBL: IP queries are not allowed", Refused: true},
				blCode("127.0.1.2", "DBL: spam domain"),
				blCode("127.0.1.4", "DBL: phishing domain"),
				blCode("127.0.1.5", "DBL: malware domain"),
				blCode("127.0.1.6", "DBL: botnet C&C domain"),
				blCode("127.0.1.102", "DBL: abused legitimate spam domain"),
				blCode("127.0.1.103", "DBL: abused legitimate spammed redirector"),
				blCode("127.0.1.104", "DBL: abused legitimate phishing domain"),
				blCode("127.0.1.105", "DBL: abused legitimate malware domain"),
				blCode("127.0.1.106", "DBL: abused legitimate botnet C&C domain"),
			),
		},
		{
			Name: "Barracuda", Zone: "b.barracudacentral.org", Kind: IP,
			Codes: []Code{blCode("127.0.0.2", "Barracuda reputation: poor")},
		},
		{
			Name: "SpamCop", Zone: "bl.spamcop.net", Kind: IP,
			Codes: []Code{blCode("127.0.0.2", "SpamCop: reported spam source")},
		},
		{
			Name: "SURBL", Zone: "multi.surbl.org", Kind: Domain, Registrable: true, Bitmask: true,
			Codes: []Code{
				blRefused("127.0.0.1/32", "refused by SURBL: query blocked (public resolver or volume)"),
				blBit(8, "SURBL PH: phishing"),
				blBit(16, "SURBL MW: malware"),
				blBit(64, "SURBL ABUSE: spam and abuse"),
				blBit(128, "SURBL CR: cracked site"),
				blBit(2, "SURBL: listed (legacy sublist)"),
				blBit(4, "SURBL: listed (legacy sublist)"),
				blBit(32, "SURBL: listed (legacy sublist)"),
			},
		},
		{
			Name: "URIBL", Zone: "multi.uribl.com", Kind: Domain, Registrable: true, Bitmask: true,
			Codes: []Code{
				blRefused("127.0.0.1/32", "refused by URIBL: query blocked (public resolver or volume)"),
				blBit(2, "URIBL black"),
				blBit(4, "URIBL grey"),
				blBit(8, "URIBL red"),
				blBit(16, "URIBL gold"),
			},
		},
	}
}

// SpamhausDQS returns DefaultZones with Spamhaus ZEN and DBL moved to
// the Data Query Service zones of a DQS key (KEY.zen.dq.spamhaus.net,
// KEY.dbl.dq.spamhaus.net), which answer through any resolver, public ones
// included. The return codes are the same.
func SpamhausDQS(key string) []Zone {
	zones := DefaultZones()
	for i := range zones {
		switch zones[i].Zone {
		case "zen.spamhaus.org":
			zones[i].Zone, zones[i].Name = key+".zen.dq.spamhaus.net", "Spamhaus ZEN (DQS)"
		case "dbl.spamhaus.org":
			zones[i].Zone, zones[i].Name = key+".dbl.dq.spamhaus.net", "Spamhaus DBL (DQS)"
		}
	}
	return zones
}

// Options tunes CheckWith. The zero value is fine.
type Options struct {
	// Concurrency bounds the queries in flight; 0 means 8.
	Concurrency int
	// NoReason skips the TXT lookup that fetches a listing's reason.
	NoReason bool
}

// DefaultConcurrency is the default bound on parallel queries.
const DefaultConcurrency = 8

// MaxSubjects bounds how many domains one call checks; the rest
// are reported as errors rather than silently dropped.
const MaxSubjects = 1000

// Check checks ip (if valid) against the IP zones and every
// domain against the domain zones of zones (nil means DefaultZones).
// Results come in a fixed order: the IP on each IP zone, then each distinct
// domain, in input order, on each domain zone. Safe for concurrent use if r
// is.
func Check(ctx context.Context, r resolve.Resolver, ip netip.Addr, domains []string, zones []Zone) []Result {
	return CheckWith(ctx, r, ip, domains, zones, Options{})
}

// CheckWith is Check with options.
func CheckWith(ctx context.Context, r resolve.Resolver, ip netip.Addr, domains []string, zones []Zone, opts Options) []Result {
	r = resolve.OrFail(r)
	if zones == nil {
		zones = DefaultZones()
	}
	type job struct {
		zone    Zone
		subject string
		query   string
		err     error
	}
	var jobs []job
	if ip.IsValid() {
		ip = ip.Unmap()
		for _, z := range zones {
			if z.Kind != IP || (ip.Is6() && !z.IPv6) {
				continue
			}
			jobs = append(jobs, job{zone: z, subject: ip.String(), query: IPName(ip, z.Zone)})
		}
	}
	seen := map[string]bool{}
	n := 0
	for _, d := range domains {
		d = strings.ToLower(strings.TrimSuffix(strings.TrimSpace(d), "."))
		if seen[d] {
			continue
		}
		seen[d] = true
		n++
		for _, z := range zones {
			if z.Kind != Domain {
				continue
			}
			j := job{zone: z, subject: d}
			switch {
			case n > MaxSubjects:
				j.err = fmt.Errorf("%w: more than %d domains in one call", ErrBadSubject, MaxSubjects)
			default:
				j.query, j.err = DomainName(d, z)
			}
			jobs = append(jobs, j)
		}
	}

	out := make([]Result, len(jobs))
	limit := opts.Concurrency
	if limit <= 0 {
		limit = DefaultConcurrency
	}
	sem := make(chan struct{}, limit)
	var wg sync.WaitGroup
	for i, j := range jobs {
		out[i] = Result{Zone: j.zone.Zone, List: j.zone.Name, Kind: j.zone.Kind, Subject: j.subject, Query: j.query}
		if j.err != nil {
			out[i].Status, out[i].Err = Error, j.err
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				out[i].Status, out[i].Err = Error, resolve.ContextError(ctx.Err())
				return
			}
			defer func() { <-sem }()
			queryBlocklist(ctx, r, j.zone, &out[i], opts)
		}()
	}
	wg.Wait()
	return out
}

// queryBlocklist runs one query and reads its answer with the zone's table.
func queryBlocklist(ctx context.Context, r resolve.Resolver, z Zone, res *Result, opts Options) {
	addrs, err := r.LookupA(ctx, res.Query)
	switch {
	case resolve.IsNotFound(err):
		res.Status = NotListed
		return
	case errors.Is(err, resolve.ErrRefused):
		res.Status, res.Err = Refused, err
		return
	case err != nil:
		res.Status, res.Err = Error, err
		return
	}
	res.Codes = addrs
	res.Status, res.Meanings, res.Err = ClassifyAnswer(z, addrs)
	if res.Status == Listed && !opts.NoReason {
		if txt, err := r.LookupTXT(ctx, res.Query); err == nil && len(txt) > 0 {
			res.Reason = txt[0]
		}
	}
}

// ClassifyAnswer reads the answer addresses of a listing query
// with the zone's return-code table. A refusal code anywhere in the answer
// makes the whole answer a refusal.
func ClassifyAnswer(z Zone, addrs []netip.Addr) (Status, []string, error) {
	if len(addrs) == 0 {
		return NotListed, nil, nil
	}
	loopback := netip.MustParsePrefix("127.0.0.0/8")
	for _, a := range addrs {
		a = a.Unmap()
		for _, c := range z.Codes {
			if c.Refused && c.Match.IsValid() && c.Match.Contains(a) {
				return Refused, []string{c.Meaning}, fmt.Errorf("%w: %s answered %s", ErrRefused, z.Zone, a)
			}
		}
		if !a.Is4() || !loopback.Contains(a) {
			return Error, nil, fmt.Errorf("%w: %s answered %s", ErrBadAnswer, z.Zone, a)
		}
	}
	var meanings []string
	add := func(m string) {
		for _, x := range meanings {
			if x == m {
				return
			}
		}
		meanings = append(meanings, m)
	}
	for _, a := range addrs {
		a = a.Unmap()
		found := false
		for _, c := range z.Codes {
			if c.Refused {
				continue
			}
			var hit bool
			if z.Bitmask && c.Bit != 0 {
				hit = a.As4()[3]&c.Bit != 0
			} else {
				hit = c.Match.IsValid() && c.Match.Contains(a)
			}
			if hit {
				add(c.Meaning)
				found = true
			}
		}
		if !found {
			add("listed (code " + a.String() + ")")
		}
	}
	return Listed, meanings, nil
}

// IPName is the name to query for ip on zone: the octets of an
// IPv4 address reversed (RFC 5782 §2.1) or the 32 nibbles of an IPv6
// address reversed (§2.4), then the zone.
func IPName(ip netip.Addr, zone string) string {
	rev := resolve.ReverseName(ip)
	rev = strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(rev, "in-addr.arpa."), "ip6.arpa."), ".")
	return rev + "." + strings.TrimSuffix(zone, ".")
}

// DomainName is the name to query for domain on a domain zone
// (RFC 5782 §2.3), reduced to the registrable domain when the zone asks for
// it.
func DomainName(domain string, z Zone) (string, error) {
	d := strings.ToLower(strings.TrimSuffix(domain, "."))
	if _, err := netip.ParseAddr(strings.Trim(d, "[]")); err == nil {
		return "", fmt.Errorf("%w: %q is an IP address; check it on an IP list", ErrBadSubject, domain)
	}
	// Link domains may be written in Unicode; lists hold A-labels
	// (RFC 5891).
	if a, err := idna.Lookup.ToASCII(d); err == nil {
		d = a
	}
	if _, ok := resolve.CheckName(d); !ok || !strings.Contains(d, ".") {
		return "", fmt.Errorf("%w: %q", ErrBadSubject, domain)
	}
	if z.Registrable {
		if reg, err := publicsuffix.EffectiveTLDPlusOne(d); err == nil {
			d = reg
		}
	}
	name := d + "." + strings.TrimSuffix(z.Zone, ".")
	if _, ok := resolve.CheckName(name); !ok {
		return "", fmt.Errorf("%w: %q is too long to query on %s", ErrBadSubject, domain, z.Zone)
	}
	return name, nil
}
