package inspect

// This file plugs the DNS-backed evaluation (authcheck/msgauth: DKIM, SPF,
// DMARC, ARC, BIMI, rDNS, HELO, blocklists) into Inspect through the
// extension point: Options.Auth fills the report's dkim, spf, dmarc and arc
// sections, and the checks of DNSChecks read the full evaluation.

import (
	"context"
	"strings"

	"github.com/bouncekit/bouncekit/authcheck/dnsbl"
	"github.com/bouncekit/bouncekit/authcheck/msgauth"
	"github.com/bouncekit/bouncekit/authcheck/resolve"
)

// DNS configures the DNS-backed checks. Resolver is required: a
// resolve.Static zone keeps the whole inspection offline.
type DNS struct {
	Resolver resolve.Resolver
	// Blocklists are the zones asked; nil means dnsbl.DefaultZones().
	Blocklists []dnsbl.Zone
	// NoBlocklists skips every blocklist query (the checks then skip).
	NoBlocklists bool
	// BIMISelector is the BIMI selector; "" means "default".
	BIMISelector string
}

// WithDNS returns opts with the DNS-backed checks added: Auth (replacing
// any set) evaluates the message once through d.Resolver, and DNSChecks
// are appended to Extra. The envelope and clock come from opts. Options
// built this way are safe for concurrent Inspect calls if the Resolver is.
func WithDNS(opts Options, d DNS) Options {
	opts.Auth = func(ctx context.Context, in *Input) Auth {
		return dnsAuth(ctx, in, d)
	}
	opts.Extra = append(append([]Check(nil), opts.Extra...), DNSChecks()...)
	return opts
}

func dnsAuth(ctx context.Context, in *Input, d DNS) Auth {
	// Every host of the message goes to the domain blocklists: the
	// registrable domains and the link, image and redirect-target hosts.
	var doms []string
	for _, dm := range in.Domains() {
		doms = append(doms, dm.Domain)
	}
	for _, l := range in.Links() {
		if l.Host != "" && !isNumericHost(l.Host) {
			doms = append(doms, l.Host)
		}
		if l.targetHost != "" && !isNumericHost(l.targetHost) {
			doms = append(doms, l.targetHost)
		}
	}
	res := msgauth.Evaluate(ctx, d.Resolver, in.Message.Raw, msgauth.Options{
		Envelope:     msgauth.Envelope{IP: in.Envelope.IP, HELO: in.Envelope.HELO, MailFrom: in.Envelope.MailFrom},
		Now:          in.Now,
		Domains:      doms,
		Blocklists:   d.Blocklists,
		NoBlocklists: d.NoBlocklists,
		BIMISelector: d.BIMISelector,
	})
	a := Auth{DKIM: []DKIM{}, ext: &res}
	for _, k := range res.DKIM {
		a.DKIM = append(a.DKIM, DKIM{Domain: k.Domain, Selector: k.Selector, Algorithm: k.Algorithm, Result: string(k.Result), Reason: k.Reason})
	}
	a.SPF = &SPF{Result: string(res.SPF.Result), Domain: res.SPF.Domain, IP: res.SPF.IP, HELO: res.SPF.HELO, Reason: res.SPF.Reason}
	if res.SPF.Result == "" {
		a.SPF.Result = "none"
	}
	a.DMARC = &DMARC{Result: string(res.DMARC.Result), Domain: res.DMARC.Domain, Policy: string(res.DMARC.Policy),
		DKIMAligned: res.DMARC.DKIMAligned, SPFAligned: res.DMARC.SPFAligned, RUA: res.DMARC.RUA, Reason: res.DMARC.Reason}
	a.ARC = &ARC{CV: string(res.ARC.CV), Instances: res.ARC.Instances, Reason: res.ARC.Reason}
	return a
}

// evaluation returns what WithDNS computed, nil without it.
func evaluation(in *Input) *msgauth.Result {
	if in.Auth == nil {
		return nil
	}
	r, _ := in.Auth.ext.(*msgauth.Result)
	return r
}

// dnsCheck wraps a check that needs the evaluation: it skips without one.
func dnsCheck(run func(in *Input, r *msgauth.Result) Finding) func(context.Context, *Input) Finding {
	return func(_ context.Context, in *Input) Finding {
		r := evaluation(in)
		if r == nil {
			return skip("no DNS source: the DNS checks need a resolver (bouncekit inspect --dns-zone FILE)")
		}
		if r.Err != nil {
			return skip("not evaluated: %v", r.Err)
		}
		return run(in, r)
	}
}

// DNSChecks returns the DNS-backed checks in the order they run: the
// authentication group, the infrastructure group (when an IP is given),
// the domain blocklists and the DNS parts of the bulk-sender group. They
// skip unless Options.Auth came from WithDNS.
func DNSChecks() []Check {
	var cs []Check
	cs = append(cs, authChecks()...)
	cs = append(cs, infraChecks()...)
	cs = append(cs, domainBlocklistChecks()...)
	cs = append(cs, bulkDNSChecks()...)
	return cs
}

func joinN(s []string, n int) string {
	return strings.Join(first(s, n), ", ")
}
