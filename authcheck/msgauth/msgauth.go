// The entry point: options, the result and Evaluate.

package msgauth

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/mail"
	"net/netip"
	"strings"
	"time"

	"github.com/bouncekit/bouncekit/authcheck/arc"
	"github.com/bouncekit/bouncekit/authcheck/dkim"
	"github.com/bouncekit/bouncekit/authcheck/dnsbl"
	"github.com/bouncekit/bouncekit/authcheck/resolve"
)

// DefaultMaxMessageBytes caps the message Evaluate reads when
// Options.MaxMessageBytes is 0.
const DefaultMaxMessageBytes = 32 << 20

// MaxDomains caps the domains checked against domain blocklists; the rest
// are reported as skipped so a hostile message cannot multiply queries.
const MaxDomains = 100

// ErrMessageTooLarge is returned (in Result.Err) when the message is over
// the size limit; nothing is evaluated.
var ErrMessageTooLarge = errors.New("msgauth: message too large")

// Envelope is what the SMTP session said; every field is optional and the
// checks that need a missing one are skipped.
type Envelope struct {
	IP       netip.Addr // the connecting client
	HELO     string     // the EHLO/HELO name
	MailFrom string     // the RFC5321.MailFrom address, "" or "<>" for the null sender
}

// Options configures Evaluate. The zero value evaluates the message alone
// (no envelope) at the current time against the default blocklists.
type Options struct {
	Envelope Envelope
	// Now is the clock for DKIM and ARC x= expiry; zero means time.Now().
	Now time.Time
	// Domains are further domains of the message to check on domain
	// blocklists: link, image and redirect-target hosts. The From, MAIL
	// FROM, HELO and DKIM d= domains are always checked.
	Domains []string
	// Blocklists are the zones queried; nil means dnsbl.DefaultZones().
	Blocklists []dnsbl.Zone
	// NoBlocklists skips every blocklist query.
	NoBlocklists bool
	// BIMISelector is the BIMI selector; "" means "default".
	BIMISelector string
	// MaxMessageBytes caps the message; 0 means DefaultMaxMessageBytes.
	MaxMessageBytes int
}

// Result is the evaluation of one message. It is plain data, safe to read
// from several goroutines once returned.
type Result struct {
	// From is the RFC5322.From address (the first, when there are several)
	// and FromDomain its domain in lower case; FromCount counts the
	// addresses in From fields (DMARC needs exactly one, RFC 7489 §6.6.1).
	From       string
	FromDomain string
	FromCount  int

	DKIM  []DKIM
	SPF   SPF
	DMARC DMARC
	ARC   ARC
	BIMI  BIMI
	// Infra is the sending IP's standing; nil when no IP was given.
	Infra *Infra
	// Domains is every domain checked on the domain blocklists, in order
	// of first appearance (From, MAIL FROM, HELO, DKIM d=, then
	// Options.Domains).
	Domains []Domain
	// Err is set when the message could not be evaluated at all.
	Err error
}

// Evaluate runs every check on msg (CRLF or bare LF line endings) with DNS
// through r. It never panics; DNS failures are reported in the part they
// affect (temperror results, Err fields) and the rest still runs. It is
// safe for concurrent use if r is.
func Evaluate(ctx context.Context, r resolve.Resolver, msg []byte, opts Options) Result {
	limit := opts.MaxMessageBytes
	if limit <= 0 {
		limit = DefaultMaxMessageBytes
	}
	if len(msg) > limit {
		return Result{Err: fmt.Errorf("%w: %d bytes, limit %d", ErrMessageTooLarge, len(msg), limit)}
	}
	if r == nil {
		r = resolve.OrFail(nil)
	}
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	m := dkim.SplitMessage(msg)
	var res Result
	res.From, res.FromDomain, res.FromCount = fromOf(m)

	res.DKIM = evalDKIM(ctx, r, msg, m, now)
	res.SPF = evalSPF(ctx, r, opts.Envelope)
	res.DMARC = evalDMARC(ctx, r, res.FromDomain, res.SPF, res.DKIM)
	alignDKIM(res.DKIM, res.FromDomain, res.DMARC)
	res.ARC = evalARC(ctx, r, msg, now)
	res.BIMI = evalBIMI(ctx, r, res.FromDomain, opts.BIMISelector, res.DMARC)
	if opts.Envelope.IP.IsValid() {
		in := evalInfra(ctx, r, opts.Envelope)
		res.Infra = &in
	}
	res.Domains = evalDomains(ctx, r, &res, opts)
	return res
}

// fromOf reads the From fields: the first address, its domain and the
// number of addresses across all From fields.
func fromOf(m dkim.Message) (addr, domain string, count int) {
	for _, h := range m.Headers {
		if !strings.EqualFold(h.Name, "From") {
			continue
		}
		v := strings.TrimSpace(string(bytes.ReplaceAll(bytes.ReplaceAll([]byte(h.Value()), []byte("\r\n"), nil), []byte("\n"), nil)))
		list, err := mail.ParseAddressList(v)
		if err != nil || len(list) == 0 {
			// RFC 5322 §3.4 obsolete or broken syntax: take the last <...> or
			// the bare value, as receivers do for DMARC's From domain.
			a := v
			if i := strings.LastIndexByte(a, '<'); i >= 0 {
				a = strings.TrimSuffix(a[i+1:], ">")
			}
			list = []*mail.Address{{Address: strings.TrimSpace(a)}}
		}
		for _, a := range list {
			if count == 0 {
				addr = a.Address
				domain = domainOf(a.Address)
			}
			count++
		}
	}
	return addr, domain, count
}

// domainOf is the lower-case domain of an address, "" without '@'.
func domainOf(addr string) string {
	addr = strings.Trim(strings.TrimSpace(addr), "<>")
	i := strings.LastIndexByte(addr, '@')
	if i < 0 {
		return ""
	}
	return strings.ToLower(strings.TrimSuffix(addr[i+1:], "."))
}

// ARC is the chain validation of RFC 8617 §5.2.
type ARC struct {
	CV        arc.Result `json:"cv"`
	Instances int        `json:"instances"`
	// FailedInstance is the set at fault when CV is fail.
	FailedInstance int    `json:"failed_instance,omitempty"`
	Reason         string `json:"reason"`
	Temporary      bool   `json:"temporary,omitempty"`
	// Hops is, per instance from 1, the authserv-id and results its AAR
	// recorded (what that forwarder saw on receipt).
	Hops []string `json:"hops,omitempty"`
	Err  error    `json:"-"`
}

func evalARC(ctx context.Context, r resolve.Resolver, msg []byte, now time.Time) ARC {
	v := (&arc.Validator{Resolver: r, Now: func() time.Time { return now }}).Validate(ctx, msg)
	a := ARC{CV: v.Result, Instances: v.Instances, FailedInstance: v.FailedInstance, Reason: v.Reason, Temporary: v.Temporary, Err: v.Err}
	for _, s := range v.Sets {
		a.Hops = append(a.Hops, s.AuthResults.Payload)
	}
	return a
}
