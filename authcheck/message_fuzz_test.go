package authcheck

import (
	"reflect"
	"strings"
	"testing"
)

func FuzzReadMessageAuth(f *testing.F) {
	f.Add(returnedMessage)
	f.Add("From: a@b\n\n")
	f.Fuzz(func(t *testing.T, s string) {
		a, errA := ReadMessageAuth(strings.NewReader(s))
		b, errB := ReadMessageAuth(strings.NewReader(s))
		if !reflect.DeepEqual(a, b) || (errA == nil) != (errB == nil) {
			t.Fatalf("not deterministic on %q", s)
		}
		if errA == nil {
			in := a.SenderInput()
			if len(in.DKIMSelectors) > MaxSenderSelectors {
				t.Fatalf("%d selectors", len(in.DKIMSelectors))
			}
		}
	})
}
