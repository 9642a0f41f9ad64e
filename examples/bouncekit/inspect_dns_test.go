package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bouncekit/bouncekit/authcheck/dkim"
)

// The whole inspect runs offline from --dns-zone: a message signed here
// with ed25519, the sending host's SPF, PTR and DMARC in a zone file.
func TestInspectRunsTheDNSChecksFromAZoneFile(t *testing.T) {
	pub, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	zone := `ed._domainkey.shop.example. IN TXT "v=DKIM1; k=ed25519; p=` + base64.StdEncoding.EncodeToString(pub) + `"
shop.example. IN TXT "v=spf1 ip4:192.0.2.10 -all"
_dmarc.shop.example. IN TXT "v=DMARC1; p=quarantine; rua=mailto:d@shop.example"
10.2.0.192.in-addr.arpa. IN PTR mail.shop.example.
mail.shop.example. IN A 192.0.2.10
`
	msg, err := dkim.Signer{Domain: "shop.example", Selector: "ed", Key: priv, Algorithm: "ed25519-sha256",
		Canon: "relaxed/relaxed", Headers: "from:to:subject:date:message-id"}.Sign(
		"From: Shop <news@shop.example>\nTo: bob@example.org\nSubject: Hello\nDate: Tue, 14 Nov 2023 22:00:00 +0000\nMessage-ID: <1@shop.example>\n\nHello Bob.\n")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	zp, mp := filepath.Join(dir, "zone.txt"), filepath.Join(dir, "m.eml")
	os.WriteFile(zp, []byte(zone), 0o644)
	os.WriteFile(mp, []byte(msg), 0o644)
	var out, errw bytes.Buffer
	run(context.Background(), []string{"inspect", "--format", "json", "--dns-zone", zp, "--ip", "192.0.2.10",
		"--helo", "mail.shop.example", "--mail-from", "news@shop.example", "--now", "1700000500", mp}, strings.NewReader(""), &out, &errw)
	var rep struct {
		DKIM  []struct{ Domain, Algorithm, Result string }
		SPF   struct{ Result string }
		DMARC struct {
			Result, Policy string
		}
		ARC    struct{ CV string }
		Checks []struct{ ID, Result, Detail string }
	}
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("%v: %s%s", err, errw.String(), out.String())
	}
	if len(rep.DKIM) != 1 || rep.DKIM[0].Result != "pass" || rep.DKIM[0].Algorithm != "ed25519-sha256" {
		t.Errorf("dkim %+v", rep.DKIM)
	}
	if rep.SPF.Result != "pass" || rep.DMARC.Result != "pass" || rep.DMARC.Policy != "quarantine" || rep.ARC.CV != "none" {
		t.Errorf("spf %+v dmarc %+v arc %+v", rep.SPF, rep.DMARC, rep.ARC)
	}
	want := map[string]string{"auth.dkim.verify": "pass", "auth.dmarc": "pass", "infra.fcrdns": "pass", "infra.helo-matches": "pass"}
	for _, c := range rep.Checks {
		if w, ok := want[c.ID]; ok {
			if c.Result != w {
				t.Errorf("%s = %s (%s), want %s", c.ID, c.Result, c.Detail, w)
			}
			delete(want, c.ID)
		}
	}
	if len(want) > 0 {
		t.Errorf("checks missing: %v", want)
	}
}

func TestInspectRejectsABadZoneFile(t *testing.T) {
	dir := t.TempDir()
	zp := filepath.Join(dir, "zone.txt")
	os.WriteFile(zp, []byte("this is not a zone\n"), 0o644)
	var out, errw bytes.Buffer
	if code := run(context.Background(), []string{"inspect", "--dns-zone", zp, inspectSample}, strings.NewReader(""), &out, &errw); code != 2 {
		t.Fatalf("exit %d, want 2: %s", code, errw.String())
	}
}
