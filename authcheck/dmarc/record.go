// DMARC policy records: parsing and validation of every tag of RFC 7489
// §6.3, with the RFC 9989 (DMARCbis) additions np=, psd= and t=.

package dmarc

import (
	"errors"
	"fmt"
	"log/slog"
	"net/mail"
	"strconv"
	"strings"

	"github.com/bouncekit/bouncekit/authcheck/dkim"
	"github.com/bouncekit/bouncekit/authcheck/internal/syntax"
	"github.com/bouncekit/bouncekit/authcheck/severity"
)

// Policy is a requested handling policy (p=, sp=, np=) and also a
// disposition; the values are the wire tokens.
type Policy string

const (
	PolicyNone       Policy = "none"       // RFC 7489 §6.3 p=none: monitor only
	PolicyQuarantine Policy = "quarantine" // RFC 7489 §6.3 p=quarantine
	PolicyReject     Policy = "reject"     // RFC 7489 §6.3 p=reject
)

// Alignment is an identifier alignment mode (adkim=, aspf=).
type Alignment string

const (
	Relaxed Alignment = "r" // RFC 7489 §3.1: same organisational domain
	Strict  Alignment = "s" // RFC 7489 §3.1: exactly the same domain
)

// PSD is the psd= tag of RFC 9989.
type PSD string

const (
	PSDYes     PSD = "y" // the domain is a public suffix domain
	PSDNo      PSD = "n" // the domain is an organisational domain
	PSDUnknown PSD = "u" // the default
)

// Sentinels for DMARC record errors; *Error wraps one of them.
var (
	// ErrNotDMARC: the text does not begin with v=DMARC1, so it is not a
	// DMARC record at all and discovery skips it (RFC 7489 §6.6.3).
	ErrNotDMARC = errors.New("not a DMARC record")
	// ErrSyntax: the text claims to be DMARC but its tag-list is broken.
	ErrSyntax = errors.New("malformed DMARC record")
)

// Error is a record that cannot be used.
type Error struct {
	Record string
	Err    error // ErrNotDMARC or ErrSyntax
	Msg    string
}

func (e *Error) Error() string {
	return fmt.Sprintf("dmarc record %q: %v: %s", syntax.Trunc(e.Record), e.Err, e.Msg)
}

func (e *Error) Unwrap() error { return e.Err }

// Issue is a problem with one tag of a record that parsed. Receivers
// ignore or default such tags; the issue says what they will do.
type Issue struct {
	Tag      string         `json:"tag"`
	Value    string         `json:"value,omitempty"`
	Severity severity.Level `json:"severity"`
	Message  string         `json:"message"`
}

func (i Issue) String() string { return i.Tag + ": " + i.Message }

// ReportURI is one entry of rua= or ruf= (RFC 7489 §6.2).
type ReportURI struct {
	URI     string `json:"uri"`                // as written, with any !size suffix removed
	Address string `json:"address,omitempty"`  // the mailbox of a mailto: URI
	Domain  string `json:"domain,omitempty"`   // the domain of that mailbox, lower case
	MaxSize string `json:"max_size,omitempty"` // the "!10m" limit, if any
}

// Record is a parsed DMARC record. Fields hold the effective values:
// defaults are filled in, invalid values are replaced by what a receiver
// would use and described in Issues. It is safe for concurrent reads.
type Record struct {
	Version           string      `json:"v"`
	Policy            Policy      `json:"p"`
	SubdomainPolicy   Policy      `json:"sp,omitempty"` // "" means p applies
	NonexistentPolicy Policy      `json:"np,omitempty"` // "" means sp (then p) applies
	Percent           int         `json:"pct"`
	RUA               []ReportURI `json:"rua,omitempty"`
	RUF               []ReportURI `json:"ruf,omitempty"`
	ADKIM             Alignment   `json:"adkim"`
	ASPF              Alignment   `json:"aspf"`
	FailureOptions    []string    `json:"fo,omitempty"`
	ReportFormats     []string    `json:"rf,omitempty"`
	ReportInterval    int64       `json:"ri"`
	PSD               PSD         `json:"psd"`
	Testing           bool        `json:"t"`
	Issues            []Issue     `json:"issues,omitempty"`
	Raw               string      `json:"record"`
}

