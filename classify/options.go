package classify

// This file holds what configures a Classifier: Options, provider maps and the
// limits on rules.

import (
	"errors"
	"fmt"
	"strings"

	"github.com/bouncekit/bouncekit/internal/ascii"
)

// Options configure a Classifier. The zero Options give the built-in rules.
// Options marshal to and from JSON (see ReadOptions).
type Options struct {
	// Before are tried ahead of every built-in rule.
	Before []Rule `json:"before,omitempty"`
	// After are tried after the built-in provider and text rules, ahead of
	// the built-in code-only defaults (RFC 3463 registry and RFC 5321 basic
	// codes), which match every reply that carries a code.
	After []Rule `json:"after,omitempty"`
	// Disable lists built-in rule IDs to leave out.
	Disable []string `json:"disable,omitempty"`
	// NoBuiltins leaves out every built-in rule.
	NoBuiltins bool `json:"no_builtins,omitempty"`
	// NoMeaning leaves out the meaning layer (ReadMeaning and the meaning
	// rules): replies the phrase rules do not decide get the codes'
	// generic readings, as before it. For comparison and benchmarks.
	NoMeaning bool `json:"no_meaning,omitempty"`
	// Providers place hosts and domains the built-in tables do not know
	// with a provider (a regional mailbox provider, an in-house gateway),
	// so rules scoped to it (Rule.Provider) fire and verdicts name it.
	// They are consulted before the built-in tables.
	Providers []ProviderMap `json:"providers,omitempty"`
}

// ProviderMap places remote MTA hosts and recipient domains with a
// provider. At most MaxProviderNames hosts and domains in total.
type ProviderMap struct {
	Provider Provider `json:"provider"`
	// Hosts are MX or remote MTA host names: a host matches one when it
	// equals it or ends in "." and it ("acme-mail.example" matches
	// "mx1.acme-mail.example").
	Hosts []string `json:"hosts,omitempty"`
	// Domains are recipient domains, matched exactly.
	Domains []string `json:"domains,omitempty"`
}

// MaxProviderNames is the largest number of hosts plus domains that
// Options.Providers may hold.
const MaxProviderNames = 1 << 16

// MaxRules is the largest number of rules a Classifier takes (the candidate
// set of one Classify call is a bitset of this size on the stack).
const MaxRules = 8192

const maxRuleWords = MaxRules / 64

// ErrBadProviderMap is wrapped by the *RuleError New returns for an
// invalid Options.Providers entry (no provider, an empty or over-long name,
// too many names).
var ErrBadProviderMap = errors.New("invalid provider map")

// providerMaps indexes Options.Providers by lower-cased host and domain.
func providerMaps(pms []ProviderMap) (hosts, domains map[string]Provider, err error) {
	if len(pms) == 0 {
		return nil, nil, nil
	}
	hosts, domains = map[string]Provider{}, map[string]Provider{}
	n := 0
	for i, pm := range pms {
		bad := func(field, why string) error {
			return &RuleError{ID: string(pm.Provider), Index: i, Field: "providers." + field, Err: fmt.Errorf("%w: %s", ErrBadProviderMap, why)}
		}
		if strings.TrimSpace(string(pm.Provider)) == "" {
			return nil, nil, bad("provider", "no provider name")
		}
		for _, set := range [...]struct {
			field string
			names []string
			m     map[string]Provider
		}{{"hosts", pm.Hosts, hosts}, {"domains", pm.Domains, domains}} {
			for _, name := range set.names {
				key := ascii.Lower(cleanName(name))
				if key == "" || len(key) > 253 {
					return nil, nil, bad(set.field, fmt.Sprintf("%q is not a host or domain name", name))
				}
				if n++; n > MaxProviderNames {
					return nil, nil, bad(set.field, fmt.Sprintf("more than %d names", MaxProviderNames))
				}
				set.m[key] = pm.Provider
			}
		}
	}
	return hosts, domains, nil
}
