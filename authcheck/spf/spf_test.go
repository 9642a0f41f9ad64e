package spf

import (
	"context"
	"errors"
	"net/netip"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bouncekit/bouncekit/authcheck/resolve"
	"github.com/bouncekit/bouncekit/internal/dnstest"
)

// spfRecordCases drive both the parse test and the round-trip test.
var spfRecordCases = []struct {
	name   string
	record string
	want   *Record // nil when the record is a syntax error
}{
	{"the empty record has no terms", "v=spf1", &Record{}},
	{"qualifiers and mechanisms are typed", "v=spf1 +a -mx ~ptr ?all",
		&Record{Mechanisms: []Mechanism{
			{Qualifier: "+", Kind: A, Bits4: -1, Bits6: -1},
			{Qualifier: "-", Kind: MX, Bits4: -1, Bits6: -1},
			{Qualifier: "~", Kind: PTR, Bits4: -1, Bits6: -1},
			{Qualifier: "?", Kind: All, Bits4: -1, Bits6: -1},
		}}},
	{"mechanism names are case-insensitive", "V=SPF1 IP4:192.0.2.0/24 Include:_spf.example.com",
		&Record{Mechanisms: []Mechanism{
			{Kind: IP4, Net: netip.MustParsePrefix("192.0.2.0/24"), Bits4: -1, Bits6: -1},
			{Kind: Include, Domain: "_spf.example.com", Bits4: -1, Bits6: -1},
		}}},
	{"dual-cidr lengths apply to a and mx", "v=spf1 a:mail.example.com/24//64 mx//48",
		&Record{Mechanisms: []Mechanism{
			{Kind: A, Domain: "mail.example.com", Bits4: 24, Bits6: 64},
			{Kind: MX, Bits4: -1, Bits6: 48},
		}}},
	{"ip6 keeps its network", "v=spf1 ip6:2001:db8::/32 -all",
		&Record{Mechanisms: []Mechanism{
			{Kind: IP6, Net: netip.MustParsePrefix("2001:db8::/32"), Bits4: -1, Bits6: -1},
			{Qualifier: "-", Kind: All, Bits4: -1, Bits6: -1},
		}}},
	{"modifiers are kept apart and unknown ones kept in order", "v=spf1 exists:%{ir}.%{v}.x.example.com redirect=_spf.example.com exp=exp.example.com foo=bar x-y=%{d}",
		&Record{
			Mechanisms: []Mechanism{{Kind: Exists, Domain: "%{ir}.%{v}.x.example.com", Bits4: -1, Bits6: -1}},
			Redirect:   "_spf.example.com", Exp: "exp.example.com",
			Modifiers: []Modifier{{"foo", "bar"}, {"x-y", "%{d}"}},
		}},
	{"several spaces separate terms", "v=spf1  a   -all ",
		&Record{Mechanisms: []Mechanism{{Kind: A, Bits4: -1, Bits6: -1}, {Qualifier: "-", Kind: All, Bits4: -1, Bits6: -1}}}},
	{"a record for another version is not SPF", "v=spf10 -all", nil},
	{"an unknown mechanism is a syntax error", "v=spf1 foo -all", nil},
	{"all takes no argument", "v=spf1 all:x.example.com", nil},
	{"include needs a domain", "v=spf1 include -all", nil},
	{"a prefix over /32 is a syntax error", "v=spf1 ip4:192.0.2.0/33", nil},
	{"an IPv6 address in ip4 is a syntax error", "v=spf1 ip4:2001:db8::1", nil},
	{"a cidr length with a leading zero is a syntax error", "v=spf1 a/024", nil},
	{"a numeric top label is a syntax error", "v=spf1 a:example.123", nil},
	{"two redirects are a syntax error", "v=spf1 redirect=a.example.com redirect=b.example.com", nil},
	{"an unterminated macro is a syntax error", "v=spf1 exists:%{d.example.com", nil},
	{"an unknown macro letter is a syntax error", "v=spf1 exists:%{q}.example.com", nil},
	{"exp-only macros are refused in a domain", "v=spf1 exists:%{c}.example.com", nil},
	{"a zero digit transformer is a syntax error", "v=spf1 exists:%{d0}.example.com", nil},
	{"a tab is not a separator", "v=spf1\t-all", nil},
	{"a control character is a syntax error", "v=spf1 a:ctrl.example.com\rptr -all", nil},
}

