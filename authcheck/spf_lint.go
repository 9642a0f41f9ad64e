// SPF lint: walk a domain's whole include/redirect tree whatever the client
// address, and report what would break or weaken SPF for some sender (RFC
// 7208 §4.6.4 limits, §5.5 ptr, §3.2 multiple records, §3.4 record size).

package authcheck

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
)

// SPFLintCode is a stable identifier of a lint issue.
type SPFLintCode string

// The lint codes; each comment names the rule it follows.
const (
	SPFLintMissing         SPFLintCode = "spf.missing"               // RFC 7208 §4.5: no record, result none
	SPFLintMultiple        SPFLintCode = "spf.multiple_records"      // RFC 7208 §3.2, §4.5: permerror
	SPFLintSyntax          SPFLintCode = "spf.syntax"                // RFC 7208 §4.6: permerror
	SPFLintTooManyLookups  SPFLintCode = "spf.too_many_lookups"      // RFC 7208 §4.6.4: more than 10
	SPFLintTooManyVoid     SPFLintCode = "spf.too_many_void_lookups" // RFC 7208 §4.6.4: more than 2
	SPFLintVoidLookup      SPFLintCode = "spf.void_lookup"           // RFC 7208 §4.6.4: a term that finds nothing
	SPFLintTooManyMX       SPFLintCode = "spf.too_many_mx"           // RFC 7208 §4.6.4: mx with over 10 records
	SPFLintPTR             SPFLintCode = "spf.ptr"                   // RFC 7208 §5.5: SHOULD NOT be used
	SPFLintPlusAll         SPFLintCode = "spf.plus_all"              // RFC 7208 §5.1: +all authorises everyone
	SPFLintNeutralAll      SPFLintCode = "spf.neutral_all"           // RFC 7208 §2.6.2: ?all asserts nothing
	SPFLintNoAll           SPFLintCode = "spf.no_all"                // RFC 7208 §4.7: default result neutral
	SPFLintRecordTooLong   SPFLintCode = "spf.record_too_long"       // RFC 7208 §3.4: keep under 512 bytes
	SPFLintLongString      SPFLintCode = "spf.long_string"           // RFC 7208 §3.3: strings hold 255 bytes
	SPFLintIncludeLoop     SPFLintCode = "spf.include_loop"          // RFC 7208 §4.6.4: loops end in permerror
	SPFLintIncludeMissing  SPFLintCode = "spf.include_missing"       // RFC 7208 §5.2, §6.1: permerror
	SPFLintRedirectIgnored SPFLintCode = "spf.redirect_ignored"      // RFC 7208 §6.1: all wins over redirect
	SPFLintMacroTarget     SPFLintCode = "spf.macro_target"          // RFC 7208 §7: depends on the sender
	SPFLintDNSError        SPFLintCode = "spf.dns_error"             // RFC 7208 §4.4: temperror
	SPFLintTreeTooLarge    SPFLintCode = "spf.tree_too_large"        // lint bound, see SPFLintMaxRecords
	SPFLintAfterAll        SPFLintCode = "spf.after_all"             // RFC 7208 §5.1: terms after all are never tested
)

// SPFLintMaxRecords bounds the records one lint walks; a tree of 300
// includes is reported, not walked whole.
const SPFLintMaxRecords = 50

// SPFLintIssue is one problem found by LintSPF.
type SPFLintIssue struct {
	Code     SPFLintCode
	Severity Severity
	Domain   string // the domain whose record has the problem
	Term     string // the term concerned, "" for the record
	Message  string
}

func (i SPFLintIssue) String() string {
	return fmt.Sprintf("%s %s %s: %s", i.Severity, i.Code, i.Domain, i.Message)
}

// SPFLintNode is one record of the tree.
type SPFLintNode struct {
	Domain string
	Via    string // "include", "redirect", or "" for the root
	Record string // "" when none was found
	// Lookups counts the DNS-querying terms of this record and of
	// everything below it: the branch's share of the limit of 10.
	Lookups  int
	Children []*SPFLintNode
}

// SPFLint is the result of LintSPF.
type SPFLint struct {
	Domain string
	Root   *SPFLintNode
	// Lookups is the total of DNS-querying terms in the tree, the figure
	// check_host reaches when nothing matches early (limit 10).
	Lookups int
	// VoidLookups counts terms whose lookup found nothing (limit 2).
	VoidLookups int
	Issues      []SPFLintIssue // in walk order
}

