package bounce

import (
	"testing"

	"github.com/bouncekit/bouncekit/internal/costcheck"
)

// FuzzParseReply checks that no reply panics, that parsing is deterministic,
// that codes and statuses are in range, and that no input costs more than
// costcheck.Default (50 ms + 5 µs a byte of CPU): a quadratic path is found
// like a crash is.
func FuzzParseReply(f *testing.F) {
	for _, c := range loadReplyCases(f) {
		f.Add(c.In)
	}
	f.Add("550-")
	f.Add("host [")
	f.Add("SMTP error from remote mail server after <")
	f.Add("stat=dsn=")
	f.Fuzz(func(t *testing.T, s string) {
		var a Reply
		var errA error
		costcheck.Check(t, len(s), func() { a, errA = ParseReply(s) })
		b, errB := ParseReply(s)
		if a != b || (errA == nil) != (errB == nil) {
			t.Fatalf("ParseReply(%q) is not deterministic", s)
		}
		if errA != nil {
			return
		}
		if a.Code != 0 && (a.Code < 200 || a.Code > 599) {
			t.Fatalf("code %d out of range", a.Code)
		}
		if a.Status.IsValid() {
			if st, err := ParseStatus(a.Status.String()); err != nil || st != a.Status {
				t.Fatalf("status %v does not round trip", a.Status)
			}
		}
		if a.HasCode() == a.Flags.Has(FlagNoReply) && !a.Flags.Has(FlagNoReply) {
			t.Fatalf("FlagNoReply inconsistent for %q", s)
		}
		if len(a.Raw) > MaxReplyLen {
			t.Fatal("Raw over MaxReplyLen")
		}
	})
}

func FuzzParseStatus(f *testing.F) {
	for _, s := range []string{"5.7.1", "4.4.7", "2.0.0", "5.7.606", "5.999.1", "4.16.55.1", "", "5..1", "5.1.01"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		st, err := ParseStatus(s)
		st2, err2 := ParseStatus(s)
		if st != st2 || (err == nil) != (err2 == nil) {
			t.Fatal("not deterministic")
		}
		if err != nil {
			if st.IsValid() {
				t.Fatal("error with a valid status")
			}
			return
		}
		if st.String() != s {
			t.Fatalf("ParseStatus(%q).String() = %q", s, st.String())
		}
		if back, err := ParseStatus(st.String()); err != nil || back != st {
			t.Fatalf("round trip of %q failed", s)
		}
		if c := st.Class(); c != 2 && c != 4 && c != 5 {
			t.Fatalf("class %d", c)
		}
	})
}
