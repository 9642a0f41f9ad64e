// MTA-STS (RFC 8461): the _mta-sts TXT record, the HTTPS policy file and
// whether a domain's MX hosts are covered by it.

package mtasts

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

	"github.com/bouncekit/bouncekit/authcheck/dkim"
	"github.com/bouncekit/bouncekit/authcheck/resolve"
)

// Mode is the mode of a policy; the values are the wire tokens.
type Mode string

const (
	Enforce Mode = "enforce" // RFC 8461 §5: refuse delivery to non-matching MX or bad TLS
	Testing Mode = "testing" // RFC 8461 §5: report only
	None    Mode = "none"    // RFC 8461 §5: no policy (used to withdraw one)
)

// Limits of RFC 8461.
const (
	MaxAge        = 31557600 // seconds, RFC 8461 §3.2
	MaxPolicySize = 64 << 10 // bytes read from the policy URL (RFC 8461 §3.3 suggests 64 KiB)
)

// Sentinels; *Error wraps one of them.
var (
	ErrSyntax = errors.New("malformed MTA-STS data")
	ErrFetch  = errors.New("MTA-STS policy fetch failed")
)

// Error is an MTA-STS record, policy or fetch problem.
type Error struct {
	Field string // the key or tag at fault, if any
	Err   error  // ErrSyntax or ErrFetch
	Msg   string
}

func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("mta-sts %s: %v: %s", e.Field, e.Err, e.Msg)
	}
	return fmt.Sprintf("mta-sts: %v: %s", e.Err, e.Msg)
}

func (e *Error) Unwrap() error { return e.Err }

// Record is the TXT record at _mta-sts.<domain> (RFC 8461 §3.1).
type Record struct {
	Version string `json:"v"`  // "STSv1"
	ID      string `json:"id"` // changes whenever the policy changes
	Raw     string `json:"record"`
}

// ParseRecord parses an _mta-sts TXT record.
func ParseRecord(txt string) (*Record, error) {
	tags, err := dkim.ParseTagList(txt)
	if err != nil {
		return nil, &Error{Err: ErrSyntax, Msg: err.Error()}
	}
	if len(tags) == 0 || tags[0].Name != "v" || tags[0].Value != "STSv1" {
		return nil, &Error{Field: "v", Err: ErrSyntax, Msg: "record must begin with v=STSv1"}
	}
	rec := &Record{Version: "STSv1", Raw: txt}
	for _, t := range tags[1:] {
		if t.Name == "id" {
			rec.ID = t.Value
		}
	}
	// RFC 8461 §3.1: sts-id = 1*32(ALPHA / DIGIT).
	if rec.ID == "" || len(rec.ID) > 32 || strings.IndexFunc(rec.ID, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9')
	}) >= 0 {
		return nil, &Error{Field: "id", Err: ErrSyntax, Msg: fmt.Sprintf("id %q must be 1 to 32 letters or digits", rec.ID)}
	}
	return rec, nil
}

// Policy is a parsed policy file (RFC 8461 §3.2).
type Policy struct {
	Version string   `json:"version"`
	Mode    Mode     `json:"mode"`
	MX      []string `json:"mx"`
	MaxAge  int64    `json:"max_age"` // seconds
}

