package triage_test

import (
	"net"
	"strings"

	"github.com/miekg/dns"
)

// zoneServer is a tiny authoritative DNS server on 127.0.0.1 serving zone
// (zone-file syntax): test scaffolding standing in for the sender's DNS and
// a blocklist, so the example never touches the internet.
type zoneServer struct {
	rrs map[string][]dns.RR
	srv *dns.Server
}

func startZone(zone string) (*zoneServer, error) {
	z := &zoneServer{rrs: map[string][]dns.RR{}}
	zp := dns.NewZoneParser(strings.NewReader(zone), ".", "")
	zp.SetDefaultTTL(300)
	for rr, ok := zp.Next(); ok; rr, ok = zp.Next() {
		name := strings.ToLower(rr.Header().Name)
		z.rrs[name] = append(z.rrs[name], rr)
	}
	if err := zp.Err(); err != nil {
		return nil, err
	}
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	started := make(chan struct{})
	z.srv = &dns.Server{PacketConn: pc, Handler: z, NotifyStartedFunc: func() { close(started) }}
	go z.srv.ActivateAndServe()
	<-started
	return z, nil
}

func (z *zoneServer) Addr() string { return z.srv.PacketConn.LocalAddr().String() }
func (z *zoneServer) Close()       { z.srv.Shutdown() }

func (z *zoneServer) ServeDNS(w dns.ResponseWriter, req *dns.Msg) {
	m := new(dns.Msg)
	m.SetReply(req)
	m.Authoritative = true
	q := req.Question[0]
	rrs, exists := z.rrs[strings.ToLower(q.Name)]
	for _, rr := range rrs {
		if rr.Header().Rrtype == q.Qtype {
			m.Answer = append(m.Answer, rr)
		}
	}
	if !exists {
		// No such name anywhere below: NXDOMAIN unless it is an empty
		// non-terminal (a name with names under it), which is NODATA.
		m.Rcode = dns.RcodeNameError
		for name := range z.rrs {
			if strings.HasSuffix(name, "."+strings.ToLower(q.Name)) {
				m.Rcode = dns.RcodeSuccess
				break
			}
		}
	}
	w.WriteMsg(m)
}