// LogValue implements slog.LogValuer.
func (l SPFLint) LogValue() slog.Value {
	return slog.GroupValue(slog.String("domain", l.Domain), slog.Int("lookups", l.Lookups),
		slog.Int("void_lookups", l.VoidLookups), slog.Int("issues", len(l.Issues)))
}

// Has reports whether the lint found an issue with code.
func (l SPFLint) Has(code SPFLintCode) bool {
	for _, i := range l.Issues {
		if i.Code == code {
			return true
		}
	}
	return false
}

// LintSPF walks the SPF tree of domain (every include and redirect, at
// most SPFLintMaxRecords records) and reports issues with stable codes.
// Unlike CheckHost it does not stop at the first match or error: it shows
// what every sender would hit. Safe for concurrent use if r is.
func LintSPF(ctx context.Context, r Resolver, domain string) SPFLint {
	r = orNoResolver(r)
	domain = strings.ToLower(strings.TrimSuffix(domain, "."))
	l := &spfLinter{r: r, lint: SPFLint{Domain: domain}}
	l.lint.Root = l.walk(ctx, domain, "", nil)
	l.lint.Lookups = l.lint.Root.Lookups
	if l.lint.Lookups > SPFMaxLookups {
		l.issue(SPFLintTooManyLookups, SeverityError, domain, "",
			"the tree has %d DNS-querying terms; check_host gives permerror past %d", l.lint.Lookups, SPFMaxLookups)
	}
	if l.lint.VoidLookups > SPFMaxVoidLookups {
		l.issue(SPFLintTooManyVoid, SeverityError, domain, "",
			"%d terms find nothing in DNS; check_host gives permerror past %d", l.lint.VoidLookups, SPFMaxVoidLookups)
	}
	return l.lint
}

type spfLinter struct {
	r       Resolver
	lint    SPFLint
	records int
	capped  bool
}

func (l *spfLinter) issue(code SPFLintCode, sev Severity, domain, term, format string, args ...any) {
	l.lint.Issues = append(l.lint.Issues, SPFLintIssue{Code: code, Severity: sev, Domain: domain, Term: term, Message: fmt.Sprintf(format, args...)})
}

