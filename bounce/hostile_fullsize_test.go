package bounce_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bouncekit/bouncekit/bounce"
	"github.com/bouncekit/bouncekit/internal/costcheck"
)

// BenchmarkHostileFullSize parses the hostile inputs of issue 13 at their
// full size, one per sub-benchmark, so that each can be run alone under
// /usr/bin/time -v for its peak RSS (docs/reliability.md gives the command):
//
//	go test -c -o /tmp/bounce.test ./bounce
//	/usr/bin/time -v /tmp/bounce.test -test.run '^$' -test.bench 'HostileFullSize/NAME$' -test.benchtime 1x
func BenchmarkHostileFullSize(b *testing.B) {
	var p bounce.Parser
	cases := []struct {
		name string
		in   func(b *testing.B) []byte
	}{
		{"reply-64KiB-lt-run", func(*testing.B) []byte { return []byte(strings.Repeat("<", bounce.MaxReplyLen)) }},
		{"dsn-600KB-10-recipients-lt-runs", func(*testing.B) []byte {
			return dsn(10, func(int) string { return strings.Repeat("<", 60000) }, "")
		}},
		{"bounce-73KB-100-recipients-transcript", func(*testing.B) []byte {
			return dsn(100, func(int) string { return "550 5.1.1 unknown" }, ">>> DATA\n"+lines(1400, "<<< 550 5.1.1 <u%d@r.example>... unknown %d\n"))
		}},
		{"text-31MiB-many-recipients", func(*testing.B) []byte {
			return []byte(hostileHeader + "\n" + lines(31<<20/40, "<u%d@r.example>: 550 5.1.1 unknown %d\n"))
		}},
		{"dsn-31MiB-many-recipients", func(*testing.B) []byte {
			return dsn(31<<20/80, func(int) string { return "550 5.1.1 unknown" }, "")
		}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			in := c.in(b)
			recs := 0
			costcheck.Bench(b, len(in), func() {
				rep, _ := p.ParseBytes(in)
				recs = len(rep.Records)
			})
			b.ReportMetric(float64(recs), "records")
		})
	}
	b.Run("maildir-5GiB-entry", func(b *testing.B) {
		dir := b.TempDir()
		if err := os.Mkdir(filepath.Join(dir, "new"), 0o755); err != nil {
			b.Fatal(err)
		}
		f, err := os.Create(filepath.Join(dir, "new", "1.huge"))
		if err != nil {
			b.Fatal(err)
		}
		if _, err := f.WriteString(hugeHead); err != nil {
			b.Fatal(err)
		}
		if err := f.Truncate(5 << 30); err != nil {
			b.Skip(err)
		}
		f.Close()
		costcheck.Bench(b, 0, func() {
			for _, err := range bounce.ReadMaildir(os.DirFS(dir)) {
				if err == nil {
					b.Fatal("no limit error")
				}
			}
		})
	})
}
