package bounce_test

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// Small assertion helpers (testify is not in go.mod's requirement graph).

func msgOf(msg []any) string {
	if len(msg) == 0 {
		return ""
	}
	if f, ok := msg[0].(string); ok {
		return ": " + fmt.Sprintf(f, msg[1:]...)
	}
	return ": " + fmt.Sprint(msg...)
}

func equal(t *testing.T, want, got any, msg ...any) bool {
	t.Helper()
	if !reflect.DeepEqual(want, got) {
		t.Errorf("got %#v, want %#v%s", got, want, msgOf(msg))
		return false
	}
	return true
}

func mustEqual(t *testing.T, want, got any, msg ...any) {
	t.Helper()
	if !reflect.DeepEqual(want, got) {
		t.Fatalf("got %#v, want %#v%s", got, want, msgOf(msg))
	}
}

func isTrue(t *testing.T, v bool, msg ...any) {
	t.Helper()
	if !v {
		t.Errorf("condition false%s", msgOf(msg))
	}
}

func mustTrue(t *testing.T, v bool, msg ...any) {
	t.Helper()
	if !v {
		t.Fatalf("condition false%s", msgOf(msg))
	}
}

func noErr(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func contains(t *testing.T, s, sub string) {
	t.Helper()
	if !strings.Contains(s, sub) {
		t.Errorf("%q does not contain %q", s, sub)
	}
}
