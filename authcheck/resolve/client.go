// Client: the default Resolver, a stub resolver on github.com/miekg/dns
// (RFC 1035) with UDP and TCP fallback on truncation, EDNS0 (RFC 6891),
// per-query timeouts, bounded retries, CNAME chasing and an optional cache.
// It is at 600 lines: the exchange, its retries and the CNAME walk are one
// query's path; the cache is in cache.go, the static zones in static.go.

package resolve

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/miekg/dns"
)

// Defaults and limits of Client.
const (
	DefaultTimeout     = 2 * time.Second
	DefaultRetries     = 2
	DefaultUDPSize     = 1232 // RFC 6891 §6.2.5 and the DNS flag day 2020 advice
	DefaultMaxCNAME    = 8
	defaultSystemConf  = "/etc/resolv.conf"
	fallbackDNSServer  = "127.0.0.1:53"
	MaxNameLength      = 253
	MaxLabelLength     = 63
	maxTXTJoinedLength = 64 << 10 // a single DNS message cannot hold more
)

// ErrBadName is the sentinel of a *Error for a name that cannot be asked
// at all: empty, a label over 63 octets or over 253 octets in all (RFC 1035
// §2.3.4).
var ErrBadName = errors.New("malformed domain name")

// Config configures a Client. Its zero value asks the servers in
// /etc/resolv.conf with the defaults above and no cache.
type Config struct {
	// Servers are "host:port" addresses asked in order. Empty means the
	// nameservers of /etc/resolv.conf (or 127.0.0.1:53 when it cannot be
	// read).
	Servers []string
	// Timeout bounds one query attempt to one server; 0 means
	// DefaultTimeout. The context deadline, when earlier, wins.
	Timeout time.Duration
	// Retries is how many more rounds over Servers follow a round in which
	// every server timed out; 0 means DefaultRetries, negative means
	// none.
	Retries int
	// UDPSize is the EDNS0 buffer size advertised (RFC 6891 §6.2.3); 0
	// means DefaultUDPSize.
	UDPSize uint16
	// MaxCNAME bounds the CNAME chain followed for one lookup; 0 means
	// DefaultMaxCNAME. A longer chain or a loop is ErrCNAMELoop.
	MaxCNAME int
	// CacheSize, when positive, turns on a cache of that many answers that
	// honours record TTLs and, for NXDOMAIN and NODATA, the SOA minimum
	// (RFC 2308 §5). Server failures and timeouts are never cached.
	CacheSize int
}

// Client is the Resolver on github.com/miekg/dns. It is safe for
// concurrent use; build it with NewClient.
type Client struct {
	servers  []string
	timeout  time.Duration
	retries  int
	udpSize  uint16
	maxCNAME int
	cache    *dnsCache
	udp, tcp *dns.Client

	mu       sync.Mutex
	inflight map[dnsCacheKey]*dnsCall // identical questions asked at once share one query
}

// dnsCall is one query in flight that other callers wait on.
type dnsCall struct {
	done chan struct{}
	ans  []dns.RR
	err  error
}

// NewClient returns a resolver configured by cfg (see Config for the
// defaults of its zero value).
func NewClient(cfg Config) *Client {
	r := &Client{
		servers:  append([]string(nil), cfg.Servers...),
		timeout:  cfg.Timeout,
		retries:  cfg.Retries,
		udpSize:  cfg.UDPSize,
		maxCNAME: cfg.MaxCNAME,
	}
	if len(r.servers) == 0 {
		r.servers = systemServers(defaultSystemConf)
	}
	for i, srv := range r.servers {
		// A bare address means port 53.
		if _, _, err := net.SplitHostPort(srv); err != nil {
			r.servers[i] = net.JoinHostPort(strings.Trim(srv, "[]"), "53")
		}
	}
	if r.timeout <= 0 {
		r.timeout = DefaultTimeout
	}
	switch {
	case r.retries == 0:
		r.retries = DefaultRetries
	case r.retries < 0:
		r.retries = 0
	}
	if r.udpSize == 0 {
		r.udpSize = DefaultUDPSize
	}
	if r.maxCNAME <= 0 {
		r.maxCNAME = DefaultMaxCNAME
	}
	if cfg.CacheSize > 0 {
		r.cache = newDNSCache(cfg.CacheSize)
	}
	r.udp = &dns.Client{Net: "udp", UDPSize: r.udpSize}
	r.tcp = &dns.Client{Net: "tcp"}
	return r
}

