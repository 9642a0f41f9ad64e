package main

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/bouncekit/bouncekit/authcheck/inspect"
	"github.com/bouncekit/bouncekit/authcheck/resolve"
)

// The DNS-backed checks of `bouncekit inspect` (authentication,
// infrastructure, domain blocklists, the DNS part of the bulk-sender
// group). --dns-zone FILE answers every query from a zone file, offline;
// without it the checks use live DNS only when BOUNCEKIT_DNS says so
// ("system" for /etc/resolv.conf, or host:port of a resolver), and
// otherwise skip with the reason, so a bare `inspect FILE` never touches the
// network.
func init() {
	inspectDNSHook = func(_ context.Context, zoneFile string, opts *inspect.Options) error {
		r, err := inspectResolver(zoneFile, os.Getenv("BOUNCEKIT_DNS"))
		if err != nil {
			return err
		}
		if r == nil {
			opts.Extra = append(opts.Extra, inspect.DNSChecks()...)
			return nil
		}
		*opts = inspect.WithDNS(*opts, inspect.DNS{Resolver: r})
		return nil
	}
}

func inspectResolver(zoneFile, live string) (resolve.Resolver, error) {
	switch {
	case zoneFile != "":
		b, err := os.ReadFile(zoneFile)
		if err != nil {
			return nil, fmt.Errorf("--dns-zone: %w", err)
		}
		z, err := resolve.NewStatic(string(b))
		if err != nil {
			return nil, fmt.Errorf("--dns-zone %s: %w", zoneFile, err)
		}
		return z, nil
	case live == "system":
		return resolve.NewClient(resolve.Config{}), nil
	case live != "":
		return resolve.NewClient(resolve.Config{Servers: strings.Split(live, ",")}), nil
	}
	return nil, nil
}
