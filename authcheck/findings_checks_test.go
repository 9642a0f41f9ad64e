package authcheck

import (
	"context"
	"crypto/rsa"
	"errors"
	"math/big"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bouncekit/bouncekit/authcheck/dkim"
	"github.com/bouncekit/bouncekit/authcheck/dnsbl"
	"github.com/bouncekit/bouncekit/authcheck/envelope"
	"github.com/bouncekit/bouncekit/authcheck/internal/authtest"
	"github.com/bouncekit/bouncekit/authcheck/rdns"
	"github.com/bouncekit/bouncekit/authcheck/resolve"
	"github.com/bouncekit/bouncekit/authcheck/spf"
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

func rdnsResolver(t *testing.T) resolve.Resolver {
	srv := dnstest.New(t, rdnsZone, dnstest.ServFail("4.2.0.192.in-addr.arpa"), dnstest.Timeout("slow.example.test"))
	return resolve.NewClient(resolve.Config{Servers: []string{srv.Addr}, Timeout: 500 * time.Millisecond, Retries: 1})
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
			got := rdns.Check(context.Background(), r, netip.MustParseAddr(c.ip), c.helo)
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
	got := rdns.Check(context.Background(), r, netip.MustParseAddr("192.0.2.3"), "mail.example.test")
	// 192.0.2.3 names mail.example.test, which points at 192.0.2.1: the
	// HELO equals the PTR name, yet neither is confirmed.
	if !got.HELO.MatchesPTR || got.HELO.MatchesIP || got.FCrDNS || len(got.Confirmed) != 0 {
		t.Errorf("HELO equal to an unconfirmed PTR name: %+v", got)
	}
}

func TestCheckReverseDNSIPv6(t *testing.T) {
	zone := rdnsZone + "\n1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa. PTR mail.example.test.\n"
	srv := dnstest.New(t, zone)
	r := resolve.NewClient(resolve.Config{Servers: []string{srv.Addr}, Retries: -1})
	got := rdns.Check(context.Background(), r, netip.MustParseAddr("2001:db8::1"), "mail.example.test")
	if !got.FCrDNS || !got.HELO.MatchesIP || len(RDNSFindings(got)) != 0 {
		t.Fatalf("%+v %v", got, RDNSFindings(got))
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
			got := envelope.Check(context.Background(), r, c.domain)
			if got.CanReceive != c.receive || got.NullMX != c.nullMX || got.Implicit != c.implicit {
				t.Fatalf("%+v", got)
			}
			fs := EnvelopeFindings(got)
			if c.code == "" && len(fs) != 0 || c.code != "" && (len(fs) != 1 || fs[0].Code != c.code) {
				t.Fatalf("findings %v, want %q", fs, c.code)
			}
		})
	}
	got := envelope.Check(context.Background(), r, "example.test")
	if !slices.Equal(got.Unresolvable, []string{"gone.example.test"}) {
		t.Errorf("unresolvable %v", got.Unresolvable)
	}
	if got := envelope.Check(context.Background(), r, "slow.example.test"); !errors.Is(got.Err, resolve.ErrTimeout) || got.CanReceive {
		t.Errorf("silent server: %+v", got)
	}
}

func TestCheckDKIMKeyOverDNS(t *testing.T) {
	authtest.Keys(t)
	// A 512-bit modulus, which no signer can be made to generate any more:
	// the record is what counts here, not the private key.
	n := new(big.Int).Lsh(big.NewInt(1), 511)
	n.Add(n, big.NewInt(0x12345))
	weak := authtest.DKIMKeyRecord(t, &rsa.PublicKey{N: n, E: 65537}, "")
	addr := dnstest.Start(t, `$ORIGIN example.com.
s2048._domainkey   IN TXT   `+authtest.ZoneTXT(authtest.DKIMKeyRecord(t, authtest.RSA2048.Public(), ""))+`
esp._domainkey     IN CNAME esp1.dkim.example.net.
weak._domainkey    IN TXT   `+authtest.ZoneTXT(weak)+`
small._domainkey   IN TXT   `+authtest.ZoneTXT(authtest.DKIMKeyRecord(t, authtest.RSA1024.Public(), "t=y; "))+`
revoked._domainkey IN TXT   "v=DKIM1; p="
sha1._domainkey    IN TXT   `+authtest.ZoneTXT(authtest.DKIMKeyRecord(t, authtest.RSA2048.Public(), "h=sha1; "))+`
bad._domainkey     IN TXT   "v=DKIM1; k=rsa; p=not-base64!"
other._domainkey   IN TXT   "some verification token"
loop._domainkey    IN CNAME loop2._domainkey.example.com.
loop2._domainkey   IN CNAME loop._domainkey.example.com.
$ORIGIN dkim.example.net.
esp1               IN TXT   `+authtest.ZoneTXT(authtest.DKIMKeyRecord(t, authtest.Ed25519.Public(), ""))+`
`, dnstest.Drop(func(name string, _ uint16) bool { return name == "slow._domainkey.example.com." }))
	r := resolve.NewClient(resolve.Config{Servers: []string{addr}, Timeout: 2 * time.Second, Retries: 1})
	// The unanswered selector is asked with a short timeout so the test is quick.
	quick := resolve.NewClient(resolve.Config{Servers: []string{addr}, Timeout: 200 * time.Millisecond, Retries: -1})
	ctx := context.Background()
	tests := []struct {
		selector string
		status   dkim.KeyStatus
		bits     int
		findings []string
	}{
		{"s2048", dkim.KeyOK, 2048, nil},
		{"esp", dkim.KeyOK, 256, nil}, // through the CNAME to the ESP's zone
		{"weak", dkim.KeyOK, 512, []string{"error dkim.key_weak"}},
		{"small", dkim.KeyOK, 1024, []string{"warning dkim.key_weak", "warning dkim.testing"}},
		{"revoked", dkim.KeyRevoked, 0, []string{"error dkim.key_revoked"}},
		{"sha1", dkim.KeyOK, 2048, []string{"error dkim.key_weak"}},
		{"bad", dkim.KeyInvalid, 0, []string{"error dkim.key_invalid"}},
		{"other", dkim.KeyInvalid, 0, []string{"error dkim.key_invalid"}},
		{"none", dkim.KeyMissing, 0, []string{"error dkim.key_missing"}},
		{"loop", dkim.KeyMissing, 0, []string{"error dkim.key_missing"}},
		{"slow", dkim.KeyTempError, 0, []string{"warning dkim.temperror"}},
	}
	for _, tt := range tests {
		t.Run(tt.selector, func(t *testing.T) {
			res := resolve.Resolver(r)
			if tt.selector == "slow" {
				res = quick
			}
			c := dkim.CheckKey(ctx, res, tt.selector, "example.com")
			authtest.Eq(t, c.Status, tt.status, c.Err)
			if c.Key != nil {
				authtest.Eq(t, c.Key.Bits, tt.bits)
			}
			var got []string
			for _, f := range DKIMKeyFindings(c) {
				got = append(got, string(f.Severity)+" "+string(f.Code))
			}
			authtest.Eq(t, got, tt.findings)
		})
	}
}