// systemServers reads the nameservers of a resolv.conf file.
func systemServers(path string) []string {
	cc, err := dns.ClientConfigFromFile(path)
	if err != nil || len(cc.Servers) == 0 {
		return []string{fallbackDNSServer}
	}
	out := make([]string, 0, len(cc.Servers))
	for _, s := range cc.Servers {
		out = append(out, net.JoinHostPort(s, cc.Port))
	}
	return out
}

// noResolver stands in for a nil Resolver so the checks report a failure
// instead of panicking.
type noResolver struct{}

var errNoResolver = fmt.Errorf("%w: no resolver configured", ErrServFail)

func (noResolver) LookupTXT(_ context.Context, n string) ([]string, error) {
	return nil, &Error{Name: n, Type: "TXT", Err: errNoResolver}
}

func (noResolver) LookupA(_ context.Context, n string) ([]netip.Addr, error) {
	return nil, &Error{Name: n, Type: "A", Err: errNoResolver}
}

func (noResolver) LookupAAAA(_ context.Context, n string) ([]netip.Addr, error) {
	return nil, &Error{Name: n, Type: "AAAA", Err: errNoResolver}
}

func (noResolver) LookupMX(_ context.Context, n string) ([]MX, error) {
	return nil, &Error{Name: n, Type: "MX", Err: errNoResolver}
}

func (noResolver) LookupPTR(_ context.Context, a netip.Addr) ([]string, error) {
	return nil, &Error{Name: a.String(), Type: "PTR", Err: errNoResolver}
}

// OrFail returns r, or a resolver that fails every lookup if r is nil.
func OrFail(r Resolver) Resolver {
	if r == nil {
		return noResolver{}
	}
	return r
}

// Servers returns the servers the resolver asks, in order.
func (r *Client) Servers() []string { return append([]string(nil), r.servers...) }

// LookupTXT implements Resolver. Each record's strings are joined with
// nothing in between (RFC 7208 §3.3).
func (r *Client) LookupTXT(ctx context.Context, name string) ([]string, error) {
	return rrLookup(r.lookup).txt(ctx, name)
}

// LookupA implements Resolver.
func (r *Client) LookupA(ctx context.Context, name string) ([]netip.Addr, error) {
	return rrLookup(r.lookup).addrs(ctx, name, dns.TypeA)
}

// LookupAAAA implements Resolver.
func (r *Client) LookupAAAA(ctx context.Context, name string) ([]netip.Addr, error) {
	return rrLookup(r.lookup).addrs(ctx, name, dns.TypeAAAA)
}

// LookupMX implements Resolver.
func (r *Client) LookupMX(ctx context.Context, name string) ([]MX, error) {
	return rrLookup(r.lookup).mx(ctx, name)
}

// LookupPTR implements Resolver.
func (r *Client) LookupPTR(ctx context.Context, addr netip.Addr) ([]string, error) {
	return rrLookup(r.lookup).ptr(ctx, addr)
}

// rrLookup answers one query with the records of the type asked for (CNAMEs
// followed) or a *Error. Client and Static differ only in
// it; the methods below turn its records into the Resolver's types.
type rrLookup func(ctx context.Context, name string, qtype uint16) ([]dns.RR, error)

func (l rrLookup) txt(ctx context.Context, name string) ([]string, error) {
	rrs, err := l(ctx, name, dns.TypeTXT)
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(rrs))
	for _, rr := range rrs {
		if t, ok := rr.(*dns.TXT); ok {
			out = append(out, dnsJoinTXT(t.Txt))
		}
	}
	return out, nil
}

func (l rrLookup) addrs(ctx context.Context, name string, qtype uint16) ([]netip.Addr, error) {
	rrs, err := l(ctx, name, qtype)
	if err != nil {
		return nil, err
	}
	out := make([]netip.Addr, 0, len(rrs))
	for _, rr := range rrs {
		var ip netip.Addr
		var ok bool
		switch a := rr.(type) {
		case *dns.A:
			ip, ok = netip.AddrFromSlice(a.A.To4())
		case *dns.AAAA:
			ip, ok = netip.AddrFromSlice(a.AAAA.To16())
		}
		if ok {
			out = append(out, ip)
		}
	}
	return out, nil
}

