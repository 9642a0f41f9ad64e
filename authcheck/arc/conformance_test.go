package arc

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/bouncekit/bouncekit/authcheck/resolve"
	"github.com/bouncekit/bouncekit/internal/dnstest"
)

// expectedCV reads a validation case's cv: None, Pass or Fail. Three cases
// (a chain whose newest seal says cv=fail) leave it empty; RFC 8617 §5.2
// step 2 makes such a chain fail, so fail is what we require.
func expectedCV(s string) Result {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "none":
		return None
	case "pass":
		return Pass
	}
	return Fail
}

// TestValidationSuite runs every case of arc-draft-validation-tests.yml
// with the scenario's keys served from a resolve.Static zone. The suite's
// messages carry t= of 1970 and no x=, so the clock does not matter.
func TestValidationSuite(t *testing.T) {
	scs := readSuite(t, "arc-draft-validation-tests.yml")
	total, passed := 0, 0
	byResult := map[string]int{}
	for _, sc := range scs {
		zone, err := resolve.NewStatic(zoneText(sc.TXT))
		if err != nil {
			t.Fatalf("%s: zone: %v", sc.Description, err)
		}
		for _, c := range sc.Cases {
			total++
			want := expectedCV(c.Fields["cv"])
			byResult[string(want)]++
			t.Run(c.Name, func(t *testing.T) {
				got := Validate(context.Background(), zone, suiteMessage(c.Fields["message"]))
				if got.Result != want {
					t.Fatalf("%s (%s): cv=%s (%s), want %s", c.Name, c.Fields["description"], got.Result, got.Reason, want)
				}
				if want == Fail && (got.Reason == "" || got.Err == nil) {
					t.Fatalf("fail without a reason: %+v", got)
				}
				passed++
			})
		}
	}
	t.Logf("ARC validation suite: %d of %d cases pass (%v)", passed, total, fmtCounts(byResult))
	// docs/arc.md gives this count; a different one means the suite file
	// or its reading changed.
	if total != 175 {
		t.Errorf("read %d validation cases, want 175", total)
	}
}

func fmtCounts(m map[string]int) string {
	var parts []string
	for _, k := range sortedKeys(m) {
		parts = append(parts, fmt.Sprintf("%s %d", k, m[k]))
	}
	return strings.Join(parts, ", ")
}

// TestValidationSuiteOverRealDNS runs the first scenario again with keys
// served by a real miekg/dns server on 127.0.0.1, through resolve.Client.
func TestValidationSuiteOverRealDNS(t *testing.T) {
	scs := readSuite(t, "arc-draft-validation-tests.yml")
	sc := scs[0]
	addr := dnstest.Start(t, zoneText(sc.TXT))
	r := resolve.NewClient(resolve.Config{Servers: []string{addr}})
	for _, c := range sc.Cases {
		got := Validate(context.Background(), r, suiteMessage(c.Fields["message"]))
		if want := expectedCV(c.Fields["cv"]); got.Result != want {
			t.Errorf("%s: cv=%s (%s), want %s", c.Name, got.Result, got.Reason, want)
		}
	}
}
