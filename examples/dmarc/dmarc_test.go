package dmarc

import (
	"net/netip"
	"testing"
)

func TestStreamAuthentication(t *testing.T) {
	agg, err := ReadDir("testdata")
	if err != nil {
		t.Fatal(err)
	}
	sum, _ := agg.Summary("example.com")
	own := StreamAuthentication(sum, netip.MustParseAddr("192.0.2.10"))
	if !own.Authenticated || own.Messages != 4900 || own.Gap != "" {
		t.Errorf("own servers: %+v", own)
	}
	spoof := StreamAuthentication(sum, netip.MustParseAddr("203.0.113.9"))
	if spoof.Authenticated || spoof.Gap != "120 of 120 messages fail DMARC" {
		t.Errorf("spoofer: %+v", spoof)
	}
	none := StreamAuthentication(sum, netip.MustParseAddr("192.0.2.99"))
	if none.Authenticated || none.Messages != 0 {
		t.Errorf("unknown address: %+v", none)
	}
}
