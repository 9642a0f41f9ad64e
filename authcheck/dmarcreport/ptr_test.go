package dmarcreport

import (
	"context"
	"fmt"
	"net/netip"
	"testing"
	"time"

	"github.com/bouncekit/bouncekit/internal/dnstest"
	"github.com/miekg/dns"
)

// dnsPTR is a PTRResolver asking one server with miekg/dns, as a caller's
// resolver would.
type dnsPTR struct{ addr string }

func (r dnsPTR) LookupPTR(ctx context.Context, a netip.Addr) ([]string, error) {
	name, err := dns.ReverseAddr(a.String())
	if err != nil {
		return nil, err
	}
	m := new(dns.Msg)
	m.SetQuestion(name, dns.TypePTR)
	c := &dns.Client{Timeout: 2 * time.Second}
	resp, _, err := c.ExchangeContext(ctx, m, r.addr)
	if err != nil {
		return nil, err
	}
	if resp.Rcode != dns.RcodeSuccess {
		return nil, fmt.Errorf("rcode %s", dns.RcodeToString[resp.Rcode])
	}
	var out []string
	for _, rr := range resp.Answer {
		if p, ok := rr.(*dns.PTR); ok {
			out = append(out, p.Ptr)
		}
	}
	return out, nil
}

func TestResolvePTRNamesSourcesFromARealServer(t *testing.T) {
	addr := dnstest.Start(t, `
20.8.240.54.in-addr.arpa. 300 IN PTR a8-20.smtp-out.amazonses.com.
7.100.51.198.in-addr.arpa. 300 IN PTR o1.ptr2041.sendgrid.net.
10.2.0.192.in-addr.arpa.   300 IN PTR mx1.example.com.
`)
	a := NewAggregate(AggregateOptions{})
	a.Add(mustParse(t, googleDoc()))
	a.Add(mustParse(t, sesDoc()))
	err := a.ResolvePTR(context.Background(), dnsPTR{addr}, 0)
	// 203.0.113.50 has no PTR: its lookup fails, the others go on.
	assert.NotNil(t, err)
	sum, _ := a.Summary("example.com")
	ses := sourceOf(t, sum, "54.240.8.20")
	assert.Equal(t, "a8-20.smtp-out.amazonses.com", ses.PTR)
	assert.Equal(t, "Amazon SES", ses.Org)
	assert.Contains(t, ses.Evidence, "PTR a8-20.smtp-out.amazonses.com: Amazon SES")
	sg := sourceOf(t, sum, "198.51.100.7")
	assert.Equal(t, "SendGrid", sg.Org)
	own := sourceOf(t, sum, "192.0.2.10")
	assert.Equal(t, "mx1.example.com", own.PTR)
	assert.Equal(t, "example.com", own.Org)
	assert.Equal(t, "", sourceOf(t, sum, "203.0.113.50").PTR)
}
