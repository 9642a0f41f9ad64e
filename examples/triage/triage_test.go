package triage_test

import (
	"context"
	"net"
	"net/netip"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/bouncekit/bouncekit/authcheck"
	"github.com/bouncekit/bouncekit/authcheck/dnsbl"
	"github.com/bouncekit/bouncekit/authcheck/resolve"
	"github.com/bouncekit/bouncekit/examples/triage"
)

// A DNS server that never answers must not stop the triage: the rest of the
// result stands and the authentication report says the lookups timed out.
func TestSilentDNSIsReportedAsTimeout(t *testing.T) {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0") // reads nothing, answers nothing
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	f, err := os.Open("testdata/cs01.eml")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res, err := triage.Run(ctx, triage.Input{
		Bounce:     f,
		Events:     strings.NewReader(campaign()),
		Provider:   "apple",
		Sender:     triage.Sender{IP: netip.MustParseAddr("192.0.2.10"), HELO: "mta1.shop.example", MailFrom: "bounces@mail.shop.example", FromDomain: "shop.example"},
		Resolver:   resolve.NewClient(resolve.Config{Servers: []string{pc.LocalAddr().String()}, Timeout: 100 * time.Millisecond, Retries: -1}),
		Blocklists: []dnsbl.Zone{},
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Diagnosis == nil || res.Diagnosis.Pattern != "link_host" {
		t.Errorf("the diagnosis should not depend on DNS: %+v", res.Diagnosis)
	}
	timeout := false
	for _, f := range res.Auth.Findings {
		if f.Code == authcheck.FindingDNSTimeout {
			timeout = true
		}
		if f.Code == "dmarc.missing" || f.Code == "spf.missing" {
			t.Errorf("a timeout was reported as a missing record: %v", f)
		}
	}
	if !timeout {
		t.Errorf("no dns.timeout finding in %v", res.Auth.Findings)
	}
}
