package dmarcreport

// A few assertion helpers in the shape of testify's, so tests read the same
// without the module: assert.X reports and goes on, require.X stops the
// test.

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

type checker struct{ fatal bool }

var (
	assert  = checker{}
	require = checker{fatal: true}
)

func (c checker) fail(t testing.TB, msg []any, format string, a ...any) bool {
	t.Helper()
	s := fmt.Sprintf(format, a...)
	if len(msg) > 0 {
		if f, ok := msg[0].(string); ok {
			s = fmt.Sprintf(f, msg[1:]...) + ": " + s
		}
	}
	if c.fatal {
		t.Fatal(s)
	}
	t.Error(s)
	return false
}

func (c checker) Equal(t testing.TB, want, got any, msg ...any) bool {
	t.Helper()
	if !reflect.DeepEqual(want, got) {
		return c.fail(t, msg, "want %#v, got %#v", want, got)
	}
	return true
}

func (c checker) True(t testing.TB, v bool, msg ...any) bool {
	t.Helper()
	if !v {
		return c.fail(t, msg, "want true")
	}
	return true
}

func (c checker) False(t testing.TB, v bool, msg ...any) bool {
	t.Helper()
	if v {
		return c.fail(t, msg, "want false")
	}
	return true
}

func (c checker) NoError(t testing.TB, err error, msg ...any) bool {
	t.Helper()
	if err != nil {
		return c.fail(t, msg, "unexpected error: %v", err)
	}
	return true
}

func (c checker) ErrorIs(t testing.TB, err, target error, msg ...any) bool {
	t.Helper()
	if !errors.Is(err, target) {
		return c.fail(t, msg, "error %v is not %v", err, target)
	}
	return true
}

func (c checker) ErrorAs(t testing.TB, err error, target any, msg ...any) bool {
	t.Helper()
	if !errors.As(err, target) {
		return c.fail(t, msg, "error %v is not a %T", err, target)
	}
	return true
}

func isNil(v any) bool {
	if v == nil {
		return true
	}
	r := reflect.ValueOf(v)
	switch r.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Slice, reflect.Interface, reflect.Func, reflect.Chan:
		return r.IsNil()
	}
	return false
}

func (c checker) Nil(t testing.TB, v any, msg ...any) bool {
	t.Helper()
	if !isNil(v) {
		return c.fail(t, msg, "want nil, got %#v", v)
	}
	return true
}

func (c checker) NotNil(t testing.TB, v any, msg ...any) bool {
	t.Helper()
	if isNil(v) {
		return c.fail(t, msg, "want non-nil")
	}
	return true
}

func (c checker) Len(t testing.TB, v any, n int, msg ...any) bool {
	t.Helper()
	if l := reflect.ValueOf(v).Len(); l != n {
		return c.fail(t, msg, "want length %d, got %d", n, l)
	}
	return true
}

func (c checker) Empty(t testing.TB, v any, msg ...any) bool {
	t.Helper()
	if v != nil && reflect.ValueOf(v).Len() != 0 {
		return c.fail(t, msg, "want empty, got %#v", v)
	}
	return true
}

func (c checker) NotEmpty(t testing.TB, v any, msg ...any) bool {
	t.Helper()
	if v == nil || reflect.ValueOf(v).Len() == 0 {
		return c.fail(t, msg, "want non-empty")
	}
	return true
}

// Contains checks a substring of a string or an element of a slice.
func (c checker) Contains(t testing.TB, haystack, needle any, msg ...any) bool {
	t.Helper()
	if s, ok := haystack.(string); ok {
		if !strings.Contains(s, fmt.Sprint(needle)) {
			return c.fail(t, msg, "%q does not contain %q", s, needle)
		}
		return true
	}
	h := reflect.ValueOf(haystack)
	for i := 0; i < h.Len(); i++ {
		if reflect.DeepEqual(h.Index(i).Interface(), needle) {
			return true
		}
	}
	return c.fail(t, msg, "%#v does not contain %#v", haystack, needle)
}
