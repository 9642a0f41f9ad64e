package dmarcreport

// This file aggregates reports: per policy domain, per UTC day and per
// source address, streaming (one report at a time, nothing of it kept) and
// mergeable (aggregates of disjoint inputs built in parallel combine into
// the one a single pass would give).

import (
	"cmp"
	"net/netip"
	"slices"
	"time"
)

// AggregateOptions bound an Aggregate's memory. The zero value works.
type AggregateOptions struct {
	// MaxSourcesPerDomain is the number of source addresses kept per
	// domain: default 100,000. Rows from further addresses count in one
	// source with an invalid IP.
	MaxSourcesPerDomain int
	// MaxNames is the number of distinct names (DKIM domains, envelope
	// domains, reporters...) kept per source: default 32; the rest count
	// under "(other)".
	MaxNames int
}

// Aggregate sums reports. Add and Merge are not safe for concurrent use;
// build one Aggregate per goroutine and Merge them.
type Aggregate struct {
	opt        AggregateOptions
	domains    map[string]*domainAgg
	seen       map[reportKey]struct{}
	ptr        map[netip.Addr]string
	reports    int
	duplicates int
}

type reportKey struct{ org, id string }

type domainAgg struct {
	policy    PolicyPublished
	policyAt  time.Time // End of the report the policy came from
	hasPolicy bool
	reports   int
	begin     time.Time
	end       time.Time
	totals    Counts
	days      map[int64]*Counts
	sources   map[netip.Addr]*sourceAgg
	reporters map[string]int64
}

type sourceAgg struct {
	counts     Counts
	class      [nClasses]int64
	headerFrom map[string]int64
	envFrom    map[string]int64
	reporters  map[string]int64
	dkim       map[authKey]int64
	spf        map[authKey]int64
	overrides  map[string]int64
	arc        int64
}

type authKey struct {
	domain  string
	result  string
	aligned bool
}

// NewAggregate returns an empty Aggregate.
func NewAggregate(opt AggregateOptions) *Aggregate {
	if opt.MaxSourcesPerDomain <= 0 {
		opt.MaxSourcesPerDomain = 100_000
	}
	if opt.MaxNames <= 0 {
		opt.MaxNames = 32
	}
	return &Aggregate{opt: opt, domains: map[string]*domainAgg{}, seen: map[reportKey]struct{}{}, ptr: map[netip.Addr]string{}}
}

// Reports is the number of reports added, duplicates not counted.
func (a *Aggregate) Reports() int { return a.reports }

// Duplicates is the number of reports skipped because a report with the
// same org name and report id was added before.
func (a *Aggregate) Duplicates() int { return a.duplicates }

// Add adds a report. It returns false, adding nothing, when a report with
// the same org name and report id was added before: reporters resend, and
// the same report often arrives at two mailboxes (RFC 7489 §7.2 makes the
// pair unique). A report without an id is always added.
func (a *Aggregate) Add(r *Report) bool {
	if r == nil {
		return false
	}
	if r.Metadata.ReportID != "" {
		k := reportKey{r.Metadata.OrgName, r.Metadata.ReportID}
		if _, dup := a.seen[k]; dup {
			a.duplicates++
			return false
		}
		a.seen[k] = struct{}{}
	}
	a.reports++
	d := a.domain(r.Policy.Domain)
	d.reports++
	d.takePolicy(r.Policy, r.Metadata.End)
	if !r.Metadata.Begin.IsZero() && (d.begin.IsZero() || r.Metadata.Begin.Before(d.begin)) {
		d.begin = r.Metadata.Begin
	}
	if r.Metadata.End.After(d.end) {
		d.end = r.Metadata.End
	}
	shares := spreadDays(r.Metadata.Begin, r.Metadata.End)
	var total Counts
	org := r.Metadata.OrgName
	for i := range r.Records {
		rec := &r.Records[i]
		c := countsOf(rec)
		total.Add(c)
		s := d.source(rec.SourceIP, a.opt.MaxSourcesPerDomain)
		s.counts.Add(c)
		n := rec.Count
		f := recordFacts(rec, r.Policy.ADKIM)
		s.class[classIndex(f.class())] += n
		if f.arc {
			s.arc += n
		}
		s.headerFrom = bump(s.headerFrom, rec.HeaderFrom, n, a.opt.MaxNames)
		s.envFrom = bump(s.envFrom, rec.EnvelopeFrom, n, a.opt.MaxNames)
		s.reporters = bump(s.reporters, org, n, a.opt.MaxNames)
		for _, k := range rec.DKIMResults {
			s.dkim = bumpAuth(s.dkim, authKey{k.Domain, string(k.Result), aligned(k.Domain, rec.HeaderFrom, r.Policy.ADKIM)}, n, a.opt.MaxNames)
		}
		for _, k := range rec.SPFResults {
			s.spf = bumpAuth(s.spf, authKey{k.Domain, string(k.Result), aligned(k.Domain, rec.HeaderFrom, r.Policy.ASPF)}, n, a.opt.MaxNames)
		}
		for _, rs := range rec.Reasons {
			s.overrides = bump(s.overrides, string(rs.Type), n, a.opt.MaxNames)
		}
	}
	d.totals.Add(total)
	d.reporters = bump(d.reporters, org, total.Messages, a.opt.MaxNames*4)
	spread(total, shares, func(day int64, c Counts) {
		dc := d.days[day]
		if dc == nil {
			dc = &Counts{}
			d.days[day] = dc
		}
		dc.Add(c)
	})
	return true
}

func (a *Aggregate) domain(name string) *domainAgg {
	d := a.domains[name]
	if d == nil {
		d = &domainAgg{days: map[int64]*Counts{}, sources: map[netip.Addr]*sourceAgg{}}
		a.domains[name] = d
	}
	return d
}

