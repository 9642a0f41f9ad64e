package authcheck_test

import (
	"context"
	"fmt"
	"net/netip"
	"strings"

	"github.com/bouncekit/bouncekit/authcheck"
	"github.com/bouncekit/bouncekit/authcheck/dnsbl"
	"github.com/bouncekit/bouncekit/authcheck/resolve"
)

// zone is a tiny map-backed authcheck.Resolver, the kind a test or an
// offline tool can pass instead of resolve.NewClient.
type zone map[string][]string // "TXT name" / "A name" / "MX name" / "PTR ip" -> values

func (z zone) get(typ, name string) ([]string, error) {
	name = strings.TrimSuffix(strings.ToLower(name), ".")
	if v, ok := z[typ+" "+name]; ok {
		return v, nil
	}
	return nil, &resolve.Error{Name: name, Type: typ, Err: resolve.ErrNXDomain}
}

func (z zone) LookupTXT(_ context.Context, name string) ([]string, error) { return z.get("TXT", name) }
func (z zone) LookupA(_ context.Context, name string) ([]netip.Addr, error) {
	v, err := z.get("A", name)
	var out []netip.Addr
	for _, s := range v {
		out = append(out, netip.MustParseAddr(s))
	}
	return out, err
}
func (z zone) LookupAAAA(_ context.Context, name string) ([]netip.Addr, error) {
	_, err := z.get("AAAA", name)
	return nil, err
}
func (z zone) LookupMX(_ context.Context, name string) ([]resolve.MX, error) {
	v, err := z.get("MX", name)
	var out []resolve.MX
	for _, h := range v {
		out = append(out, resolve.MX{Pref: 10, Host: h})
	}
	return out, err
}
func (z zone) LookupPTR(_ context.Context, ip netip.Addr) ([]string, error) {
	return z.get("PTR", ip.String())
}

func ExampleCheckSender() {
	r := zone{
		"TXT example.com":        {"v=spf1 ip4:192.0.2.0/24 ~all"},
		"TXT _dmarc.example.com": {"v=DMARC1; p=none; rua=mailto:dmarc@example.com"},
		"MX example.com":         {"mx.example.com"},
		"A mx.example.com":       {"192.0.2.25"},
		"A mail.example.com":     {"192.0.2.10"},
		"PTR 192.0.2.10":         {"mail.example.com."},
	}
	rep, err := authcheck.CheckSender(context.Background(), r, authcheck.SenderInput{
		IP:            netip.MustParseAddr("192.0.2.10"),
		HELO:          "mail.example.com",
		MailFrom:      "bounce@example.com",
		FromDomain:    "example.com",
		DKIMSelectors: []string{"s1"},
		Blocklists:    []dnsbl.Zone{}, // none, for a short example
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("spf:", rep.SPF.Result, "dmarc:", rep.DMARC.Policy, "fcrdns:", rep.RDNS.FCrDNS)
	for _, f := range rep.Findings {
		fmt.Println(f.Severity, f.Code, f.Subject)
	}
	// Output:
	// spf: pass dmarc: none fcrdns: true
	// error dkim.key_missing s1._domainkey.example.com
	// warning dmarc.policy_none example.com
	// info mtasts.missing _mta-sts.example.com
	// info tlsrpt.missing _smtp._tls.example.com
}
