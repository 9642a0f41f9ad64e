package mtasts

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/bouncekit/bouncekit/authcheck/bimi"
	"github.com/bouncekit/bouncekit/authcheck/internal/authtest"
	"github.com/bouncekit/bouncekit/authcheck/resolve"
)

// policyClient returns a client that sends every request to srv, checking
// its certificate as example.com (the name the httptest certificate holds).
func policyClient(t *testing.T, srv *httptest.Server) *http.Client {
	t.Helper()
	c := srv.Client()
	tr := c.Transport.(*http.Transport).Clone()
	addr := srv.Listener.Addr().String()
	tr.DialContext = func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}
	tr.TLSClientConfig.ServerName = "example.com"
	c.Transport = tr
	return c
}

func TestParseMTASTSPolicy(t *testing.T) {
	p, err := ParsePolicy("version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmx: *.example.net\r\nmax_age: 604800\r\nfuture: x\r\n")
	authtest.NoErr(t, err)
	authtest.Eq(t, p.Mode, Enforce)
	authtest.Eq(t, p.MX, []string{"mail.example.com", "*.example.net"})
	authtest.Eq(t, p.MaxAge, int64(604800))
	authtest.Eq(t, p.MatchesMX("MAIL.example.com."), true)
	authtest.Eq(t, p.MatchesMX("mx1.example.net"), true)
	authtest.Eq(t, p.MatchesMX("a.mx1.example.net"), false, "a wildcard covers one label only")
	authtest.Eq(t, p.MatchesMX("example.net"), false)

	for _, bad := range []string{
		"version: STSv2\nmode: enforce\nmx: a\nmax_age: 1",
		"version: STSv1\nmode: strict\nmx: a\nmax_age: 1",
		"version: STSv1\nmode: enforce\nmax_age: 1",
		"version: STSv1\nmode: enforce\nmx: a\nmax_age: 31557601",
		"version: STSv1\nmode: enforce\nmx: a",
		"version: STSv1\nmode enforce\nmx: a\nmax_age: 1",
		"version: STSv1\nmode: enforce\nmode: testing\nmx: a\nmax_age: 1",
		strings.Repeat("x", MaxPolicySize+1),
	} {
		if _, err := ParsePolicy(bad); !errors.Is(err, ErrSyntax) {
			t.Errorf("ParseMTASTSPolicy(%.40q) = %v, want ErrMTASTSSyntax", bad, err)
		}
	}
	p, err = ParsePolicy("version: STSv1\nmode: none\nmax_age: 0\n")
	authtest.NoErr(t, err)
	authtest.Eq(t, p.Mode, None)
}

func TestParseMTASTSRecord(t *testing.T) {
	r, err := ParseRecord("v=STSv1; id=20261127T120000;")
	authtest.NoErr(t, err)
	authtest.Eq(t, r.ID, "20261127T120000")
	for _, bad := range []string{"v=STSv1", "v=STSv1; id=", "v=STSv1; id=has-dash", "id=1; v=STSv1", "v=STSv2; id=1", "v=STSv1; id=" + strings.Repeat("a", 33)} {
		if _, err := ParseRecord(bad); !errors.Is(err, ErrSyntax) {
			t.Errorf("ParseMTASTSRecord(%q) = %v, want ErrMTASTSSyntax", bad, err)
		}
	}
}

