package dmarcreport

// This file classifies report rows by what their authentication results
// say about the sender, and turns a source's rows into a class with its
// evidence. The reasoning follows RFC 7489 §3.1 (alignment) and §10.4 /
// RFC 7960 (forwarders and mailing lists break SPF, and lists that modify
// messages break DKIM; ARC, RFC 8617, is how intermediaries vouch).

import "strings"

// Class is what a source is, from its results.
type Class string

// Classes, most trusted first.
const (
	// ClassAuthorized passes DMARC with aligned DKIM and a passing SPF.
	ClassAuthorized Class = "authorized"
	// ClassBrokenDKIM passes DMARC on SPF alone: it does not sign, its
	// signature fails, or it signs with another domain. Forwarding will
	// break it.
	ClassBrokenDKIM Class = "authorized_broken_dkim"
	// ClassForwarder relays the domain's mail: SPF fails at this address
	// while the domain's DKIM signature survives, or the reporter saw ARC
	// or a forwarding override.
	ClassForwarder Class = "forwarder"
	// ClassMailingList re-sends the domain's mail after changing it: the
	// domain's signature fails and SPF passes for the list's own domain,
	// or the reporter says mailing_list.
	ClassMailingList Class = "mailing_list"
	// ClassUnknown authenticates, but only as another domain: a service
	// sending as the domain without being set up for it, or a spoofer
	// with its own domain.
	ClassUnknown Class = "unknown"
	// ClassSpoofing authenticates as nobody.
	ClassSpoofing Class = "spoofing"
)

// classes in order; the index is the class's slot in per-class arrays.
var classes = [...]Class{ClassAuthorized, ClassBrokenDKIM, ClassForwarder, ClassMailingList, ClassUnknown, ClassSpoofing}

const nClasses = len(classes)

func classIndex(c Class) int {
	for i, k := range classes {
		if k == c {
			return i
		}
	}
	return nClasses - 1
}

// Legitimate reports whether mail of the class is the domain's own mail,
// so enforcement that blocks it costs the domain. Unknown sources count as
// legitimate until someone says otherwise: a forgotten CRM looks like
// that.
func (c Class) Legitimate() bool { return c != ClassSpoofing }

// ClassifyRecord classifies one row of a report about domain (the policy
// domain) with DKIM alignment mode adkim.
func ClassifyRecord(r *Record, adkim Alignment) Class {
	f := recordFacts(r, adkim)
	return f.class()
}

type facts struct {
	dkimAligned, spfAligned bool
	spfRawPass              bool // SPF passed for some domain
	ownSigBroken            bool // a signature of the From domain is present and fails
	otherDKIMPass           bool // a signature of another domain passes
	listOverride            bool
	forwardOverride         bool
	arc                     bool
}

func recordFacts(r *Record, adkim Alignment) facts {
	f := facts{dkimAligned: r.DKIM == ResultPass, spfAligned: r.SPF == ResultPass}
	for _, s := range r.SPFResults {
		if s.Result == SPFPass {
			f.spfRawPass = true
		}
	}
	for _, d := range r.DKIMResults {
		own := aligned(d.Domain, r.HeaderFrom, adkim)
		switch {
		case own && (d.Result == DKIMFail || d.Result == DKIMPermError || d.Result == DKIMNeutral || d.Result == DKIMPolicy):
			f.ownSigBroken = true
		case !own && d.Result == DKIMPass:
			f.otherDKIMPass = true
		}
	}
	for _, rs := range r.Reasons {
		switch rs.Type {
		case OverrideMailingList:
			f.listOverride = true
		case OverrideForwarded, OverrideTrustedForwarder:
			f.forwardOverride = true
		}
		// Microsoft and Google put the ARC verdict in the comment.
		if c := strings.ToLower(rs.Comment); strings.Contains(c, "arc=pass") || strings.Contains(c, "arc pass") {
			f.arc = true
		}
	}
	return f
}

func (f facts) class() Class {
	switch {
	case f.dkimAligned && (f.spfAligned || f.spfRawPass):
		return ClassAuthorized
	case f.dkimAligned:
		// The signature survived, SPF did not: the address is not one the
		// envelope domain authorises, which is what forwarding looks like.
		return ClassForwarder
	case f.spfAligned:
		return ClassBrokenDKIM
	case f.listOverride:
		return ClassMailingList
	case f.forwardOverride || f.arc:
		return ClassForwarder
	case f.ownSigBroken && f.spfRawPass:
		// RFC 7960 §3.2.3: a list changes the body or Subject and sends from
		// its own envelope domain.
		return ClassMailingList
	case f.ownSigBroken:
		return ClassForwarder
	case f.otherDKIMPass || f.spfRawPass:
		return ClassUnknown
	}
	return ClassSpoofing
}
