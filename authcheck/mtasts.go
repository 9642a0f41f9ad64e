// MTA-STS (RFC 8461): the _mta-sts TXT record, the HTTPS policy file and
// whether a domain's MX hosts are covered by it.

package authcheck

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
)

// MTASTSMode is the mode of a policy; the values are the wire tokens.
type MTASTSMode string

const (
	MTASTSEnforce MTASTSMode = "enforce" // RFC 8461 §5: refuse delivery to non-matching MX or bad TLS
	MTASTSTesting MTASTSMode = "testing" // RFC 8461 §5: report only
	MTASTSNone    MTASTSMode = "none"    // RFC 8461 §5: no policy (used to withdraw one)
)

// Limits of RFC 8461.
const (
	MTASTSMaxAge        = 31557600 // seconds, RFC 8461 §3.2
	MTASTSMaxPolicySize = 64 << 10 // bytes read from the policy URL (RFC 8461 §3.3 suggests 64 KiB)
)

// Sentinels; *MTASTSError wraps one of them.
var (
	ErrMTASTSSyntax = errors.New("malformed MTA-STS data")
	ErrMTASTSFetch  = errors.New("MTA-STS policy fetch failed")
)

// MTASTSError is an MTA-STS record, policy or fetch problem.
type MTASTSError struct {
	Field string // the key or tag at fault, if any
	Err   error  // ErrMTASTSSyntax or ErrMTASTSFetch
	Msg   string
}

func (e *MTASTSError) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("mta-sts %s: %v: %s", e.Field, e.Err, e.Msg)
	}
	return fmt.Sprintf("mta-sts: %v: %s", e.Err, e.Msg)
}

func (e *MTASTSError) Unwrap() error { return e.Err }

// MTASTSRecord is the TXT record at _mta-sts.<domain> (RFC 8461 §3.1).
type MTASTSRecord struct {
	Version string `json:"v"`  // "STSv1"
	ID      string `json:"id"` // changes whenever the policy changes
	Raw     string `json:"record"`
}

// ParseMTASTSRecord parses an _mta-sts TXT record.
func ParseMTASTSRecord(txt string) (*MTASTSRecord, error) {
	tags, err := parseTagList(txt)
	if err != nil {
		return nil, &MTASTSError{Err: ErrMTASTSSyntax, Msg: err.Error()}
	}
	if len(tags) == 0 || tags[0].Name != "v" || tags[0].Value != "STSv1" {
		return nil, &MTASTSError{Field: "v", Err: ErrMTASTSSyntax, Msg: "record must begin with v=STSv1"}
	}
	rec := &MTASTSRecord{Version: "STSv1", Raw: txt}
	for _, t := range tags[1:] {
		if t.Name == "id" {
			rec.ID = t.Value
		}
	}
	// RFC 8461 §3.1: sts-id = 1*32(ALPHA / DIGIT).
	if rec.ID == "" || len(rec.ID) > 32 || strings.IndexFunc(rec.ID, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9')
	}) >= 0 {
		return nil, &MTASTSError{Field: "id", Err: ErrMTASTSSyntax, Msg: fmt.Sprintf("id %q must be 1 to 32 letters or digits", rec.ID)}
	}
	return rec, nil
}

// MTASTSPolicy is a parsed policy file (RFC 8461 §3.2).
type MTASTSPolicy struct {
	Version string     `json:"version"`
	Mode    MTASTSMode `json:"mode"`
	MX      []string   `json:"mx"`
	MaxAge  int64      `json:"max_age"` // seconds
}

// ParseMTASTSPolicy parses the text of a policy file: "key: value" lines
// ending in CRLF or LF. Unknown keys are ignored (RFC 8461 §3.2); version,
// mode and max_age are required, and at least one mx unless mode is none.
func ParseMTASTSPolicy(text string) (*MTASTSPolicy, error) {
	if len(text) > MTASTSMaxPolicySize {
		return nil, &MTASTSError{Err: ErrMTASTSSyntax, Msg: fmt.Sprintf("policy larger than %d bytes", MTASTSMaxPolicySize)}
	}
	p := &MTASTSPolicy{MaxAge: -1}
	seen := map[string]bool{}
	sc := bufio.NewScanner(strings.NewReader(text))
	sc.Buffer(make([]byte, 0, 1024), MTASTSMaxPolicySize+1)
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), "\r")
		if strings.TrimSpace(line) == "" {
			continue
		}
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			return nil, &MTASTSError{Err: ErrMTASTSSyntax, Msg: fmt.Sprintf("line %q is not key: value", line)}
		}
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if k != "mx" && seen[k] {
			return nil, &MTASTSError{Field: k, Err: ErrMTASTSSyntax, Msg: "key repeated"}
		}
		seen[k] = true
		switch k {
		case "version":
			if v != "STSv1" {
				return nil, &MTASTSError{Field: k, Err: ErrMTASTSSyntax, Msg: fmt.Sprintf("version %q, want STSv1", v)}
			}
			p.Version = v
		case "mode":
			switch m := MTASTSMode(v); m {
			case MTASTSEnforce, MTASTSTesting, MTASTSNone:
				p.Mode = m
			default:
				return nil, &MTASTSError{Field: k, Err: ErrMTASTSSyntax, Msg: fmt.Sprintf("mode %q is not enforce, testing or none", v)}
			}
		case "mx":
			if v == "" {
				return nil, &MTASTSError{Field: k, Err: ErrMTASTSSyntax, Msg: "empty mx"}
			}
			p.MX = append(p.MX, strings.ToLower(v))
		case "max_age":
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 0 || n > MTASTSMaxAge || len(v) > 10 {
				return nil, &MTASTSError{Field: k, Err: ErrMTASTSSyntax, Msg: fmt.Sprintf("max_age %q is not 0 to %d", v, MTASTSMaxAge)}
			}
			p.MaxAge = n
		}
	}
	if err := sc.Err(); err != nil {
		return nil, &MTASTSError{Err: ErrMTASTSSyntax, Msg: err.Error()}
	}
	for _, req := range []string{"version", "mode", "max_age"} {
		if !seen[req] {
			return nil, &MTASTSError{Field: req, Err: ErrMTASTSSyntax, Msg: "required key missing"}
		}
	}
	if p.Mode != MTASTSNone && len(p.MX) == 0 {
		return nil, &MTASTSError{Field: "mx", Err: ErrMTASTSSyntax, Msg: "no mx in an enforce or testing policy"}
	}
	return p, nil
}

