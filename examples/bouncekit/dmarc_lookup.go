package main

// This file is the dmarc command's only use of DNS code: the current DMARC
// record and PTR names, through authcheck/dmarc and authcheck/resolve. It
// maps dmarc.Record onto
// dmarcreport's own policy type so that dmarcreport needs no DNS package.

import (
	"context"
	"errors"

	"github.com/bouncekit/bouncekit/authcheck/dmarc"
	"github.com/bouncekit/bouncekit/authcheck/dmarcreport"
	"github.com/bouncekit/bouncekit/authcheck/resolve"
)

func dnsResolver(server string) *resolve.Client {
	cfg := resolve.Config{CacheSize: 4096}
	if server != "" {
		cfg.Servers = []string{server}
	}
	return resolve.NewClient(cfg)
}

func ptrResolver(server string) dmarcreport.PTRResolver { return dnsResolver(server) }

// lookupPolicy finds the DMARC record that applies to domain (RFC 9989
// tree walk) and maps it.
func lookupPolicy(ctx context.Context, server, domain string) (dmarcreport.CurrentPolicy, error) {
	d := dmarc.Discover(ctx, dnsResolver(server), domain)
	if d.Err != nil {
		return dmarcreport.CurrentPolicy{}, d.Err
	}
	rec := d.Record
	if rec == nil {
		return dmarcreport.CurrentPolicy{}, errors.New("no DMARC record")
	}
	p := dmarcreport.CurrentPolicy{
		P: dmarcreport.Policy(rec.Policy), SP: dmarcreport.Policy(rec.SubdomainPolicy), NP: dmarcreport.Policy(rec.NonexistentPolicy),
		Pct: rec.Percent, HasPct: rec.Percent != 100, Testing: rec.Testing,
		ADKIM: dmarcreport.Alignment(rec.ADKIM), ASPF: dmarcreport.Alignment(rec.ASPF), FO: joinFO(rec.FailureOptions),
	}
	for _, u := range rec.RUA {
		p.RUA = append(p.RUA, u.URI)
	}
	return p, nil
}

func joinFO(fo []string) string {
	s := ""
	for i, f := range fo {
		if i > 0 {
			s += ":"
		}
		s += f
	}
	return s
}
