package bounce_test

import (
	"testing"

	"github.com/bouncekit/bouncekit/bounce"
)

func TestParseStage(t *testing.T) {
	for _, c := range []struct {
		in   string
		want bounce.Stage
	}{
		{"RCPT TO", bounce.StageRCPT}, {"rcpt", bounce.StageRCPT}, {"RCPT TO:<bob@example.org>", bounce.StageRCPT},
		{"MAIL FROM", bounce.StageMAIL}, {"mail", bounce.StageMAIL},
		{"end of DATA", bounce.StageEndOfData}, {"end of data command", bounce.StageEndOfData},
		{"DATA-END", bounce.StageEndOfData}, {"data end", bounce.StageEndOfData}, {"EOD", bounce.StageEndOfData}, {".", bounce.StageEndOfData},
		{"data", bounce.StageDATA}, {"DATA command", bounce.StageDATA}, {"BDAT", bounce.StageBDAT},
		{"EHLO", bounce.StageHELO}, {"helo", bounce.StageHELO}, {"LHLO", bounce.StageHELO},
		{"connect", bounce.StageConnect}, {"connection", bounce.StageConnect}, {"initial connection", bounce.StageConnect},
		{"greeting", bounce.StageConnect}, {"banner", bounce.StageConnect}, {"the initial greeting", bounce.StageConnect},
		{"STARTTLS", bounce.StageSTARTTLS}, {"AUTH", bounce.StageAUTH}, {"QUIT", bounce.StageQUIT},
		{"", bounce.StageUnknown}, {"  ", bounce.StageUnknown}, {"bogus", bounce.StageUnknown}, {"rcp", bounce.StageUnknown},
		{"end", bounce.StageUnknown}, {"hello", bounce.StageUnknown},
	} {
		if got := bounce.ParseStage(c.in); got != c.want {
			t.Errorf("ParseStage(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	// Every Stage value parses as itself.
	for _, st := range []bounce.Stage{bounce.StageConnect, bounce.StageHELO, bounce.StageSTARTTLS, bounce.StageAUTH,
		bounce.StageMAIL, bounce.StageRCPT, bounce.StageDATA, bounce.StageEndOfData, bounce.StageBDAT, bounce.StageQUIT} {
		if got := bounce.ParseStage(string(st)); got != st {
			t.Errorf("ParseStage(%q) = %q", st, got)
		}
	}
	if n := testing.AllocsPerRun(100, func() { _ = bounce.ParseStage("end of DATA") }); n != 0 {
		t.Errorf("ParseStage allocates %v times", n)
	}
}
