package contentfilter_test

import (
	"context"
	"errors"
	"net/netip"
	"testing"
	"time"

	"github.com/bouncekit/bouncekit/authcheck/contentfilter"
)

func TestRspamdRejectsGTUBE(t *testing.T) {
	r := &contentfilter.Rspamd{URL: rspamdURL(t), Timeout: 30 * time.Second}
	res, err := r.Check(context.Background(), message(gtube), contentfilter.Envelope{IP: netip.MustParseAddr("192.0.2.10"), HELO: "mta1.shop.example", MailFrom: "bounces@shop.example", Rcpt: []string{"kate@example.org"}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Action != "reject" || !res.Spam || res.Required <= 0 {
		t.Fatalf("GTUBE: got %+v", res)
	}
	if len(res.Symbols) == 0 || res.Symbols[0].Name != "GTUBE" {
		t.Fatalf("GTUBE symbol missing: %+v", res.Symbols)
	}
}

func TestRspamdScoresAnOrdinaryMessageBelowItsThreshold(t *testing.T) {
	// Without an IP and HELO: the host-based rules (no PTR for a
	// documentation address, the HELO not resolving with DNS pointed at
	// loopback) would otherwise add points that depend on how the
	// resolver times out.
	r := &contentfilter.Rspamd{URL: rspamdURL(t), Timeout: 30 * time.Second}
	res, err := r.Check(context.Background(), message(hamBody), contentfilter.Envelope{Rcpt: []string{"kate@example.org"}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Spam || res.Score >= res.Required || res.Action != "no action" {
		t.Fatalf("ham: got %+v", res)
	}
	if len(res.Symbols) == 0 {
		t.Fatalf("rspamd gave no symbols for a scanned message: %+v", res)
	}
	for i := 1; i < len(res.Symbols); i++ {
		a, b := res.Symbols[i-1], res.Symbols[i]
		if abs(a.Score) < abs(b.Score) {
			t.Fatalf("symbols not ordered by score: %v before %v", a, b)
		}
	}
}

func TestRspamdReadsTheEnvelope(t *testing.T) {
	r := &contentfilter.Rspamd{URL: rspamdURL(t), Timeout: 30 * time.Second}
	res, err := r.Check(context.Background(), message(hamBody), contentfilter.Envelope{IP: netip.MustParseAddr("192.0.2.10"), HELO: "mta1.shop.example", MailFrom: "bounces@shop.example", Rcpt: []string{"kate@example.org"}})
	if err != nil {
		t.Fatal(err)
	}
	// Rspamd names the MAIL FROM in FROM_NEQ_ENVFROM's options and checks
	// the Rcpt header against To (TO_MATCH_ENVRCPT_ALL). Both are header
	// rules, so they do not depend on the offline resolver; the HELO and IP
	// rules do (HFILTER_HELO_* fire or not as its queries time out).
	seen := map[string]bool{}
	for _, s := range res.Symbols {
		seen[s.Name] = true
		for _, o := range s.Options {
			seen[o] = true
		}
	}
	if !seen["bounces@shop.example"] || !seen["TO_MATCH_ENVRCPT_ALL"] {
		t.Fatalf("MAIL FROM or Rcpt not seen by rspamd: %+v", res.Symbols)
	}
}

func TestRspamdWrongPathIsAnHTTPError(t *testing.T) {
	r := &contentfilter.Rspamd{URL: rspamdURL(t) + "/nothing-here", Timeout: 30 * time.Second}
	_, err := r.Check(context.Background(), message(hamBody), contentfilter.Envelope{})
	var he *contentfilter.HTTPError
	if !errors.As(err, &he) || he.Status == 200 {
		t.Fatalf("want *HTTPError, got %v", err)
	}
}

func abs(f float64) float64 {
	if f < 0 {
		return -f
	}
	return f
}