// takePolicy keeps the policy of the most recent report; between reports
// ending at the same time the choice depends on the policies only, so that
// the order of Add and Merge does not change it.
func (d *domainAgg) takePolicy(p PolicyPublished, at time.Time) {
	if !d.hasPolicy || at.After(d.policyAt) ||
		at.Equal(d.policyAt) && p.Domain+p.String() > d.policy.Domain+d.policy.String() {
		d.policy, d.policyAt, d.hasPolicy = p, at, true
	}
}

func (d *domainAgg) source(ip netip.Addr, max int) *sourceAgg {
	s := d.sources[ip]
	if s == nil {
		if len(d.sources) >= max {
			ip = netip.Addr{}
			if s = d.sources[ip]; s != nil {
				return s
			}
		}
		s = &sourceAgg{}
		d.sources[ip] = s
	}
	return s
}

func bump(m map[string]int64, k string, n int64, max int) map[string]int64 {
	if k == "" {
		return m
	}
	if m == nil {
		m = map[string]int64{}
	}
	if _, ok := m[k]; !ok && len(m) >= max {
		k = "(other)"
	}
	m[k] = addSat(m[k], n)
	return m
}

func bumpAuth(m map[authKey]int64, k authKey, n int64, max int) map[authKey]int64 {
	if m == nil {
		m = map[authKey]int64{}
	}
	if _, ok := m[k]; !ok && len(m) >= max {
		k = authKey{domain: "(other)", result: k.result}
	}
	m[k] = addSat(m[k], n)
	return m
}

// Merge adds everything of o to a. Reports seen by both (same org name and
// report id) cannot be taken back out and count in Duplicates: shard the
// input so that each report reaches one aggregate, or deduplicate before.
func (a *Aggregate) Merge(o *Aggregate) {
	for k := range o.seen {
		if _, dup := a.seen[k]; dup {
			a.duplicates++
		}
		a.seen[k] = struct{}{}
	}
	a.reports += o.reports
	a.duplicates += o.duplicates
	for ip, name := range o.ptr {
		if _, ok := a.ptr[ip]; !ok {
			a.ptr[ip] = name
		}
	}
	for name, od := range o.domains {
		d := a.domain(name)
		d.reports += od.reports
		if od.reports > 0 {
			d.takePolicy(od.policy, od.policyAt)
		}
		if !od.begin.IsZero() && (d.begin.IsZero() || od.begin.Before(d.begin)) {
			d.begin = od.begin
		}
		if od.end.After(d.end) {
			d.end = od.end
		}
		d.totals.Add(od.totals)
		for k, n := range od.reporters {
			d.reporters = bump(d.reporters, k, n, a.opt.MaxNames*4)
		}
		for day, c := range od.days {
			dc := d.days[day]
			if dc == nil {
				dc = &Counts{}
				d.days[day] = dc
			}
			dc.Add(*c)
		}
		for ip, os := range od.sources {
			s := d.source(ip, a.opt.MaxSourcesPerDomain)
			s.counts.Add(os.counts)
			for i := range s.class {
				s.class[i] = addSat(s.class[i], os.class[i])
			}
			s.arc = addSat(s.arc, os.arc)
			for k, n := range os.headerFrom {
				s.headerFrom = bump(s.headerFrom, k, n, a.opt.MaxNames)
			}
			for k, n := range os.envFrom {
				s.envFrom = bump(s.envFrom, k, n, a.opt.MaxNames)
			}
			for k, n := range os.reporters {
				s.reporters = bump(s.reporters, k, n, a.opt.MaxNames)
			}
			for k, n := range os.overrides {
				s.overrides = bump(s.overrides, k, n, a.opt.MaxNames)
			}
			for k, n := range os.dkim {
				s.dkim = bumpAuth(s.dkim, k, n, a.opt.MaxNames)
			}
			for k, n := range os.spf {
				s.spf = bumpAuth(s.spf, k, n, a.opt.MaxNames)
			}
		}
	}
}

// DomainNames lists the policy domains seen, sorted.
func (a *Aggregate) DomainNames() []string {
	out := make([]string, 0, len(a.domains))
	for d := range a.domains {
		out = append(out, d)
	}
	slices.Sort(out)
	return out
}

// Summaries gives every domain's summary, sorted by domain.
func (a *Aggregate) Summaries() []DomainSummary {
	var out []DomainSummary
	for _, name := range a.DomainNames() {
		s, _ := a.Summary(name)
		out = append(out, s)
	}
	return out
}

// sortNames turns a count map into a slice, largest first, then by name.
func sortNames(m map[string]int64) []NameCount {
	out := make([]NameCount, 0, len(m))
	for k, n := range m {
		out = append(out, NameCount{Name: k, Messages: n})
	}
	slices.SortFunc(out, func(x, y NameCount) int {
		if c := cmp.Compare(y.Messages, x.Messages); c != 0 {
			return c
		}
		return cmp.Compare(x.Name, y.Name)
	})
	return out
}

func sortAuth(m map[authKey]int64) []AuthCount {
	out := make([]AuthCount, 0, len(m))
	for k, n := range m {
		out = append(out, AuthCount{Domain: k.domain, Result: k.result, Aligned: k.aligned, Messages: n})
	}
	slices.SortFunc(out, func(x, y AuthCount) int {
		if c := cmp.Compare(y.Messages, x.Messages); c != 0 {
			return c
		}
		if c := cmp.Compare(x.Domain, y.Domain); c != 0 {
			return c
		}
		return cmp.Compare(x.Result, y.Result)
	})
	return out
}
