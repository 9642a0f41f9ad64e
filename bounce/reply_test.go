package bounce

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"math/bits"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

type replyCase struct {
	In     string   `json:"in"`
	Code   int      `json:"code"`
	Status string   `json:"status"`
	Tags   []string `json:"tags"`
	Stage  string   `json:"stage"`
	Host   string   `json:"host"`
	IP     string   `json:"ip"`
	Text   string   `json:"text"` // expected prefix of Reply.Text
	Flags  []string `json:"flags"`
}

func loadReplyCases(t testing.TB) []replyCase {
	t.Helper()
	f, err := os.Open("testdata/replies.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var cases []replyCase
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var c replyCase
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatalf("testdata/replies.jsonl: %v", err)
		}
		cases = append(cases, c)
	}
	return cases
}

func TestParseReplyReadsRealReplyShapes(t *testing.T) {
	cases := loadReplyCases(t)
	if len(cases) < 60 {
		t.Fatalf("only %d reply cases; the table must cover at least 60 real shapes", len(cases))
	}
	for _, c := range cases {
		t.Run(c.In[:min(len(c.In), 48)], func(t *testing.T) {
			r, err := ParseReply(c.In)
			if err != nil {
				t.Fatalf("ParseReply: %v", err)
			}
			if r.Code != c.Code {
				t.Errorf("Code = %d, want %d", r.Code, c.Code)
			}
			if got := r.Status.String(); got != c.Status {
				t.Errorf("Status = %q, want %q", got, c.Status)
			}
			var tags []string
			for _, tg := range r.Tags {
				if tg != "" {
					tags = append(tags, tg)
				}
			}
			if !slices.Equal(tags, c.Tags) && !(len(tags) == 0 && len(c.Tags) == 0) {
				t.Errorf("Tags = %q, want %q", tags, c.Tags)
			}
			if string(r.Stage) != c.Stage {
				t.Errorf("Stage = %q, want %q", r.Stage, c.Stage)
			}
			if r.RemoteHost != c.Host {
				t.Errorf("RemoteHost = %q, want %q", r.RemoteHost, c.Host)
			}
			if ip := ipString(r); ip != c.IP {
				t.Errorf("RemoteIP = %q, want %q", ip, c.IP)
			}
			if !strings.HasPrefix(r.Text, c.Text) {
				t.Errorf("Text = %q, want prefix %q", r.Text, c.Text)
			}
			if strings.Contains(r.Text, "(in reply to") || strings.ContainsAny(r.Text, "\r\n") {
				t.Errorf("Text kept wrapper or line breaks: %q", r.Text)
			}
			want := map[string]bool{}
			for _, f := range c.Flags {
				want[f] = true
			}
			if got := r.Flags.Has(FlagClassMismatch); got != want["mismatch"] {
				t.Errorf("FlagClassMismatch = %v, want %v", got, want["mismatch"])
			}
			if got := r.Flags.Has(FlagNoReply); got != want["noreply"] {
				t.Errorf("FlagNoReply = %v, want %v", got, want["noreply"])
			}
			if got := r.Flags.Has(FlagMultiline); got != want["multiline"] {
				t.Errorf("FlagMultiline = %v, want %v", got, want["multiline"])
			}
			if got := r.DiagnosticType != ""; got != want["dsn"] {
				t.Errorf("DiagnosticType = %q, want set=%v", r.DiagnosticType, want["dsn"])
			}
		})
	}
}

func ipString(r Reply) string {
	if !r.RemoteIP.IsValid() {
		return ""
	}
	return r.RemoteIP.String()
}

func TestParseReplyKeepsContradictingClassesAndFlagsThem(t *testing.T) {
	for _, in := range []string{"421 5.7.32 blocked", "452 5.2.2 over quota", "550 4.7.1 try later"} {
		r, err := ParseReply(in)
		if err != nil {
			t.Fatal(err)
		}
		if !r.Flags.Has(FlagClassMismatch) {
			t.Errorf("%q: FlagClassMismatch not set", in)
		}
		if r.Code/100 == r.Status.Class() {
			t.Errorf("%q: classes made to agree: %d %s", in, r.Code, r.Status)
		}
		if r.Class() != r.Code/100 {
			t.Errorf("%q: Class() = %d, want the basic code's class", in, r.Class())
		}
	}
}

