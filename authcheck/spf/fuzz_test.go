package spf

import (
	"context"
	"errors"
	"net/netip"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/bouncekit/bouncekit/authcheck/resolve"
)

func FuzzParseSPF(f *testing.F) {
	for _, c := range spfRecordCases {
		f.Add(c.record)
	}
	f.Add("v=spf1 a:%{l1r-}.%{d2}/24//64 exists:%{ir}.%{v}._spf.%{d} redirect=%{o} exp=%{h}.x")
	f.Add("v=spf1 ip6:::ffff:1.2.3.4/128 mx:foo:bar/baz.example.com ~all")
	f.Fuzz(func(t *testing.T, txt string) {
		rec, err := Parse(txt)
		rec2, err2 := Parse(txt)
		if (err == nil) != (err2 == nil) || !reflect.DeepEqual(rec, rec2) {
			t.Fatalf("ParseSPF(%q) is not deterministic", txt)
		}
		if err != nil {
			return
		}
		// Whatever parses prints as a record that parses to the same value.
		again, err := Parse(rec.String())
		if err != nil {
			t.Fatalf("String() of %q = %q does not parse: %v", txt, rec.String(), err)
		}
		if !reflect.DeepEqual(again, rec) {
			t.Fatalf("round trip of %q via %q: %#v != %#v", txt, rec.String(), again, rec)
		}
	})
}

func FuzzSPFMacroExpand(f *testing.F) {
	f.Add("%{ir}.%{v}._spf.%{d2}", "strong-bad@email.example.com", true)
	f.Add("%{L-r}%%%_%-%{S2r+,/}", "a+b,c/d@x.example", false)
	f.Add("%{d255r}", "@", true)
	f.Fuzz(func(t *testing.T, macro, sender string, v4 bool) {
		ip := netip.MustParseAddr("2001:db8::1")
		if v4 {
			ip = netip.MustParseAddr("192.0.2.3")
		}
		local, domain, _ := strings.Cut(sender, "@")
		r, _ := resolve.NewStatic("")
		c := &spfChecker{r: r, ip: ip, sender: sender, local: local, senderDomain: domain, helo: "h.example",
			nowFn: func() time.Time { return time.Unix(0, 0) }}
		for _, exp := range []bool{false, true} {
			valid := spfCheckMacroString(macro, exp) == nil
			got, err := c.spfExpand(context.Background(), macro, "d.example", exp)
			if valid && err != nil && !errors.Is(err, ErrBadDomain) {
				t.Fatalf("%q passes the syntax check but does not expand: %v", macro, err)
			}
			if err == nil && !exp && len(strings.TrimSuffix(got, ".")) > 253 && strings.Contains(got, ".") {
				t.Fatalf("domain expansion of %q is %d octets", macro, len(got))
			}
		}
	})
}