func (l rrLookup) mx(ctx context.Context, name string) ([]MX, error) {
	rrs, err := l(ctx, name, dns.TypeMX)
	if err != nil {
		return nil, err
	}
	out := make([]MX, 0, len(rrs))
	for _, rr := range rrs {
		if mx, ok := rr.(*dns.MX); ok {
			out = append(out, MX{Pref: mx.Preference, Host: strings.TrimSuffix(mx.Mx, ".")})
		}
	}
	return out, nil
}

func (l rrLookup) ptr(ctx context.Context, addr netip.Addr) ([]string, error) {
	if !addr.IsValid() {
		return nil, &Error{Name: addr.String(), Type: "PTR", Err: ErrBadName}
	}
	rrs, err := l(ctx, ReverseName(addr), dns.TypePTR)
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(rrs))
	for _, rr := range rrs {
		if p, ok := rr.(*dns.PTR); ok {
			out = append(out, strings.TrimSuffix(p.Ptr, "."))
		}
	}
	return out, nil
}

// ReverseName returns the in-addr.arpa (RFC 1035 §3.5) or ip6.arpa (RFC 3596
// §2.5) name of addr, with a trailing dot.
func ReverseName(addr netip.Addr) string {
	addr = addr.Unmap()
	var b strings.Builder
	if addr.Is4() {
		a := addr.As4()
		fmt.Fprintf(&b, "%d.%d.%d.%d.in-addr.arpa.", a[3], a[2], a[1], a[0])
		return b.String()
	}
	const hex = "0123456789abcdef"
	a := addr.As16()
	for i := 15; i >= 0; i-- {
		b.WriteByte(hex[a[i]&0xf])
		b.WriteByte('.')
		b.WriteByte(hex[a[i]>>4])
		b.WriteByte('.')
	}
	b.WriteString("ip6.arpa.")
	return b.String()
}

// CheckName validates a name before it is asked (RFC 1035 §2.3.4) and
// returns it fully qualified in miekg/dns's escaped presentation form, the
// form answers come back in, so names compare equal.
func CheckName(name string) (string, bool) {
	fq := dns.Fqdn(name)
	if name == "" || name == "." {
		return fq, false
	}
	if _, ok := dns.IsDomainName(fq); !ok {
		return fq, false
	}
	var buf [256]byte
	n, err := dns.PackDomainName(fq, buf[:], 0, nil, false)
	if err != nil || n > MaxNameLength+2 {
		return fq, false
	}
	wire, _, err := dns.UnpackDomainName(buf[:n], 0)
	if err != nil {
		return fq, false
	}
	// Labels over 63 octets are refused by the packer; an empty label
	// ("a..b") too.
	return wire, true
}

// lookup returns the records of type qtype at name, CNAMEs followed.
func (r *Client) lookup(ctx context.Context, name string, qtype uint16) ([]dns.RR, error) {
	typ := dns.TypeToString[qtype]
	fq, ok := CheckName(name)
	if !ok {
		return nil, &Error{Name: name, Type: typ, Err: ErrBadName}
	}
	target := dns.CanonicalName(fq)
	seen := map[string]bool{target: true}
	for hops := 0; ; {
		ans, err := r.query(ctx, target, qtype)
		if err != nil {
			return nil, &Error{Name: name, Type: typ, Err: err}
		}
		// Walk the chain the server gave (RFC 1034 §3.6.2): records of
		// the type at the current target, else its CNAME.
		moved := false
		for {
			var out []dns.RR
			next := ""
			for _, rr := range ans {
				h := rr.Header()
				if dns.CanonicalName(h.Name) != target {
					continue
				}
				switch {
				case h.Rrtype == qtype:
					out = append(out, rr)
				case h.Rrtype == dns.TypeCNAME:
					next = dns.CanonicalName(rr.(*dns.CNAME).Target)
				}
			}
			if len(out) > 0 {
				return out, nil
			}
			if next == "" {
				break
			}
			hops++
			if hops > r.maxCNAME || seen[next] {
				return nil, &Error{Name: name, Type: typ, Err: ErrCNAMELoop}
			}
			seen[next] = true
			target = next
			moved = true
		}
		if !moved || !lastCNAMEDangles(ans, target) {
			return nil, &Error{Name: name, Type: typ, Err: ErrNoData}
		}
		// The chain leaves the answer: ask for its end ourselves.
	}
}