// LogValue implements slog.LogValuer.
func (r *Record) LogValue() slog.Value {
	return slog.GroupValue(slog.String("p", string(r.Policy)), slog.Int("pct", r.Percent), slog.Int("issues", len(r.Issues)))
}

// String formats the record's effective values as a DMARC record, tags in
// RFC 7489 §6.3 order, defaults left out. Parsing the result gives the same
// values (without the Issues of the original).
func (r *Record) String() string {
	var b strings.Builder
	b.WriteString("v=DMARC1; p=")
	b.WriteString(string(r.Policy))
	if r.SubdomainPolicy != "" {
		b.WriteString("; sp=" + string(r.SubdomainPolicy))
	}
	if r.NonexistentPolicy != "" {
		b.WriteString("; np=" + string(r.NonexistentPolicy))
	}
	if r.Percent != 100 {
		b.WriteString("; pct=" + strconv.Itoa(r.Percent))
	}
	uris := func(tag string, us []ReportURI) {
		if len(us) == 0 {
			return
		}
		b.WriteString("; " + tag + "=")
		for i, u := range us {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(u.URI)
			if u.MaxSize != "" {
				b.WriteString("!" + u.MaxSize)
			}
		}
	}
	uris("rua", r.RUA)
	uris("ruf", r.RUF)
	if r.ADKIM != Relaxed {
		b.WriteString("; adkim=" + string(r.ADKIM))
	}
	if r.ASPF != Relaxed {
		b.WriteString("; aspf=" + string(r.ASPF))
	}
	if len(r.FailureOptions) > 0 {
		b.WriteString("; fo=" + strings.Join(r.FailureOptions, ":"))
	}
	if len(r.ReportFormats) > 0 {
		b.WriteString("; rf=" + strings.Join(r.ReportFormats, ":"))
	}
	if r.ReportInterval != 86400 {
		b.WriteString("; ri=" + strconv.FormatInt(r.ReportInterval, 10))
	}
	if r.PSD != PSDUnknown {
		b.WriteString("; psd=" + string(r.PSD))
	}
	if r.Testing {
		b.WriteString("; t=y")
	}
	return b.String()
}

// maxDMARCURIs caps rua=/ruf= entries; RFC 7489 §6.2 lets receivers limit
// them (they MUST NOT be required to send to more than two).
const maxDMARCURIs = 32

