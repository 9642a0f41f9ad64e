package dnsbl

import (
	"context"
	"errors"
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/bouncekit/bouncekit/authcheck/resolve"
	"github.com/bouncekit/bouncekit/internal/dnstest"
)

// blocklistZone mimics the default lists' answers on 127.0.0.1.
const blocklistZone = `
2.0.0.127.zen.spamhaus.org.        A 127.0.0.2
2.0.0.127.zen.spamhaus.org.        A 127.0.0.10
2.0.0.127.zen.spamhaus.org.        TXT "https://www.spamhaus.org/query/ip/127.0.0.2"
9.2.0.192.zen.spamhaus.org.        A 127.255.255.254
8.2.0.192.zen.spamhaus.org.        A 127.0.0.77
7.2.0.192.zen.spamhaus.org.        A 198.51.100.1
2.0.0.127.bl.spamcop.net.          A 127.0.0.2
1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.zen.spamhaus.org. A 127.0.0.3
dbltest.com.dbl.spamhaus.org.      A 127.0.1.2
refused.example.dbl.spamhaus.org.  A 127.0.1.255
spammy.example.multi.surbl.org.    A 127.0.0.24
blocked.example.multi.surbl.org.   A 127.0.0.1
spammy.example.multi.uribl.com.    A 127.0.0.2
blocked.example.multi.uribl.com.   A 127.0.0.1
`

func blocklistResolver(t *testing.T) resolve.Resolver {
	srv := dnstest.New(t, blocklistZone, dnstest.Timeout("2.0.0.127.b.barracudacentral.org"), dnstest.Refused("3.2.0.192.bl.spamcop.net"))
	return resolve.NewClient(resolve.Config{Servers: []string{srv.Addr}, Timeout: 500 * time.Millisecond, Retries: 1})
}

func findResult(rs []Result, zone, subject string) Result {
	for _, r := range rs {
		if r.Zone == zone && r.Subject == subject {
			return r
		}
	}
	return Result{}
}

func TestBlocklistNames(t *testing.T) {
	if got := IPName(netip.MustParseAddr("192.0.2.99"), "zen.spamhaus.org."); got != "99.2.0.192.zen.spamhaus.org" {
		t.Errorf("IPv4 name: %s", got)
	}
	if got := IPName(netip.MustParseAddr("2001:db8::1"), "zen.spamhaus.org"); got != "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.zen.spamhaus.org" {
		t.Errorf("IPv6 name: %s", got)
	}
	surbl := DefaultZones()[4]
	if got, err := DomainName("Link.Spammy.Example.co.uk.", surbl); err != nil || got != "example.co.uk.multi.surbl.org" {
		t.Errorf("registrable domain name: %s %v", got, err)
	}
	if _, err := DomainName("localhost", surbl); !errors.Is(err, ErrBadSubject) {
		t.Errorf("single label: %v", err)
	}
	if _, err := DomainName("192.0.2.1", surbl); !errors.Is(err, ErrBadSubject) {
		t.Errorf("IP address as a domain: %v", err)
	}
	if got, err := DomainName("www.bücher.example", surbl); err != nil || got != "xn--bcher-kva.example.multi.surbl.org" {
		t.Errorf("Unicode domain: %s %v", got, err)
	}
}

func TestCheckBlocklistsReadsEachAnswer(t *testing.T) {
	r := blocklistResolver(t)
	ctx := context.Background()
	cases := []struct {
		name     string
		ip       string
		domains  []string
		zone     string
		subject  string
		status   Status
		meanings []string
		errIs    error
	}{
		{"a listed IP gets every meaning of its codes", "127.0.0.2", nil, "zen.spamhaus.org", "127.0.0.2", Listed,
			[]string{"SBL: Spamhaus spam source", "PBL: ISP says the address should not send direct mail"}, nil},
		{"an unlisted IP is not listed", "192.0.2.1", nil, "zen.spamhaus.org", "192.0.2.1", NotListed, nil, nil},
		{"Spamhaus 127.255.255.254 is a refusal, not a listing", "192.0.2.9", nil, "zen.spamhaus.org", "192.0.2.9", Refused, nil, ErrRefused},
		{"an unknown loopback code is a listing of unknown meaning", "192.0.2.8", nil, "zen.spamhaus.org", "192.0.2.8", Listed, []string{"listed (code 127.0.0.77)"}, nil},
		{"an answer outside 127/8 is an error", "192.0.2.7", nil, "zen.spamhaus.org", "192.0.2.7", Error, nil, ErrBadAnswer},
		{"a silent list is an error", "127.0.0.2", nil, "b.barracudacentral.org", "127.0.0.2", Error, nil, resolve.ErrTimeout},
		{"a REFUSED rcode is a refusal", "192.0.2.3", nil, "bl.spamcop.net", "192.0.2.3", Refused, nil, resolve.ErrRefused},
		{"an IPv6 address is queried by nibbles", "2001:db8::1", nil, "zen.spamhaus.org", "2001:db8::1", Listed, []string{"SBL CSS: snowshoe spam source"}, nil},
		{"a listed domain on DBL", "", []string{"dbltest.com"}, "dbl.spamhaus.org", "dbltest.com", Listed, []string{"DBL: spam domain"}, nil},
		{"DBL 127.0.1.255 is a refusal", "", []string{"refused.example"}, "dbl.spamhaus.org", "refused.example", Refused, nil, ErrRefused},
		{"SURBL bits decode to sublists", "", []string{"www.spammy.example"}, "multi.surbl.org", "www.spammy.example", Listed, []string{"SURBL PH: phishing", "SURBL MW: malware"}, nil},
		{"SURBL 127.0.0.1 is a refusal", "", []string{"blocked.example"}, "multi.surbl.org", "blocked.example", Refused, nil, ErrRefused},
		{"URIBL black", "", []string{"spammy.example"}, "multi.uribl.com", "spammy.example", Listed, []string{"URIBL black"}, nil},
		{"URIBL 127.0.0.1 is a refusal", "", []string{"blocked.example"}, "multi.uribl.com", "blocked.example", Refused, nil, ErrRefused},
		{"a bad domain is an error, not a query", "", []string{"not a domain"}, "dbl.spamhaus.org", "not a domain", Error, nil, ErrBadSubject},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var ip netip.Addr
			if c.ip != "" {
				ip = netip.MustParseAddr(c.ip)
			}
			var zones []Zone
			for _, z := range DefaultZones() {
				if z.Zone == c.zone {
					zones = append(zones, z)
				}
			}
			got := findResult(Check(ctx, r, ip, c.domains, zones), c.zone, c.subject)
			if got.Status != c.status {
				t.Fatalf("status %q (err %v), want %q", got.Status, got.Err, c.status)
			}
			if c.meanings != nil && !slices.Equal(got.Meanings, c.meanings) {
				t.Errorf("meanings %q, want %q", got.Meanings, c.meanings)
			}
			if c.errIs != nil && !errors.Is(got.Err, c.errIs) {
				t.Errorf("err %v, want %v", got.Err, c.errIs)
			}
		})
	}
}

