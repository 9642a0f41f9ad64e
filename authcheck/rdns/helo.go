// HELO/EHLO name checks (RFC 5321 §4.1.1.1, §4.1.3, §4.1.4): syntax,
// address literals, forward resolution and agreement with the sending
// address.

package rdns

import (
	"context"
	"net/netip"
	"strings"

	"github.com/bouncekit/bouncekit/authcheck/internal/syntax"
	"github.com/bouncekit/bouncekit/authcheck/resolve"
)

// HELOResult is the check of the name a client gives in HELO/EHLO.
type HELOResult struct {
	Name    string
	FQDN    bool // a syntactically valid fully-qualified domain name (RFC 5321 §4.1.1.1, §2.3.5)
	Literal bool // an address literal such as [192.0.2.1] (RFC 5321 §4.1.3)
	// Addrs are the name's A and AAAA records (or the literal's address).
	Addrs      []netip.Addr
	Resolves   bool  // Addrs is not empty
	MatchesIP  bool  // the sending address is among Addrs
	MatchesPTR bool  // the name is one of the address's PTR names (set by Check)
	Err        error // a DNS failure other than "not found" when no address was found
}

// CheckHELO checks a HELO/EHLO name against the sending address ip (which
// may be invalid when unknown). Safe for concurrent use if r is.
func CheckHELO(ctx context.Context, r resolve.Resolver, helo string, ip netip.Addr) HELOResult {
	r = resolve.OrFail(r)
	res := HELOResult{Name: helo}
	ip = ip.Unmap()
	if lit, ok := parseAddressLiteral(helo); ok {
		res.Literal = true
		res.Addrs = []netip.Addr{lit}
		res.Resolves = true
		res.MatchesIP = ip.IsValid() && lit == ip
		return res
	}
	res.FQDN = IsFQDN(helo)
	if !res.FQDN {
		return res
	}
	res.Addrs, res.Err = resolve.LookupIP(ctx, r, strings.TrimSuffix(helo, "."))
	res.Resolves = len(res.Addrs) > 0
	for _, x := range res.Addrs {
		if ip.IsValid() && x.Unmap() == ip {
			res.MatchesIP = true
		}
	}
	return res
}

// IsFQDN reports whether name is a fully-qualified domain name as RFC 5321
// §2.3.5 wants in HELO: at least two labels of letters, digits and
// hyphens, none starting or ending with a hyphen, a top label that is not
// all digits, 253 octets at most.
func IsFQDN(name string) bool {
	name = strings.TrimSuffix(name, ".")
	if len(name) == 0 || len(name) > resolve.MaxNameLength || !strings.Contains(name, ".") {
		return false
	}
	labels := strings.Split(name, ".")
	for _, l := range labels {
		if l == "" || len(l) > resolve.MaxLabelLength || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for i := 0; i < len(l); i++ {
			c := l[i]
			if !(syntax.Alpha(c) || c >= '0' && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return syntax.TopLabel(labels[len(labels)-1]) && !syntax.AllDigits(labels[len(labels)-1])
}

// parseAddressLiteral reads "[192.0.2.1]" or "[IPv6:2001:db8::1]" (RFC 5321
// §4.1.3).
func parseAddressLiteral(s string) (netip.Addr, bool) {
	if len(s) < 3 || s[0] != '[' || s[len(s)-1] != ']' {
		return netip.Addr{}, false
	}
	body := s[1 : len(s)-1]
	v6 := false
	if len(body) > 5 && strings.EqualFold(body[:5], "IPv6:") {
		body, v6 = body[5:], true
	}
	a, err := netip.ParseAddr(body)
	if err != nil || a.Zone() != "" || a.Is6() != v6 {
		return netip.Addr{}, false
	}
	return a, true
}
