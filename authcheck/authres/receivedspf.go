// Received-SPF header field parsing (RFC 7208 §9.1).

package authres

import (
	"net/netip"
	"strings"

	"github.com/bouncekit/bouncekit/authcheck/spf"
)

// ReceivedSPF is a parsed Received-SPF header field.
type ReceivedSPF struct {
	Result       spf.Result  `json:"result"`
	Comment      string      `json:"comment,omitempty"`
	ClientIP     netip.Addr  `json:"client_ip,omitzero"`
	EnvelopeFrom string      `json:"envelope_from,omitempty"`
	HELO         string      `json:"helo,omitempty"`
	Problem      string      `json:"problem,omitempty"`
	Receiver     string      `json:"receiver,omitempty"`
	Identity     string      `json:"identity,omitempty"` // "mailfrom", "helo"
	Mechanism    string      `json:"mechanism,omitempty"`
	Params       []AuthParam `json:"params,omitempty"` // every key=value, in order
	Raw          string      `json:"-"`
}

// AuthParam is one key=value pair of a Received-SPF header.
type AuthParam struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// ParseReceivedSPF parses a Received-SPF header field, with or without its
// name. The result token may use the RFC 4408 spellings; "policy" and any
// unknown token are syntax errors. The error, when not nil, is an
// *SyntaxError (wrapping ErrSyntax) and the fields read so
// far are returned with it.
func ParseReceivedSPF(field string) (*ReceivedSPF, error) {
	if len(field) > MaxLen {
		return nil, &SyntaxError{Offset: MaxLen, Msg: "Received-SPF too long"}
	}
	if name, rest, ok := strings.Cut(field, ":"); ok && strings.EqualFold(strings.TrimSpace(name), "Received-SPF") {
		field = rest
	}
	rs := &ReceivedSPF{Raw: field}
	p := &arParser{s: field}
	if err := p.cfws(); err != nil {
		return nil, err
	}
	tok := p.keyword()
	res, err := spf.ParseResult(tok)
	if err != nil {
		return nil, p.errf("unknown SPF result %q", tok)
	}
	rs.Result = res
	if err := p.cfws(); err != nil {
		return rs, err
	}
	rs.Comment = strings.Join(p.comments, "; ")
	for p.pos < len(p.s) {
		key := p.keyword()
		if key == "" {
			return rs, p.errf("expected key=value before %q", p.rest())
		}
		if err := p.cfws(); err != nil {
			return rs, err
		}
		if err := p.expect('='); err != nil {
			return rs, err
		}
		if err := p.cfws(); err != nil {
			return rs, err
		}
		v, err := p.value()
		if err != nil {
			return rs, err
		}
		rs.Params = append(rs.Params, AuthParam{Key: key, Value: v})
		switch strings.ToLower(key) {
		case "client-ip":
			if a, err := netip.ParseAddr(v); err == nil {
				rs.ClientIP = a
			} else {
				return rs, p.errf("client-ip %q is not an IP address", v)
			}
		case "envelope-from":
			// Some MTAs write the path with its angle brackets.
			rs.EnvelopeFrom = strings.TrimSuffix(strings.TrimPrefix(v, "<"), ">")
		case "helo":
			rs.HELO = v
		case "problem":
			rs.Problem = v
		case "receiver":
			rs.Receiver = v
		case "identity":
			rs.Identity = v
		case "mechanism":
			rs.Mechanism = v
		}
		if err := p.cfws(); err != nil {
			return rs, err
		}
		if p.pos < len(p.s) {
			if err := p.expect(';'); err != nil {
				return rs, err
			}
			if err := p.cfws(); err != nil {
				return rs, err
			}
		}
		if len(rs.Params) > MaxMethods {
			return rs, p.errf("more than %d parameters", MaxMethods)
		}
	}
	return rs, nil
}