// Parse parses a DMARC TXT record. It fails only when the text is not
// a DMARC record (ErrNotDMARC) or its tag-list is malformed (ErrSyntax);
// every bad tag value is reported in Issues and replaced by the value
// receivers use (RFC 7489 §6.6.3: an invalid p= with a valid rua= becomes
// p=none). Tag names and enumerated values are case-insensitive (RFC 5234).
func Parse(txt string) (*Record, error) {
	if !isDMARCRecord(txt) {
		return nil, &Error{Record: txt, Err: ErrNotDMARC, Msg: "does not begin with v=DMARC1"}
	}
	tags, empty, err := dkim.ParseTagListOpt(txt, true)
	if err != nil {
		return nil, &Error{Record: txt, Err: ErrSyntax, Msg: err.Error()}
	}
	rec := &Record{Version: "DMARC1", Percent: 100, ADKIM: Relaxed, ASPF: Relaxed,
		ReportInterval: 86400, PSD: PSDUnknown, Raw: txt}
	issue := func(tag, val string, sev severity.Level, format string, a ...any) {
		rec.Issues = append(rec.Issues, Issue{Tag: tag, Value: val, Severity: sev, Message: fmt.Sprintf(format, a...)})
	}
	if empty > 0 {
		// RFC 7489 §6.4 has no empty tags; most receivers skip them, a
		// strict one may discard the whole record.
		issue("syntax", "", severity.Warning, "%d empty tag(s) (\";;\"): most receivers skip them, strict ones discard the record", empty)
	}
	policy := func(tag, v string) (Policy, bool) {
		switch p := Policy(strings.ToLower(v)); p {
		case PolicyNone, PolicyQuarantine, PolicyReject:
			return p, true
		}
		issue(tag, v, severity.Error, "%q is not none, quarantine or reject; the tag is ignored", v)
		return "", false
	}
	hasP, badP := false, false
	for i, t := range tags {
		name, v := strings.ToLower(t.Name), t.Value
		switch name {
		case "v":
			if i != 0 {
				return nil, &Error{Record: txt, Err: ErrSyntax, Msg: "v= must be the first tag"}
			}
		case "p":
			hasP = true
			if p, ok := policy("p", v); ok {
				rec.Policy = p
			} else {
				badP = true
			}
		case "sp":
			rec.SubdomainPolicy, _ = policy("sp", v)
		case "np":
			rec.NonexistentPolicy, _ = policy("np", v)
		case "pct":
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 || n > 100 {
				issue("pct", v, severity.Error, "%q is not an integer from 0 to 100; 100 applies", v)
				break
			}
			rec.Percent = n
			if n < 100 {
				issue("pct", v, severity.Warning, "the policy applies to %d%% of failing mail only", n)
			}
			issue("pct", v, severity.Info, "pct= is not part of RFC 9989; use t=y for testing")
		case "rua", "ruf":
			uris := parseDMARCURIs(name, v, issue)
			if name == "rua" {
				rec.RUA = uris
			} else {
				rec.RUF = uris
			}
		case "adkim", "aspf":
			a := Alignment(strings.ToLower(v))
			if a != Relaxed && a != Strict {
				issue(name, v, severity.Error, "%q is not r or s; relaxed applies", v)
				break
			}
			if name == "adkim" {
				rec.ADKIM = a
			} else {
				rec.ASPF = a
			}
		case "fo":
			for _, o := range syntax.SplitColonList(strings.ToLower(v)) {
				switch o {
				case "0", "1", "d", "s":
					rec.FailureOptions = append(rec.FailureOptions, o)
				default:
					issue("fo", v, severity.Warning, "unknown failure option %q is ignored", o)
				}
			}
		case "rf":
			for _, f := range syntax.SplitColonList(strings.ToLower(v)) {
				if f != "afrf" {
					issue("rf", v, severity.Warning, "unknown report format %q (only afrf is defined)", f)
					continue
				}
				rec.ReportFormats = append(rec.ReportFormats, f)
			}
		case "ri":
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 0 || n > 1<<32-1 {
				issue("ri", v, severity.Warning, "%q is not a 32-bit unsigned interval; 86400 applies", v)
				break
			}
			rec.ReportInterval = n
		case "psd":
			p := PSD(strings.ToLower(v))
			if p != PSDYes && p != PSDNo && p != PSDUnknown {
				issue("psd", v, severity.Error, "%q is not y, n or u; u applies", v)
				break
			}
			rec.PSD = p
		case "t":
			switch strings.ToLower(v) {
			case "y":
				rec.Testing = true
				issue("t", v, severity.Warning, "t=y: receivers apply one step less than p= (RFC 9989)")
			case "n":
			default:
				issue("t", v, severity.Error, "%q is not y or n; n applies", v)
			}
		default:
			// RFC 7489 §6.3: unknown tags MUST be ignored.
			issue(t.Name, v, severity.Info, "unknown tag is ignored")
		}
	}
	if !hasP || badP {
		// RFC 7489 §6.6.3 step 6 and RFC 9989: without a valid p=, a record
		// with a valid rua= is read as p=none; RFC 9989 reads any such record
		// as p=none.
		rec.Policy = PolicyNone
		if !hasP {
			sev := severity.Error
			if len(rec.RUA) > 0 {
				sev = severity.Warning
			}
			issue("p", "", sev, "no p= tag; receivers read the record as p=none (or, under RFC 7489 without rua=, ignore it)")
		}
	}
	if len(rec.RUF) > 0 && len(rec.RUA) == 0 {
		issue("rua", "", severity.Info, "ruf= without rua=: no aggregate reports will be sent")
	}
	if len(rec.RUA) == 0 && !hasTag(tags, "rua") {
		issue("rua", "", severity.Info, "no rua=: the domain receives no aggregate reports")
	}
	return rec, nil
}

