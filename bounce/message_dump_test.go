package bounce_test

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/bouncekit/bouncekit/bounce"
)

// TestDumpFiles prints the reports of the files named in BOUNCEKIT_DUMP
// (a debugging aid; it does nothing otherwise).
func TestDumpFiles(t *testing.T) {
	names := os.Getenv("BOUNCEKIT_DUMP")
	if names == "" {
		t.Skip("set BOUNCEKIT_DUMP to file paths to print their reports")
	}
	for _, n := range strings.Fields(names) {
		f, err := os.Open(n)
		if err != nil {
			t.Fatal(err)
		}
		rep, err := bounce.ParseMessage(f)
		f.Close()
		for i := range rep.Records {
			rep.Records[i].Fields = nil
		}
		if rep.Original != nil {
			rep.Original.Header = nil
		}
		rep.Header = nil
		b, _ := json.MarshalIndent(rep, "", " ")
		t.Logf("%s err=%v\n%s", n, err, b)
	}
}
