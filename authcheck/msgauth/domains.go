// Every domain of the message against domain blocklists (RFC 5782 §2.3),
// where a refusal answer is never read as a listing.

package msgauth

import (
	"context"
	"strings"

	"github.com/bouncekit/bouncekit/authcheck/dnsbl"
	"github.com/bouncekit/bouncekit/authcheck/resolve"
)

// Domain is one domain of the message and its blocklist results.
type Domain struct {
	Domain string `json:"domain"`
	// Sources says where it appears: from, envelope, helo, dkim, or
	// "given" for Options.Domains.
	Sources []string `json:"sources"`
	// Results is the domain on each domain blocklist, in zone order.
	Results []dnsbl.Result `json:"-"`
	// Skipped is set when the domain was not queried (over MaxDomains).
	Skipped bool `json:"skipped,omitempty"`
}

// Status folds the results: listed if any zone lists it, else refused or
// error if any zone did not answer usefully (the status is then unknown,
// never "listed"), else not_listed. Empty when no zone was asked.
func (d Domain) Status() dnsbl.Status {
	var st dnsbl.Status
	for _, r := range d.Results {
		switch r.Status {
		case dnsbl.Listed:
			return dnsbl.Listed
		case dnsbl.Refused, dnsbl.Error:
			st = r.Status
		case dnsbl.NotListed:
			if st == "" {
				st = dnsbl.NotListed
			}
		}
	}
	return st
}

func evalDomains(ctx context.Context, r resolve.Resolver, res *Result, opts Options) []Domain {
	var out []Domain
	idx := map[string]int{}
	add := func(d, src string) {
		d = strings.ToLower(strings.Trim(strings.TrimSpace(d), "."))
		if d == "" || !strings.Contains(d, ".") {
			return
		}
		if _, ok := resolve.CheckName(d); !ok {
			return
		}
		i, ok := idx[d]
		if !ok {
			i = len(out)
			idx[d] = i
			out = append(out, Domain{Domain: d})
		}
		for _, s := range out[i].Sources {
			if s == src {
				return
			}
		}
		out[i].Sources = append(out[i].Sources, src)
	}
	add(res.FromDomain, "from")
	add(domainOf(opts.Envelope.MailFrom), "envelope")
	add(opts.Envelope.HELO, "helo")
	for _, d := range res.DKIM {
		add(d.Domain, "dkim")
	}
	for _, d := range opts.Domains {
		add(d, "given")
	}
	if opts.NoBlocklists {
		if res.Infra != nil {
			res.Infra.Listings = nil
		}
		return out
	}
	var names []string
	for i := range out {
		if i >= MaxDomains {
			out[i].Skipped = true
			continue
		}
		names = append(names, out[i].Domain)
	}
	ip := opts.Envelope.IP
	results := dnsbl.Check(ctx, r, ip, names, opts.Blocklists)
	for _, br := range results {
		if br.Kind == dnsbl.IP {
			if res.Infra != nil {
				res.Infra.Listings = append(res.Infra.Listings, br)
			}
			continue
		}
		if i, ok := idx[strings.ToLower(br.Subject)]; ok {
			out[i].Results = append(out[i].Results, br)
		}
	}
	return out
}