func TestParseSPF(t *testing.T) {
	for _, c := range spfRecordCases {
		t.Run(c.name, func(t *testing.T) {
			got, err := Parse(c.record)
			if c.want == nil {
				var se *SyntaxError
				if !errors.As(err, &se) || !errors.Is(err, ErrSyntax) {
					t.Fatalf("got %v, %v; want an *SPFSyntaxError", got, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Fatalf("got  %#v\nwant %#v", got, c.want)
			}
		})
	}
}

func TestSPFRecordRoundTrip(t *testing.T) {
	for _, c := range spfRecordCases {
		if c.want == nil {
			continue
		}
		t.Run(c.name, func(t *testing.T) {
			text := c.want.String()
			again, err := Parse(text)
			if err != nil {
				t.Fatalf("String() = %q does not parse: %v", text, err)
			}
			if !reflect.DeepEqual(again, c.want) {
				t.Fatalf("round trip of %q: got %#v", text, again)
			}
			b, _ := c.want.MarshalText()
			var u Record
			if err := u.UnmarshalText(b); err != nil || !reflect.DeepEqual(&u, c.want) {
				t.Fatalf("text marshalling: %v %#v", err, u)
			}
		})
	}
}

func TestParseSPFRejectsOversizedRecord(t *testing.T) {
	if _, err := Parse("v=spf1 " + strings.Repeat("a ", MaxRecordLength)); !errors.Is(err, ErrSyntax) {
		t.Fatalf("got %v", err)
	}
}

func TestSPFResultTokens(t *testing.T) {
	for _, r := range []Result{None, Neutral, Pass, Fail, SoftFail, TempError, PermError} {
		var got Result
		if err := got.UnmarshalText([]byte(strings.ToUpper(string(r)))); err != nil || got != r {
			t.Errorf("%s: %v %v", r, got, err)
		}
	}
	if r, _ := ParseResult("unknown"); r != PermError {
		t.Errorf("RFC 4408 unknown maps to %s", r)
	}
	if _, err := ParseResult("ambiguous"); err == nil {
		t.Error("accepted a non-RFC result")
	}
}

// The examples of RFC 7208 §7.4.
func TestSPFMacroExpansionRFCExamples(t *testing.T) {
	c := &spfChecker{sender: "strong-bad@email.example.com", local: "strong-bad", senderDomain: "email.example.com", helo: "mx.example.org",
		nowFn: func() time.Time { return time.Unix(1000, 0) }}
	cases := []struct{ macro, want string }{
		{"%{s}", "strong-bad@email.example.com"},
		{"%{o}", "email.example.com"},
		{"%{d}", "email.example.com"},
		{"%{d4}", "email.example.com"},
		{"%{d3}", "email.example.com"},
		{"%{d2}", "example.com"},
		{"%{d1}", "com"},
		{"%{dr}", "com.example.email"},
		{"%{d2r}", "example.email"},
		{"%{l}", "strong-bad"},
		{"%{l-}", "strong.bad"},
		{"%{lr}", "strong-bad"},
		{"%{lr-}", "bad.strong"},
		{"%{l1r-}", "strong"},
		{"%{ir}.%{v}._spf.%{d2}", "3.2.0.192.in-addr._spf.example.com"},
		{"%{lr-}.lp._spf.%{d2}", "bad.strong.lp._spf.example.com"},
		{"%{lr-}.lp.%{ir}.%{v}._spf.%{d2}", "bad.strong.lp.3.2.0.192.in-addr._spf.example.com"},
		{"%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}", "3.2.0.192.in-addr.strong.lp._spf.example.com"},
		{"%{d2}.trusted-domains.example.net", "example.com.trusted-domains.example.net"},
		{"%{h}%%%_%-", "mx.example.org% %20"},
		{"%{S}", "strong-bad%40email.example.com"},
	}
	c.ip = netip.MustParseAddr("192.0.2.3")
	for _, x := range cases {
		got, err := c.spfExpand(context.Background(), x.macro, "email.example.com", false)
		if err != nil || got != x.want {
			t.Errorf("%s = %q, %v; want %q", x.macro, got, err, x.want)
		}
	}
	c.ip = netip.MustParseAddr("2001:db8::cb01")
	got, _ := c.spfExpand(context.Background(), "%{ir}.%{v}._spf.%{d2}", "email.example.com", false)
	if want := "1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6._spf.example.com"; got != want {
		t.Errorf("IPv6 %%{ir}: %q", got)
	}
	got, _ = c.spfExpand(context.Background(), "%{c} at %{t}", "email.example.com", true)
	if got != "2001:db8::cb01 at 1000" {
		t.Errorf("exp-only macros: %q", got)
	}
	c.sender = strings.Repeat("x", 1000) + "@email.example.com"
	if _, err := c.spfExpand(context.Background(), strings.Repeat("%{s}", 100), "email.example.com", true); !errors.Is(err, ErrBadDomain) {
		t.Errorf("a 100 KB expansion is not refused: %v", err)
	}
	long, _ := c.spfExpand(context.Background(), strings.Repeat("%{d}.", 20)+"example.com", "email.example.com", false)
	if len(long) > 253 || !strings.HasSuffix(long, ".example.com") {
		t.Errorf("expanded domain over 253 octets is not truncated from the left: %d %q", len(long), long)
	}
}

const spfUnitZone = `
$ORIGIN example.test.
@          TXT "v=spf1 ip4:192.0.2.0/24 include:_spf.partner.test mx -all"
@          MX  10 mx
mx         A   198.51.100.25
_spf.partner.test. TXT "v=spf1 ip6:2001:db8::/32 ~all"
soft       TXT "v=spf1 ~all"
exp        TXT "v=spf1 -all exp=why.example.test"
why        TXT "%{i} is not one of %{d}'s senders"
`

func TestCheckHost(t *testing.T) {
	r, err := resolve.NewStatic(spfUnitZone)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, ip, domain string
		want             Result
		mechanism        string
		lookups          int
	}{
		{"an address in ip4 passes without lookups", "192.0.2.7", "example.test", Pass, "ip4:192.0.2.0/24", 0},
		{"an address in an include passes through it", "2001:db8::5", "example.test", Pass, "include:_spf.partner.test", 1},
		{"the MX host's address passes", "198.51.100.25", "example.test", Pass, "mx", 2},
		{"anything else fails", "203.0.113.9", "example.test", Fail, "-all", 2},
		{"~all gives softfail", "203.0.113.9", "soft.example.test", SoftFail, "~all", 0},
		{"a domain without record gives none", "203.0.113.9", "nothing.example.test", None, "", 0},
		{"a single-label domain gives none", "203.0.113.9", "localhost", None, "", 0},
		{"an IPv4-mapped address is checked as IPv4", "::ffff:192.0.2.7", "example.test", Pass, "ip4:192.0.2.0/24", 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out := CheckHost(context.Background(), r, netip.MustParseAddr(c.ip), c.domain, "bounce@"+c.domain, "mail.example.test")
			if out.Result != c.want || out.Mechanism != c.mechanism || out.Lookups != c.lookups {
				t.Fatalf("got %s by %q with %d lookups (%v); want %s by %q with %d\n%s",
					out.Result, out.Mechanism, out.Lookups, out.Err, c.want, c.mechanism, c.lookups, spfFormatTrace(out.Trace))
			}
			if len(out.Trace) == 0 {
				t.Fatal("no trace")
			}
		})
	}
	out := CheckHost(context.Background(), r, netip.MustParseAddr("203.0.113.9"), "exp.example.test", "a@exp.example.test", "h.example.test")
	if out.Result != Fail || out.Explanation != "203.0.113.9 is not one of exp.example.test's senders" {
		t.Fatalf("exp=: %s %q", out.Result, out.Explanation)
	}
	mf := CheckMailFrom(context.Background(), r, netip.MustParseAddr("203.0.113.9"), "<>", "soft.example.test")
	if mf.Result != SoftFail || mf.Domain != "soft.example.test" {
		t.Fatalf("null sender checks the HELO identity: %s %s", mf.Result, mf.Domain)
	}
}