// MatchesMX reports whether host is allowed by the policy's mx patterns
// (RFC 8461 §4.1: exact, or "*.example.com" matching one leftmost label).
func (p *MTASTSPolicy) MatchesMX(host string) bool {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	for _, pat := range p.MX {
		if rest, ok := strings.CutPrefix(pat, "*."); ok {
			if i := strings.IndexByte(host, '.'); i > 0 && host[i+1:] == rest {
				return true
			}
		} else if pat == host {
			return true
		}
	}
	return false
}

// MTASTSPolicyURL is where a domain's policy is served (RFC 8461 §3.3).
func MTASTSPolicyURL(domain string) string {
	return "https://mta-sts." + strings.TrimSuffix(domain, ".") + "/.well-known/mta-sts.txt"
}

// FetchMTASTSPolicy fetches and parses the policy of domain over HTTPS with
// client (http.DefaultClient when nil). Redirects are not followed and the
// answer must be 200 with a text/plain body (RFC 8461 §3.3); at most
// MTASTSMaxPolicySize bytes are read. Certificate checks are the client's.
func FetchMTASTSPolicy(ctx context.Context, client *http.Client, domain string) (*MTASTSPolicy, error) {
	if client == nil {
		client = http.DefaultClient
	}
	c := *client
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	url := MTASTSPolicyURL(domain)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, &MTASTSError{Err: ErrMTASTSFetch, Msg: err.Error()}
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, &MTASTSError{Err: ErrMTASTSFetch, Msg: err.Error()}
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, &MTASTSError{Err: ErrMTASTSFetch, Msg: fmt.Sprintf("%s: HTTP %s (redirects are not followed)", url, resp.Status)}
	}
	if mt, _, err := mime.ParseMediaType(resp.Header.Get("Content-Type")); err != nil || mt != "text/plain" {
		return nil, &MTASTSError{Err: ErrMTASTSFetch, Msg: fmt.Sprintf("%s: Content-Type %q, want text/plain", url, resp.Header.Get("Content-Type"))}
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, MTASTSMaxPolicySize+1))
	if err != nil {
		return nil, &MTASTSError{Err: ErrMTASTSFetch, Msg: err.Error()}
	}
	return ParseMTASTSPolicy(string(body))
}

// MTASTSCheck is the result of CheckMTASTS.
type MTASTSCheck struct {
	Domain    string        `json:"domain"`
	Record    *MTASTSRecord `json:"record,omitempty"`
	RecordErr error         `json:"-"`
	Policy    *MTASTSPolicy `json:"policy,omitempty"`
	PolicyErr error         `json:"-"` // nil also when no fetch was attempted
	// UncoveredMX are MX hosts of the domain the policy does not allow.
	UncoveredMX []string `json:"uncovered_mx,omitempty"`
}

// CheckMTASTS looks up the _mta-sts record of domain and, when client is not
// nil and the record exists, fetches the policy and checks the domain's MX
// hosts against it.
func CheckMTASTS(ctx context.Context, r Resolver, client *http.Client, domain string) *MTASTSCheck {
	c := &MTASTSCheck{Domain: domain}
	txt, err := lookupVersionedTXT(ctx, r, "_mta-sts."+strings.TrimSuffix(domain, "."), "STSv1")
	if err != nil {
		c.RecordErr = err
		return c
	}
	if c.Record, c.RecordErr = ParseMTASTSRecord(txt); c.RecordErr != nil || client == nil {
		return c
	}
	if c.Policy, c.PolicyErr = FetchMTASTSPolicy(ctx, client, domain); c.PolicyErr != nil || c.Policy.Mode == MTASTSNone {
		return c
	}
	if mxs, err := r.LookupMX(ctx, domain); err == nil {
		for _, mx := range mxs {
			if !c.Policy.MatchesMX(mx.Host) {
				c.UncoveredMX = append(c.UncoveredMX, mx.Host)
			}
		}
	}
	return c
}