func TestCheckBlocklistsOrderAndReason(t *testing.T) {
	r := blocklistResolver(t)
	domains := []string{"b.example", "a.example", "B.example.", "dbltest.com"}
	rs := CheckWith(context.Background(), r, netip.MustParseAddr("127.0.0.2"), domains, nil, Options{Concurrency: 3})
	// 3 IPv4 lists, then 3 distinct domains x 3 domain lists.
	if len(rs) != 3+3*3 {
		t.Fatalf("%d results", len(rs))
	}
	var order []string
	for _, x := range rs {
		order = append(order, x.Subject+"@"+x.Zone)
	}
	want := []string{
		"127.0.0.2@zen.spamhaus.org", "127.0.0.2@b.barracudacentral.org", "127.0.0.2@bl.spamcop.net",
		"b.example@dbl.spamhaus.org", "b.example@multi.surbl.org", "b.example@multi.uribl.com",
		"a.example@dbl.spamhaus.org", "a.example@multi.surbl.org", "a.example@multi.uribl.com",
		"dbltest.com@dbl.spamhaus.org", "dbltest.com@multi.surbl.org", "dbltest.com@multi.uribl.com",
	}
	if !slices.Equal(order, want) {
		t.Fatalf("order:\n%q\nwant\n%q", order, want)
	}
	if rs[0].Reason != "https://www.spamhaus.org/query/ip/127.0.0.2" {
		t.Errorf("listing reason %q", rs[0].Reason)
	}
	st := map[Status]int{}
	for _, x := range rs {
		st[x.Status]++
	}
	if st[Listed] != 3 || st[Error] != 1 {
		t.Errorf("statuses %v", st)
	}
}

func TestCheckBlocklistsStopsOnCancel(t *testing.T) {
	srv := dnstest.New(t, "", dnstest.Drop(func(string, uint16) bool { return true }))
	r := resolve.NewClient(resolve.Config{Servers: []string{srv.Addr}, Timeout: time.Hour})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	domains := make([]string, 50)
	for i := range domains {
		domains[i] = "d" + string(rune('a'+i%26)) + string(rune('a'+i/26)) + ".example"
	}
	start := time.Now()
	rs := CheckWith(ctx, r, netip.MustParseAddr("192.0.2.1"), domains, nil, Options{Concurrency: 2})
	if time.Since(start) > 5*time.Second {
		t.Fatal("blocklist checks outlived the context")
	}
	for _, x := range rs {
		if x.Status != Error || !errors.Is(x.Err, resolve.ErrTimeout) {
			t.Fatalf("%s on %s: %s %v", x.Subject, x.Zone, x.Status, x.Err)
		}
	}
}

func TestSpamhausDQS(t *testing.T) {
	zones := SpamhausDQS("abc123")
	if zones[0].Zone != "abc123.zen.dq.spamhaus.net" || zones[1].Zone != "abc123.dbl.dq.spamhaus.net" {
		t.Fatalf("%s %s", zones[0].Zone, zones[1].Zone)
	}
	if got := IPName(netip.MustParseAddr("192.0.2.1"), zones[0].Zone); got != "1.2.0.192.abc123.zen.dq.spamhaus.net" {
		t.Fatal(got)
	}
	if len(zones) != len(DefaultZones()) || zones[2].Zone != "b.barracudacentral.org" {
		t.Fatal("other lists changed")
	}
}