func TestCheckHostFaultsEndCleanly(t *testing.T) {
	zone := `
$ORIGIN example.test.
loop1   TXT "v=spf1 include:loop2.example.test -all"
loop2   TXT "v=spf1 redirect=loop1.example.test"
silent  TXT "v=spf1 a:slow.example.test -all"
trunc   TXT "v=spf1 ip4:192.0.2.1 -all"
bad     TXT "v=spf1 ip4:192.0.2.1 include:%{q}.example.test -all"
`
	srv := dnstest.New(t, zone, dnstest.Timeout("slow.example.test"), dnstest.Truncate("trunc.example.test"))
	r := resolve.NewClient(resolve.Config{Servers: []string{srv.Addr}, Timeout: 500 * time.Millisecond, Retries: -1})
	cases := []struct {
		name   string
		domain string
		want   Result
		errIs  error
	}{
		{"an include/redirect loop is permerror by the lookup limit", "loop1.example.test", PermError, ErrTooManyLookups},
		{"a silent server is temperror", "silent.example.test", TempError, resolve.ErrTimeout},
		{"a truncated answer is retried over TCP", "trunc.example.test", Pass, nil},
		{"a malformed record is permerror", "bad.example.test", PermError, ErrSyntax},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out := CheckHost(context.Background(), r, netip.MustParseAddr("192.0.2.1"), c.domain, "x@"+c.domain, "h.example.test")
			if out.Result != c.want || (c.errIs != nil && !errors.Is(out.Err, c.errIs)) {
				t.Fatalf("got %s (%v), want %s wrapping %v", out.Result, out.Err, c.want, c.errIs)
			}
			var se *Error
			if c.errIs != nil && !errors.As(out.Err, &se) {
				t.Fatalf("error %v is not an *SPFError", out.Err)
			}
		})
	}
	if srv.TCPQueries() == 0 {
		t.Error("the truncated answer was not retried over TCP")
	}
}

