// DMARC policy and organisational-domain discovery, both ways: the RFC 7489
// §6.6.3 lookup at the author domain then its Public Suffix List
// organisational domain, and the RFC 9989 §4.10 DNS tree walk.

package dmarc

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/bouncekit/bouncekit/authcheck/psl"
	"github.com/bouncekit/bouncekit/authcheck/resolve"
)

// dmarcMaxWalkLabels is the RFC 9989 §4.10 limit: after the author domain,
// a walk starts at no more than 7 labels, so at most 8 names are queried.
const dmarcMaxWalkLabels = 7

// Query is one step of a discovery trace.
type Query struct {
	Name    string `json:"name"`    // the _dmarc name queried
	Outcome string `json:"outcome"` // "record", "none", "multiple", "invalid", "temperror"
	Record  string `json:"record,omitempty"`
}

// Discovery is the result of Discover. Fields under the RFC 9989
// tree walk are the primary answer; the PSL fields give the RFC 7489 answer
// beside them.
type Discovery struct {
	Domain string `json:"domain"` // the author (RFC5322.From) domain

	// RFC 9989 §4.10.1: the first valid record walking up from Domain.
	Record       *Record `json:"record,omitempty"`
	PolicyDomain string  `json:"policy_domain,omitempty"`
	// RFC 9989 §4.10.2: the organisational domain found by the tree walk.
	OrgDomain string `json:"org_domain"`

	// RFC 7489 §6.6.3: the record at Domain, else at its PSL organisational domain.
	PSLRecord       *Record `json:"psl_record,omitempty"`
	PSLPolicyDomain string  `json:"psl_policy_domain,omitempty"`
	// RFC 7489 §3.2: the organisational domain by the Public Suffix List.
	PSLOrgDomain string `json:"psl_org_domain"`

	// Invalid holds DMARC records that were found but could not be parsed,
	// with the name they were at; they count as absent (RFC 7489 §6.6.3).
	Invalid []error `json:"-"`
	// Err is set when a lookup failed temporarily: the discovery is then
	// incomplete and must be read as temperror, not as "no record".
	Err   error   `json:"-"`
	Trace []Query `json:"trace"`
}

// OrgDomainsDisagree reports whether the two methods found different
// organisational domains.
func (d *Discovery) OrgDomainsDisagree() bool {
	return d.PSLOrgDomain != "" && d.OrgDomain != "" && d.PSLOrgDomain != d.OrgDomain
}

// PoliciesDisagree reports whether the two methods apply different records.
func (d *Discovery) PoliciesDisagree() bool { return d.PolicyDomain != d.PSLPolicyDomain }

// EffectivePolicy is the policy requested for mail from Domain (RFC 7489
// §6.6.3, RFC 9989 §4.10.1): p= when the record is at Domain itself, else
// sp= (or p=), and np= (or sp=, or p=) when domainExists is false. It is ""
// when there is no record.
func (d *Discovery) EffectivePolicy(domainExists bool) Policy {
	r := d.Record
	if r == nil {
		return ""
	}
	if d.PolicyDomain == d.Domain {
		return r.Policy
	}
	if !domainExists && r.NonexistentPolicy != "" {
		return r.NonexistentPolicy
	}
	if r.SubdomainPolicy != "" {
		return r.SubdomainPolicy
	}
	return r.Policy
}

type dmarcAt struct {
	rec *Record
	err error // temp DNS error
}