func TestParseReplyBadInput(t *testing.T) {
	t.Run("empty input is ErrEmptyReply", func(t *testing.T) {
		for _, in := range []string{"", "   ", "\r\n\t"} {
			_, err := ParseReply(in)
			if !errors.Is(err, ErrEmptyReply) {
				t.Errorf("ParseReply(%q) err = %v, want ErrEmptyReply", in, err)
			}
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Errorf("ParseReply(%q) err is not a *ParseError", in)
			}
		}
	})
	t.Run("over MaxReplyLen gives ErrReplyTooLong and the parsed prefix", func(t *testing.T) {
		in := "550 5.1.1 " + strings.Repeat("x", 1<<20)
		r, err := ParseReply(in)
		if !errors.Is(err, ErrReplyTooLong) {
			t.Fatalf("err = %v, want ErrReplyTooLong", err)
		}
		if r.Code != 550 || r.Status.String() != "5.1.1" || !r.Flags.Has(FlagTruncated) {
			t.Errorf("partial reply = %d %s flags %b", r.Code, r.Status, r.Flags)
		}
		if len(r.Raw) > MaxReplyLen {
			t.Errorf("Raw is %d bytes, over MaxReplyLen", len(r.Raw))
		}
	})
	t.Run("garbage and impossible codes give a reply without a code", func(t *testing.T) {
		for _, in := range []string{"999 no such class", "5.999.1 what", "hello world", "\x00\x01\x02", "\xff\xfe 550x", "4.16.55.1 yahoo id"} {
			r, err := ParseReply(in)
			if err != nil {
				t.Errorf("ParseReply(%q) err = %v", in, err)
				continue
			}
			if r.HasCode() {
				t.Errorf("ParseReply(%q) found a code: %d %s", in, r.Code, r.Status)
			}
			if !r.Flags.Has(FlagNoReply) {
				t.Errorf("ParseReply(%q) did not set FlagNoReply", in)
			}
		}
	})
	t.Run("NUL bytes and invalid UTF-8 are flagged, not fatal", func(t *testing.T) {
		r, err := ParseReply("550 5.1.1 bad\x00user \xff")
		if err != nil {
			t.Fatal(err)
		}
		if r.Code != 550 || !r.Flags.Has(FlagControlChars) || !r.Flags.Has(FlagInvalidUTF8) {
			t.Errorf("got code %d flags %b", r.Code, r.Flags)
		}
	})
}

func TestParseReplyInconsistentContinuationIsFlagged(t *testing.T) {
	r, err := ParseReply("550-5.7.1 first line\r\n551 5.7.1 second line")
	if err != nil {
		t.Fatal(err)
	}
	if r.Code != 550 {
		t.Errorf("Code = %d, want 550 (the first line's)", r.Code)
	}
	if !strings.Contains(r.Text, "first line") || !strings.Contains(r.Text, "second line") {
		t.Errorf("Text = %q lost a line", r.Text)
	}
	if !r.Flags.Has(FlagInconsistentLines) {
		t.Errorf("flags %b: FlagInconsistentLines not set", r.Flags)
	}
	r, _ = ParseReply("550-5.7.1 first line\n451 4.3.0 second line")
	if r.Code != 550 || !r.Flags.Has(FlagInconsistentLines) {
		t.Errorf("550 then 451: code %d flags %b", r.Code, r.Flags)
	}
	// Consistent continuation lines are not flagged.
	if r, _ := ParseReply("550-5.7.1 first line\r\n550 5.7.1 second line"); r.Flags.Has(FlagInconsistentLines) {
		t.Errorf("consistent lines flagged: %b", r.Flags)
	}
}

func TestParseReplyIsDeterministic(t *testing.T) {
	for _, c := range loadReplyCases(t) {
		a, _ := ParseReply(c.In)
		b, _ := ParseReply(c.In)
		if a != b {
			t.Errorf("two parses of %q differ", c.In)
		}
	}
}

