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

func TestCheckDKIMKeyOverDNS(t *testing.T) {
	testKeys(t)
	// A 512-bit modulus, which no signer can be made to generate any more:
	// the record is what counts here, not the private key.
	n := new(big.Int).Lsh(big.NewInt(1), 511)
	n.Add(n, big.NewInt(0x12345))
	weak := dkimKeyRecord(t, &rsa.PublicKey{N: n, E: 65537}, "")
	addr := dnstest.Start(t, `$ORIGIN example.com.
s2048._domainkey   IN TXT   `+zoneTXT(dkimKeyRecord(t, testRSA2048.Public(), ""))+`
esp._domainkey     IN CNAME esp1.dkim.example.net.
weak._domainkey    IN TXT   `+zoneTXT(weak)+`
small._domainkey   IN TXT   `+zoneTXT(dkimKeyRecord(t, testRSA1024.Public(), "t=y; "))+`
revoked._domainkey IN TXT   "v=DKIM1; p="
sha1._domainkey    IN TXT   `+zoneTXT(dkimKeyRecord(t, testRSA2048.Public(), "h=sha1; "))+`
bad._domainkey     IN TXT   "v=DKIM1; k=rsa; p=not-base64!"
other._domainkey   IN TXT   "some verification token"
loop._domainkey    IN CNAME loop2._domainkey.example.com.
loop2._domainkey   IN CNAME loop._domainkey.example.com.
$ORIGIN dkim.example.net.
esp1               IN TXT   `+zoneTXT(dkimKeyRecord(t, testEd.Public(), ""))+`
`, dnstest.Drop(func(name string, _ uint16) bool { return name == "slow._domainkey.example.com." }))
	r := NewDNSResolver(DNSConfig{Servers: []string{addr}, Timeout: 2 * time.Second, Retries: 1})
	// The unanswered selector is asked with a short timeout so the test is quick.
	quick := NewDNSResolver(DNSConfig{Servers: []string{addr}, Timeout: 200 * time.Millisecond, Retries: -1})
	ctx := context.Background()
	tests := []struct {
		selector string
		status   DKIMKeyStatus
		bits     int
		findings []string
	}{
		{"s2048", DKIMKeyOK, 2048, nil},
		{"esp", DKIMKeyOK, 256, nil}, // through the CNAME to the ESP's zone
		{"weak", DKIMKeyOK, 512, []string{"error dkim.key_weak"}},
		{"small", DKIMKeyOK, 1024, []string{"warning dkim.key_weak", "warning dkim.testing"}},
		{"revoked", DKIMKeyRevoked, 0, []string{"error dkim.key_revoked"}},
		{"sha1", DKIMKeyOK, 2048, []string{"error dkim.key_weak"}},
		{"bad", DKIMKeyInvalid, 0, []string{"error dkim.key_invalid"}},
		{"other", DKIMKeyInvalid, 0, []string{"error dkim.key_invalid"}},
		{"none", DKIMKeyMissing, 0, []string{"error dkim.key_missing"}},
		{"loop", DKIMKeyMissing, 0, []string{"error dkim.key_missing"}},
		{"slow", DKIMKeyTempError, 0, []string{"warning dkim.temperror"}},
	}
	for _, tt := range tests {
		t.Run(tt.selector, func(t *testing.T) {
			res := Resolver(r)
			if tt.selector == "slow" {
				res = quick
			}
			c := CheckDKIMKey(ctx, res, tt.selector, "example.com")
			expectEq(t, c.Status, tt.status, c.Err)
			if c.Key != nil {
				expectEq(t, c.Key.Bits, tt.bits)
			}
			var got []string
			for _, f := range DKIMKeyFindings(c) {
				got = append(got, string(f.Severity)+" "+string(f.Code))
			}
			expectEq(t, got, tt.findings)
		})
	}
}

// TestHELOFindingsDNSError: a HELO lookup that failed (here: no server
// reachable) is a dns.error finding, a temperror, not an unresolvable name.
func TestHELOFindingsDNSError(t *testing.T) {
	err := &DNSError{Name: "mx.example.test", Type: "A", Err: ErrUnreachable}
	h := HELOResult{Name: "mx.example.test", FQDN: true, Err: err}
	fs := HELOFindings(h, netip.Addr{})
	if len(fs) != 1 || fs[0].Code != FindingDNSError || !fs[0].TempError() {
		t.Errorf("HELO findings %+v, want one dns.error", fs)
	}
}

// TestBlocklistFindings: listings are errors, refusals warnings and lookup
// failures info, in result order.
func TestBlocklistFindings(t *testing.T) {
	rs := []BlocklistResult{
		{Zone: "zen.spamhaus.org", Subject: "127.0.0.2", Status: BlocklistListed, Meanings: []string{"SBL"}, Reason: "https://www.spamhaus.org/query/ip/127.0.0.2"},
		{Zone: "bl.spamcop.net", Subject: "127.0.0.2", Status: BlocklistNotListed},
		{Zone: "dbl.spamhaus.org", Subject: "example.net", Status: BlocklistRefused, Meanings: []string{"refused by Spamhaus"}},
		{Zone: "multi.uribl.com", Subject: "example.net", Status: BlocklistError, Err: ErrServFail},
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
