// DMARC policy records: parsing and validation of every tag of RFC 7489
// §6.3, with the RFC 9989 (DMARCbis) additions np=, psd= and t=.

package authcheck

import (
	"errors"
	"fmt"
	"log/slog"
	"net/mail"
	"strconv"
	"strings"
)

// DMARCPolicy is a requested handling policy (p=, sp=, np=) and also a
// disposition; the values are the wire tokens.
type DMARCPolicy string

const (
	DMARCPolicyNone       DMARCPolicy = "none"       // RFC 7489 §6.3 p=none: monitor only
	DMARCPolicyQuarantine DMARCPolicy = "quarantine" // RFC 7489 §6.3 p=quarantine
	DMARCPolicyReject     DMARCPolicy = "reject"     // RFC 7489 §6.3 p=reject
)

// DMARCAlignment is an identifier alignment mode (adkim=, aspf=).
type DMARCAlignment string

const (
	DMARCRelaxed DMARCAlignment = "r" // RFC 7489 §3.1: same organisational domain
	DMARCStrict  DMARCAlignment = "s" // RFC 7489 §3.1: exactly the same domain
)

// DMARCPSD is the psd= tag of RFC 9989.
type DMARCPSD string

const (
	DMARCPSDYes     DMARCPSD = "y" // the domain is a public suffix domain
	DMARCPSDNo      DMARCPSD = "n" // the domain is an organisational domain
	DMARCPSDUnknown DMARCPSD = "u" // the default
)

// Sentinels for DMARC record errors; *DMARCError wraps one of them.
var (
	// ErrNotDMARC: the text does not begin with v=DMARC1, so it is not a
	// DMARC record at all and discovery skips it (RFC 7489 §6.6.3).
	ErrNotDMARC = errors.New("not a DMARC record")
	// ErrDMARCSyntax: the text claims to be DMARC but its tag-list is broken.
	ErrDMARCSyntax = errors.New("malformed DMARC record")
)

// DMARCError is a record that cannot be used.
type DMARCError struct {
	Record string
	Err    error // ErrNotDMARC or ErrDMARCSyntax
	Msg    string
}

func (e *DMARCError) Error() string {
	return fmt.Sprintf("dmarc record %q: %v: %s", truncTag(e.Record), e.Err, e.Msg)
}

func (e *DMARCError) Unwrap() error { return e.Err }

// DMARCIssue is a problem with one tag of a record that parsed. Receivers
// ignore or default such tags; the issue says what they will do.
type DMARCIssue struct {
	Tag      string   `json:"tag"`
	Value    string   `json:"value,omitempty"`
	Severity Severity `json:"severity"`
	Message  string   `json:"message"`
}

func (i DMARCIssue) String() string { return i.Tag + ": " + i.Message }

// DMARCReportURI is one entry of rua= or ruf= (RFC 7489 §6.2).
type DMARCReportURI struct {
	URI     string `json:"uri"`                // as written, with any !size suffix removed
	Address string `json:"address,omitempty"`  // the mailbox of a mailto: URI
	Domain  string `json:"domain,omitempty"`   // the domain of that mailbox, lower case
	MaxSize string `json:"max_size,omitempty"` // the "!10m" limit, if any
}

// DMARCRecord is a parsed DMARC record. Fields hold the effective values:
// defaults are filled in, invalid values are replaced by what a receiver
// would use and described in Issues. It is safe for concurrent reads.
type DMARCRecord struct {
	Version           string           `json:"v"`
	Policy            DMARCPolicy      `json:"p"`
	SubdomainPolicy   DMARCPolicy      `json:"sp,omitempty"` // "" means p applies
	NonexistentPolicy DMARCPolicy      `json:"np,omitempty"` // "" means sp (then p) applies
	Percent           int              `json:"pct"`
	RUA               []DMARCReportURI `json:"rua,omitempty"`
	RUF               []DMARCReportURI `json:"ruf,omitempty"`
	ADKIM             DMARCAlignment   `json:"adkim"`
	ASPF              DMARCAlignment   `json:"aspf"`
	FailureOptions    []string         `json:"fo,omitempty"`
	ReportFormats     []string         `json:"rf,omitempty"`
	ReportInterval    int64            `json:"ri"`
	PSD               DMARCPSD         `json:"psd"`
	Testing           bool             `json:"t"`
	Issues            []DMARCIssue     `json:"issues,omitempty"`
	Raw               string           `json:"record"`
}

