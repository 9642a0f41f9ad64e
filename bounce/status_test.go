package bounce

import (
	"encoding/json"
	"errors"
	"testing"
)

func TestParseStatus(t *testing.T) {
	tests := []struct {
		in      string
		want    Status
		wantErr bool
	}{
		{"5.7.1", NewStatus(5, 7, 1), false},
		{"4.2.2", NewStatus(4, 2, 2), false},
		{"2.0.0", NewStatus(2, 0, 0), false},
		{"5.7.606", NewStatus(5, 7, 606), false},
		{"5.4.316", NewStatus(5, 4, 316), false},
		{"5.1.10", NewStatus(5, 1, 10), false},
		{"", Status{}, true},
		{"5.999.1", Status{}, true},  // subject beyond the registry's 0-7
		{"3.1.1", Status{}, true},    // class must be 2, 4 or 5
		{"5.7.1000", Status{}, true}, // detail is 1-3 digits
		{"5.07.1", Status{}, true},   // no leading zeros
		{"5.7", Status{}, true},
		{"5.7.1 ", Status{}, true},
		{"4.16.55.1", Status{}, true},
		{"x.7.1", Status{}, true},
	}
	for _, tt := range tests {
		got, err := ParseStatus(tt.in)
		if (err != nil) != tt.wantErr {
			t.Errorf("ParseStatus(%q) err = %v, wantErr %v", tt.in, err, tt.wantErr)
			continue
		}
		if err != nil {
			if !errors.Is(err, ErrInvalidStatus) {
				t.Errorf("ParseStatus(%q) err = %v, not ErrInvalidStatus", tt.in, err)
			}
			var pe *ParseError
			if !errors.As(err, &pe) || pe.Input != tt.in {
				t.Errorf("ParseStatus(%q) err does not carry the input: %v", tt.in, err)
			}
		}
		if got != tt.want {
			t.Errorf("ParseStatus(%q) = %v, want %v", tt.in, got, tt.want)
		}
		if err == nil && got.String() != tt.in {
			t.Errorf("ParseStatus(%q).String() = %q", tt.in, got.String())
		}
	}
}

func TestStatusClassPredicates(t *testing.T) {
	p, tr, s := MustParseStatus("5.1.1"), MustParseStatus("4.7.0"), MustParseStatus("2.0.0")
	if !p.Permanent() || p.Transient() || p.Success() {
		t.Error("5.1.1 predicates wrong")
	}
	if !tr.Transient() || tr.Permanent() {
		t.Error("4.7.0 predicates wrong")
	}
	if !s.Success() {
		t.Error("2.0.0 not Success")
	}
	var zero Status
	if zero.IsValid() || zero.Permanent() || zero.String() != "" {
		t.Error("zero Status should be invalid and print as empty")
	}
}

func TestStatusTextRoundTrip(t *testing.T) {
	type doc struct {
		S Status `json:"s"`
	}
	for _, in := range []string{"5.7.1", "4.4.7", "5.7.515", ""} {
		var d doc
		if err := json.Unmarshal([]byte(`{"s":"`+in+`"}`), &d); err != nil {
			t.Fatalf("unmarshal %q: %v", in, err)
		}
		out, err := json.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		if want := `{"s":"` + in + `"}`; string(out) != want {
			t.Errorf("round trip %q gave %s", in, out)
		}
	}
	var d doc
	if err := json.Unmarshal([]byte(`{"s":"9.9.9"}`), &d); !errors.Is(err, ErrInvalidStatus) {
		t.Errorf("unmarshal of 9.9.9: err = %v", err)
	}
}

func TestRegistryIsCompleteAndDescribes(t *testing.T) {
	reg := Registry()
	if len(reg) != 81 {
		t.Errorf("registry has %d codes, want the 81 enumerated IANA codes (X.0.0 to X.7.30)", len(reg))
	}
	seen := map[string]bool{}
	for _, e := range reg {
		if seen[e.Code] {
			t.Errorf("duplicate registry code %s", e.Code)
		}
		seen[e.Code] = true
		st := MustParseStatus("5" + e.Code[1:])
		info, ok := st.Info()
		if !ok || info.Code != e.Code {
			t.Errorf("Info(%s) = %v, %v", st, info, ok)
		}
		if e.Name == "" || e.Description == "" || e.Reference == "" {
			t.Errorf("%s lacks name, description or reference", e.Code)
		}
	}
	for _, want := range []string{"X.1.10", "X.7.26", "X.7.30", "X.6.10", "X.5.6"} {
		if !seen[want] {
			t.Errorf("registry lacks %s", want)
		}
	}
	if got := MustParseStatus("5.7.1").Describe(); got != "Permanent Failure: Delivery not authorized, message refused" {
		t.Errorf("Describe(5.7.1) = %q", got)
	}
	if got := MustParseStatus("5.7.606").Describe(); got != "Permanent Failure: Security or Policy Status (unregistered detail 606)" {
		t.Errorf("Describe(5.7.606) = %q", got)
	}
	if _, ok := MustParseStatus("5.7.606").Info(); ok {
		t.Error("5.7.606 is a Microsoft code, not in the registry")
	}
	if len(Subjects()) != 8 {
		t.Error("RFC 3463 has 8 subject classes")
	}
}

func TestNoAllocsParseStatus(t *testing.T) {
	if n := testing.AllocsPerRun(100, func() { _, _ = ParseStatus("5.7.515") }); n != 0 {
		t.Errorf("ParseStatus allocates %v times", n)
	}
}
