package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"strings"
	"testing"

	"github.com/bouncekit/bouncekit/internal/dnstest"
)

const authZone = `$ORIGIN example.com.
@          IN TXT "v=spf1 ip4:192.0.2.10 -all"
@          IN MX  10 mail.example.com.
mail       IN A   192.0.2.10
_dmarc     IN TXT "v=DMARC1; p=none; rua=mailto:d@example.com"
s1._domainkey IN TXT "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="
$ORIGIN 2.0.192.in-addr.arpa.
10         IN PTR mail.example.com.
`

func TestAuthCommandJSON(t *testing.T) {
	addr := dnstest.Start(t, authZone)
	var out, errb bytes.Buffer
	code := run(context.Background(), []string{"auth", "--ip", "192.0.2.10", "--helo", "mail.example.com",
		"--mail-from", "bounce@example.com", "--from", "example.com", "--selector", "s1", "--selector", "missing",
		"--link-domain", "example.com", "--resolver", addr, "--format", "json"}, nil, &out, &errb)
	if code != 1 {
		t.Fatalf("exit %d, want 1 (the missing selector is an error); stderr %s", code, errb.String())
	}
	var got struct {
		SPF struct {
			Result  string `json:"result"`
			Lookups int    `json:"lookups"`
		} `json:"spf"`
		DMARC struct {
			Record    string `json:"record"`
			Policy    string `json:"policy"`
			OrgDomain string `json:"org_domain"`
		} `json:"dmarc"`
		DKIM []struct {
			Selector, Status string
			Bits             int
		} `json:"dkim"`
		RDNS struct {
			PTR    []string `json:"ptr"`
			FCrDNS bool     `json:"fcrdns"`
		} `json:"rdns"`
		Blocklists []struct{ Status string } `json:"blocklists"`
		Findings   []struct{ Code, Severity, Message string }
	}
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatalf("bad JSON %v:\n%s", err, out.String())
	}
	if got.SPF.Result != "pass" || got.DMARC.Policy != "none" || got.DMARC.OrgDomain != "example.com" ||
		!strings.HasPrefix(got.DMARC.Record, "v=DMARC1") {
		t.Errorf("spf/dmarc: %+v %+v", got.SPF, got.DMARC)
	}
	if len(got.DKIM) != 2 || got.DKIM[0].Status != "ok" || got.DKIM[0].Bits != 256 || got.DKIM[1].Status != "missing" {
		t.Errorf("dkim: %+v", got.DKIM)
	}
	if !got.RDNS.FCrDNS || len(got.RDNS.PTR) != 1 {
		t.Errorf("rdns: %+v", got.RDNS)
	}
	if len(got.Blocklists) == 0 {
		t.Error("no blocklist results")
	}
	seen := map[string]string{}
	for _, f := range got.Findings {
		seen[f.Code] = f.Severity
		if f.Message == "" {
			t.Errorf("finding %s without message", f.Code)
		}
	}
	if seen["dkim.key_missing"] != "error" || seen["dmarc.policy_none"] != "warning" {
		t.Errorf("findings %v", seen)
	}
}

func TestAuthCommandText(t *testing.T) {
	addr := dnstest.Start(t, authZone)
	var out, errb bytes.Buffer
	code := run(context.Background(), []string{"auth", "--ip", "192.0.2.10", "--helo", "mail.example.com",
		"--mail-from", "bounce@example.com", "--from", "example.com", "--selector", "s1", "--no-blocklists", "--resolver", addr}, nil, &out, &errb)
	if code != 0 {
		t.Fatalf("exit %d; stderr %s\n%s", code, errb.String(), out.String())
	}
	for _, want := range []string{"SPF         pass for example.com", "DMARC       policy none", "s1._domainkey.example.com ok (ed25519 256 bits)", "dmarc.policy_none"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}

func TestAuthCommandUsage(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"auth", "--ip", "192.0.2.10"}, nil, &out, &errb); code != 2 {
		t.Fatalf("exit %d without --from, want 2", code)
	}
	if code := run(context.Background(), []string{"auth", "--from", "example.com", "--ip", "nope"}, nil, &out, &errb); code != 2 {
		t.Fatalf("exit %d with a bad --ip, want 2", code)
	}
}

func TestAuthCommandFromMessage(t *testing.T) {
	addr := dnstest.Start(t, authZone)
	msg := "Return-Path: <bounce@example.com>\n" +
		"Received-SPF: pass (mx.example.org) client-ip=192.0.2.10; helo=mail.example.com;\n" +
		"DKIM-Signature: v=1; a=ed25519-sha256; d=example.com; s=s1; h=from; bh=AAAA; b=AAAA\n" +
		"From: News <news@example.com>\n\nbody\n"
	var out, errb bytes.Buffer
	code := run(context.Background(), []string{"auth", "--message", "-", "--no-blocklists", "--resolver", addr, "--format", "json"},
		strings.NewReader(msg), &out, &errb)
	if code != 0 {
		t.Fatalf("exit %d; stderr %s\n%s", code, errb.String(), out.String())
	}
	var got struct {
		IP, HELO   string
		FromDomain string `json:"from_domain"`
		SPF        struct{ Result string }
		DKIM       []struct{ Selector, Status string }
	}
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if got.IP != "192.0.2.10" || got.HELO != "mail.example.com" || got.FromDomain != "example.com" || got.SPF.Result != "pass" ||
		len(got.DKIM) != 1 || got.DKIM[0].Status != "ok" {
		t.Fatalf("from message: %+v", got)
	}
}

// With no DNS server reachable nothing is found wrong, but nothing could
// be checked either: the command says so and does not exit 0.
func TestAuthCommandIncomplete(t *testing.T) {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := pc.LocalAddr().String()
	pc.Close() // nothing listens there now
	var out, errb bytes.Buffer
	code := run(context.Background(), []string{"auth", "--ip", "192.0.2.10", "--helo", "mail.example.com",
		"--mail-from", "bounce@example.com", "--from", "example.com", "--no-blocklists", "--resolver", addr, "--format", "json"}, nil, &out, &errb)
	if code != 3 || !strings.Contains(errb.String(), "incomplete") {
		t.Fatalf("exit %d, stderr %q, want 3 and a word on the incomplete result\n%s", code, errb.String(), out.String())
	}
	if strings.Contains(out.String(), `"dns.timeout"`) {
		t.Errorf("a refused connection reported as a timeout:\n%s", out.String())
	}
}