// LogValue implements slog.LogValuer.
func (r *DMARCRecord) LogValue() slog.Value {
	return slog.GroupValue(slog.String("p", string(r.Policy)), slog.Int("pct", r.Percent), slog.Int("issues", len(r.Issues)))
}

// String formats the record's effective values as a DMARC record, tags in
// RFC 7489 §6.3 order, defaults left out. Parsing the result gives the same
// values (without the Issues of the original).
func (r *DMARCRecord) String() string {
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
	uris := func(tag string, us []DMARCReportURI) {
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
	if r.ADKIM != DMARCRelaxed {
		b.WriteString("; adkim=" + string(r.ADKIM))
	}
	if r.ASPF != DMARCRelaxed {
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
	if r.PSD != DMARCPSDUnknown {
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

// ParseDMARC parses a DMARC TXT record. It fails only when the text is not
// a DMARC record (ErrNotDMARC) or its tag-list is malformed (ErrDMARCSyntax);
// every bad tag value is reported in Issues and replaced by the value
// receivers use (RFC 7489 §6.6.3: an invalid p= with a valid rua= becomes
// p=none). Tag names and enumerated values are case-insensitive (RFC 5234).
func ParseDMARC(txt string) (*DMARCRecord, error) {
	if !isDMARCRecord(txt) {
		return nil, &DMARCError{Record: txt, Err: ErrNotDMARC, Msg: "does not begin with v=DMARC1"}
	}
	tags, empty, err := parseTagListOpt(txt, true)
	if err != nil {
		return nil, &DMARCError{Record: txt, Err: ErrDMARCSyntax, Msg: err.Error()}
	}
	rec := &DMARCRecord{Version: "DMARC1", Percent: 100, ADKIM: DMARCRelaxed, ASPF: DMARCRelaxed,
		ReportInterval: 86400, PSD: DMARCPSDUnknown, Raw: txt}
	issue := func(tag, val string, sev Severity, format string, a ...any) {
		rec.Issues = append(rec.Issues, DMARCIssue{Tag: tag, Value: val, Severity: sev, Message: fmt.Sprintf(format, a...)})
	}
	if empty > 0 {
		// RFC 7489 §6.4 has no empty tags; most receivers skip them, a
		// strict one may discard the whole record.
		issue("syntax", "", SeverityWarning, "%d empty tag(s) (\";;\"): most receivers skip them, strict ones discard the record", empty)
	}
	policy := func(tag, v string) (DMARCPolicy, bool) {
		switch p := DMARCPolicy(strings.ToLower(v)); p {
		case DMARCPolicyNone, DMARCPolicyQuarantine, DMARCPolicyReject:
			return p, true
		}
		issue(tag, v, SeverityError, "%q is not none, quarantine or reject; the tag is ignored", v)
		return "", false
	}
	hasP, badP := false, false
	for i, t := range tags {
		name, v := strings.ToLower(t.Name), t.Value
		switch name {
		case "v":
			if i != 0 {
				return nil, &DMARCError{Record: txt, Err: ErrDMARCSyntax, Msg: "v= must be the first tag"}
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
				issue("pct", v, SeverityError, "%q is not an integer from 0 to 100; 100 applies", v)
				break
			}
			rec.Percent = n
			if n < 100 {
				issue("pct", v, SeverityWarning, "the policy applies to %d%% of failing mail only", n)
			}
			issue("pct", v, SeverityInfo, "pct= is not part of RFC 9989; use t=y for testing")
		case "rua", "ruf":
			uris := parseDMARCURIs(name, v, issue)
			if name == "rua" {
				rec.RUA = uris
			} else {
				rec.RUF = uris
			}
		case "adkim", "aspf":
			a := DMARCAlignment(strings.ToLower(v))
			if a != DMARCRelaxed && a != DMARCStrict {
				issue(name, v, SeverityError, "%q is not r or s; relaxed applies", v)
				break
			}
			if name == "adkim" {
				rec.ADKIM = a
			} else {
				rec.ASPF = a
			}
		case "fo":
			for _, o := range splitColonList(strings.ToLower(v)) {
				switch o {
				case "0", "1", "d", "s":
					rec.FailureOptions = append(rec.FailureOptions, o)
				default:
					issue("fo", v, SeverityWarning, "unknown failure option %q is ignored", o)
				}
			}
		case "rf":
			for _, f := range splitColonList(strings.ToLower(v)) {
				if f != "afrf" {
					issue("rf", v, SeverityWarning, "unknown report format %q (only afrf is defined)", f)
					continue
				}
				rec.ReportFormats = append(rec.ReportFormats, f)
			}
		case "ri":
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 0 || n > 1<<32-1 {
				issue("ri", v, SeverityWarning, "%q is not a 32-bit unsigned interval; 86400 applies", v)
				break
			}
			rec.ReportInterval = n
		case "psd":
			p := DMARCPSD(strings.ToLower(v))
			if p != DMARCPSDYes && p != DMARCPSDNo && p != DMARCPSDUnknown {
				issue("psd", v, SeverityError, "%q is not y, n or u; u applies", v)
				break
			}
			rec.PSD = p
		case "t":
			switch strings.ToLower(v) {
			case "y":
				rec.Testing = true
				issue("t", v, SeverityWarning, "t=y: receivers apply one step less than p= (RFC 9989)")
			case "n":
			default:
				issue("t", v, SeverityError, "%q is not y or n; n applies", v)
			}
		default:
			// RFC 7489 §6.3: unknown tags MUST be ignored.
			issue(t.Name, v, SeverityInfo, "unknown tag is ignored")
		}
	}
	if !hasP || badP {
		// RFC 7489 §6.6.3 step 6 and RFC 9989: without a valid p=, a record
		// with a valid rua= is read as p=none; RFC 9989 reads any such record
		// as p=none.
		rec.Policy = DMARCPolicyNone
		if !hasP {
			sev := SeverityError
			if len(rec.RUA) > 0 {
				sev = SeverityWarning
			}
			issue("p", "", sev, "no p= tag; receivers read the record as p=none (or, under RFC 7489 without rua=, ignore it)")
		}
	}
	if len(rec.RUF) > 0 && len(rec.RUA) == 0 {
		issue("rua", "", SeverityInfo, "ruf= without rua=: no aggregate reports will be sent")
	}
	if len(rec.RUA) == 0 && !hasTag(tags, "rua") {
		issue("rua", "", SeverityInfo, "no rua=: the domain receives no aggregate reports")
	}
	return rec, nil
}

func hasTag(tags []Tag, name string) bool {
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

func parseDMARCURIs(tag, v string, issue func(tag, val string, sev Severity, format string, a ...any)) []DMARCReportURI {
	var out []DMARCReportURI
	for u := range strings.SplitSeq(v, ",") {
		u = strings.TrimSpace(u)
		if u == "" {
			issue(tag, v, SeverityWarning, "empty URI in list")
			continue
		}
		if len(out) == maxDMARCURIs {
			issue(tag, v, SeverityWarning, "more than %d URIs; the rest are ignored", maxDMARCURIs)
			break
		}
		ru := DMARCReportURI{URI: u}
		// RFC 7489 §6.2: "!" size limits, digits with an optional k/m/g/t unit.
		if i := strings.LastIndexByte(u, '!'); i >= 0 {
			size := u[i+1:]
			n := strings.TrimRight(size, "kmgtKMGT")
			if _, err := strconv.ParseUint(n, 10, 64); err != nil || len(size)-len(n) > 1 {
				// Not a size: the "!" stays part of the URI, so that the
				// record formats back to what was read.
				issue(tag, u, SeverityWarning, "size limit %q is not digits with an optional k, m, g or t", size)
			} else {
				ru.URI, ru.MaxSize = u[:i], size
			}
		}
		scheme, rest, ok := strings.Cut(ru.URI, ":")
		if !ok || !isURIScheme(scheme) {
			issue(tag, u, SeverityError, "%q is not a URI; reports cannot be sent to it", u)
			continue
		}
		if !strings.EqualFold(scheme, "mailto") {
			// RFC 9989 defines only mailto:; RFC 7489 allowed others in theory.
			issue(tag, u, SeverityWarning, "scheme %q: receivers send reports to mailto: only", scheme)
			out = append(out, ru)
			continue
		}
		addr := rest
		if q := strings.IndexByte(addr, '?'); q >= 0 {
			addr = addr[:q]
		}
		a, err := mail.ParseAddress(addr)
		if err != nil {
			issue(tag, u, SeverityError, "mailbox %q does not parse: %v", addr, err)
			continue
		}
		ru.Address = a.Address
		ru.Domain = strings.ToLower(a.Address[strings.LastIndexByte(a.Address, '@')+1:])
		out = append(out, ru)
	}
	return out
}