const (
	cs01Postfix = "host mx01.mail.icloud.com[17.57.154.6] said: 554 5.7.1 [CS01] Message rejected due to local policy. Please visit https://support.apple.com/en-us/HT204137 (in reply to end of DATA command)"
	gmail3Lines = "550-5.7.26 This mail has been blocked because the sender is\r\n550-5.7.26 unauthenticated. Gmail requires all senders to authenticate with\r\n550 5.7.26 either SPF or DKIM. - gsmtp"
)

func TestParseReplySingleLineDoesNotAllocate(t *testing.T) {
	for _, in := range []string{
		cs01Postfix,
		"554 5.7.1 [CS01] Message rejected due to local policy",
		"smtp; 550 5.1.1 <bob@example.com>: Recipient address rejected: User unknown in virtual mailbox table",
		"Remote Server returned '550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup'",
	} {
		allocs := testing.AllocsPerRun(100, func() {
			r, _ := ParseReply(in)
			if r.Code == 0 {
				panic("no code")
			}
		})
		if allocs != 0 {
			t.Errorf("ParseReply(%.40q) allocates %v times, want 0", in, allocs)
		}
	}
}

func BenchmarkParseReply(b *testing.B) {
	b.Run("cs01-postfix", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			r, _ := ParseReply(cs01Postfix)
			_ = r
		}
	})
	b.Run("gmail-3-lines", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			r, _ := ParseReply(gmail3Lines)
			_ = r
		}
	})
	b.Run("testdata-mix", func(b *testing.B) {
		cases := loadReplyCases(b)
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			r, _ := ParseReply(cases[i%len(cases)].In)
			_ = r
			i++
		}
	})
}

func TestParseReplyShortSuccessCodesDoNotPanic(t *testing.T) {
	for _, in := range []string{"250", "250 ", "220-", "354", "smtp;250", "250-x 550"} {
		r, err := ParseReply(in)
		if err != nil {
			t.Errorf("ParseReply(%q): %v", in, err)
		}
		if r.Code == 0 {
			t.Errorf("ParseReply(%q) found no code", in)
		}
	}
}

func TestParseIPv4AgreesWithNetip(t *testing.T) {
	for _, s := range []string{"17.57.154.6", "0.0.0.0", "255.255.255.255", "256.1.1.1", "01.2.3.4", "1.2.3", "1.2.3.4.5", "1..2.3", "", "1.2.3.4a", "2001:db8::1", "10.0.0.00"} {
		ip, ok := parseIPv4(s)
		want, err := netip.ParseAddr(s)
		if wantOK := err == nil && want.Is4(); ok != wantOK || ok && ip != want {
			t.Errorf("parseIPv4(%q) = %v %v, netip says %v %v", s, ip, ok, want, err)
		}
	}
}

// Invalid UTF-8 is flagged wherever the bad byte sits: in the 8-byte fast
// path of the scan as well as in its byte-by-byte tail.
func TestParseReplyInvalidUTF8AnyPosition(t *testing.T) {
	base := "550 5.1.1 user unknown here, really unknown"
	for i := 10; i < len(base); i++ {
		s := base[:i] + "\xff" + base[i:]
		r, _ := ParseReply(s)
		if !r.Flags.Has(FlagInvalidUTF8) {
			t.Errorf("byte 0xff at %d not flagged: %q", i, s)
		}
	}
	if r, _ := ParseReply("550 5.1.1 Benutzer unbekannt: Müller"); r.Flags.Has(FlagInvalidUTF8) {
		t.Error("valid UTF-8 flagged as invalid")
	}
}

func TestFlagsNamesAndSubjectMismatch(t *testing.T) {
	r, _ := ParseReply("452 4.1.1 user over quota")
	if !r.Flags.Has(FlagSubjectMismatch) || r.Flags.Has(FlagClassMismatch) || r.Code != 452 || r.Status.String() != "4.1.1" {
		t.Errorf("452 4.1.1: code %d status %s flags %s", r.Code, r.Status, r.Flags)
	}
	for _, ok := range []string{"452 4.2.2 mailbox full", "452 4.5.3 too many recipients", "550 5.1.1 user unknown"} {
		if r, _ := ParseReply(ok); r.Flags.Has(FlagSubjectMismatch) {
			t.Errorf("%q flagged as a subject mismatch", ok)
		}
	}
	r, _ = ParseReply("421-5.7.32 first\r\n421 5.7.32 second")
	if got := r.Flags.String(); got != "class_mismatch|multiline" {
		t.Errorf("flags %q", got)
	}
	if len(flagNames) != bits.Len(uint(FlagGaveUp)) {
		t.Errorf("%d flag names for %d flags", len(flagNames), bits.Len(uint(FlagGaveUp)))
	}
	if Flags(0).Names() != nil || Flags(0).String() != "" {
		t.Error("no flags should have no names")
	}
}

