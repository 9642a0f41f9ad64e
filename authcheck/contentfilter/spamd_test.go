package contentfilter_test

import (
	"context"
	"errors"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bouncekit/bouncekit/authcheck/contentfilter"
)

func TestSpamdScoresGTUBEAsSpam(t *testing.T) {
	s := &contentfilter.Spamd{Addr: spamdAddr(t), Timeout: 20 * time.Second}
	res, err := s.Check(context.Background(), message(gtube), contentfilter.Envelope{})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Spam || res.Score < 100 || res.Required <= 0 || res.Action != "reject" {
		t.Fatalf("GTUBE: got spam=%v score=%v required=%v action=%q", res.Spam, res.Score, res.Required, res.Action)
	}
	i := slices.IndexFunc(res.Symbols, func(s contentfilter.Symbol) bool { return s.Name == "GTUBE" })
	if i < 0 {
		t.Fatalf("GTUBE rule not among %v", res.Symbols)
	}
	if res.Symbols[i].Score < 100 || res.Symbols[i].Description == "" {
		t.Errorf("REPORT did not give GTUBE's points and description: %+v", res.Symbols[i])
	}
	if res.Symbols[0].Name != "GTUBE" {
		t.Errorf("symbols not ordered by score: first is %+v", res.Symbols[0])
	}
}

func TestSpamdPassesAnOrdinaryMessage(t *testing.T) {
	s := &contentfilter.Spamd{Addr: spamdAddr(t), Timeout: 20 * time.Second, NoReport: true}
	res, err := s.Check(context.Background(), message(hamBody), contentfilter.Envelope{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Spam || res.Score >= res.Required || res.Required <= 0 {
		t.Fatalf("ham: got spam=%v score=%v required=%v symbols=%v", res.Spam, res.Score, res.Required, res.Symbols)
	}
	for _, sym := range res.Symbols {
		if sym.Name == "GTUBE" {
			t.Errorf("GTUBE fired on a message without it")
		}
	}
}

func TestSpamdCheckCommandGivesTheScoreOnly(t *testing.T) {
	s := &contentfilter.Spamd{Addr: spamdAddr(t), Timeout: 20 * time.Second}
	rep, err := s.Do(context.Background(), "CHECK", message(gtube))
	if err != nil {
		t.Fatal(err)
	}
	if !rep.HasScore || !rep.Spam || rep.Body != "" {
		t.Fatalf("CHECK: %+v", rep)
	}
}

func TestSpamdUnknownCommandIsATypedError(t *testing.T) {
	s := &contentfilter.Spamd{Addr: spamdAddr(t), Timeout: 20 * time.Second}
	_, err := s.Do(context.Background(), "FROBNICATE", message(hamBody))
	var se *contentfilter.SpamdError
	if !errors.As(err, &se) || se.Code == 0 {
		t.Fatalf("want a *SpamdError with a non-zero code, got %v", err)
	}
}

func TestSpamdUnreachableFailsWithinTheTimeout(t *testing.T) {
	// Port 9 (discard) on loopback: nothing listens in the test machine.
	s := &contentfilter.Spamd{Addr: "127.0.0.1:9", Timeout: 2 * time.Second}
	if _, err := s.Check(context.Background(), message(hamBody), contentfilter.Envelope{}); err == nil {
		t.Fatal("no error from an address where nothing listens")
	}
}

func TestSpamdSeesTheSendingHop(t *testing.T) {
	s := &contentfilter.Spamd{Addr: spamdAddr(t), Timeout: 20 * time.Second, NoReport: true}
	msg := []byte(strings.Replace(string(message(hamBody)), "Received: from mta1.shop.example (mta1.shop.example [192.0.2.10])\r\n\tby mx.example.org with ESMTPS id 4Zx; Tue, 01 Dec 2026 10:00:00 +0000\r\n", "", 1))
	without, err := s.Check(context.Background(), msg, contentfilter.Envelope{})
	if err != nil {
		t.Fatal(err)
	}
	with, err := s.Check(context.Background(), msg, contentfilter.Envelope{IP: netip.MustParseAddr("192.0.2.10"), HELO: "mta1.shop.example", MailFrom: "bounces@shop.example"})
	if err != nil {
		t.Fatal(err)
	}
	has := func(r contentfilter.Result, name string) bool {
		return slices.ContainsFunc(r.Symbols, func(s contentfilter.Symbol) bool { return s.Name == name })
	}
	// NO_RELAYS: "message was not relayed via SMTP", true only without a Received field.
	if !has(without, "NO_RELAYS") || has(with, "NO_RELAYS") {
		t.Fatalf("the Received field for the envelope was not seen: without %v, with %v", without.Symbols, with.Symbols)
	}
}
