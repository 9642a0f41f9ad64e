package dnstest

import (
	"testing"
	"time"

	"github.com/miekg/dns"
)

const zone = `
$ORIGIN example.test.
@      IN TXT   "hello"
www    IN CNAME @
*.w    IN A     192.0.2.7
`

func ask(t *testing.T, addr, name string, qtype uint16, net string) *dns.Msg {
	t.Helper()
	m := new(dns.Msg)
	m.SetQuestion(name, qtype)
	c := &dns.Client{Net: net, Timeout: 300 * time.Millisecond}
	r, _, err := c.Exchange(m, addr)
	if err != nil {
		t.Fatalf("%s %s over %s: %v", name, dns.TypeToString[qtype], net, err)
	}
	return r
}

func TestServerAnswersAuthoritatively(t *testing.T) {
	addr := Start(t, zone)
	cases := []struct {
		name    string
		qname   string
		qtype   uint16
		rcode   int
		answers int
	}{
		{"an existing record is answered", "example.test.", dns.TypeTXT, dns.RcodeSuccess, 1},
		{"a CNAME is followed in the answer", "WWW.example.test.", dns.TypeTXT, dns.RcodeSuccess, 2},
		{"a missing type is NODATA", "example.test.", dns.TypeA, dns.RcodeSuccess, 0},
		{"a missing name is NXDOMAIN", "nope.example.test.", dns.TypeA, dns.RcodeNameError, 0},
		{"a wildcard matches below it", "x.w.example.test.", dns.TypeA, dns.RcodeSuccess, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, network := range []string{"udp", "tcp"} {
				r := ask(t, addr, c.qname, c.qtype, network)
				if r.Rcode != c.rcode || len(r.Answer) != c.answers || !r.Authoritative {
					t.Fatalf("%s: rcode %d answers %d aa %v", network, r.Rcode, len(r.Answer), r.Authoritative)
				}
				if c.answers == 0 && len(r.Ns) != 1 {
					t.Fatalf("%s: negative answer without SOA", network)
				}
			}
		})
	}
}

func TestServerOptions(t *testing.T) {
	s := New(t, zone, ServFail("sf.test"), Refused("ref.test"), Truncate("example.test"), Timeout("gone.test"))
	if r := ask(t, s.Addr, "sf.test.", dns.TypeA, "udp"); r.Rcode != dns.RcodeServerFailure {
		t.Fatalf("ServFail: rcode %d", r.Rcode)
	}
	if r := ask(t, s.Addr, "ref.test.", dns.TypeA, "udp"); r.Rcode != dns.RcodeRefused {
		t.Fatalf("Refused: rcode %d", r.Rcode)
	}
	if r := ask(t, s.Addr, "example.test.", dns.TypeTXT, "udp"); !r.Truncated || len(r.Answer) != 0 {
		t.Fatalf("Truncate over UDP: tc %v answers %d", r.Truncated, len(r.Answer))
	}
	if r := ask(t, s.Addr, "example.test.", dns.TypeTXT, "tcp"); r.Truncated || len(r.Answer) != 1 {
		t.Fatalf("Truncate over TCP: tc %v answers %d", r.Truncated, len(r.Answer))
	}
	m := new(dns.Msg)
	m.SetQuestion("gone.test.", dns.TypeA)
	if _, _, err := (&dns.Client{Timeout: 100 * time.Millisecond}).Exchange(m, s.Addr); err == nil {
		t.Fatal("Timeout: got an answer")
	}
	if s.Queries() != 5 || s.TCPQueries() != 1 {
		t.Fatalf("counted %d queries, %d over TCP", s.Queries(), s.TCPQueries())
	}
}

func TestParseZoneRejectsBadText(t *testing.T) {
	if _, err := ParseZone("example.test. IN A not-an-ip\n"); err == nil {
		t.Fatal("bad zone parsed")
	}
}
