// SPF lint: walk a domain's whole include/redirect tree whatever the client
// address, and report what would break or weaken SPF for some sender (RFC
// 7208 §4.6.4 limits, §5.5 ptr, §3.2 multiple records, §3.4 record size).

package spf

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/bouncekit/bouncekit/authcheck/resolve"
	"github.com/bouncekit/bouncekit/authcheck/severity"
)

// LintCode is a stable identifier of a lint issue.
type LintCode string

// The lint codes; each comment names the rule it follows.
const (
	LintMissing         LintCode = "spf.missing"               // RFC 7208 §4.5: no record, result none
	LintMultiple        LintCode = "spf.multiple_records"      // RFC 7208 §3.2, §4.5: permerror
	LintSyntax          LintCode = "spf.syntax"                // RFC 7208 §4.6: permerror
	LintTooManyLookups  LintCode = "spf.too_many_lookups"      // RFC 7208 §4.6.4: more than 10
	LintTooManyVoid     LintCode = "spf.too_many_void_lookups" // RFC 7208 §4.6.4: more than 2
	LintVoidLookup      LintCode = "spf.void_lookup"           // RFC 7208 §4.6.4: a term that finds nothing
	LintTooManyMX       LintCode = "spf.too_many_mx"           // RFC 7208 §4.6.4: mx with over 10 records
	LintPTR             LintCode = "spf.ptr"                   // RFC 7208 §5.5: SHOULD NOT be used
	LintPlusAll         LintCode = "spf.plus_all"              // RFC 7208 §5.1: +all authorises everyone
	LintNeutralAll      LintCode = "spf.neutral_all"           // RFC 7208 §2.6.2: ?all asserts nothing
	LintNoAll           LintCode = "spf.no_all"                // RFC 7208 §4.7: default result neutral
	LintRecordTooLong   LintCode = "spf.record_too_long"       // RFC 7208 §3.4: keep under 512 bytes
	LintLongString      LintCode = "spf.long_string"           // RFC 7208 §3.3: strings hold 255 bytes
	LintIncludeLoop     LintCode = "spf.include_loop"          // RFC 7208 §4.6.4: loops end in permerror
	LintIncludeMissing  LintCode = "spf.include_missing"       // RFC 7208 §5.2, §6.1: permerror
	LintRedirectIgnored LintCode = "spf.redirect_ignored"      // RFC 7208 §6.1: all wins over redirect
	LintMacroTarget     LintCode = "spf.macro_target"          // RFC 7208 §7: depends on the sender
	LintDNSError        LintCode = "spf.dns_error"             // RFC 7208 §4.4: temperror
	LintTreeTooLarge    LintCode = "spf.tree_too_large"        // lint bound, see LintMaxRecords
	LintAfterAll        LintCode = "spf.after_all"             // RFC 7208 §5.1: terms after all are never tested
)

// LintMaxRecords bounds the records one lint walks; a tree of 300
// includes is reported, not walked whole.
const LintMaxRecords = 50

// LintIssue is one problem found by Lint.
type LintIssue struct {
	Code     LintCode
	Severity severity.Level
	Domain   string // the domain whose record has the problem
	Term     string // the term concerned, "" for the record
	Message  string
}

func (i LintIssue) String() string {
	return fmt.Sprintf("%s %s %s: %s", i.Severity, i.Code, i.Domain, i.Message)
}

// LintNode is one record of the tree.
type LintNode struct {
	Domain string
	Via    string // "include", "redirect", or "" for the root
	Record string // "" when none was found
	// Lookups counts the DNS-querying terms of this record and of
	// everything below it: the branch's share of the limit of 10.
	Lookups  int
	Children []*LintNode
}

// LintReport is the result of Lint.
type LintReport struct {
	Domain string
	Root   *LintNode
	// Lookups is the total of DNS-querying terms in the tree, the figure
	// check_host reaches when nothing matches early (limit 10).
	Lookups int
	// VoidLookups counts terms whose lookup found nothing (limit 2).
	VoidLookups int
	Issues      []LintIssue // in walk order
}

// LogValue implements slog.LogValuer.
func (l LintReport) LogValue() slog.Value {
	return slog.GroupValue(slog.String("domain", l.Domain), slog.Int("lookups", l.Lookups),
		slog.Int("void_lookups", l.VoidLookups), slog.Int("issues", len(l.Issues)))
}

// Has reports whether the lint found an issue with code.
func (l LintReport) Has(code LintCode) bool {
	for _, i := range l.Issues {
		if i.Code == code {
			return true
		}
	}
	return false
}

// Lint walks the SPF tree of domain (every include and redirect, at
// most LintMaxRecords records) and reports issues with stable codes.
// Unlike CheckHost it does not stop at the first match or error: it shows
// what every sender would hit. Safe for concurrent use if r is.
func Lint(ctx context.Context, r resolve.Resolver, domain string) LintReport {
	r = resolve.OrFail(r)
	domain = strings.ToLower(strings.TrimSuffix(domain, "."))
	l := &spfLinter{r: r, lint: LintReport{Domain: domain}}
	l.lint.Root = l.walk(ctx, domain, "", nil)
	l.lint.Lookups = l.lint.Root.Lookups
	if l.lint.Lookups > MaxLookups {
		l.issue(LintTooManyLookups, severity.Error, domain, "",
			"the tree has %d DNS-querying terms; check_host gives permerror past %d", l.lint.Lookups, MaxLookups)
	}
	if l.lint.VoidLookups > MaxVoidLookups {
		l.issue(LintTooManyVoid, severity.Error, domain, "",
			"%d terms find nothing in DNS; check_host gives permerror past %d", l.lint.VoidLookups, MaxVoidLookups)
	}
	return l.lint
}

