package authres

import (
	"errors"
	"net/netip"
	"reflect"
	"testing"

	"github.com/bouncekit/bouncekit/authcheck/internal/authtest"
	"github.com/bouncekit/bouncekit/authcheck/spf"
)

func TestParseAuthResults(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want *Results
	}{
		{name: "Gmail's header with comments and properties",
			in: "Authentication-Results: mx.google.com;\r\n       dkim=pass header.i=@example.com header.s=s1 header.b=\"AbC+/1\";\r\n       spf=pass (google.com: domain of bounce@example.com designates 192.0.2.1 as permitted sender) smtp.mailfrom=bounce@example.com;\r\n       dmarc=pass (p=REJECT sp=REJECT dis=NONE) header.from=example.com",
			want: &Results{AuthServID: "mx.google.com", Results: []Result{
				{Method: "dkim", Result: "pass", Props: []Property{{"header", "i", "@example.com"}, {"header", "s", "s1"}, {"header", "b", "AbC+/1"}}},
				{Method: "spf", Result: "pass", Comment: "google.com: domain of bounce@example.com designates 192.0.2.1 as permitted sender", Props: []Property{{"smtp", "mailfrom", "bounce@example.com"}}},
				{Method: "dmarc", Result: "pass", Comment: "p=REJECT sp=REJECT dis=NONE", Props: []Property{{"header", "from", "example.com"}}},
			}}},
		{name: "a version, reason and method version", in: "example.org 1; dkim/1=fail reason=\"signature did not verify\" header.d=example.com",
			want: &Results{AuthServID: "example.org", Version: 1, Results: []Result{
				{Method: "dkim", MethodVersion: "1", Result: "fail", Reason: "signature did not verify", Props: []Property{{"header", "d", "example.com"}}},
			}}},
		{name: "none means no results", in: "example.org; none", want: &Results{AuthServID: "example.org"}},
		{name: "nested comments and CFWS everywhere", in: "(lead) example.net (a (nested) comment) ; spf (x) = (y) softfail (why (deep)) smtp . mailfrom = \"a b\"@example.net ;",
			want: &Results{AuthServID: "example.net", Results: []Result{
				{Method: "spf", Result: "softfail", Comment: "why (deep)", Props: []Property{{"smtp", "mailfrom", `"a b"@example.net`}}},
			}}},
		{name: "a quoted authserv-id with an escape", in: `"mx\"1"; iprev=pass policy.iprev=192.0.2.1`,
			want: &Results{AuthServID: `mx"1`, Results: []Result{{Method: "iprev", Result: "pass", Props: []Property{{"policy", "iprev", "192.0.2.1"}}}}}},
		{name: "upper-case methods and results are lowered", in: "mx.example; SPF=PASS smtp.mailfrom=example.com",
			want: &Results{AuthServID: "mx.example", Results: []Result{{Method: "spf", Result: "pass", Props: []Property{{"smtp", "mailfrom", "example.com"}}}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.in)
			authtest.NoErr(t, err)
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got  %+v\nwant %+v", got, tt.want)
			}
			// The same table drives String: formatting and parsing again
			// gives the same value.
			again, err := Parse(got.String())
			authtest.NoErr(t, err)
			if !reflect.DeepEqual(again, tt.want) {
				t.Fatalf("round trip via %q:\n%+v", got.String(), again)
			}
		})
	}
	ar, _ := Parse("mx; spf=fail smtp.mailfrom=a@example.com; dkim=pass header.d=example.com")
	r, ok := ar.Find("DKIM")
	authtest.Eq(t, ok, true)
	authtest.Eq(t, r.Prop("header", "d"), "example.com")
}

