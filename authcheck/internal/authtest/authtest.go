// Test helpers shared by the authcheck packages' tests: a map-backed
// resolver, a resolver for a local dnstest server, test keys and
// assertions. Not for use outside tests.

package authtest

import (
	"context"
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"net/netip"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bouncekit/bouncekit/authcheck/resolve"
	"github.com/bouncekit/bouncekit/internal/dnstest"
)

// FakeZone is a map-backed Resolver for unit tests that do not exercise the
// DNS wire protocol. Keys are lower-case names without the trailing dot.
type FakeZone struct {
	TXT   map[string][]string
	A     map[string][]netip.Addr
	MX    map[string][]resolve.MX
	PTR   map[netip.Addr][]string
	Fail  map[string]error // name -> error for every type
	mu    sync.Mutex
	calls int
}

// Calls returns how many lookups the zone answered.
func (z *FakeZone) Calls() int {
	z.mu.Lock()
	defer z.mu.Unlock()
	return z.calls
}

func NewFakeZone() *FakeZone {
	return &FakeZone{TXT: map[string][]string{}, A: map[string][]netip.Addr{}, MX: map[string][]resolve.MX{}, PTR: map[netip.Addr][]string{}, Fail: map[string]error{}}
}

func (z *FakeZone) lookup(name, typ string, has func(string) bool) error {
	z.mu.Lock()
	z.calls++
	z.mu.Unlock()
	name = strings.ToLower(strings.TrimSuffix(name, "."))
	if err, ok := z.Fail[name]; ok {
		return &resolve.Error{Name: name, Type: typ, Err: err}
	}
	if has(name) {
		return nil
	}
	for n := range z.TXT {
		if n == name || strings.HasSuffix(n, "."+name) {
			return &resolve.Error{Name: name, Type: typ, Err: resolve.ErrNoData}
		}
	}
	return &resolve.Error{Name: name, Type: typ, Err: resolve.ErrNXDomain}
}

func (z *FakeZone) LookupTXT(_ context.Context, name string) ([]string, error) {
	n := strings.ToLower(strings.TrimSuffix(name, "."))
	if err := z.lookup(name, "TXT", func(string) bool { return len(z.TXT[n]) > 0 }); err != nil {
		return nil, err
	}
	return z.TXT[n], nil
}

func (z *FakeZone) LookupA(_ context.Context, name string) ([]netip.Addr, error) {
	n := strings.ToLower(strings.TrimSuffix(name, "."))
	if err := z.lookup(name, "A", func(string) bool { return len(z.A[n]) > 0 }); err != nil {
		return nil, err
	}
	return z.A[n], nil
}

func (z *FakeZone) LookupAAAA(_ context.Context, name string) ([]netip.Addr, error) {
	return nil, z.lookup(name, "AAAA", func(string) bool { return false })
}

func (z *FakeZone) LookupMX(_ context.Context, name string) ([]resolve.MX, error) {
	n := strings.ToLower(strings.TrimSuffix(name, "."))
	if err := z.lookup(name, "MX", func(string) bool { return len(z.MX[n]) > 0 }); err != nil {
		return nil, err
	}
	return z.MX[n], nil
}

func (z *FakeZone) LookupPTR(_ context.Context, addr netip.Addr) ([]string, error) {
	if p := z.PTR[addr]; len(p) > 0 {
		return p, nil
	}
	return nil, &resolve.Error{Name: addr.String(), Type: "PTR", Err: resolve.ErrNXDomain}
}

func DKIMKeyRecord(t testing.TB, pub crypto.PublicKey, extra string) string {
	t.Helper()
	switch k := pub.(type) {
	case ed25519.PublicKey:
		return "v=DKIM1; k=ed25519; " + extra + "p=" + base64.StdEncoding.EncodeToString(k)
	default:
		der, err := x509.MarshalPKIXPublicKey(k)
		NoErr(t, err)
		return "v=DKIM1; k=rsa; " + extra + "p=" + base64.StdEncoding.EncodeToString(der)
	}
}

var (
	testKeysOnce sync.Once
	RSA2048      *rsa.PrivateKey
	RSA1024      *rsa.PrivateKey
	RSAOther     *rsa.PrivateKey
	Ed25519      ed25519.PrivateKey
)

func Keys(t testing.TB) {
	testKeysOnce.Do(func() {
		var err error
		RSA2048, err = rsa.GenerateKey(rand.Reader, 2048)
		if err == nil {
			RSA1024, err = rsa.GenerateKey(rand.Reader, 1024)
		}
		if err == nil {
			RSAOther, err = rsa.GenerateKey(rand.Reader, 2048)
		}
		if err == nil {
			_, Ed25519, err = ed25519.GenerateKey(rand.Reader)
		}
		if err != nil {
			panic(err)
		}
	})
}

func Eq(t testing.TB, got, want any, msg ...any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %#v, want %#v %s", got, want, fmt.Sprint(msg...))
	}
}

func NoErr(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("unexpected error: %v", err)
	}
}

func ErrIs(t testing.TB, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("error %v is not %v", err, target)
	}
}

func Contains(t testing.TB, s, sub string) {
	t.Helper()
	if !strings.Contains(s, sub) {
		t.Fatalf("%q does not contain %q", s, sub)
	}
}

const Message = `From: Alice <alice@example.com>
To: bob@example.org
Subject:  Hello   there
Date: Fri, 27 Nov 2026 12:00:00 +0000
Message-ID: <1@example.com>

Hi Bob,  
	this is the body.

`

// DNS serves zone from a local dnstest server and returns a resolver
// for it with timeouts generous enough for a loaded test machine.
func DNS(t testing.TB, zone string, opts ...dnstest.Option) *resolve.Client {
	t.Helper()
	addr := dnstest.Start(t, zone, opts...)
	return resolve.NewClient(resolve.Config{Servers: []string{addr}, Timeout: 2 * time.Second, Retries: 1})
}

// DNSQuick is DNS with a short timeout and no retry, for tests in
// which the server deliberately does not answer.
func DNSQuick(t testing.TB, zone string, opts ...dnstest.Option) *resolve.Client {
	t.Helper()
	addr := dnstest.Start(t, zone, opts...)
	return resolve.NewClient(resolve.Config{Servers: []string{addr}, Timeout: 300 * time.Millisecond, Retries: -1})
}

// ZoneTXT quotes s as a TXT RDATA of 255-byte strings (RFC 1035 §3.3.14).
func ZoneTXT(s string) string {
	var parts []string
	for len(s) > 255 {
		parts = append(parts, `"`+s[:255]+`"`)
		s = s[255:]
	}
	return strings.Join(append(parts, `"`+s+`"`), " ")
}
