package rdns

import (
	"net/netip"
	"testing"

	"github.com/bouncekit/bouncekit/authcheck/resolve"
)

func TestParseAddressLiteral(t *testing.T) {
	cases := []struct {
		in   string
		want string // "" = not a literal
	}{
		{"[192.0.2.1]", "192.0.2.1"},
		{"[IPv6:2001:db8::1]", "2001:db8::1"},
		{"[ipv6:2001:db8::1]", "2001:db8::1"},
		{"[2001:db8::1]", ""},    // RFC 5321 §4.1.3 wants the IPv6: tag
		{"[IPv6:192.0.2.1]", ""}, // and no tag for IPv4
		{"[192.0.2.1%eth0]", ""},
		{"192.0.2.1", ""},
		{"[]", ""},
	}
	for _, c := range cases {
		got, ok := parseAddressLiteral(c.in)
		if ok != (c.want != "") || ok && got != netip.MustParseAddr(c.want) {
			t.Errorf("parseAddressLiteral(%q) = %v, %v; want %q", c.in, got, ok, c.want)
		}
	}
}

func FuzzHELOName(f *testing.F) {
	for _, s := range []string{"mail.example.com", "[192.0.2.1]", "[IPv6:::1]", "localhost", "a..b", "-x.example", "x.123"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		fqdn := IsFQDN(name)
		if fqdn != IsFQDN(name) {
			t.Fatal("IsFQDN is not deterministic")
		}
		// An FQDN is always a name the resolver will ask.
		if _, ok := resolve.CheckName(name); fqdn && !ok {
			t.Fatalf("IsFQDN(%q) but the resolver refuses it", name)
		}
		if a, ok := parseAddressLiteral(name); ok {
			if fqdn || !a.IsValid() {
				t.Fatalf("%q is both a literal and an FQDN, or an invalid literal", name)
			}
		}
	})
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
