package resolve

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/bouncekit/bouncekit/internal/dnstest"
)

const dnsTestZone = `
$ORIGIN example.test.
@            300 IN TXT   "v=spf1 " "ip4:192.0.2.1 -all"
@                IN MX    10 mx1
@                IN MX    20 mx2.example.test.
mx1              IN A     192.0.2.10
mx1              IN AAAA  2001:db8::10
alias            IN CNAME mx1
alias2           IN CNAME alias
loop1            IN CNAME loop2
loop2            IN CNAME loop1
dangling         IN CNAME nowhere.example.test.
quoted           IN TXT   "a\"b\\c\059d"
*.wild           IN TXT   "wildcard"
a.b.ent          IN A     192.0.2.20
slow             IN TXT   "never seen"
big              IN TXT   "v=spf1"
$ORIGIN 2.0.192.in-addr.arpa.
10               IN PTR   mx1.example.test.
`

// newTestResolver starts dnstest with zone and returns a resolver that asks
// it with short timeouts.
func newTestResolver(t testing.TB, zone string, opts ...dnstest.Option) (*Client, *dnstest.Server) {
	t.Helper()
	srv := dnstest.New(t, zone, opts...)
	return NewClient(Config{Servers: []string{srv.Addr}, Timeout: 500 * time.Millisecond, Retries: 1}), srv
}

func TestDNSResolverAnswersEachType(t *testing.T) {
	r, _ := newTestResolver(t, dnsTestZone)
	ctx := context.Background()

	txt, err := r.LookupTXT(ctx, "example.test")
	if err != nil || len(txt) != 1 || txt[0] != "v=spf1 ip4:192.0.2.1 -all" {
		t.Fatalf("TXT strings are joined with nothing between them: got %q, %v", txt, err)
	}
	mx, err := r.LookupMX(ctx, "Example.Test.")
	if err != nil || len(mx) != 2 || mx[0] != (MX{10, "mx1.example.test"}) || mx[1] != (MX{20, "mx2.example.test"}) {
		t.Fatalf("MX: got %v, %v", mx, err)
	}
	a, err := r.LookupA(ctx, "mx1.example.test")
	if err != nil || len(a) != 1 || a[0] != netip.MustParseAddr("192.0.2.10") {
		t.Fatalf("A: got %v, %v", a, err)
	}
	aaaa, err := r.LookupAAAA(ctx, "mx1.example.test")
	if err != nil || len(aaaa) != 1 || aaaa[0] != netip.MustParseAddr("2001:db8::10") {
		t.Fatalf("AAAA: got %v, %v", aaaa, err)
	}
	ptr, err := r.LookupPTR(ctx, netip.MustParseAddr("192.0.2.10"))
	if err != nil || len(ptr) != 1 || ptr[0] != "mx1.example.test" {
		t.Fatalf("PTR: got %v, %v", ptr, err)
	}
	q, err := r.LookupTXT(ctx, "quoted.example.test")
	if err != nil || len(q) != 1 || q[0] != `a"b\c;d` {
		t.Fatalf("TXT escapes are undone: got %q, %v", q, err)
	}
	w, err := r.LookupTXT(ctx, "anything.wild.example.test")
	if err != nil || len(w) != 1 || w[0] != "wildcard" {
		t.Fatalf("wildcard: got %q, %v", w, err)
	}
}

func TestDNSResolverKeepsOutcomesApart(t *testing.T) {
	r, _ := newTestResolver(t, dnsTestZone,
		dnstest.Timeout("slow.example.test"),
		dnstest.ServFail("broken.example.test"),
		dnstest.Refused("refused.example.test"))
	ctx := context.Background()
	cases := []struct {
		name   string
		lookup func() error
		want   error
	}{
		{"a missing name is NXDOMAIN", func() error { _, err := r.LookupTXT(ctx, "missing.example.test"); return err }, ErrNXDomain},
		{"a name without the type is NODATA", func() error { _, err := r.LookupA(ctx, "example.test"); return err }, ErrNoData},
		{"an empty non-terminal is NODATA", func() error { _, err := r.LookupA(ctx, "b.ent.example.test"); return err }, ErrNoData},
		{"a server failure is SERVFAIL", func() error { _, err := r.LookupTXT(ctx, "broken.example.test"); return err }, ErrServFail},
		{"a refusal is REFUSED", func() error { _, err := r.LookupTXT(ctx, "refused.example.test"); return err }, ErrRefused},
		{"a silent server is a timeout", func() error { _, err := r.LookupA(ctx, "slow.example.test"); return err }, ErrTimeout},
		{"a CNAME loop is ErrCNAMELoop", func() error { _, err := r.LookupA(ctx, "loop1.example.test"); return err }, ErrCNAMELoop},
		{"a dangling CNAME is NXDOMAIN", func() error { _, err := r.LookupA(ctx, "dangling.example.test"); return err }, ErrNXDomain},
		{"a label over 63 octets is a bad name", func() error { _, err := r.LookupA(ctx, strings.Repeat("a", 64)+".test"); return err }, ErrBadName},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.lookup()
			if !errors.Is(err, c.want) {
				t.Fatalf("got %v, want %v", err, c.want)
			}
			var de *Error
			if !errors.As(err, &de) {
				t.Fatalf("error %v is not a *DNSError", err)
			}
		})
	}
	// The type listed before the timeout is still served.
	if txt, err := r.LookupTXT(ctx, "slow.example.test"); err != nil || len(txt) != 1 {
		t.Fatalf("TXT at a timeout name with TXT records: %v, %v", txt, err)
	}
}