func TestCheckHostHonoursContext(t *testing.T) {
	srv := dnstest.New(t, "", dnstest.Drop(func(string, uint16) bool { return true }))
	r := resolve.NewClient(resolve.Config{Servers: []string{srv.Addr}, Timeout: time.Hour})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	done := make(chan Outcome, 1)
	go func() {
		done <- CheckHost(ctx, r, netip.MustParseAddr("192.0.2.1"), "example.test", "a@example.test", "h.example.test")
	}()
	select {
	case out := <-done:
		if out.Result != TempError || !errors.Is(out.Err, context.DeadlineExceeded) {
			t.Fatalf("got %s (%v)", out.Result, out.Err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("CheckHost outlived its context")
	}
	cancelled, stop := context.WithCancel(context.Background())
	stop()
	if out := CheckHost(cancelled, r, netip.MustParseAddr("192.0.2.1"), "example.test", "", ""); out.Result != TempError {
		t.Fatalf("cancelled context: %s", out.Result)
	}
}

func TestLintSPF(t *testing.T) {
	zone := `
$ORIGIN example.test.
@        TXT "v=spf1 include:a.example.test include:b.example.test ptr ?all"
a        TXT "v=spf1 a:nx1.example.test mx:nx2.example.test a:nx3.example.test include:a.example.test -all"
b        TXT "v=spf1 include:c.example.test include:gone.example.test -all redirect=d.example.test"
c        TXT "v=spf1 a a a a a a -all"
c        A   192.0.2.1
d        TXT "v=spf1 -all"
plus     TXT "v=spf1 +all"
after    TXT "v=spf1 -all include:a.example.test"
none     TXT "v=spf1 ip4:192.0.2.1"
two      TXT "v=spf1 -all"
two      TXT "v=spf1 +all"
`
	r, err := resolve.NewStatic(zone)
	if err != nil {
		t.Fatal(err)
	}
	if l := Lint(context.Background(), r, "after.example.test"); l.Lookups != 0 || len(l.Root.Children) != 0 {
		t.Errorf("terms after all were counted or walked: %d lookups", l.Lookups)
	}
	l := Lint(context.Background(), r, "example.test")
	for _, code := range []LintCode{LintPTR, LintNeutralAll, LintVoidLookup, LintTooManyVoid,
		LintIncludeLoop, LintIncludeMissing, LintRedirectIgnored, LintTooManyLookups} {
		if !l.Has(code) {
			t.Errorf("missing %s in %v", code, l.Issues)
		}
	}
	// root: 2 includes + ptr = 3; a: 3 + include(loop, counted) = 4;
	// b: 2 includes (its redirect= is dead), c: 6, gone: 0.
	if l.Lookups != 3+4+2+6 {
		t.Errorf("lookups %d, want 15", l.Lookups)
	}
	if got := l.Root.Children[0].Lookups; got != 4 {
		t.Errorf("branch a has %d lookups, want 4", got)
	}
	if l.VoidLookups != 3 {
		t.Errorf("void lookups %d, want 3", l.VoidLookups)
	}
	for domain, code := range map[string]LintCode{
		"plus.example.test": LintPlusAll, "none.example.test": LintNoAll,
		"two.example.test": LintMultiple, "missing.example.test": LintMissing,
		"after.example.test": LintAfterAll,
	} {
		if l := Lint(context.Background(), r, domain); !l.Has(code) {
			t.Errorf("%s: missing %s in %v", domain, code, l.Issues)
		}
	}
}

func TestLintSPFBoundsHugeTrees(t *testing.T) {
	var zone strings.Builder
	for i := range 300 {
		zone.WriteString("n" + strconv.Itoa(i) + ".example.test. TXT \"v=spf1 include:n" + strconv.Itoa(i+1) + ".example.test -all\"\n")
	}
	r, err := resolve.NewStatic(zone.String())
	if err != nil {
		t.Fatal(err)
	}
	l := Lint(context.Background(), r, "n0.example.test")
	if !l.Has(LintTreeTooLarge) || !l.Has(LintTooManyLookups) {
		t.Fatalf("300 nested includes: %v", l.Issues)
	}
}

func TestCheckHostTraceExplainsTheResult(t *testing.T) {
	r, err := resolve.NewStatic(spfUnitZone + "\nred.example.test. TXT \"v=spf1 redirect=example.test\"\n")
	if err != nil {
		t.Fatal(err)
	}
	out := CheckHost(context.Background(), r, netip.MustParseAddr("198.51.100.25"), "red.example.test", "a@red.example.test", "h.example.test")
	if out.Result != Pass || out.Mechanism != "redirect=example.test" || out.Lookups != 3 {
		t.Fatalf("got %s by %q, %d lookups", out.Result, out.Mechanism, out.Lookups)
	}
	var terms []string
	for _, s := range out.Trace {
		terms = append(terms, strings.Repeat(">", s.Depth)+s.Term)
	}
	want := []string{"record", "redirect=example.test", ">record", ">ip4:192.0.2.0/24", ">include:_spf.partner.test",
		">>record", ">>ip6:2001:db8::/32", ">>~all", ">include:_spf.partner.test", ">mx"}
	if !reflect.DeepEqual(terms, want) {
		t.Fatalf("trace terms %q\nwant %q", terms, want)
	}
	last := out.Trace[len(out.Trace)-1]
	if !last.Match || last.Result != Pass || last.Detail != "via mx.example.test" {
		t.Fatalf("last step %+v", last)
	}
	if inc := out.Trace[8]; inc.Match || inc.Detail != "included record gave softfail" {
		t.Fatalf("include step %+v", inc)
	}
}