// walk lints the record of domain; path holds the domains above it, to
// catch loops.
func (l *spfLinter) walk(ctx context.Context, domain, via string, path []string) *SPFLintNode {
	node := &SPFLintNode{Domain: domain, Via: via}
	if l.records >= SPFLintMaxRecords {
		if !l.capped {
			l.capped = true
			l.issue(SPFLintTreeTooLarge, SeverityError, domain, "", "the tree has more than %d records; the rest was not walked", SPFLintMaxRecords)
		}
		return node
	}
	l.records++
	root := len(path) == 0
	txt, err := fetchSPFRecord(ctx, l.r, domain)
	switch {
	case errors.Is(err, ErrSPFMultipleRecords):
		l.issue(SPFLintMultiple, SeverityError, domain, "", "more than one v=spf1 record: check_host gives permerror")
		return node
	case err != nil:
		l.issue(SPFLintDNSError, SeverityWarning, domain, "", "record lookup failed (temperror): %v", err)
		return node
	case txt == "":
		if root {
			l.issue(SPFLintMissing, SeverityError, domain, "", "no SPF record: receivers get none")
		} else {
			l.issue(SPFLintIncludeMissing, SeverityError, domain, via, "%s target has no SPF record: check_host gives permerror", via)
		}
		return node
	}
	node.Record = txt
	if len(txt) > 512 {
		l.issue(SPFLintRecordTooLong, SeverityWarning, domain, "", "record is %d bytes; over 512 the answer may not fit in UDP", len(txt))
	} else if len(txt) > 255 {
		l.issue(SPFLintLongString, SeverityInfo, domain, "", "record is %d bytes: it must be published as several strings of at most 255 bytes", len(txt))
	}
	rec, err := ParseSPF(txt)
	if err != nil {
		l.issue(SPFLintSyntax, SeverityError, domain, "", "%v", err)
		return node
	}
	path = append(path, domain)
	hasAll := false
	for i, m := range rec.Mechanisms {
		term := m.String()
		if hasAll {
			// §5.1: "all" always matches, so nothing after it is
			// evaluated (or counted).
			l.issue(SPFLintAfterAll, SeverityWarning, domain, term, "%d term(s) after all are never evaluated", len(rec.Mechanisms)-i)
			break
		}
		if m.Kind.countsLookup() {
			node.Lookups++
		}
		target := strings.ToLower(strings.TrimSuffix(m.Domain, "."))
		if target == "" {
			target = domain
		}
		macro := strings.Contains(m.Domain, "%")
		switch m.Kind {
		case SPFAll:
			hasAll = true
			switch m.Qualifier {
			case "", SPFQualPass:
				l.issue(SPFLintPlusAll, SeverityError, domain, term, "+all authorises every host on the internet")
			case SPFQualNeutral:
				l.issue(SPFLintNeutralAll, SeverityWarning, domain, term, "?all makes no assertion: failing hosts get neutral")
			}
		case SPFPTR:
			l.issue(SPFLintPTR, SeverityWarning, domain, term, "ptr is slow, unreliable and SHOULD NOT be used; many receivers skip it")
		case SPFInclude:
			if macro {
				l.issue(SPFLintMacroTarget, SeverityInfo, domain, term, "target depends on the sender; not walked")
				continue
			}
			if spfInPath(path, target) {
				l.issue(SPFLintIncludeLoop, SeverityError, domain, term, "include loops back to %s", target)
				continue
			}
			child := l.walk(ctx, target, "include", path)
			node.Children = append(node.Children, child)
			node.Lookups += child.Lookups
		case SPFA, SPFExists:
			if macro {
				continue
			}
			var err error
			if m.Kind == SPFExists {
				_, err = l.r.LookupA(ctx, target)
			} else {
				_, err = l.lookupAny(ctx, target)
			}
			l.noteLookup(domain, term, target, err)
		case SPFMX:
			if macro {
				continue
			}
			mxs, err := l.r.LookupMX(ctx, target)
			l.noteLookup(domain, term, target, err)
			if len(mxs) > SPFMaxMXRecords {
				l.issue(SPFLintTooManyMX, SeverityError, domain, term, "%s has %d MX records; more than %d is permerror", target, len(mxs), SPFMaxMXRecords)
			}
		}
	}
	if rec.Redirect != "" {
		if !hasAll {
			node.Lookups++
		}
		target := strings.ToLower(strings.TrimSuffix(rec.Redirect, "."))
		switch {
		case hasAll:
			l.issue(SPFLintRedirectIgnored, SeverityWarning, domain, "redirect="+rec.Redirect, "redirect= is never used because the record has all")
		case strings.Contains(rec.Redirect, "%"):
			l.issue(SPFLintMacroTarget, SeverityInfo, domain, "redirect="+rec.Redirect, "target depends on the sender; not walked")
		case spfInPath(path, target):
			l.issue(SPFLintIncludeLoop, SeverityError, domain, "redirect="+rec.Redirect, "redirect loops back to %s", target)
		default:
			child := l.walk(ctx, target, "redirect", path)
			node.Children = append(node.Children, child)
			node.Lookups += child.Lookups
			hasAll = true // the target decides the default
		}
	}
	if root && !hasAll && rec.Redirect == "" {
		l.issue(SPFLintNoAll, SeverityWarning, domain, "", "no all and no redirect=: unlisted hosts get neutral, not fail")
	}
	return node
}

func (l *spfLinter) lookupAny(ctx context.Context, name string) ([]string, error) {
	a, errA := l.r.LookupA(ctx, name)
	if len(a) > 0 {
		return nil, nil
	}
	aaaa, errAAAA := l.r.LookupAAAA(ctx, name)
	if len(aaaa) > 0 {
		return nil, nil
	}
	if errA != nil && !IsNotFound(errA) {
		return nil, errA
	}
	if errAAAA != nil && !IsNotFound(errAAAA) {
		return nil, errAAAA
	}
	return nil, &DNSError{Name: name, Type: "A", Err: ErrNoData}
}

// noteLookup records a void lookup or a DNS failure of one term.
func (l *spfLinter) noteLookup(domain, term, target string, err error) {
	switch {
	case err == nil:
	case IsNotFound(err):
		l.lint.VoidLookups++
		l.issue(SPFLintVoidLookup, SeverityWarning, domain, term, "%s finds nothing in DNS (a void lookup; more than %d is permerror)", target, SPFMaxVoidLookups)
	default:
		l.issue(SPFLintDNSError, SeverityWarning, domain, term, "lookup of %s failed: %v", target, err)
	}
}

func spfInPath(path []string, d string) bool {
	for _, p := range path {
		if p == d {
			return true
		}
	}
	return false
}