// ParsePolicy parses the text of a policy file: "key: value" lines
// ending in CRLF or LF. Unknown keys are ignored (RFC 8461 §3.2); version,
// mode and max_age are required, and at least one mx unless mode is none.
func ParsePolicy(text string) (*Policy, error) {
	if len(text) > MaxPolicySize {
		return nil, &Error{Err: ErrSyntax, Msg: fmt.Sprintf("policy larger than %d bytes", MaxPolicySize)}
	}
	p := &Policy{MaxAge: -1}
	seen := map[string]bool{}
	sc := bufio.NewScanner(strings.NewReader(text))
	sc.Buffer(make([]byte, 0, 1024), MaxPolicySize+1)
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), "\r")
		if strings.TrimSpace(line) == "" {
			continue
		}
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			return nil, &Error{Err: ErrSyntax, Msg: fmt.Sprintf("line %q is not key: value", line)}
		}
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if k != "mx" && seen[k] {
			return nil, &Error{Field: k, Err: ErrSyntax, Msg: "key repeated"}
		}
		seen[k] = true
		switch k {
		case "version":
			if v != "STSv1" {
				return nil, &Error{Field: k, Err: ErrSyntax, Msg: fmt.Sprintf("version %q, want STSv1", v)}
			}
			p.Version = v
		case "mode":
			switch m := Mode(v); m {
			case Enforce, Testing, None:
				p.Mode = m
			default:
				return nil, &Error{Field: k, Err: ErrSyntax, Msg: fmt.Sprintf("mode %q is not enforce, testing or none", v)}
			}
		case "mx":
			if v == "" {
				return nil, &Error{Field: k, Err: ErrSyntax, Msg: "empty mx"}
			}
			p.MX = append(p.MX, strings.ToLower(v))
		case "max_age":
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 0 || n > MaxAge || len(v) > 10 {
				return nil, &Error{Field: k, Err: ErrSyntax, Msg: fmt.Sprintf("max_age %q is not 0 to %d", v, MaxAge)}
			}
			p.MaxAge = n
		}
	}
	if err := sc.Err(); err != nil {
		return nil, &Error{Err: ErrSyntax, Msg: err.Error()}
	}
	for _, req := range []string{"version", "mode", "max_age"} {
		if !seen[req] {
			return nil, &Error{Field: req, Err: ErrSyntax, Msg: "required key missing"}
		}
	}
	if p.Mode != None && len(p.MX) == 0 {
		return nil, &Error{Field: "mx", Err: ErrSyntax, Msg: "no mx in an enforce or testing policy"}
	}
	return p, nil
}

// MatchesMX reports whether host is allowed by the policy's mx patterns
// (RFC 8461 §4.1: exact, or "*.example.com" matching one leftmost label).
func (p *Policy) MatchesMX(host string) bool {
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

// PolicyURL is where a domain's policy is served (RFC 8461 §3.3).
func PolicyURL(domain string) string {
	return "https://mta-sts." + strings.TrimSuffix(domain, ".") + "/.well-known/mta-sts.txt"
}

// FetchPolicy fetches and parses the policy of domain over HTTPS with
// client (http.DefaultClient when nil). Redirects are not followed and the
// answer must be 200 with a text/plain body (RFC 8461 §3.3); at most
// MaxPolicySize bytes are read. Certificate checks are the client's.
func FetchPolicy(ctx context.Context, client *http.Client, domain string) (*Policy, error) {
	if client == nil {
		client = http.DefaultClient
	}
	c := *client
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	url := PolicyURL(domain)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, &Error{Err: ErrFetch, Msg: err.Error()}
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, &Error{Err: ErrFetch, Msg: err.Error()}
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, &Error{Err: ErrFetch, Msg: fmt.Sprintf("%s: HTTP %s (redirects are not followed)", url, resp.Status)}
	}
	if mt, _, err := mime.ParseMediaType(resp.Header.Get("Content-Type")); err != nil || mt != "text/plain" {
		return nil, &Error{Err: ErrFetch, Msg: fmt.Sprintf("%s: Content-Type %q, want text/plain", url, resp.Header.Get("Content-Type"))}
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxPolicySize+1))
	if err != nil {
		return nil, &Error{Err: ErrFetch, Msg: err.Error()}
	}
	return ParsePolicy(string(body))
}

// Result is the result of Check.
type Result struct {
	Domain    string  `json:"domain"`
	Record    *Record `json:"record,omitempty"`
	RecordErr error   `json:"-"`
	Policy    *Policy `json:"policy,omitempty"`
	PolicyErr error   `json:"-"` // nil also when no fetch was attempted
	// UncoveredMX are MX hosts of the domain the policy does not allow.
	UncoveredMX []string `json:"uncovered_mx,omitempty"`
}

// Check looks up the _mta-sts record of domain and, when client is not
// nil and the record exists, fetches the policy and checks the domain's MX
// hosts against it.
func Check(ctx context.Context, r resolve.Resolver, client *http.Client, domain string) *Result {
	c := &Result{Domain: domain}
	txt, err := resolve.LookupVersionedTXT(ctx, r, "_mta-sts."+strings.TrimSuffix(domain, "."), "STSv1")
	if err != nil {
		c.RecordErr = err
		return c
	}
	if c.Record, c.RecordErr = ParseRecord(txt); c.RecordErr != nil || client == nil {
		return c
	}
	if c.Policy, c.PolicyErr = FetchPolicy(ctx, client, domain); c.PolicyErr != nil || c.Policy.Mode == None {
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
