package resolve

import (
	"context"
	"errors"
	"net/netip"
	"testing"
)

func TestStaticResolverMatchesDNSSemantics(t *testing.T) {
	r, err := NewStatic(dnsTestZone)
	if err != nil {
		t.Fatal(err)
	}
	r.SetError("slow.example.test", ErrTimeout)
	ctx := context.Background()
	if txt, err := r.LookupTXT(ctx, "example.test"); err != nil || txt[0] != "v=spf1 ip4:192.0.2.1 -all" {
		t.Fatalf("TXT: %q %v", txt, err)
	}
	if a, err := r.LookupA(ctx, "alias2.example.test"); err != nil || a[0] != netip.MustParseAddr("192.0.2.10") {
		t.Fatalf("CNAME chain: %v %v", a, err)
	}
	if ptr, err := r.LookupPTR(ctx, netip.MustParseAddr("192.0.2.10")); err != nil || ptr[0] != "mx1.example.test" {
		t.Fatalf("PTR: %v %v", ptr, err)
	}
	for _, c := range []struct {
		name string
		err  error
		want error
	}{
		{"missing name", func() error { _, err := r.LookupA(ctx, "missing.example.test"); return err }(), ErrNXDomain},
		{"missing type", func() error { _, err := r.LookupA(ctx, "example.test"); return err }(), ErrNoData},
		{"empty non-terminal", func() error { _, err := r.LookupA(ctx, "b.ent.example.test"); return err }(), ErrNoData},
		{"CNAME loop", func() error { _, err := r.LookupA(ctx, "loop1.example.test"); return err }(), ErrCNAMELoop},
		{"error for a type not served", func() error { _, err := r.LookupA(ctx, "slow.example.test"); return err }(), ErrTimeout},
		{"bad name", func() error { _, err := r.LookupMX(ctx, "a..b"); return err }(), ErrBadName},
	} {
		if !errors.Is(c.err, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, c.err, c.want)
		}
	}
	if txt, err := r.LookupTXT(ctx, "slow.example.test"); err != nil || len(txt) != 1 {
		t.Errorf("a served type is not hidden by SetError: %v %v", txt, err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := r.LookupTXT(cancelled, "example.test"); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: %v", err)
	}
	if _, err := NewStatic("example.test. IN A nonsense"); err == nil {
		t.Error("bad zone accepted")
	}
}
