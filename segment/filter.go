package segment

// This file selects the outcomes a report counts.

import (
	"slices"
	"strings"
	"time"

	"github.com/bouncekit/bouncekit/classify"
)

// Filter selects outcomes by time, campaign, provider and sending IP. Each
// set field must match; the zero Filter matches everything. It is applied
// to outcomes, after the events of a key are folded, so a message deferred
// before Since and delivered after it counts as delivered.
type Filter struct {
	// Since and Until bound the outcome time: Since <= Time < Until. An
	// event without a time matches neither bound.
	Since, Until time.Time
	// Campaigns, Providers and SendingIPs list the values kept (campaign
	// as given, providers as classify names, IPs as logged).
	Campaigns  []string
	Providers  []classify.Provider
	SendingIPs []string
}

// IsZero reports whether f matches everything.
func (f *Filter) IsZero() bool {
	return f.Since.IsZero() && f.Until.IsZero() && len(f.Campaigns) == 0 && len(f.Providers) == 0 && len(f.SendingIPs) == 0
}

// Match reports whether ev passes the filter; provider is the event's
// provider (Aggregate.SegmentDomain), read only when Providers is set.
func (f *Filter) Match(ev *Event, provider func() classify.Provider) bool {
	if !f.Since.IsZero() && (ev.Time.IsZero() || ev.Time.Before(f.Since)) {
		return false
	}
	if !f.Until.IsZero() && (ev.Time.IsZero() || !ev.Time.Before(f.Until)) {
		return false
	}
	if len(f.Campaigns) > 0 && !slices.Contains(f.Campaigns, ev.Campaign) {
		return false
	}
	if len(f.SendingIPs) > 0 && !slices.Contains(f.SendingIPs, ev.SendingIP) {
		return false
	}
	if len(f.Providers) > 0 {
		p := provider()
		if !slices.ContainsFunc(f.Providers, func(x classify.Provider) bool { return strings.EqualFold(string(x), string(p)) }) {
			return false
		}
	}
	return true
}
