// Verification of external DMARC report destinations (RFC 7489 §7.1): a
// domain may only have its reports sent to another organisation's mailbox if
// that organisation publishes consent.

package dmarc

import (
	"context"
	"strings"

	"github.com/bouncekit/bouncekit/authcheck/psl"
	"github.com/bouncekit/bouncekit/authcheck/resolve"
)

// ReportDestination is the check of one rua=/ruf= mailbox.
type ReportDestination struct {
	Tag      string `json:"tag"` // "rua" or "ruf"
	URI      string `json:"uri"`
	Domain   string `json:"domain"`
	External bool   `json:"external"` // a different organisational domain than the policy's
	// Authorized is true for internal destinations and for external ones
	// that publish the RFC 7489 §7.1 record.
	Authorized bool   `json:"authorized"`
	Query      string `json:"query,omitempty"` // the name checked for external ones
	Err        error  `json:"-"`               // a temporary DNS failure: authorisation unknown
}

// VerifyReportDestinations checks every mailto: destination of rec,
// published at policyDomain. For a destination outside policyDomain's
// organisational domain it queries
// <policyDomain>._report._dmarc.<destination domain> for a TXT record
// beginning with v=DMARC1 (RFC 7489 §7.1). Results follow the record's order.
func VerifyReportDestinations(ctx context.Context, r resolve.Resolver, policyDomain string, rec *Record) []ReportDestination {
	if rec == nil {
		return nil
	}
	policyDomain = strings.ToLower(strings.TrimSuffix(policyDomain, "."))
	porg := psl.OrgDomainOrSelf(policyDomain)
	var out []ReportDestination
	check := func(tag string, uris []ReportURI) {
		for _, u := range uris {
			if u.Domain == "" {
				continue
			}
			d := ReportDestination{Tag: tag, URI: u.URI, Domain: u.Domain}
			if psl.OrgDomainOrSelf(u.Domain) == porg {
				d.Authorized = true
				out = append(out, d)
				continue
			}
			d.External = true
			d.Query = policyDomain + "._report._dmarc." + u.Domain
			txts, err := r.LookupTXT(ctx, d.Query)
			switch {
			case err != nil && !resolve.IsNotFound(err):
				d.Err = err
			case err == nil:
				for _, t := range txts {
					if isDMARCRecord(t) {
						d.Authorized = true
						break
					}
				}
			}
			out = append(out, d)
		}
	}
	check("rua", rec.RUA)
	check("ruf", rec.RUF)
	return out
}