// Exchange quotes the remote reply in angle brackets inside quotes; neither
// closing mark belongs to the text.
func TestParseReplyExchangeQuotedAngleReply(t *testing.T) {
	r, err := ParseReply("Remote Server returned '<mx.example.com #5.0.0 smtp; 550 5.1.1 <ann@example.com>... User unknown>'")
	if err != nil {
		t.Fatal(err)
	}
	if r.Text != "<ann@example.com>... User unknown" {
		t.Errorf("Text = %q", r.Text)
	}
}

// The sending MTA's "gave up" words are found wherever they stand, in any
// case; a receiver's "try again later" is not one of them. ParseReply
// leaves the flag to the readers of notices (it would cost every reply).
func TestSaysGaveUp(t *testing.T) {
	for _, c := range []struct {
		in   string
		want bool
	}{
		{"451 I'm not going to try again; this message has been in the queue too long.", true},
		{"421 4.4.7 Message was TOO LONG IN THE QUEUE", true},
		{"Sorry, I couldn't deliver: too long in queue", true},
		{"450 4.2.0 Mailbox busy, try again later", false},
		{"552 5.3.4 Message too long", false},
		{"550 5.1.1 user unknown", false},
		{"421 Not going to try again", true},
	} {
		if got := SaysGaveUp(c.in); got != c.want {
			t.Errorf("SaysGaveUp(%q) = %v", c.in, got)
		}
		if r, _ := ParseReply(c.in); r.Flags.Has(FlagGaveUp) {
			t.Errorf("ParseReply(%q) set gave_up", c.in)
		}
		if r := parseDiagnostic(c.in, c.in); r.Flags.Has(FlagGaveUp) != c.want {
			t.Errorf("a notice's diagnostic %q: gave_up %v, want %v", c.in, r.Flags.Has(FlagGaveUp), c.want)
		}
	}
	if n := testing.AllocsPerRun(100, func() { _ = SaysGaveUp("451 I'm not going to try again; in the queue too long") }); n != 0 {
		t.Errorf("SaysGaveUp allocates %v times", n)
	}
}

// A product version is not an enhanced status code.
func TestParseReplyVersionIsNotAStatus(t *testing.T) {
	for _, in := range []string{"MDaemon version 5.0.5: the message could not be delivered", "Exchange Server release 4.0.2 could not deliver", "550 build 5.2.1 rejected"} {
		r, _ := ParseReply(in)
		if r.Status.IsValid() {
			t.Errorf("%q: status %s read from a version", in, r.Status)
		}
	}
	if r, _ := ParseReply("550 5.1.1 user unknown"); r.Status.String() != "5.1.1" {
		t.Errorf("status = %s", r.Status)
	}
	if n := testing.AllocsPerRun(100, func() { _, _ = ParseReply("MDaemon Version 5.0.5 failed") }); n != 0 {
		t.Errorf("allocates %v", n)
	}
}

// A qmail notice that gave up: its record's reply carries the flag and the
// record is final, though the last reply was transient.
func TestGaveUpNoticeRecord(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "messages", "qmail-queue-too-long.eml"))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := ParseMessage(bytes.NewReader(b))
	if err != nil || len(rep.Records) == 0 {
		t.Fatalf("records %v, err %v", rep, err)
	}
	for _, r := range rep.Records {
		if !r.Reply.Flags.Has(FlagGaveUp) || r.Action != ActionFailed {
			t.Errorf("%s: flags %s action %s, want gave_up and failed", r.Recipient, r.Reply.Flags, r.Action)
		}
	}
}
