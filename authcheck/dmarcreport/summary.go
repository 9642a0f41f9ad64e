package dmarcreport

// This file gives an Aggregate's contents as plain, ordered values: per
// domain, per day and per source, each source with its class and the
// evidence for it.

import (
	"cmp"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"
)

// DomainSummary is what the reports say about one policy domain. It is a
// plain value, built fresh by each Summary call.
type DomainSummary struct {
	Domain string `json:"domain"`
	// Policy is the record the most recent report saw published.
	Policy  PolicyPublished `json:"-"`
	Reports int             `json:"reports"`
	Begin   time.Time       `json:"begin"`
	End     time.Time       `json:"end"`
	Counts
	Reporters []NameCount `json:"reporters"`
	Days      []Day       `json:"days"`
	// Sources are ordered by volume, largest first, then by address.
	Sources []Source `json:"sources"`
}

// Day is one UTC day's share of the reports.
type Day struct {
	Date string `json:"date"` // YYYY-MM-DD
	Counts
}

// NameCount is a name with the messages it was seen on.
type NameCount struct {
	Name     string `json:"name"`
	Messages int64  `json:"messages"`
}

// AuthCount is a raw DKIM or SPF result for one domain, and whether that
// domain aligns with the From domain.
type AuthCount struct {
	Domain   string `json:"domain"`
	Result   string `json:"result"`
	Aligned  bool   `json:"aligned"`
	Messages int64  `json:"messages"`
}

// ClassCount is the messages of a source whose rows read as one class.
type ClassCount struct {
	Class    Class `json:"class"`
	Messages int64 `json:"messages"`
}

// Source is one sending address of a domain's mail.
type Source struct {
	// IP is invalid for rows whose address could not be read, and for
	// the addresses past AggregateOptions.MaxSourcesPerDomain.
	IP netip.Addr `json:"ip"`
	// PTR is the address's name when ResolvePTR found one.
	PTR string `json:"ptr,omitempty"`
	// Org is the organisation behind the source: from the PTR name, else
	// from the domains it authenticated as (see OrgOf).
	Org string `json:"org,omitempty"`
	Counts
	Class        Class        `json:"class"`
	Evidence     []string     `json:"evidence"`
	Classes      []ClassCount `json:"classes"`
	DKIM         []AuthCount  `json:"dkim"`
	SPF          []AuthCount  `json:"spf"`
	HeaderFrom   []NameCount  `json:"header_from"`
	EnvelopeFrom []NameCount  `json:"envelope_from"`
	Overrides    []NameCount  `json:"overrides"`
	Reporters    []NameCount  `json:"reporters"`
}

// Summary gives the summary of one policy domain.
func (a *Aggregate) Summary(domain string) (DomainSummary, bool) {
	d, ok := a.domains[domain]
	if !ok {
		return DomainSummary{Domain: domain}, false
	}
	out := DomainSummary{
		Domain: domain, Policy: d.policy, Reports: d.reports,
		Begin: d.begin, End: d.end, Counts: d.totals,
		Reporters: sortNames(d.reporters),
	}
	days := make([]int64, 0, len(d.days))
	for k := range d.days {
		days = append(days, k)
	}
	slices.Sort(days)
	for _, k := range days {
		out.Days = append(out.Days, Day{Date: time.Unix(k*86400, 0).UTC().Format(time.DateOnly), Counts: *d.days[k]})
	}
	for ip, s := range d.sources {
		out.Sources = append(out.Sources, a.source(domain, ip, s))
	}
	slices.SortFunc(out.Sources, func(x, y Source) int {
		if c := cmp.Compare(y.Messages, x.Messages); c != 0 {
			return c
		}
		return x.IP.Compare(y.IP)
	})
	return out, true
}

func (a *Aggregate) source(domain string, ip netip.Addr, s *sourceAgg) Source {
	src := Source{
		IP: ip, PTR: a.ptr[ip], Counts: s.counts,
		DKIM: sortAuth(s.dkim), SPF: sortAuth(s.spf),
		HeaderFrom: sortNames(s.headerFrom), EnvelopeFrom: sortNames(s.envFrom),
		Overrides: sortNames(s.overrides), Reporters: sortNames(s.reporters),
	}
	best := -1
	for i, n := range s.class {
		if n > 0 {
			src.Classes = append(src.Classes, ClassCount{Class: classes[i], Messages: n})
			if best < 0 || n > s.class[best] {
				best = i
			}
		}
	}
	if best < 0 {
		best = nClasses - 1
	}
	src.Class = classes[best]
	src.Org, src.Evidence = evidence(domain, &src, s)
	return src
}

// evidence names the source's organisation and says why it got its class.
func evidence(domain string, src *Source, s *sourceAgg) (string, []string) {
	var ev []string
	org, known := OrgOf(src.PTR)
	if src.PTR != "" {
		if known {
			ev = append(ev, fmt.Sprintf("PTR %s: %s", src.PTR, org))
		} else {
			ev = append(ev, "PTR "+src.PTR)
		}
	}
	if !known {
		// The built-in table also knows the providers' signing and bounce
		// domains: a source signing d=sendgrid.net is SendGrid.
		for _, list := range [][]AuthCount{src.DKIM, src.SPF} {
			for _, k := range list {
				if o, ok := OrgOf(k.Domain); ok && k.Result == "pass" {
					org, known = o, true
					ev = append(ev, fmt.Sprintf("authenticates as %s: %s", k.Domain, o))
					break
				}
			}
			if known {
				break
			}
		}
	}
	m := src.Messages
	ev = append(ev, fmt.Sprintf("DMARC pass %d of %d messages (DKIM aligned %d, SPF aligned %d)", src.DMARCPass, m, src.DKIMAligned, src.SPFAligned))
	for i, k := range src.DKIM {
		if i == 3 {
			break
		}
		ev = append(ev, fmt.Sprintf("DKIM d=%s %s%s on %d", k.Domain, k.Result, alignedWord(k.Aligned), k.Messages))
	}
	for i, k := range src.SPF {
		if i == 3 {
			break
		}
		ev = append(ev, fmt.Sprintf("SPF %s %s%s on %d", k.Domain, k.Result, alignedWord(k.Aligned), k.Messages))
	}
	if len(src.DKIM) == 0 {
		ev = append(ev, "no DKIM signature reported")
	}
	for _, o := range src.Overrides {
		ev = append(ev, fmt.Sprintf("reporter override %s on %d", o.Name, o.Messages))
	}
	if s.arc > 0 {
		ev = append(ev, fmt.Sprintf("reporter saw ARC pass on %d", s.arc))
	}
	if src.Class == ClassForwarder && src.PTR != "" && orgDomain(src.PTR) == orgDomain(domain) {
		// Forwarders are other people's servers; one named under the
		// domain itself is more likely its own server missing from SPF.
		ev = append(ev, "the PTR name is under "+orgDomain(domain)+": if this is your own server, add it to SPF")
	}
	if len(src.Classes) > 1 {
		parts := make([]string, len(src.Classes))
		for i, c := range src.Classes {
			parts[i] = fmt.Sprintf("%s %d", c.Class, c.Messages)
		}
		ev = append(ev, "rows read as "+strings.Join(parts, ", "))
	}
	if org == "" {
		// Else the organisation of a domain it authenticated as.
		for _, list := range [][]AuthCount{src.DKIM, src.SPF} {
			for _, k := range list {
				if k.Result == "pass" && org == "" && k.Domain != "(other)" {
					org = orgDomain(k.Domain)
				}
			}
		}
	}
	return org, ev
}

func alignedWord(a bool) string {
	if a {
		return " (aligned)"
	}
	return ""
}