func hasTag(tags []dkim.Tag, name string) bool {
	for _, t := range tags {
		if strings.EqualFold(t.Name, name) {
			return true
		}
	}
	return false
}

// isDMARCRecord reports whether txt begins with the v=DMARC1 tag (RFC 7489
// §6.6.3: other TXT records at _dmarc are discarded).
func isDMARCRecord(txt string) bool {
	s := strings.TrimLeft(txt, " \t")
	if len(s) < 2 || !strings.EqualFold(s[:1], "v") {
		return false
	}
	s = strings.TrimLeft(s[1:], " \t")
	if !strings.HasPrefix(s, "=") {
		return false
	}
	s = strings.TrimLeft(s[1:], " \t")
	if len(s) < 6 || s[:6] != "DMARC1" {
		return false
	}
	rest := strings.TrimLeft(s[6:], " \t")
	return rest == "" || rest[0] == ';'
}

// isURIScheme reports whether s is an RFC 3986 §3.1 scheme:
// ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ).
func isURIScheme(s string) bool {
	if s == "" || !(s[0]|0x20 >= 'a' && s[0]|0x20 <= 'z') {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !(c|0x20 >= 'a' && c|0x20 <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}

func parseDMARCURIs(tag, v string, issue func(tag, val string, sev severity.Level, format string, a ...any)) []ReportURI {
	var out []ReportURI
	for u := range strings.SplitSeq(v, ",") {
		u = strings.TrimSpace(u)
		if u == "" {
			issue(tag, v, severity.Warning, "empty URI in list")
			continue
		}
		if len(out) == maxDMARCURIs {
			issue(tag, v, severity.Warning, "more than %d URIs; the rest are ignored", maxDMARCURIs)
			break
		}
		ru := ReportURI{URI: u}
		// RFC 7489 §6.2: "!" size limits, digits with an optional k/m/g/t unit.
		if i := strings.LastIndexByte(u, '!'); i >= 0 {
			size := u[i+1:]
			n := strings.TrimRight(size, "kmgtKMGT")
			if _, err := strconv.ParseUint(n, 10, 64); err != nil || len(size)-len(n) > 1 {
				// Not a size: the "!" stays part of the URI, so that the
				// record formats back to what was read.
				issue(tag, u, severity.Warning, "size limit %q is not digits with an optional k, m, g or t", size)
			} else {
				ru.URI, ru.MaxSize = u[:i], size
			}
		}
		scheme, rest, ok := strings.Cut(ru.URI, ":")
		if !ok || !isURIScheme(scheme) {
			issue(tag, u, severity.Error, "%q is not a URI; reports cannot be sent to it", u)
			continue
		}
		if !strings.EqualFold(scheme, "mailto") {
			// RFC 9989 defines only mailto:; RFC 7489 allowed others in theory.
			issue(tag, u, severity.Warning, "scheme %q: receivers send reports to mailto: only", scheme)
			out = append(out, ru)
			continue
		}
		addr := rest
		if q := strings.IndexByte(addr, '?'); q >= 0 {
			addr = addr[:q]
		}
		a, err := mail.ParseAddress(addr)
		if err != nil {
			issue(tag, u, severity.Error, "mailbox %q does not parse: %v", addr, err)
			continue
		}
		ru.Address = a.Address
		ru.Domain = strings.ToLower(a.Address[strings.LastIndexByte(a.Address, '@')+1:])
		out = append(out, ru)
	}
	return out
}