func TestFetchMTASTSPolicy(t *testing.T) {
	var path string
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		path = r.Host + r.URL.Path
		switch r.Host {
		case "mta-sts.example.com":
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.Write([]byte("version: STSv1\nmode: testing\nmx: mx1.example.com\nmax_age: 86400\n"))
		case "mta-sts.redirect.example":
			http.Redirect(w, r, "https://elsewhere.example/", http.StatusFound)
		case "mta-sts.html.example":
			w.Header().Set("Content-Type", "text/html")
			w.Write([]byte("version: STSv1\nmode: testing\nmx: a\nmax_age: 1\n"))
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	client := policyClient(t, srv)
	ctx := context.Background()

	p, err := FetchPolicy(ctx, client, "example.com")
	authtest.NoErr(t, err)
	authtest.Eq(t, path, "mta-sts.example.com/.well-known/mta-sts.txt")
	authtest.Eq(t, p.Mode, Testing)

	for _, d := range []string{"redirect.example", "html.example", "missing.example"} {
		if _, err := FetchPolicy(ctx, client, d); !errors.Is(err, ErrFetch) {
			t.Errorf("FetchMTASTSPolicy(%s) = %v, want ErrMTASTSFetch", d, err)
		}
	}
	// A client that does not trust the test certificate must fail.
	if _, err := FetchPolicy(ctx, &http.Client{Transport: &http.Transport{DialContext: client.Transport.(*http.Transport).DialContext}}, "example.com"); !errors.Is(err, ErrFetch) {
		t.Errorf("untrusted certificate accepted: %v", err)
	}

	r := authtest.DNS(t, `$ORIGIN example.com.
_mta-sts   IN TXT "v=STSv1; id=2026112701"
@          IN MX  10 mx1.example.com.
@          IN MX  20 backup.example.org.
mx1        IN A   192.0.2.10
`)
	c := Check(ctx, r, client, "example.com")
	authtest.NoErr(t, c.RecordErr)
	authtest.NoErr(t, c.PolicyErr)
	authtest.Eq(t, c.Record.ID, "2026112701")
	authtest.Eq(t, c.UncoveredMX, []string{"backup.example.org"})
	c = Check(ctx, r, nil, "example.net")
	authtest.ErrIs(t, c.RecordErr, resolve.ErrRecordMissing)
}

func TestTLSRPTAndBIMI(t *testing.T) {
	r := authtest.DNS(t, `$ORIGIN example.com.
_smtp._tls           IN TXT "v=TLSRPTv1; rua=mailto:tlsrpt@example.com,https://report.example.net/tls"
default._bimi        IN TXT "v=BIMI1; l=https://example.com/logo.svg; a=https://example.com/vmc.pem"
nologo._bimi         IN TXT "v=BIMI1; l=; a="
$ORIGIN example.org.
_smtp._tls           IN TXT "v=TLSRPTv1; rua=mailto:a@example.org"
_smtp._tls           IN TXT "v=TLSRPTv1; rua=mailto:b@example.org"
default._bimi        IN TXT "v=BIMI1; l=http://example.org/logo.png"
`)
	ctx := context.Background()
	tr, err := LookupTLSRPT(ctx, r, "example.com")
	authtest.NoErr(t, err)
	authtest.Eq(t, tr.RUA, []string{"mailto:tlsrpt@example.com", "https://report.example.net/tls"})
	_, err = LookupTLSRPT(ctx, r, "example.org")
	authtest.ErrIs(t, err, resolve.ErrRecordMultiple)
	_, err = LookupTLSRPT(ctx, r, "example.net")
	authtest.ErrIs(t, err, resolve.ErrRecordMissing)
	for _, bad := range []string{"v=TLSRPTv1", "v=TLSRPTv1; rua=ftp://x", "rua=mailto:a@b; v=TLSRPTv1", "v=TLSRPTv1; rua=mailto:not an address", "v=TLSRPTv1; rua=https:///x"} {
		if _, err := ParseTLSRPTRecord(bad); !errors.Is(err, ErrTLSRPTSyntax) {
			t.Errorf("ParseTLSRPTRecord(%q) = %v", bad, err)
		}
	}

	b, err := bimi.Lookup(ctx, r, "", "example.com")
	authtest.NoErr(t, err)
	authtest.Eq(t, []string{b.Logo, b.Evidence}, []string{"https://example.com/logo.svg", "https://example.com/vmc.pem"})
	authtest.Eq(t, len(b.Notes), 0)
	b, err = bimi.Lookup(ctx, r, "nologo", "example.com")
	authtest.NoErr(t, err)
	authtest.Eq(t, b.Declined, true)
	_, err = bimi.Lookup(ctx, r, "", "example.org")
	authtest.ErrIs(t, err, bimi.ErrSyntax)
	b, err = bimi.ParseRecord("v=BIMI1; l=https://example.com/logo.png")
	authtest.NoErr(t, err)
	authtest.Eq(t, len(b.Notes), 2)
	_, err = bimi.ParseRecord("v=BIMI1; a=https://example.com/vmc.pem")
	authtest.ErrIs(t, err, bimi.ErrSyntax)
}
