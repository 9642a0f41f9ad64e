// Package dnstest runs a real, in-process miekg/dns server on 127.0.0.1 for
// tests: it serves the records of a zone written in zone-file syntax (RFC 1035
// §5) authoritatively, keeps NXDOMAIN and NODATA apart (RFC 2308), puts CNAME
// chains in answers, truncates UDP answers that do not fit (RFC 1035 §4.2.1,
// RFC 6891 §6.2.5) and can be told to drop, fail, refuse or truncate queries
// for chosen names. Nothing it does reaches the network beyond loopback.
package dnstest

import (
	"fmt"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/miekg/dns"
)

// maxCNAMEChain bounds how many CNAMEs the server itself chases inside the
// zone when it builds an answer; a loop in the fixture ends there.
const maxCNAMEChain = 16

// Option changes how a Server answers.
type Option func(*config)

type config struct {
	timeout  map[string]bool
	servfail map[string]bool
	refused  map[string]bool
	truncate map[string]bool
	drop     func(name string, qtype uint16) bool
	noEDNS   bool
}

func names(list []string) []string {
	out := make([]string, len(list))
	for i, n := range list {
		out[i] = dns.CanonicalName(n)
	}
	return out
}

func addNames(m *map[string]bool, list []string) {
	if *m == nil {
		*m = map[string]bool{}
	}
	for _, n := range names(list) {
		(*m)[n] = true
	}
}

// Timeout makes queries for the given names go unanswered (the client times
// out) unless the zone holds records of the queried type at that name. This
// matches the SPF suites' TIMEOUT entry: types listed before it are served,
// every other type times out.
func Timeout(names ...string) Option { return func(c *config) { addNames(&c.timeout, names) } }

// ServFail makes queries for the given names answer SERVFAIL.
func ServFail(names ...string) Option { return func(c *config) { addNames(&c.servfail, names) } }

// Refused makes queries for the given names answer REFUSED.
func Refused(names ...string) Option { return func(c *config) { addNames(&c.refused, names) } }

// Truncate makes UDP answers for the given names come back empty with the TC
// bit set, so a client has to retry over TCP. TCP answers are whole.
func Truncate(names ...string) Option { return func(c *config) { addNames(&c.truncate, names) } }

// NoEDNS makes the server answer FORMERR to any query carrying an EDNS0 OPT
// record, as servers that predate RFC 6891 do.
func NoEDNS() Option { return func(c *config) { c.noEDNS = true } }

// Drop makes every query for which f returns true go unanswered. name is
// lower case and fully qualified.
func Drop(f func(name string, qtype uint16) bool) Option {
	return func(c *config) { c.drop = f }
}

// Server is a running test DNS server. It is safe for concurrent use.
type Server struct {
	// Addr is "127.0.0.1:port", the same port for UDP and TCP.
	Addr string

	cfg     config
	rrs     map[string][]dns.RR // by lower-case owner name
	exists  map[string]bool     // owners and their ancestors (empty non-terminals)
	queries atomic.Int64
	udp     atomic.Int64
	tcp     atomic.Int64
}

// Start serves zone on 127.0.0.1 over UDP and TCP until the test ends and
// returns the address as "127.0.0.1:port".
func Start(t testing.TB, zone string, opts ...Option) string {
	t.Helper()
	return New(t, zone, opts...).Addr
}

// New is Start returning the Server, for tests that count queries.
func New(t testing.TB, zone string, opts ...Option) *Server {
	t.Helper()
	rrs, err := ParseZone(zone)
	if err != nil {
		t.Fatalf("dnstest: %v", err)
	}
	return NewRRs(t, rrs, opts...)
}

// NewRRs is New with records already built, for fixtures (such as very long
// TXT records) that are awkward to write as zone text.
func NewRRs(t testing.TB, rrs []dns.RR, opts ...Option) *Server {
	t.Helper()
	s := &Server{rrs: map[string][]dns.RR{}, exists: map[string]bool{}}
	for _, o := range opts {
		o(&s.cfg)
	}
	for _, rr := range rrs {
		name := dns.CanonicalName(rr.Header().Name)
		s.rrs[name] = append(s.rrs[name], rr)
		for off, end := 0, false; !end; off, end = dns.NextLabel(name, off) {
			s.exists[name[off:]] = true
		}
	}

	pc, ln, err := listenPair()
	if err != nil {
		t.Fatalf("dnstest: %v", err)
	}
	s.Addr = pc.LocalAddr().String()

	var wg sync.WaitGroup
	servers := []*dns.Server{
		{PacketConn: pc, Handler: s},
		{Listener: ln, Handler: s},
	}
	for _, srv := range servers {
		started := make(chan struct{})
		srv.NotifyStartedFunc = func() { close(started) }
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = srv.ActivateAndServe()
		}()
		<-started
	}
	t.Cleanup(func() {
		for _, srv := range servers {
			_ = srv.Shutdown()
		}
		wg.Wait()
	})
	return s
}

// listenPair opens a UDP socket and a TCP listener on the same loopback
// port, trying again when the TCP side of a free UDP port is taken.
func listenPair() (net.PacketConn, net.Listener, error) {
	var lastErr error
	for range 20 {
		pc, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			return nil, nil, fmt.Errorf("listen udp: %w", err)
		}
		port := pc.LocalAddr().(*net.UDPAddr).Port
		ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err == nil {
			return pc, ln, nil
		}
		pc.Close()
		lastErr = err
	}
	return nil, nil, fmt.Errorf("no port free for both UDP and TCP: %w", lastErr)
}