// lastCNAMEDangles reports whether target was reached through a CNAME in ans
// and nothing in ans says anything about target itself, so it must be asked.
func lastCNAMEDangles(ans []dns.RR, target string) bool {
	reached := false
	for _, rr := range ans {
		if c, ok := rr.(*dns.CNAME); ok && dns.CanonicalName(c.Target) == target {
			reached = true
		}
	}
	return reached
}

// query asks one question and returns the answer section, trying every
// server and retrying rounds that only timed out. The result is one of the
// sentinels or the answer (possibly empty: NODATA is decided by lookup).
func (r *Client) query(ctx context.Context, name string, qtype uint16) ([]dns.RR, error) {
	if r.cache != nil {
		if ans, err, ok := r.cache.get(name, qtype, time.Now()); ok {
			return ans, err
		}
	}
	// Concurrent checks of one sender ask the same names (SPF and its
	// lint, rDNS and HELO): one query answers them all.
	k := dnsCacheKey{name, qtype}
	r.mu.Lock()
	if c, ok := r.inflight[k]; ok {
		r.mu.Unlock()
		select {
		case <-c.done:
		case <-ctx.Done():
			return nil, ContextError(ctx.Err())
		}
		// The leader's context may have ended before ours: ask again.
		if !errors.Is(c.err, context.Canceled) && !errors.Is(c.err, context.DeadlineExceeded) {
			return c.ans, c.err
		}
		return r.ask1(ctx, name, qtype)
	}
	c := &dnsCall{done: make(chan struct{})}
	if r.inflight == nil {
		r.inflight = map[dnsCacheKey]*dnsCall{}
	}
	r.inflight[k] = c
	r.mu.Unlock()
	c.ans, c.err = r.ask1(ctx, name, qtype)
	r.mu.Lock()
	delete(r.inflight, k)
	r.mu.Unlock()
	close(c.done)
	return c.ans, c.err
}

// ask1 asks one question of the servers, with retries.
func (r *Client) ask1(ctx context.Context, name string, qtype uint16) ([]dns.RR, error) {
	m := new(dns.Msg)
	m.SetQuestion(name, qtype)
	m.RecursionDesired = true
	m.SetEdns0(r.udpSize, false)

	var last error = ErrTimeout
	for round := 0; round <= r.retries; round++ {
		allTimedOut := true
		for _, server := range r.servers {
			if err := ctx.Err(); err != nil {
				return nil, ContextError(err)
			}
			resp, err := r.ask(ctx, m, server)
			if err != nil {
				if ctx.Err() != nil {
					return nil, ContextError(ctx.Err())
				}
				// The attempt's own timer can fire a moment before
				// the caller's deadline marks ctx done.
				if d, ok := ctx.Deadline(); ok && !time.Now().Before(d) {
					return nil, ContextError(context.DeadlineExceeded)
				}
				if !isTimeout(err) {
					allTimedOut = false
					last = fmt.Errorf("%w: %v", ErrUnreachable, err)
				}
				continue
			}
			switch resp.Rcode {
			case dns.RcodeSuccess:
				r.store(name, qtype, resp, nil)
				return resp.Answer, nil
			case dns.RcodeNameError:
				r.store(name, qtype, resp, ErrNXDomain)
				return resp.Answer, ErrNXDomain
			case dns.RcodeRefused:
				last = ErrRefused
			default:
				last = ErrServFail
			}
			allTimedOut = false
		}
		if !allTimedOut {
			break
		}
	}
	return nil, last
}

// ask runs one exchange and, when the server answers FORMERR to a query
// with an OPT record, asks again without it (RFC 6891 §7).
func (r *Client) ask(ctx context.Context, m *dns.Msg, server string) (*dns.Msg, error) {
	resp, err := r.exchange(ctx, m, server)
	if err != nil || resp.Rcode != dns.RcodeFormatError || m.IsEdns0() == nil {
		return resp, err
	}
	plain := m.Copy()
	plain.Extra = nil
	return r.exchange(ctx, plain, server)
}

