package contentfilter_test

import (
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"
)

// The daemons are the real ones, started on loopback by .ci/contentfilters.sh
// (which prints the variables below). Without them the tests skip, unless
// BOUNCEKIT_REQUIRE_SERVICES=1 makes a missing daemon a failure.

func requireOrSkip(t *testing.T, format string, a ...any) {
	t.Helper()
	if os.Getenv("BOUNCEKIT_REQUIRE_SERVICES") == "1" {
		t.Fatalf(format+" (BOUNCEKIT_REQUIRE_SERVICES=1)", a...)
	}
	t.Skipf(format+"; run .ci/contentfilters.sh to start it", a...)
}

func spamdAddr(t *testing.T) string {
	t.Helper()
	addr := os.Getenv("BOUNCEKIT_SPAMD")
	if addr == "" {
		addr = "127.0.0.1:7830"
	}
	c, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		requireOrSkip(t, "spamd is not listening on %s (BOUNCEKIT_SPAMD): %v", addr, err)
	}
	c.Close()
	return addr
}

func rspamdURL(t *testing.T) string {
	t.Helper()
	u := os.Getenv("BOUNCEKIT_RSPAMD")
	if u == "" {
		u = "http://127.0.0.1:11333"
	}
	c := http.Client{Timeout: 5 * time.Second}
	resp, err := c.Get(strings.TrimRight(u, "/") + "/ping")
	if err != nil {
		requireOrSkip(t, "rspamd is not answering at %s (BOUNCEKIT_RSPAMD): %v", u, err)
	}
	resp.Body.Close()
	return u
}

// gtube is the Generic Test for Unsolicited Bulk Email, which both filters
// score as certain spam.
const gtube = "XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X"

func message(body string) []byte {
	return []byte("Received: from mta1.shop.example (mta1.shop.example [192.0.2.10])\r\n" +
		"\tby mx.example.org with ESMTPS id 4Zx; Tue, 01 Dec 2026 10:00:00 +0000\r\n" +
		"From: Shop <news@shop.example>\r\nTo: kate@example.org\r\nSubject: Your order has shipped\r\n" +
		"Date: Tue, 01 Dec 2026 10:00:00 +0000\r\nMessage-ID: <order-1234.5678@mail.shop.example>\r\n" +
		"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" +
		body + "\r\n")
}

const hamBody = "Hello Kate,\r\n\r\nyour order 1234 left our warehouse this morning and should reach you\r\n" +
	"by Thursday. You can follow it on the carrier's page with the number in your account.\r\n\r\nThank you for shopping with us.\r\n"
