package inspect_test

import (
	"context"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/bouncekit/bouncekit/authcheck/contentfilter"
	"github.com/bouncekit/bouncekit/authcheck/inspect"
)

// The filters are the real daemons .ci/contentfilters.sh starts on loopback.
func daemon(t *testing.T, env, def string) string {
	t.Helper()
	addr := os.Getenv(env)
	if addr == "" {
		addr = def
	}
	hostport := strings.TrimPrefix(addr, "http://")
	c, err := net.DialTimeout("tcp", hostport, 2*time.Second)
	if err != nil {
		if os.Getenv("BOUNCEKIT_REQUIRE_SERVICES") == "1" {
			t.Fatalf("%s is not listening (BOUNCEKIT_REQUIRE_SERVICES=1): %v", addr, err)
		}
		t.Skipf("no daemon at %s (%s): run .ci/contentfilters.sh", addr, env)
	}
	c.Close()
	return addr
}

func TestRealFiltersAreFoldedIntoTheReport(t *testing.T) {
	spamd := daemon(t, "BOUNCEKIT_SPAMD", "127.0.0.1:7830")
	rspamd := daemon(t, "BOUNCEKIT_RSPAMD", "http://127.0.0.1:11333")
	msg := head + "\nXJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X\n"
	r := inspect.Inspect(context.Background(), inspect.CRLF([]byte(msg)), inspect.Options{Now: now,
		Filters: []contentfilter.Filter{&contentfilter.Spamd{Addr: spamd, Timeout: 20 * time.Second}, &contentfilter.Rspamd{URL: rspamd, Timeout: 30 * time.Second}}})
	for _, name := range []string{"spamd", "rspamd"} {
		res, ok := r.Filter[name]
		if !ok || !res.Spam || res.Error != "" {
			t.Errorf("%s: %+v", name, res)
		}
		f, _ := r.Finding("filter." + name)
		if f.Result != inspect.Fail || !strings.Contains(f.Detail, "GTUBE") {
			t.Errorf("filter.%s: %+v", name, f)
		}
	}
}

func TestAFilterThatDoesNotAnswerIsASkipWithItsError(t *testing.T) {
	// Nothing listens on the discard port of loopback.
	r := inspect.Inspect(context.Background(), inspect.CRLF([]byte(head+"\nhi\n")), inspect.Options{Now: now,
		Filters: []contentfilter.Filter{&contentfilter.Spamd{Addr: "127.0.0.1:9", Timeout: 2 * time.Second}}})
	f, _ := r.Finding("filter.spamd")
	if f.Result != inspect.Skip || !strings.Contains(f.Detail, "did not answer") {
		t.Fatalf("filter.spamd: %+v", f)
	}
	if r.Filter["spamd"].Error == "" {
		t.Fatalf("the report's filter entry lacks the error: %+v", r.Filter["spamd"])
	}
}
