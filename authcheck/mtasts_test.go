package authcheck

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
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
	p, err := ParseMTASTSPolicy("version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmx: *.example.net\r\nmax_age: 604800\r\nfuture: x\r\n")
	expectNoErr(t, err)
	expectEq(t, p.Mode, MTASTSEnforce)
	expectEq(t, p.MX, []string{"mail.example.com", "*.example.net"})
	expectEq(t, p.MaxAge, int64(604800))
	expectEq(t, p.MatchesMX("MAIL.example.com."), true)
	expectEq(t, p.MatchesMX("mx1.example.net"), true)
	expectEq(t, p.MatchesMX("a.mx1.example.net"), false, "a wildcard covers one label only")
	expectEq(t, p.MatchesMX("example.net"), false)

	for _, bad := range []string{
		"version: STSv2\nmode: enforce\nmx: a\nmax_age: 1",
		"version: STSv1\nmode: strict\nmx: a\nmax_age: 1",
		"version: STSv1\nmode: enforce\nmax_age: 1",
		"version: STSv1\nmode: enforce\nmx: a\nmax_age: 31557601",
		"version: STSv1\nmode: enforce\nmx: a",
		"version: STSv1\nmode enforce\nmx: a\nmax_age: 1",
		"version: STSv1\nmode: enforce\nmode: testing\nmx: a\nmax_age: 1",
		strings.Repeat("x", MTASTSMaxPolicySize+1),
	} {
		if _, err := ParseMTASTSPolicy(bad); !errors.Is(err, ErrMTASTSSyntax) {
			t.Errorf("ParseMTASTSPolicy(%.40q) = %v, want ErrMTASTSSyntax", bad, err)
		}
	}
	p, err = ParseMTASTSPolicy("version: STSv1\nmode: none\nmax_age: 0\n")
	expectNoErr(t, err)
	expectEq(t, p.Mode, MTASTSNone)
}

func TestParseMTASTSRecord(t *testing.T) {
	r, err := ParseMTASTSRecord("v=STSv1; id=20261127T120000;")
	expectNoErr(t, err)
	expectEq(t, r.ID, "20261127T120000")
	for _, bad := range []string{"v=STSv1", "v=STSv1; id=", "v=STSv1; id=has-dash", "id=1; v=STSv1", "v=STSv2; id=1", "v=STSv1; id=" + strings.Repeat("a", 33)} {
		if _, err := ParseMTASTSRecord(bad); !errors.Is(err, ErrMTASTSSyntax) {
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

	p, err := FetchMTASTSPolicy(ctx, client, "example.com")
	expectNoErr(t, err)
	expectEq(t, path, "mta-sts.example.com/.well-known/mta-sts.txt")
	expectEq(t, p.Mode, MTASTSTesting)

	for _, d := range []string{"redirect.example", "html.example", "missing.example"} {
		if _, err := FetchMTASTSPolicy(ctx, client, d); !errors.Is(err, ErrMTASTSFetch) {
			t.Errorf("FetchMTASTSPolicy(%s) = %v, want ErrMTASTSFetch", d, err)
		}
	}
	// A client that does not trust the test certificate must fail.
	if _, err := FetchMTASTSPolicy(ctx, &http.Client{Transport: &http.Transport{DialContext: client.Transport.(*http.Transport).DialContext}}, "example.com"); !errors.Is(err, ErrMTASTSFetch) {
		t.Errorf("untrusted certificate accepted: %v", err)
	}

	r := testDNS(t, `$ORIGIN example.com.
_mta-sts   IN TXT "v=STSv1; id=2026112701"
@          IN MX  10 mx1.example.com.
@          IN MX  20 backup.example.org.
mx1        IN A   192.0.2.10
`)
	c := CheckMTASTS(ctx, r, client, "example.com")
	expectNoErr(t, c.RecordErr)
	expectNoErr(t, c.PolicyErr)
	expectEq(t, c.Record.ID, "2026112701")
	expectEq(t, c.UncoveredMX, []string{"backup.example.org"})
	c = CheckMTASTS(ctx, r, nil, "example.net")
	expectErrIs(t, c.RecordErr, ErrRecordMissing)
}

func TestTLSRPTAndBIMI(t *testing.T) {
	r := testDNS(t, `$ORIGIN example.com.
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
	expectNoErr(t, err)
	expectEq(t, tr.RUA, []string{"mailto:tlsrpt@example.com", "https://report.example.net/tls"})
	_, err = LookupTLSRPT(ctx, r, "example.org")
	expectErrIs(t, err, ErrRecordMultiple)
	_, err = LookupTLSRPT(ctx, r, "example.net")
	expectErrIs(t, err, ErrRecordMissing)
	for _, bad := range []string{"v=TLSRPTv1", "v=TLSRPTv1; rua=ftp://x", "rua=mailto:a@b; v=TLSRPTv1", "v=TLSRPTv1; rua=mailto:not an address", "v=TLSRPTv1; rua=https:///x"} {
		if _, err := ParseTLSRPTRecord(bad); !errors.Is(err, ErrTLSRPTSyntax) {
			t.Errorf("ParseTLSRPTRecord(%q) = %v", bad, err)
		}
	}

	b, err := LookupBIMI(ctx, r, "", "example.com")
	expectNoErr(t, err)
	expectEq(t, []string{b.Logo, b.Evidence}, []string{"https://example.com/logo.svg", "https://example.com/vmc.pem"})
	expectEq(t, len(b.Notes), 0)
	b, err = LookupBIMI(ctx, r, "nologo", "example.com")
	expectNoErr(t, err)
	expectEq(t, b.Declined, true)
	_, err = LookupBIMI(ctx, r, "", "example.org")
	expectErrIs(t, err, ErrBIMISyntax)
	b, err = ParseBIMIRecord("v=BIMI1; l=https://example.com/logo.png")
	expectNoErr(t, err)
	expectEq(t, len(b.Notes), 2)
	_, err = ParseBIMIRecord("v=BIMI1; a=https://example.com/vmc.pem")
	expectErrIs(t, err, ErrBIMISyntax)
}
