package authcheck

import (
	"context"
	"errors"
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/bouncekit/bouncekit/internal/dnstest"
)

const rdnsZone = `
$ORIGIN 2.0.192.in-addr.arpa.
1     PTR mail.example.test.
2     PTR liar.example.test.
3     PTR mail.example.test.
$ORIGIN example.test.
mail  A    192.0.2.1
mail  AAAA 2001:db8::1
liar  A    198.51.100.7
other A    198.51.100.8
@     MX   10 mail
@     MX   20 gone
null  MX   0 .
noaddr MX  10 gone
bare  A    192.0.2.44
`

func rdnsResolver(t *testing.T) Resolver {
	srv := dnstest.New(t, rdnsZone, dnstest.ServFail("4.2.0.192.in-addr.arpa"), dnstest.Timeout("slow.example.test"))
	return NewDNSResolver(DNSConfig{Servers: []string{srv.Addr}, Timeout: 500 * time.Millisecond, Retries: 1})
}

func TestCheckReverseDNS(t *testing.T) {
	r := rdnsResolver(t)
	cases := []struct {
		name   string
		ip     string
		helo   string
		fcrdns bool
		codes  []FindingCode
	}{
		{"a confirmed PTR and a matching HELO give no finding", "192.0.2.1", "mail.example.test", true, nil},
		{"a PTR whose name points elsewhere is a mismatch", "192.0.2.2", "liar.example.test", false, []FindingCode{FindingRDNSMismatch, FindingHELOMismatch}},
		{"no PTR is rdns.missing", "192.0.2.9", "mail.example.test", false, []FindingCode{FindingRDNSMissing, FindingHELOMismatch}},
		{"a PTR SERVFAIL is a temporary error", "192.0.2.4", "mail.example.test", false, []FindingCode{FindingRDNSTempError, FindingHELOMismatch}},
		{"a single-label HELO is not an FQDN", "192.0.2.1", "localhost", true, []FindingCode{FindingHELONotFQDN}},
		{"a HELO without address is unresolvable", "192.0.2.1", "nothing.example.test", true, []FindingCode{FindingHELOUnresolvable}},
		{"a matching address literal is noted", "192.0.2.1", "[192.0.2.1]", true, []FindingCode{FindingHELONotFQDN}},
		{"a foreign address literal is a mismatch", "192.0.2.1", "[192.0.2.200]", true, []FindingCode{FindingHELOMismatch}},
		{"a silent HELO lookup is a timeout", "192.0.2.1", "slow.example.test", true, []FindingCode{FindingDNSTimeout}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := CheckReverseDNS(context.Background(), r, netip.MustParseAddr(c.ip), c.helo)
			if got.FCrDNS != c.fcrdns {
				t.Errorf("FCrDNS %v, want %v (%+v)", got.FCrDNS, c.fcrdns, got)
			}
			var codes []FindingCode
			for _, f := range RDNSFindings(got) {
				codes = append(codes, f.Code)
			}
			if !slices.Equal(codes, c.codes) {
				t.Errorf("findings %v, want %v", codes, c.codes)
			}
		})
	}
	got := CheckReverseDNS(context.Background(), r, netip.MustParseAddr("192.0.2.3"), "mail.example.test")
	// 192.0.2.3 names mail.example.test, which points at 192.0.2.1: the
	// HELO equals the PTR name, yet neither is confirmed.
	if !got.HELO.MatchesPTR || got.HELO.MatchesIP || got.FCrDNS || len(got.Confirmed) != 0 {
		t.Errorf("HELO equal to an unconfirmed PTR name: %+v", got)
	}
}

func TestCheckReverseDNSIPv6(t *testing.T) {
	zone := rdnsZone + "\n1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa. PTR mail.example.test.\n"
	srv := dnstest.New(t, zone)
	r := NewDNSResolver(DNSConfig{Servers: []string{srv.Addr}, Retries: -1})
	got := CheckReverseDNS(context.Background(), r, netip.MustParseAddr("2001:db8::1"), "mail.example.test")
	if !got.FCrDNS || !got.HELO.MatchesIP || len(RDNSFindings(got)) != 0 {
		t.Fatalf("%+v %v", got, RDNSFindings(got))
	}
}

func TestIsFQDN(t *testing.T) {
	for name, want := range map[string]bool{
		"mail.example.com":  true,
		"mail.example.com.": true,
		"a-b.c0.io":         true,
		"localhost":         false,
		"":                  false,
		"192.0.2.1":         false,
		"-a.example.com":    false,
		"a..example.com":    false,
		"mail_1.example":    false,
		"[192.0.2.1]":       false,
	} {
		if got := IsFQDN(name); got != want {
			t.Errorf("IsFQDN(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestCheckEnvelopeDomain(t *testing.T) {
	r := rdnsResolver(t)
	cases := []struct {
		name     string
		domain   string
		receive  bool
		nullMX   bool
		implicit bool
		code     FindingCode
	}{
		{"an MX with an address receives", "example.test", true, false, false, ""},
		{"a null MX cannot receive", "null.example.test", false, true, false, FindingEnvelopeNullMX},
		{"an MX whose host has no address cannot receive", "noaddr.example.test", false, false, false, FindingEnvelopeNoMX},
		{"no MX but an A record is an implicit MX", "bare.example.test", true, false, true, FindingEnvelopeNoMX},
		{"a missing domain cannot receive", "missing.example.test", false, false, true, FindingEnvelopeNoMX},
		{"an address is reduced to its domain", "bounce@example.test", true, false, false, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := CheckEnvelopeDomain(context.Background(), r, c.domain)
			if got.CanReceive != c.receive || got.NullMX != c.nullMX || got.Implicit != c.implicit {
				t.Fatalf("%+v", got)
			}
			fs := EnvelopeFindings(got)
			if c.code == "" && len(fs) != 0 || c.code != "" && (len(fs) != 1 || fs[0].Code != c.code) {
				t.Fatalf("findings %v, want %q", fs, c.code)
			}
		})
	}
	got := CheckEnvelopeDomain(context.Background(), r, "example.test")
	if !slices.Equal(got.Unresolvable, []string{"gone.example.test"}) {
		t.Errorf("unresolvable %v", got.Unresolvable)
	}
	if got := CheckEnvelopeDomain(context.Background(), r, "slow.example.test"); !errors.Is(got.Err, ErrTimeout) || got.CanReceive {
		t.Errorf("silent server: %+v", got)
	}
}
