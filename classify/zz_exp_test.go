package classify_test

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/bouncekit/bouncekit/classify"
	"github.com/bouncekit/bouncekit/internal/corpus"
)

func TestZZDump(t *testing.T) {
	cp, err := corpus.Find("../../shared/corpus")
	if err != nil {
		t.Skip()
	}
	c := classify.Default()
	f, _ := os.Create("/tmp/dump.tsv")
	defer f.Close()
	for _, e := range cp.Entries {
		if e.SameAs != "" || e.Unlabelled || e.NotABounce {
			continue
		}
		reps, _ := cp.Reports(e.File)
		for _, want := range e.Records {
			found := false
			for _, rep := range reps {
				for i := range rep.Records {
					rec := &rep.Records[i]
					if found || !strings.EqualFold(rec.Recipient, want.Recipient) {
						continue
					}
					found = true
					v := c.ClassifyRecord(rep, rec)
					fmt.Fprintf(f, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%d\t%s\t%v\t%v\t%s\n", e.File, want.SisimaiReason, v.Category, v.Rule, rec.Status, rec.Action, rec.Stage, rec.Reply.Code, want.Status, want.SisimaiHard, v.Suppress, strings.ReplaceAll(rec.Reply.Text, "\t", " "))
				}
			}
		}
	}
}
