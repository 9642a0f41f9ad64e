package dmarcreport

// This file maps the elements read by xml.go onto the report model,
// leniently: tokens in another case or under an older name are read as the
// schema's value, missing elements are filled in from what else is known,
// and each such reading is listed as a Repair.

import (
	"math"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"golang.org/x/net/publicsuffix"
)

type reportParser struct {
	rep *Report
	rs  *repairs
	lim Limits
}

// token reads a schema token: exact, in another case, or under an alias.
// Anything else is kept in lower case and noted.
func (p *reportParser) token(field, raw string, valid []string, alias map[string]string) string {
	t := strings.TrimSpace(raw)
	if t == "" {
		return ""
	}
	for _, v := range valid {
		if t == v {
			return t
		}
	}
	l := strings.ToLower(t)
	for _, v := range valid {
		if l == v {
			p.rs.add(RepairCase, field+" "+strconv.Quote(t)+" read as "+strconv.Quote(l))
			return l
		}
	}
	if a, ok := alias[l]; ok {
		p.rs.add(RepairAlias, field+" "+strconv.Quote(t)+" read as "+strconv.Quote(a))
		return a
	}
	if len(l) > 64 {
		l = l[:64]
	}
	p.rs.add(RepairUnknown, field+" "+strconv.Quote(l)+" is not in the schema")
	return l
}

var (
	policyTokens      = []string{"none", "quarantine", "reject"}
	alignTokens       = []string{"r", "s"}
	alignAlias        = map[string]string{"relaxed": "r", "strict": "s"}
	dispositionTokens = []string{"none", "quarantine", "reject", "pass"}
	dispositionAlias  = map[string]string{"quarantined": "quarantine", "rejected": "reject"}
	resultTokens      = []string{"pass", "fail"}
	// Evaluated results are pass or fail (DMARCResultType); some
	// reporters write the raw result there.
	resultAlias = map[string]string{"none": "fail", "neutral": "fail", "softfail": "fail", "hardfail": "fail",
		"temperror": "fail", "permerror": "fail", "policy": "fail", "failed": "fail", "passed": "pass"}
	dkimTokens = []string{"none", "pass", "fail", "policy", "neutral", "temperror", "permerror"}
	dkimAlias  = map[string]string{"hardfail": "fail", "softfail": "fail", "error": "temperror",
		"temp_error": "temperror", "perm_error": "permerror", "unknown": "permerror", "invalid": "permerror"}
	spfTokens = []string{"none", "neutral", "pass", "fail", "softfail", "temperror", "permerror"}
	// "unknown" and "error" are the RFC 4408 names of permerror and
	// temperror (RFC 7208 Appendix C).
	spfAlias = map[string]string{"hardfail": "fail", "soft_fail": "softfail", "unknown": "permerror", "error": "temperror",
		"temp_error": "temperror", "perm_error": "permerror"}
	overrideTokens = []string{"forwarded", "sampled_out", "trusted_forwarder", "mailing_list", "local_policy", "policy_test_mode", "other"}
	overrideAlias  = map[string]string{"forwarder": "forwarded", "mailinglist": "mailing_list", "mailing-list": "mailing_list",
		"trusted-forwarder": "trusted_forwarder", "sampled-out": "sampled_out", "local-policy": "local_policy"}
	testingTokens = []string{"y", "n"}
)

func lowerDomain(s string) string {
	return strings.TrimSuffix(strings.ToLower(strings.TrimSpace(s)), ".")
}

func (p *reportParser) metadata(n *node, h hints) {
	m := &p.rep.Metadata
	m.OrgName = n.get("org_name")
	m.Email = n.get("email")
	m.ExtraContactInfo = n.get("extra_contact_info")
	m.Generator = n.get("generator")
	if n != nil {
		for _, k := range n.kids {
			if k.name == "error" && k.text != "" && len(m.Errors) < 64 {
				m.Errors = append(m.Errors, k.text)
			}
		}
	}
	id := n.get("report_id")
	if len(id) >= 2 && id[0] == '<' && id[len(id)-1] == '>' {
		id = strings.TrimSpace(id[1 : len(id)-1])
		p.rs.add(RepairReportID, "report id unwrapped from <>")
	}
	if id == "" {
		if id = subjectField(h.subject, "Report-ID:"); id != "" {
			p.rs.add(RepairMissing, "report_id missing; taken from the email's Subject")
		}
	}
	m.ReportID = id
	if m.OrgName == "" {
		switch fileOrg, _ := fileNameParts(h.fileName); {
		case h.fromDomain != "":
			m.OrgName = h.fromDomain
			p.rs.add(RepairOrgName, "org_name missing; taken from the report email's domain")
		case fileOrg != "":
			m.OrgName = fileOrg
			p.rs.add(RepairOrgName, "org_name missing; taken from the file name")
		}
	}
	dr := n.child("date_range")
	b, okb := p.timestamp("begin", dr.get("begin"))
	e, oke := p.timestamp("end", dr.get("end"))
	if okb && oke && e.Before(b) {
		b, e = e, b
		p.rs.add(RepairTimestamp, "date_range begin after end; swapped")
	}
	m.Begin, m.End = b, e
}