// exchange sends m to server over UDP, then over TCP if the answer was
// truncated (RFC 7766 §5), within one per-query timeout, and checks that the
// answer is to the question asked.
func (r *Client) exchange(ctx context.Context, m *dns.Msg, server string) (*dns.Msg, error) {
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	resp, err := exchangeOn(ctx, r.udp, m, server)
	if err == nil && resp.Truncated {
		resp, err = exchangeOn(ctx, r.tcp, m, server)
	}
	if err != nil {
		return nil, err
	}
	if len(resp.Question) != 1 || dns.CanonicalName(resp.Question[0].Name) != dns.CanonicalName(m.Question[0].Name) ||
		resp.Question[0].Qtype != m.Question[0].Qtype {
		return nil, fmt.Errorf("answer from %s is to another question", server)
	}
	return resp, nil
}

// exchangeOn runs one exchange and closes the connection as soon as ctx is
// done, so a cancelled context stops a pending read at once (miekg/dns only
// honours deadlines).
func exchangeOn(ctx context.Context, c *dns.Client, m *dns.Msg, server string) (*dns.Msg, error) {
	co, err := c.DialContext(ctx, server)
	if err != nil {
		return nil, err
	}
	defer co.Close()
	stop := context.AfterFunc(ctx, func() { co.Close() })
	defer stop()
	resp, _, err := c.ExchangeWithConnContext(ctx, m, co)
	if err != nil && ctx.Err() != nil {
		return nil, ctx.Err()
	}
	return resp, err
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout() || errors.Is(err, context.DeadlineExceeded)
}

// ContextError maps a context error to ErrTimeout while keeping it visible to
// errors.Is (context.Canceled, context.DeadlineExceeded).
func ContextError(err error) error { return fmt.Errorf("%w: %w", ErrTimeout, err) }

// store puts a final answer in the cache, if there is one.
func (r *Client) store(name string, qtype uint16, resp *dns.Msg, err error) {
	if r.cache == nil {
		return
	}
	ttl, ok := answerTTL(resp, err != nil || len(resp.Answer) == 0)
	if !ok {
		return
	}
	r.cache.put(name, qtype, resp.Answer, err, time.Now().Add(ttl))
}

// answerTTL is the lowest TTL of the answer, or for a negative answer the
// lower of the SOA TTL and minimum (RFC 2308 §5). A negative answer without
// an SOA is not cached.
func answerTTL(resp *dns.Msg, negative bool) (time.Duration, bool) {
	if negative {
		for _, rr := range resp.Ns {
			if soa, ok := rr.(*dns.SOA); ok {
				return time.Duration(min(soa.Hdr.Ttl, soa.Minttl)) * time.Second, true
			}
		}
		return 0, false
	}
	lowest := uint32(1<<31 - 1)
	for _, rr := range resp.Answer {
		lowest = min(lowest, rr.Header().Ttl)
	}
	if lowest == 0 {
		return 0, false
	}
	return time.Duration(lowest) * time.Second, true
}

// dnsJoinTXT joins a TXT record's character-strings with nothing between them
// (RFC 7208 §3.3), undoing the presentation escapes miekg/dns adds (\" \\
// and \DDD) so the bytes are the ones on the wire.
func dnsJoinTXT(parts []string) string {
	var b strings.Builder
	for _, p := range parts {
		if b.Len()+len(p) > maxTXTJoinedLength {
			break
		}
		for i := 0; i < len(p); i++ {
			c := p[i]
			if c != '\\' || i+1 >= len(p) {
				b.WriteByte(c)
				continue
			}
			if i+3 < len(p) && dnsIsDigit(p[i+1]) && dnsIsDigit(p[i+2]) && dnsIsDigit(p[i+3]) {
				v := int(p[i+1]-'0')*100 + int(p[i+2]-'0')*10 + int(p[i+3]-'0')
				if v < 256 {
					b.WriteByte(byte(v))
					i += 3
					continue
				}
			}
			b.WriteByte(p[i+1])
			i++
		}
	}
	return b.String()
}

func dnsIsDigit(c byte) bool { return c >= '0' && c <= '9' }