type spfLinter struct {
	r       resolve.Resolver
	lint    LintReport
	records int
	capped  bool
}

func (l *spfLinter) issue(code LintCode, sev severity.Level, domain, term, format string, args ...any) {
	l.lint.Issues = append(l.lint.Issues, LintIssue{Code: code, Severity: sev, Domain: domain, Term: term, Message: fmt.Sprintf(format, args...)})
}

// walk lints the record of domain; path holds the domains above it, to
// catch loops.
func (l *spfLinter) walk(ctx context.Context, domain, via string, path []string) *LintNode {
	node := &LintNode{Domain: domain, Via: via}
	if l.records >= LintMaxRecords {
		if !l.capped {
			l.capped = true
			l.issue(LintTreeTooLarge, severity.Error, domain, "", "the tree has more than %d records; the rest was not walked", LintMaxRecords)
		}
		return node
	}
	l.records++
	root := len(path) == 0
	txt, err := fetchSPFRecord(ctx, l.r, domain)
	switch {
	case errors.Is(err, ErrMultipleRecords):
		l.issue(LintMultiple, severity.Error, domain, "", "more than one v=spf1 record: check_host gives permerror")
		return node
	case err != nil:
		l.issue(LintDNSError, severity.Warning, domain, "", "record lookup failed (temperror): %v", err)
		return node
	case txt == "":
		if root {
			l.issue(LintMissing, severity.Error, domain, "", "no SPF record: receivers get none")
		} else {
			l.issue(LintIncludeMissing, severity.Error, domain, via, "%s target has no SPF record: check_host gives permerror", via)
		}
		return node
	}
	node.Record = txt
	if len(txt) > 512 {
		l.issue(LintRecordTooLong, severity.Warning, domain, "", "record is %d bytes; over 512 the answer may not fit in UDP", len(txt))
	} else if len(txt) > 255 {
		l.issue(LintLongString, severity.Info, domain, "", "record is %d bytes: it must be published as several strings of at most 255 bytes", len(txt))
	}
	rec, err := Parse(txt)
	if err != nil {
		l.issue(LintSyntax, severity.Error, domain, "", "%v", err)
		return node
	}
	path = append(path, domain)
	hasAll := false
	for i, m := range rec.Mechanisms {
		term := m.String()
		if hasAll {
			// §5.1: "all" always matches, so nothing after it is
			// evaluated (or counted).
			l.issue(LintAfterAll, severity.Warning, domain, term, "%d term(s) after all are never evaluated", len(rec.Mechanisms)-i)
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
		case All:
			hasAll = true
			switch m.Qualifier {
			case "", QualPass:
				l.issue(LintPlusAll, severity.Error, domain, term, "+all authorises every host on the internet")
			case QualNeutral:
				l.issue(LintNeutralAll, severity.Warning, domain, term, "?all makes no assertion: failing hosts get neutral")
			}
		case PTR:
			l.issue(LintPTR, severity.Warning, domain, term, "ptr is slow, unreliable and SHOULD NOT be used; many receivers skip it")
		case Include:
			if macro {
				l.issue(LintMacroTarget, severity.Info, domain, term, "target depends on the sender; not walked")
				continue
			}
			if spfInPath(path, target) {
				l.issue(LintIncludeLoop, severity.Error, domain, term, "include loops back to %s", target)
				continue
			}
			child := l.walk(ctx, target, "include", path)
			node.Children = append(node.Children, child)
			node.Lookups += child.Lookups
		case A, Exists:
			if macro {
				continue
			}
			var err error
			if m.Kind == Exists {
				_, err = l.r.LookupA(ctx, target)
			} else {
				_, err = l.lookupAny(ctx, target)
			}
			l.noteLookup(domain, term, target, err)
		case MX:
			if macro {
				continue
			}
			mxs, err := l.r.LookupMX(ctx, target)
			l.noteLookup(domain, term, target, err)
			if len(mxs) > MaxMXRecords {
				l.issue(LintTooManyMX, severity.Error, domain, term, "%s has %d MX records; more than %d is permerror", target, len(mxs), MaxMXRecords)
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
			l.issue(LintRedirectIgnored, severity.Warning, domain, "redirect="+rec.Redirect, "redirect= is never used because the record has all")
		case strings.Contains(rec.Redirect, "%"):
			l.issue(LintMacroTarget, severity.Info, domain, "redirect="+rec.Redirect, "target depends on the sender; not walked")
		case spfInPath(path, target):
			l.issue(LintIncludeLoop, severity.Error, domain, "redirect="+rec.Redirect, "redirect loops back to %s", target)
		default:
			child := l.walk(ctx, target, "redirect", path)
			node.Children = append(node.Children, child)
			node.Lookups += child.Lookups
			hasAll = true // the target decides the default
		}
	}
	if root && !hasAll && rec.Redirect == "" {
		l.issue(LintNoAll, severity.Warning, domain, "", "no all and no redirect=: unlisted hosts get neutral, not fail")
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
	if errA != nil && !resolve.IsNotFound(errA) {
		return nil, errA
	}
	if errAAAA != nil && !resolve.IsNotFound(errAAAA) {
		return nil, errAAAA
	}
	return nil, &resolve.Error{Name: name, Type: "A", Err: resolve.ErrNoData}
}

// noteLookup records a void lookup or a DNS failure of one term.
func (l *spfLinter) noteLookup(domain, term, target string, err error) {
	switch {
	case err == nil:
	case resolve.IsNotFound(err):
		l.lint.VoidLookups++
		l.issue(LintVoidLookup, severity.Warning, domain, term, "%s finds nothing in DNS (a void lookup; more than %d is permerror)", target, MaxVoidLookups)
	default:
		l.issue(LintDNSError, severity.Warning, domain, term, "lookup of %s failed: %v", target, err)
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
