package segment

// This file is the read-only side of an Aggregate. Figures, Compare,
// Diagnose, Trend and the suppression brake read a view: the interned
// tables and the counts, never the interning, the caches or the options
// beyond the window. They cannot change the aggregate, and the Aggregate's
// own methods are the writing side only (Add, Merge, the JSON form).

import (
	"time"

	"github.com/bouncekit/bouncekit/classify"
)

// view is a read-only view of an Aggregate's counts. It shares the
// Aggregate's tables: take a new one after the Aggregate changes.
type view struct {
	attrs     []*attrTable
	attrIndex map[string]uint16
	provs     []*providerState
	provIndex map[classify.Provider]uint32
	camps     []string
	groups    []*group
	total     Counts
	window    time.Duration
}

func (a *Aggregate) view() *view {
	return &view{attrs: a.attrs, attrIndex: a.attrIndex, provs: a.provs, provIndex: a.provIndex,
		camps: a.camps, groups: a.groups, total: a.total, window: a.opt.Window}
}

// Compare sets the failed rows of a provider against its delivered rows,
// attribute value by attribute value: which values the failures share that
// the deliveries do not. Every value is tested with Fisher's exact test and
// the p-values are adjusted with Benjamini-Hochberg, so a set of failures
// with no common cause reports no significant finding (at rate Alpha).
func (a *Aggregate) Compare(q Query) Comparison { return a.view().Compare(q) }

// Diagnose follows the triage a deliverability engineer does for each
// provider that needs attention: take the provider's own rate, pick the
// failures that matter (its most frequent tag at the investigate level or
// above, else its most frequent failure category), set them against the
// delivered rows of the same campaigns, and read the pattern: broad
// rejection, relay addresses, one template, one link host, or a slice of
// content or recipients. It adds the escalation signals (the rate spread
// over unrelated campaigns, transactional mail hit, new and old subscribers
// hit alike, authentication failures alongside, a rising trend) and the
// suppression brake. Results are in provider order of the Providers table.
func (a *Aggregate) Diagnose(opt DiagnoseOptions) []Diagnosis { return a.view().Diagnose(opt) }

// Providers returns every provider's figures, largest denominator first.
func (a *Aggregate) Providers(p Policy) []ProviderStats { return a.view().Providers(p) }

// Provider returns one provider's figures.
func (a *Aggregate) Provider(name classify.Provider, p Policy) ProviderStats {
	return a.view().Provider(name, p)
}

// Breakdown returns a provider's segments by one attribute (AttrDomain,
// AttrTemplate, AttrSendingIP, a free attribute...), each with its own
// denominator, largest first. For AttrTag and AttrCategory the denominator
// is the provider's, as in ProviderStats.Tags. AttrCampaign gives the
// provider's campaigns.
func (a *Aggregate) Breakdown(provider classify.Provider, attr string, p Policy) []SegmentStats {
	return a.view().Breakdown(provider, attr, p)
}

// Figures returns the attempts per outcome and the time to delivery over
// every provider.
func (a *Aggregate) Figures() (Attempts, DelayStats) { return a.view().Figures() }

// Trend returns the failure rate per window for every provider, in provider
// name order.
func (a *Aggregate) Trend(opt TrendOptions) []Trend { return a.view().Trend(opt) }

// SuppressionBrake looks for a provider that suddenly reports as unknown or
// inactive a large share of addresses it accepted mail for before, which is
// a provider incident far more often than a wave of closed mailboxes. It
// returns the providers whose worst window crosses the brake, worst first.
func (a *Aggregate) SuppressionBrake(opt BrakeOptions) []Brake { return a.view().SuppressionBrake(opt) }