func TestParseAuthResultsErrors(t *testing.T) {
	for _, tc := range []struct {
		in       string
		partial  int // results returned with the error
		hasParse bool
	}{
		{in: "", hasParse: false},
		{in: "mx; spf", partial: 0, hasParse: true},
		{in: "mx; spf=pass; dkim=", partial: 1, hasParse: true},
		{in: "mx; spf=pass (unterminated", partial: 0, hasParse: true},
		{in: "mx; spf=pass smtp.mailfrom=\"open", partial: 0, hasParse: true},
		{in: "mx; spf=pass smtp=x", partial: 0, hasParse: true},
		{in: "mx spf=pass", partial: 0, hasParse: true},
	} {
		ar, err := Parse(tc.in)
		var ae *SyntaxError
		if !errors.As(err, &ae) || !errors.Is(err, ErrSyntax) {
			t.Fatalf("%q: error %v, want *AuthResultsError", tc.in, err)
		}
		if tc.hasParse && ar != nil && len(ar.Results) != tc.partial {
			t.Errorf("%q: %d partial results, want %d", tc.in, len(ar.Results), tc.partial)
		}
	}
	deep := "mx; spf=pass "
	for range 40 {
		deep += "("
	}
	_, err := Parse(deep)
	authtest.ErrIs(t, err, ErrSyntax)
}

func TestParseReceivedSPF(t *testing.T) {
	in := "Received-SPF: pass (mybox.example.org: domain of\r\n myname@example.com designates 192.0.2.1 as permitted sender)\r\n receiver=mybox.example.org; client-ip=192.0.2.1;\r\n envelope-from=\"myname@example.com\"; helo=foo.example.com;"
	got, err := ParseReceivedSPF(in)
	authtest.NoErr(t, err)
	authtest.Eq(t, got.Result, spf.Pass)
	authtest.Eq(t, got.Comment, "mybox.example.org: domain of\r\n myname@example.com designates 192.0.2.1 as permitted sender")
	authtest.Eq(t, got.ClientIP, netip.MustParseAddr("192.0.2.1"))
	authtest.Eq(t, got.EnvelopeFrom, "myname@example.com")
	authtest.Eq(t, got.HELO, "foo.example.com")
	authtest.Eq(t, got.Receiver, "mybox.example.org")
	authtest.Eq(t, len(got.Params), 4)

	got, err = ParseReceivedSPF("SoftFail (example.net: transitioning domain) client-ip=2001:db8::1; identity=mailfrom; mechanism=\"~all\"; problem=\"a b\"")
	authtest.NoErr(t, err)
	authtest.Eq(t, got.Result, spf.SoftFail)
	authtest.Eq(t, got.ClientIP, netip.MustParseAddr("2001:db8::1"))
	authtest.Eq(t, []string{got.Identity, got.Mechanism, got.Problem}, []string{"mailfrom", "~all", "a b"})

	// Microsoft's and Postfix policyd's spellings.
	got, err = ParseReceivedSPF("Received-SPF: Pass (protection.outlook.com: domain of example.com designates 192.0.2.1 as permitted sender) receiver=protection.outlook.com; client-ip=192.0.2.1; helo=mail.example.com; pr=C")
	authtest.NoErr(t, err)
	authtest.Eq(t, []string{string(got.Result), got.HELO, got.Params[3].Key}, []string{"pass", "mail.example.com", "pr"})
	got, err = ParseReceivedSPF("Received-SPF: Softfail (mailfrom) identity=mailfrom; client-ip=192.0.2.1; helo=mx.example.com; envelope-from=<a@example.com>; receiver=<UNKNOWN>")
	authtest.NoErr(t, err)
	authtest.Eq(t, []string{string(got.Result), got.EnvelopeFrom, got.Receiver}, []string{"softfail", "a@example.com", "<UNKNOWN>"})

	for _, bad := range []string{"maybe (x)", "pass client-ip=999.1.1.1", "pass helo", "pass a=b c=d", "pass (open"} {
		if _, err := ParseReceivedSPF(bad); !errors.Is(err, ErrSyntax) {
			t.Errorf("ParseReceivedSPF(%q) error = %v, want a syntax error", bad, err)
		}
	}
}