func TestDNSResolverFollowsCNAMEChains(t *testing.T) {
	r, _ := newTestResolver(t, dnsTestZone)
	a, err := r.LookupA(context.Background(), "alias2.example.test")
	if err != nil || len(a) != 1 || a[0] != netip.MustParseAddr("192.0.2.10") {
		t.Fatalf("got %v, %v", a, err)
	}
	short := NewClient(Config{Servers: r.Servers(), MaxCNAME: 1, Retries: -1})
	if _, err := short.LookupA(context.Background(), "alias2.example.test"); !errors.Is(err, ErrCNAMELoop) {
		t.Fatalf("a chain over MaxCNAME: got %v, want ErrCNAMELoop", err)
	}
}

func TestDNSResolverFallsBackToTCP(t *testing.T) {
	r, srv := newTestResolver(t, dnsTestZone, dnstest.Truncate("example.test"))
	txt, err := r.LookupTXT(context.Background(), "example.test")
	if err != nil || len(txt) != 1 {
		t.Fatalf("got %v, %v", txt, err)
	}
	if srv.TCPQueries() != 1 {
		t.Fatalf("TCP queries = %d, want 1 after a truncated UDP answer", srv.TCPQueries())
	}
}

func TestDNSResolverFallsBackWithoutEDNS(t *testing.T) {
	r, srv := newTestResolver(t, dnsTestZone, dnstest.NoEDNS())
	txt, err := r.LookupTXT(context.Background(), "example.test")
	if err != nil || len(txt) != 1 {
		t.Fatalf("got %v, %v", txt, err)
	}
	if srv.Queries() != 2 {
		t.Fatalf("server saw %d queries, want 2 (with OPT, then without)", srv.Queries())
	}
}

func TestDNSResolverReadsHugeTXTOverTCP(t *testing.T) {
	// 40 strings of 255 octets: 10 KB, more than any UDP answer here.
	parts := make([]string, 40)
	for i := range parts {
		parts[i] = strings.Repeat(string(rune('a'+i%26)), 255)
	}
	rr := &dns.TXT{Hdr: dns.RR_Header{Name: "huge.test.", Rrtype: dns.TypeTXT, Class: dns.ClassINET, Ttl: 60}, Txt: parts}
	srv := dnstest.NewRRs(t, []dns.RR{rr})
	r := NewClient(Config{Servers: []string{srv.Addr}, Timeout: time.Second, Retries: -1})
	txt, err := r.LookupTXT(context.Background(), "huge.test")
	if err != nil || len(txt) != 1 || txt[0] != strings.Join(parts, "") {
		t.Fatalf("huge TXT: %d records, err %v", len(txt), err)
	}
	if srv.TCPQueries() == 0 {
		t.Fatal("a 10 KB answer did not fall back to TCP")
	}
}

func TestDNSResolverRetriesThenTimesOut(t *testing.T) {
	srv := dnstest.New(t, dnsTestZone, dnstest.Timeout("slow.example.test"))
	r := NewClient(Config{Servers: []string{srv.Addr}, Timeout: 50 * time.Millisecond, Retries: 2})
	_, err := r.LookupA(context.Background(), "slow.example.test")
	if !errors.Is(err, ErrTimeout) {
		t.Fatalf("got %v, want ErrTimeout", err)
	}
	if got := srv.Queries(); got != 3 {
		t.Fatalf("server saw %d queries, want 1 + 2 retries", got)
	}
}

