package segment

// This file interns the keys an Aggregate counts under: attribute names and
// values, providers, campaigns, provider x campaign groups, and recipient
// domains with their segment and provider.

import (
	"strings"

	"golang.org/x/net/publicsuffix"

	"github.com/bouncekit/bouncekit/classify"
)

func (a *Aggregate) newAttr(name string) uint16 {
	id := uint16(len(a.attrs))
	a.attrs = append(a.attrs, &attrTable{name: name, ids: map[string]uint32{}, values: []string{OtherValue}})
	a.attrIndex[name] = id
	return id
}

// attrID returns the ID of a free attribute, ok false when the cap is
// reached. A free attribute named like a built-in one is renamed "attr_"+name.
func (a *Aggregate) attrID(name string) (uint16, bool) {
	id, ok := a.attrIndex[name]
	if ok && id >= numBuiltin {
		return id, true
	}
	if ok {
		return a.attrID("attr_" + name)
	}
	if len(a.attrs)-int(numBuiltin) >= a.opt.MaxAttributes {
		return 0, false
	}
	return a.newAttr(strings.Clone(name)), true
}

// valueID interns v for attribute t; 0 (OtherValue) beyond the cap.
func (a *Aggregate) valueID(t *attrTable, v string) uint32 {
	if v == t.last && t.lastID != 0 {
		return t.lastID
	}
	// Most attributes have a handful of values; comparing a few strings
	// is cheaper than hashing one.
	if len(t.values) <= 9 {
		for id := 1; id < len(t.values); id++ {
			if t.values[id] == v {
				t.last, t.lastID = t.values[id], uint32(id)
				return uint32(id)
			}
		}
	} else if id, ok := t.ids[v]; ok {
		t.last, t.lastID = t.values[id], id
		return id
	}
	if v == OtherValue {
		return 0
	}
	if len(t.values)-1 >= a.opt.MaxValuesPerAttr {
		t.folded++
		return 0
	}
	id := uint32(len(t.values))
	v = strings.Clone(v)
	t.values = append(t.values, v)
	t.ids[v] = id
	return id
}

func (a *Aggregate) provID(p classify.Provider) uint32 {
	if id, ok := a.provIndex[p]; ok {
		return id
	}
	id := uint32(len(a.provs))
	a.provs = append(a.provs, &providerState{name: p, win: map[int64]*WindowCounts{}})
	a.provIndex[p] = id
	return id
}

func (a *Aggregate) campID(c string) uint32 {
	if a.lastCamp != nil && c == *a.lastCamp {
		return a.lastCampID
	}
	if id, ok := a.campIndex[c]; ok {
		a.lastCamp, a.lastCampID = &a.camps[id], id
		return id
	}
	if len(a.camps) >= a.opt.MaxCampaigns && c != OtherValue {
		a.campFolded++
		return a.campID(OtherValue)
	}
	id := uint32(len(a.camps))
	c = strings.Clone(c)
	a.camps = append(a.camps, c)
	a.campIndex[c] = id
	return id
}

func (a *Aggregate) group(prov, camp uint32) *group {
	k := uint64(prov)<<32 | uint64(camp)
	if id, ok := a.groupIndex[k]; ok {
		return a.groups[id]
	}
	g := &group{prov: prov, camp: camp}
	a.groupIndex[k] = uint32(len(a.groups))
	a.groups = append(a.groups, g)
	return g
}

// SegmentDomain returns the domain segment and provider of a recipient
// domain: the registrable domain (public suffix list), except for
// Options.KeepDomains, which stay whole.
func (a *Aggregate) SegmentDomain(domain string) (segment string, provider classify.Provider) {
	di := a.domainInfo(domain)
	return a.attrs[attrDomain].values[di.dom], a.provs[di.prov].name
}

// providerOf returns the provider of a recipient domain without counting
// anything under it (a filter asks before the event is counted).
func (a *Aggregate) providerOf(dom string) classify.Provider {
	if di, ok := a.domains[dom]; ok {
		return a.provs[di.prov].name
	}
	_, p := a.resolveDomain(strings.ToLower(strings.TrimSuffix(dom, ".")))
	return p
}

func (a *Aggregate) domainInfo(dom string) domInfo {
	if dom == a.lastDom && dom != "" {
		return a.lastDI
	}
	if di, ok := a.domains[dom]; ok {
		a.lastDom, a.lastDI = a.attrs[attrDomain].values[di.dom], di
		if a.lastDom != dom {
			a.lastDom = "" // the key differs in case or form: no shortcut
		}
		return di
	}
	low := strings.ToLower(strings.TrimSuffix(dom, "."))
	seg, prov := a.resolveDomain(low)
	di := domInfo{prov: a.provID(prov), dom: a.valueID(a.attrs[attrDomain], seg)}
	if len(a.domains) < maxDomainCache {
		a.domains[strings.Clone(dom)] = di
	}
	return di
}

func (a *Aggregate) resolveDomain(dom string) (string, classify.Provider) {
	if dom == "" {
		return "(none)", ProviderNone
	}
	seg := dom
	keep := false
	for _, k := range a.opt.KeepDomains {
		if dom == k || strings.HasSuffix(dom, "."+k) {
			seg, keep = k, true
			break
		}
	}
	if !keep {
		if r, err := publicsuffix.EffectiveTLDPlusOne(dom); err == nil {
			seg = r
		}
	}
	if p, ok := a.regProv[seg]; ok {
		return seg, p
	}
	p := providerForDomain(a.opt.Classifier, seg)
	if p == "" && seg != dom {
		p = providerForDomain(a.opt.Classifier, dom)
	}
	if p == "" && a.opt.ProviderFor != nil {
		p = a.opt.ProviderFor(seg)
	}
	if p == "" {
		p = ProviderOther
	}
	if len(a.regProv) < maxDomainCache {
		a.regProv[seg] = p
	}
	return seg, p
}