// TestHELOFindingsDNSError: a HELO lookup that failed (here: no server
// reachable) is a dns.error finding, a temperror, not an unresolvable name.
func TestHELOFindingsDNSError(t *testing.T) {
	err := &resolve.Error{Name: "mx.example.test", Type: "A", Err: resolve.ErrUnreachable}
	h := rdns.HELOResult{Name: "mx.example.test", FQDN: true, Err: err}
	fs := HELOFindings(h, netip.Addr{})
	if len(fs) != 1 || fs[0].Code != FindingDNSError || !fs[0].TempError() {
		t.Errorf("HELO findings %+v, want one dns.error", fs)
	}
}

// TestBlocklistFindings: listings are errors, refusals warnings and lookup
// failures info, in result order.
func TestBlocklistFindings(t *testing.T) {
	rs := []dnsbl.Result{
		{Zone: "zen.spamhaus.org", Subject: "127.0.0.2", Status: dnsbl.Listed, Meanings: []string{"SBL"}, Reason: "https://www.spamhaus.org/query/ip/127.0.0.2"},
		{Zone: "bl.spamcop.net", Subject: "127.0.0.2", Status: dnsbl.NotListed},
		{Zone: "dbl.spamhaus.org", Subject: "example.net", Status: dnsbl.Refused, Meanings: []string{"refused by Spamhaus"}},
		{Zone: "multi.uribl.com", Subject: "example.net", Status: dnsbl.Error, Err: resolve.ErrServFail},
	}
	fs := BlocklistFindings(rs)
	var got []string
	for _, f := range fs {
		got = append(got, string(f.Severity)+" "+string(f.Code)+" "+f.Subject)
	}
	want := []string{"error blocklist.listed 127.0.0.2 on zen.spamhaus.org", "warning blocklist.refused example.net on dbl.spamhaus.org", "info blocklist.error example.net on multi.uribl.com"}
	if !slices.Equal(got, want) {
		t.Fatalf("findings\n%q\nwant\n%q", got, want)
	}
	if !strings.Contains(fs[0].Message, "spamhaus.org/query") {
		t.Errorf("listing message %q does not give the reason", fs[0].Message)
	}
}

// TestNilResolverFailsInsteadOfPanicking: every check given a nil
// resolver reports a failed lookup.
func TestNilResolverFailsInsteadOfPanicking(t *testing.T) {
	ctx := context.Background()
	ip := netip.MustParseAddr("192.0.2.1")
	if out := spf.CheckHost(ctx, nil, ip, "example.test", "a@example.test", "h.example.test"); out.Result != spf.TempError {
		t.Errorf("CheckHost: %s", out.Result)
	}
	if l := spf.Lint(ctx, nil, "example.test"); !l.Has(spf.LintDNSError) {
		t.Errorf("LintSPF: %v", l.Issues)
	}
	if res := rdns.Check(ctx, nil, ip, "h.example.test"); res.Err == nil {
		t.Error("CheckReverseDNS: no error")
	}
	if res := envelope.Check(ctx, nil, "example.test"); res.Err == nil || res.CanReceive {
		t.Errorf("CheckEnvelopeDomain: %+v", res)
	}
	for _, b := range dnsbl.Check(ctx, nil, ip, []string{"example.test"}, nil) {
		if b.Status != dnsbl.Error {
			t.Errorf("CheckBlocklists: %s on %s is %s", b.Subject, b.Zone, b.Status)
		}
	}
}