// Discover finds the DMARC record and organisational domain for the
// author domain by both methods. The lookups are shared: each _dmarc name is
// queried at most once. A temporary DNS failure stops the walk and sets Err.
// It never returns nil.
func Discover(ctx context.Context, r resolve.Resolver, domain string) *Discovery {
	domain = strings.ToLower(strings.TrimSuffix(strings.TrimSpace(domain), "."))
	d := &Discovery{Domain: domain}
	cache := map[string]dmarcAt{}
	at := func(name string) dmarcAt {
		if v, ok := cache[name]; ok {
			return v
		}
		v := d.query(ctx, r, name)
		cache[name] = v
		return v
	}
	if domain == "" {
		d.Err = fmt.Errorf("dmarc: empty domain")
		return d
	}

	// RFC 9989 §4.10: the walk. Policy: first record. Org domain: stop at
	// psd=n (this one) or psd=y (one label below it); else the highest
	// name with a record; else the author domain.
	labels := strings.Split(domain, ".")
	var highest string
	for _, name := range dmarcWalk(domain) {
		v := at(name)
		if v.err != nil {
			d.Err = v.err
			break
		}
		if v.rec == nil {
			continue
		}
		if d.Record == nil {
			d.Record, d.PolicyDomain = v.rec, name
		}
		if v.rec.PSD == PSDNo {
			d.OrgDomain = name
			break
		}
		if v.rec.PSD == PSDYes {
			n := strings.Count(name, ".") + 1
			if n < len(labels) {
				d.OrgDomain = strings.Join(labels[len(labels)-n-1:], ".")
			} else {
				d.OrgDomain = name
			}
			break
		}
		highest = name
	}
	if d.OrgDomain == "" && d.Err == nil {
		d.OrgDomain = highest
		if d.OrgDomain == "" {
			d.OrgDomain = domain
		}
	}

	// RFC 7489 §6.6.3: the author domain, then the PSL organisational domain.
	if org, err := psl.OrgDomain(domain); err == nil {
		d.PSLOrgDomain = org
	} else {
		d.PSLOrgDomain = domain
	}
	if d.Err == nil {
		for _, name := range []string{domain, d.PSLOrgDomain} {
			v := at(name)
			if v.err != nil {
				d.Err = v.err
				break
			}
			if v.rec != nil {
				d.PSLRecord, d.PSLPolicyDomain = v.rec, name
				break
			}
		}
	}
	return d
}

// dmarcWalk lists the names an RFC 9989 §4.10 tree walk queries: the
// domain, then (if it is longer) its 7-label suffix, then one label fewer
// each time down to the top-level domain.
func dmarcWalk(domain string) []string {
	labels := strings.Split(domain, ".")
	out := []string{domain}
	n := min(len(labels)-1, dmarcMaxWalkLabels)
	for ; n >= 1; n-- {
		out = append(out, strings.Join(labels[len(labels)-n:], "."))
	}
	return out
}

// query looks up _dmarc.name and keeps exactly one valid DMARC record
// (RFC 7489 §6.6.3 steps 3-5: non-DMARC TXT records are discarded, several
// DMARC records count as none).
func (d *Discovery) query(ctx context.Context, r resolve.Resolver, name string) dmarcAt {
	qname := "_dmarc." + name
	txts, err := r.LookupTXT(ctx, qname)
	if err != nil {
		if resolve.IsNotFound(err) {
			d.Trace = append(d.Trace, Query{Name: qname, Outcome: "none"})
			return dmarcAt{}
		}
		if errors.Is(err, resolve.ErrCNAMELoop) || errors.Is(err, resolve.ErrBadName) {
			// A misconfiguration, not a passing fault: the name has no
			// usable record, and retrying will not change that.
			d.Trace = append(d.Trace, Query{Name: qname, Outcome: "invalid"})
			d.Invalid = append(d.Invalid, fmt.Errorf("dmarc: %s: %w", qname, err))
			return dmarcAt{}
		}
		d.Trace = append(d.Trace, Query{Name: qname, Outcome: "temperror"})
		return dmarcAt{err: fmt.Errorf("dmarc: %s: %w", qname, err)}
	}
	var recs []string
	for _, t := range txts {
		if isDMARCRecord(t) {
			recs = append(recs, t)
		}
	}
	switch len(recs) {
	case 0:
		d.Trace = append(d.Trace, Query{Name: qname, Outcome: "none"})
		return dmarcAt{}
	case 1:
	default:
		d.Trace = append(d.Trace, Query{Name: qname, Outcome: "multiple", Record: strings.Join(recs, " | ")})
		d.Invalid = append(d.Invalid, fmt.Errorf("%s: %d DMARC records, all discarded: %w", qname, len(recs), ErrMultiple))
		return dmarcAt{}
	}
	rec, err := Parse(recs[0])
	if err != nil {
		d.Trace = append(d.Trace, Query{Name: qname, Outcome: "invalid", Record: recs[0]})
		d.Invalid = append(d.Invalid, fmt.Errorf("%s: %w", qname, err))
		return dmarcAt{}
	}
	d.Trace = append(d.Trace, Query{Name: qname, Outcome: "record", Record: recs[0]})
	return dmarcAt{rec: rec}
}

// ErrMultiple: several DMARC records at one name, which makes them
// all void (RFC 7489 §6.6.3 step 5, RFC 9989 §4.10).
var ErrMultiple = errors.New("multiple DMARC records")