// timestamp reads a date_range bound: Unix seconds (RFC 7489 Appendix C),
// leniently milliseconds, a decimal or an RFC 3339 time.
func (p *reportParser) timestamp(field, s string) (time.Time, bool) {
	if s == "" {
		return time.Time{}, false
	}
	if v, err := strconv.ParseInt(s, 10, 64); err == nil && v >= 0 {
		// 1e11 seconds is the year 5138: such a value is milliseconds.
		if v > 1e11 {
			p.rs.add(RepairTimestamp, "date_range "+field+" in milliseconds")
			v /= 1000
		}
		if v > 1e11 {
			p.rs.add(RepairTimestamp, "date_range "+field+" out of range; ignored")
			return time.Time{}, false
		}
		return time.Unix(v, 0).UTC(), true
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && f >= 0 && f < 1e11 && !math.IsNaN(f) {
		p.rs.add(RepairTimestamp, "date_range "+field+" not an integer")
		return time.Unix(int64(f), 0).UTC(), true
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		p.rs.add(RepairTimestamp, "date_range "+field+" written as a date")
		return t.UTC(), true
	}
	p.rs.add(RepairTimestamp, "date_range "+field+" unreadable; ignored")
	return time.Time{}, false
}

func (p *reportParser) policy(n *node) {
	pp := &p.rep.Policy
	pp.Domain = lowerDomain(n.get("domain"))
	pp.ADKIM = Alignment(p.token("adkim", n.get("adkim"), alignTokens, alignAlias))
	pp.ASPF = Alignment(p.token("aspf", n.get("aspf"), alignTokens, alignAlias))
	pp.P = Policy(p.token("p", n.get("p"), policyTokens, nil))
	pp.SP = Policy(p.token("sp", n.get("sp"), policyTokens, nil))
	pp.NP = Policy(p.token("np", n.get("np"), policyTokens, nil))
	if s := n.get("pct"); s != "" {
		if v, err := strconv.Atoi(s); err == nil && v >= 0 && v <= 100 {
			pp.Pct, pp.HasPct = v, true
		} else {
			p.rs.add(RepairUnknown, "pct "+strconv.Quote(trunc(s))+" is not 0-100; ignored")
		}
	}
	pp.FO = n.get("fo")
	pp.Testing = p.token("testing", n.get("testing"), testingTokens, map[string]string{"yes": "y", "no": "n", "true": "y", "false": "n"})
	pp.DiscoveryMethod = strings.ToLower(n.get("discovery_method"))
}

func trunc(s string) string {
	if len(s) > 64 {
		return s[:64]
	}
	return s
}

func (p *reportParser) record(n *node) {
	var r Record
	row := n.child("row")
	ipText := row.get("source_ip")
	if a, err := netip.ParseAddr(ipText); err == nil {
		if a.Is4In6() {
			a = a.Unmap()
			p.rs.add(RepairSourceIP, "IPv4-mapped source_ip read as IPv4")
		}
		r.SourceIP = a.WithZone("")
	} else {
		r.SourceIPText = trunc(ipText)
		p.rs.add(RepairSourceIP, "source_ip is not an address; kept as text")
	}
	switch c := strings.ReplaceAll(row.get("count"), ",", ""); {
	case c == "":
		// The row stands for at least one message.
		r.Count = 1
		p.rs.add(RepairCount, "count missing; 1 assumed")
	default:
		v, err := strconv.ParseInt(c, 10, 64)
		if err != nil || v < 0 {
			p.rs.add(RepairCount, "count "+strconv.Quote(trunc(c))+" is not a number; 0 assumed")
			v = 0
		}
		r.Count = v
	}
	pe := row.child("policy_evaluated")
	r.Disposition = Disposition(p.token("disposition", pe.get("disposition"), dispositionTokens, dispositionAlias))
	r.DKIM = DMARCResult(p.token("policy_evaluated dkim", pe.get("dkim"), resultTokens, resultAlias))
	r.SPF = DMARCResult(p.token("policy_evaluated spf", pe.get("spf"), resultTokens, resultAlias))
	if pe != nil {
		for _, k := range pe.kids {
			if k.name != "reason" || len(r.Reasons) >= p.lim.MaxAuthResults {
				continue
			}
			t := p.token("reason type", k.get("type"), overrideTokens, overrideAlias)
			c := k.get("comment")
			switch {
			case t == "" && c == "":
				p.rs.add(RepairEmpty, "empty reason dropped")
				continue
			case t == "":
				t = string(OverrideOther)
				p.rs.add(RepairEmpty, "reason without a type read as other")
			}
			r.Reasons = append(r.Reasons, Reason{Type: Override(t), Comment: trunc(c)})
		}
	}
	id := n.child("identifiers")
	r.HeaderFrom = lowerDomain(id.get("header_from"))
	r.EnvelopeFrom = lowerDomain(id.get("envelope_from"))
	r.EnvelopeTo = lowerDomain(id.get("envelope_to"))
	if ar := n.child("auth_results"); ar != nil {
		for _, k := range ar.kids {
			switch k.name {
			case "dkim":
				if len(r.DKIMResults) < p.lim.MaxAuthResults {
					r.DKIMResults = append(r.DKIMResults, DKIMAuth{
						Domain:      lowerDomain(k.get("domain")),
						Selector:    k.get("selector"),
						Result:      DKIMResult(p.token("dkim result", k.get("result"), dkimTokens, dkimAlias)),
						HumanResult: trunc(k.get("human_result")),
					})
				}
			case "spf":
				if len(r.SPFResults) < p.lim.MaxAuthResults {
					r.SPFResults = append(r.SPFResults, SPFAuth{
						Domain: lowerDomain(k.get("domain")),
						Scope:  strings.ToLower(k.get("scope")),
						Result: SPFResult(p.token("spf result", k.get("result"), spfTokens, spfAlias)),
					})
				}
			}
		}
	}
	for _, k := range n.kids {
		switch k.name {
		case "row", "identifiers", "auth_results":
		default:
			p.extension(k.name)
		}
	}
	p.rep.Records = append(p.rep.Records, r)
}

// finish fills what a record or the policy lacks from the rest of the
// report, once all of it is read.
func (p *reportParser) finish(h hints) {
	rep := p.rep
	if rep.Policy.Domain == "" {
		for i := range rep.Records {
			if d := rep.Records[i].HeaderFrom; d != "" {
				rep.Policy.Domain = d
				p.rs.add(RepairMissing, "policy_published domain missing; taken from header_from")
				break
			}
		}
	}
	if rep.Policy.Domain == "" {
		if d := lowerDomain(subjectField(h.subject, "Report Domain:")); d != "" {
			rep.Policy.Domain = d
			p.rs.add(RepairMissing, "policy_published domain missing; taken from the email's Subject")
		}
	}
	if rep.Policy.Domain == "" {
		if _, d := fileNameParts(h.fileName); d != "" {
			rep.Policy.Domain = d
			p.rs.add(RepairMissing, "policy_published domain missing; taken from the file name")
		}
	}
	for i := range rep.Records {
		r := &rep.Records[i]
		if r.HeaderFrom == "" && rep.Policy.Domain != "" {
			r.HeaderFrom = rep.Policy.Domain
			p.rs.add(RepairMissing, "header_from missing; the policy domain assumed")
		}
		// RFC 7489 §3.1: the evaluated results are the aligned ones; when
		// the reporter left them out, align the raw results ourselves
		// (relaxed, or as adkim/aspf say).
		if r.DKIM == "" {
			r.DKIM = ResultFail
			for _, d := range r.DKIMResults {
				if d.Result == DKIMPass && aligned(d.Domain, r.HeaderFrom, rep.Policy.ADKIM) {
					r.DKIM = ResultPass
				}
			}
			p.rs.add(RepairMissing, "policy_evaluated dkim missing; computed from auth_results")
		}
		if r.SPF == "" {
			r.SPF = ResultFail
			for _, s := range r.SPFResults {
				if s.Result == SPFPass && (s.Scope == "" || s.Scope == "mfrom") && aligned(s.Domain, r.HeaderFrom, rep.Policy.ASPF) {
					r.SPF = ResultPass
				}
			}
			p.rs.add(RepairMissing, "policy_evaluated spf missing; computed from auth_results")
		}
		if r.Disposition == "" {
			r.Disposition = DispositionNone
			p.rs.add(RepairMissing, "disposition missing; none assumed")
		}
	}
}

// aligned reports whether an authenticated domain aligns with the From
// domain (RFC 7489 §3.1.1, §3.1.2): equal in strict mode, the same
// organisational domain in relaxed mode.
func aligned(authDomain, fromDomain string, mode Alignment) bool {
	if authDomain == "" || fromDomain == "" {
		return false
	}
	if authDomain == fromDomain {
		return true
	}
	if mode == AlignStrict {
		return false
	}
	return orgDomain(authDomain) == orgDomain(fromDomain)
}

// orgDomain is the registrable domain by the Public Suffix List (RFC 7489
// §3.2), the name itself when it has none.
func orgDomain(d string) string {
	if o, err := publicsuffix.EffectiveTLDPlusOne(d); err == nil {
		return o
	}
	return d
}

// fileNameParts reads the RFC 7489 §7.2.1.1 file name
// "receiver!policy-domain!begin!end[!id].xml[.gz]" into its receiver and
// policy domain, "" when the name has another shape.
func fileNameParts(name string) (org, domain string) {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	f := strings.Split(name, "!")
	if len(f) < 4 {
		return "", ""
	}
	return lowerDomain(f[0]), lowerDomain(f[1])
}