func TestDNSResolverHonoursCancellation(t *testing.T) {
	r := NewClient(Config{Servers: []string{dnstest.Start(t, dnsTestZone, dnstest.Timeout("slow.example.test"))}, Timeout: time.Hour})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	done := make(chan error, 1)
	go func() { _, err := r.LookupA(ctx, "slow.example.test"); done <- err }()
	select {
	case err := <-done:
		if !errors.Is(err, ErrTimeout) || !errors.Is(err, context.Canceled) {
			t.Fatalf("got %v, want ErrTimeout wrapping context.Canceled", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("lookup ignored the cancelled context")
	}
}

func TestDNSResolverCachesByTTL(t *testing.T) {
	srv := dnstest.New(t, dnsTestZone)
	r := NewClient(Config{Servers: []string{srv.Addr}, CacheSize: 2, Retries: -1})
	ctx := context.Background()
	for range 3 {
		if _, err := r.LookupTXT(ctx, "example.test"); err != nil {
			t.Fatal(err)
		}
		if _, err := r.LookupTXT(ctx, "missing.example.test"); !errors.Is(err, ErrNXDomain) {
			t.Fatalf("cached negative answer: %v", err)
		}
	}
	if got := srv.Queries(); got != 2 {
		t.Fatalf("server saw %d queries, want 2 (one per name, the rest cached)", got)
	}
	// A third name evicts one entry: the cache stays within its bound.
	if _, err := r.LookupA(ctx, "mx1.example.test"); err != nil {
		t.Fatal(err)
	}
	if n := r.cache.Len(); n > 2 {
		t.Fatalf("cache holds %d entries, bound is 2", n)
	}
}

func TestDNSCacheExpires(t *testing.T) {
	c := newDNSCache(4)
	now := time.Now()
	c.put("a.", dns.TypeA, nil, ErrNXDomain, now.Add(time.Second))
	if _, err, ok := c.get("a.", dns.TypeA, now); !ok || !errors.Is(err, ErrNXDomain) {
		t.Fatal("fresh entry missing")
	}
	if _, _, ok := c.get("a.", dns.TypeA, now.Add(2*time.Second)); ok {
		t.Fatal("expired entry served")
	}
}

func TestDNSResolverIsSafeForConcurrentUse(t *testing.T) {
	r, _ := newTestResolver(t, dnsTestZone)
	r.cache = newDNSCache(8)
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			for range 10 {
				if _, err := r.LookupMX(context.Background(), "example.test"); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
}

func TestDNSResolverSharesIdenticalQueries(t *testing.T) {
	// The server answers slowly (it drops the first attempt), so 20
	// identical lookups overlap; they must share queries.
	var once sync.Once
	srv := dnstest.New(t, dnsTestZone, dnstest.Drop(func(name string, _ uint16) bool {
		dropped := false
		if name == "example.test." {
			once.Do(func() { dropped = true })
		}
		return dropped
	}))
	r := NewClient(Config{Servers: []string{srv.Addr}, Timeout: 500 * time.Millisecond, Retries: 1})
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			if _, err := r.LookupTXT(context.Background(), "example.test"); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if got := srv.Queries(); got > 4 {
		t.Fatalf("20 concurrent identical lookups sent %d queries", got)
	}
}

func TestSystemServersFallsBack(t *testing.T) {
	got := systemServers("/nonexistent/resolv.conf")
	if len(got) != 1 || got[0] != fallbackDNSServer {
		t.Fatalf("got %v", got)
	}
}

func TestReverseName(t *testing.T) {
	cases := map[string]string{
		"192.0.2.1":        "1.2.0.192.in-addr.arpa.",
		"::ffff:192.0.2.1": "1.2.0.192.in-addr.arpa.",
		"2001:db8::1":      "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.",
	}
	for in, want := range cases {
		if got := ReverseName(netip.MustParseAddr(in)); got != want {
			t.Errorf("ReverseName(%s) = %s, want %s", in, got, want)
		}
	}
}

func TestNewDNSResolverAddsPort53(t *testing.T) {
	r := NewClient(Config{Servers: []string{"192.0.2.53", "2001:db8::53", "[2001:db8::54]", "192.0.2.1:5353"}})
	want := []string{"192.0.2.53:53", "[2001:db8::53]:53", "[2001:db8::54]:53", "192.0.2.1:5353"}
	if got := r.Servers(); !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}

func TestDNSResolverTriesTheNextServer(t *testing.T) {
	silent := dnstest.New(t, "", dnstest.Drop(func(string, uint16) bool { return true }))
	failing := dnstest.New(t, dnsTestZone, dnstest.ServFail("example.test"))
	good := dnstest.New(t, dnsTestZone)
	r := NewClient(Config{Servers: []string{silent.Addr, failing.Addr, good.Addr}, Timeout: 500 * time.Millisecond, Retries: -1})
	txt, err := r.LookupTXT(context.Background(), "example.test")
	if err != nil || len(txt) != 1 {
		t.Fatalf("got %v, %v", txt, err)
	}
	if silent.Queries() != 1 || failing.Queries() != 1 || good.Queries() != 1 {
		t.Fatalf("queries: silent %d, failing %d, good %d", silent.Queries(), failing.Queries(), good.Queries())
	}
	// With only the failing server the SERVFAIL is the answer.
	r = NewClient(Config{Servers: []string{failing.Addr}, Retries: 3})
	if _, err := r.LookupTXT(context.Background(), "example.test"); !errors.Is(err, ErrServFail) {
		t.Fatalf("got %v", err)
	}
	if failing.Queries() != 2 {
		t.Fatalf("a SERVFAIL was retried: %d queries", failing.Queries())
	}
}

// A server that refuses the connection (nothing listens on the port) is
// ErrUnreachable, neither a SERVFAIL nor a timeout, and the findings built
// on it say dns.error.
func TestDNSResolverUnreachableServer(t *testing.T) {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := pc.LocalAddr().String()
	pc.Close() // nothing listens there now: the kernel answers "port unreachable"
	r := NewClient(Config{Servers: []string{addr}, Retries: 1, Timeout: 2 * time.Second})
	_, err = r.LookupA(context.Background(), "mx.example.test")
	if !errors.Is(err, ErrUnreachable) || errors.Is(err, ErrServFail) || errors.Is(err, ErrTimeout) {
		t.Fatalf("got %v, want ErrUnreachable", err)
	}
}
