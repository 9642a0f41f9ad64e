package arc

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bouncekit/bouncekit/authcheck/resolve"
)

// TestSigningSuite runs every case of arc-draft-sign-tests.yml: the
// message is sealed with the scenario's key at the case's t=, h= and
// authserv-id, and the three fields must equal the suite's, folding aside
// (RSASSA-PKCS1-v1_5 is deterministic and the suite fixes the tag order,
// README "Signing Header Format Standardization"). Each sealed message must
// then validate.
func TestSigningSuite(t *testing.T) {
	scs := readSuite(t, "arc-draft-sign-tests.yml")
	total := 0
	for _, sc := range scs {
		blk, _ := pem.Decode([]byte(sc.PrivateKey))
		if blk == nil {
			t.Fatalf("%s: no PEM key", sc.Description)
		}
		key, err := x509.ParsePKCS1PrivateKey(blk.Bytes)
		if err != nil {
			t.Fatal(err)
		}
		zone, err := resolve.NewStatic(zoneText(sc.TXT))
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range sc.Cases {
			total++
			t.Run(c.Name, func(t *testing.T) {
				ts, err := strconv.ParseInt(strings.TrimSpace(c.Fields["t"]), 10, 64)
				if err != nil {
					t.Fatalf("t: %v", err)
				}
				s := &Sealer{Domain: sc.Domain, Selector: sc.Sel, Key: key, AuthServID: strings.TrimSpace(c.Fields["srv-id"]),
					Headers: strings.Split(strings.TrimSpace(c.Fields["sig-headers"]), ":"), Time: time.Unix(ts, 0)}
				msg := suiteMessage(c.Fields["message"])
				// The hop's own verdict on the chain it received.
				v := Validate(context.Background(), zone, msg)
				cv := v.Result
				out, err := s.Seal(msg, cv, "")
				if c.Fields["AS"] == "" && c.Fields["AMS"] == "" {
					// No set expected: the chain is already sealed cv=fail.
					if !errors.Is(err, ErrSealedFail) {
						t.Fatalf("Seal added a set to a cv=fail chain (err %v)", err)
					}
					return
				}
				if err != nil {
					t.Fatalf("Seal: %v", err)
				}
				got := map[string]string{}
				for _, f := range []string{FieldSeal, FieldMessageSignature, FieldAuthResults} {
					got[f] = topField(out, f)
				}
				for f, key := range map[string]string{FieldSeal: "AS", FieldMessageSignature: "AMS", FieldAuthResults: "AAR"} {
					if squash(got[f]) != squash(c.Fields[key]) {
						t.Errorf("%s:\n got %s\nwant %s", f, got[f], strings.Join(strings.Fields(c.Fields[key]), " "))
					}
				}
				if want := map[Result]Result{None: Pass, Pass: Pass, Fail: Fail}[cv]; true {
					if after := Validate(context.Background(), zone, out); after.Result != want {
						t.Errorf("the sealed message validates as %s (%s), want %s", after.Result, after.Reason, want)
					}
				}
			})
		}
	}
	t.Logf("ARC signing suite: %d cases", total)
	if total != 17 {
		t.Errorf("read %d signing cases, want 17", total)
	}
}

// squash drops all whitespace, the folding the suite adds for display.
func squash(s string) string { return strings.Join(strings.Fields(s), "") }

func topField(msg []byte, name string) string {
	for _, line := range strings.Split(string(msg), "\r\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.EqualFold(k, name) {
			return strings.TrimSpace(v)
		}
	}
	return ""
}
