// The sending IP: reverse DNS confirmed forward, a PTR that looks
// generic, the HELO name, and the IP on blocklists.

package msgauth

import (
	"context"
	"fmt"
	"net/netip"
	"strings"

	"github.com/bouncekit/bouncekit/authcheck/dnsbl"
	"github.com/bouncekit/bouncekit/authcheck/rdns"
	"github.com/bouncekit/bouncekit/authcheck/resolve"
)

// Infra is the standing of the sending IP.
type Infra struct {
	IP string `json:"ip"`
	// PTR are the address's reverse names; Confirmed those whose A/AAAA
	// lead back to it (forward-confirmed rDNS, RFC 8601 §2.7.3 iprev).
	PTR       []string `json:"ptr"`
	Confirmed []string `json:"confirmed"`
	FCrDNS    bool     `json:"fcrdns"`
	// GenericPTR says the PTR name looks like an ISP's per-address name
	// (the address embedded, or pool/dynamic words), which receivers read
	// as end-user space; GenericReason says what matched.
	GenericPTR    bool   `json:"generic_ptr"`
	GenericReason string `json:"generic_reason,omitempty"`
	// HELO is the check of the HELO name (RFC 5321 §4.1.1.1): an FQDN
	// that resolves to the IP and, ideally, equals a PTR name.
	HELO rdns.HELOResult `json:"-"`
	// Listings are the IP's results on each IP blocklist, in zone order
	// (filled by Evaluate unless blocklists are off).
	Listings []dnsbl.Result `json:"-"`
	Err      error          `json:"-"`
}

// Listed returns the IP blocklist results that list it; refusals and errors
// are never listings (RFC 5782 §2.1, the operators' refusal codes).
func (in *Infra) Listed() []dnsbl.Result {
	var out []dnsbl.Result
	for _, l := range in.Listings {
		if l.Status == dnsbl.Listed {
			out = append(out, l)
		}
	}
	return out
}

func evalInfra(ctx context.Context, r resolve.Resolver, env Envelope) Infra {
	res := rdns.Check(ctx, r, env.IP, env.HELO)
	in := Infra{IP: env.IP.String(), PTR: res.PTR, Confirmed: res.Confirmed, FCrDNS: res.FCrDNS, HELO: res.HELO, Err: res.Err}
	for _, p := range res.PTR {
		if why := genericPTR(p, env.IP); why != "" {
			in.GenericPTR, in.GenericReason = true, fmt.Sprintf("%s: %s", p, why)
			break
		}
	}
	return in
}

// genericWords are labels ISPs use for end-user and pool space
// (draft-msullivan-dnsop-generic-naming-schemes §3; Spamhaus PBL's advice
// that mail servers have a non-generic name).
var genericWords = []string{
	"dynamic", "dyn", "dhcp", "pool", "dsl", "adsl", "xdsl", "vdsl", "cable", "ppp", "pppoe",
	"dialup", "dial", "broadband", "residential", "client", "customer", "cust", "static", "unassigned",
	"nat", "wifi", "wireless", "mobile", "cpe", "host", "ip", "user", "home",
}

// genericPTR says why a PTR name looks generic, "" when it does not: the
// address's octets (or hex groups) appear in the name, or a label starts
// with a pool word followed by digits or separators.
func genericPTR(name string, ip netip.Addr) string {
	n := strings.ToLower(strings.TrimSuffix(name, "."))
	if ip.Is4() || ip.Is4In6() {
		b := ip.Unmap().As4()
		o := []string{fmt.Sprint(b[0]), fmt.Sprint(b[1]), fmt.Sprint(b[2]), fmt.Sprint(b[3])}
		for _, sep := range []string{"-", ".", "_", ""} {
			fwd := strings.Join(o, sep)
			rev := o[3] + sep + o[2] + sep + o[1] + sep + o[0]
			if sep == "" {
				// Concatenated octets only count zero-padded (010020030040),
				// so short numbers in a name are not mistaken for an address.
				fwd = fmt.Sprintf("%03d%03d%03d%03d", b[0], b[1], b[2], b[3])
				rev = fmt.Sprintf("%03d%03d%03d%03d", b[3], b[2], b[1], b[0])
			}
			if strings.Contains(n, fwd) || strings.Contains(n, rev) {
				return "the name embeds the address"
			}
		}
		hex := fmt.Sprintf("%02x%02x%02x%02x", b[0], b[1], b[2], b[3])
		if strings.Contains(n, hex) {
			return "the name embeds the address in hex"
		}
	}
	first, _, _ := strings.Cut(n, ".")
	for _, w := range genericWords {
		rest, ok := strings.CutPrefix(first, w)
		if ok && rest != "" && strings.ContainsAny(rest[:1], "0123456789-_") && strings.ContainsAny(rest, "0123456789") {
			return fmt.Sprintf("the first label %q is a %q pool name", first, w)
		}
	}
	return ""
}