// ParseZone reads zone-file text into records. Relative names are relative to
// the root unless a $ORIGIN line says otherwise; a record without a TTL gets
// 3600.
func ParseZone(zone string) ([]dns.RR, error) {
	zp := dns.NewZoneParser(strings.NewReader(zone), ".", "")
	zp.SetDefaultTTL(3600)
	var out []dns.RR
	for rr, ok := zp.Next(); ok; rr, ok = zp.Next() {
		out = append(out, rr)
	}
	if err := zp.Err(); err != nil {
		return nil, fmt.Errorf("parse zone: %w", err)
	}
	return out, nil
}

// Queries reports how many queries the server has received.
func (s *Server) Queries() int64 { return s.queries.Load() }

// TCPQueries reports how many of those came over TCP.
func (s *Server) TCPQueries() int64 { return s.tcp.Load() }

// ServeDNS answers one query. It implements dns.Handler.
func (s *Server) ServeDNS(w dns.ResponseWriter, req *dns.Msg) {
	s.queries.Add(1)
	isUDP := w.LocalAddr().Network() == "udp"
	if isUDP {
		s.udp.Add(1)
	} else {
		s.tcp.Add(1)
	}
	m := new(dns.Msg)
	if len(req.Question) != 1 || s.cfg.noEDNS && req.IsEdns0() != nil {
		m.SetRcode(req, dns.RcodeFormatError)
		_ = w.WriteMsg(m)
		return
	}
	q := req.Question[0]
	name := dns.CanonicalName(q.Name)
	m.SetReply(req)
	m.Authoritative = true
	m.RecursionAvailable = true

	switch {
	case s.cfg.drop != nil && s.cfg.drop(name, q.Qtype):
		return
	case s.cfg.servfail[name]:
		m.Rcode = dns.RcodeServerFailure
		_ = w.WriteMsg(m)
		return
	case s.cfg.refused[name]:
		m.Rcode = dns.RcodeRefused
		_ = w.WriteMsg(m)
		return
	}

	answer, final, nx := s.resolve(name, q.Qtype)
	if s.cfg.timeout[name] && !s.hasType(name, q.Qtype) {
		return
	}
	if final != name && s.cfg.timeout[final] && !s.hasType(final, q.Qtype) {
		return
	}
	m.Answer = answer
	if nx {
		m.Rcode = dns.RcodeNameError
	}
	if len(m.Answer) == 0 || nx {
		// RFC 2308 §3: a negative answer carries the zone's SOA so
		// resolvers can cache it.
		m.Ns = []dns.RR{&dns.SOA{
			Hdr: dns.RR_Header{Name: ".", Rrtype: dns.TypeSOA, Class: dns.ClassINET, Ttl: 60},
			Ns:  "ns.test.", Mbox: "hostmaster.test.",
			Serial: 1, Refresh: 3600, Retry: 600, Expire: 86400, Minttl: 60,
		}}
	}

	size := dns.MinMsgSize
	if opt := req.IsEdns0(); opt != nil {
		size = max(int(opt.UDPSize()), dns.MinMsgSize)
		m.SetEdns0(opt.UDPSize(), false)
	}
	if isUDP {
		if s.cfg.truncate[name] {
			m.Answer, m.Ns = nil, nil
			m.Truncated = true
		} else {
			m.Truncate(size)
		}
	}
	_ = w.WriteMsg(m)
}

func (s *Server) hasType(name string, qtype uint16) bool {
	for _, rr := range s.rrs[name] {
		if rr.Header().Rrtype == qtype {
			return true
		}
	}
	return false
}

// resolve builds the answer section for name/qtype, following CNAMEs inside
// the zone as an authoritative server does (RFC 1034 §4.3.2). nx reports
// that the last name in the chain does not exist.
func (s *Server) resolve(name string, qtype uint16) (answer []dns.RR, final string, nx bool) {
	seen := map[string]bool{}
	for range maxCNAMEChain {
		if seen[name] {
			return answer, name, false
		}
		seen[name] = true
		rrs := s.lookupName(name)
		if rrs == nil && !s.exists[name] {
			return answer, name, true
		}
		var cname *dns.CNAME
		found := false
		for _, rr := range rrs {
			if rr.Header().Rrtype == qtype {
				answer = append(answer, withOwner(rr, name))
				found = true
			}
			if c, ok := rr.(*dns.CNAME); ok {
				cname = c
			}
		}
		if found || cname == nil || qtype == dns.TypeCNAME {
			return answer, name, false
		}
		answer = append(answer, withOwner(cname, name))
		name = dns.CanonicalName(cname.Target)
	}
	return answer, name, false
}

// lookupName returns the records at name, or those of a matching wildcard
// (RFC 4592 §4.3, closest encloser only) when name has none of its own.
func (s *Server) lookupName(name string) []dns.RR {
	if rrs, ok := s.rrs[name]; ok {
		return rrs
	}
	if s.exists[name] {
		return nil
	}
	for off, end := dns.NextLabel(name, 0); !end; off, end = dns.NextLabel(name, off) {
		parent := name[off:]
		if rrs, ok := s.rrs["*."+parent]; ok {
			return rrs
		}
		if s.exists[parent] {
			return nil
		}
	}
	return nil
}

// withOwner returns rr with its owner set to name (for wildcard answers).
func withOwner(rr dns.RR, name string) dns.RR {
	if dns.CanonicalName(rr.Header().Name) == name {
		return rr
	}
	c := dns.Copy(rr)
	c.Header().Name = name
	return c
}
