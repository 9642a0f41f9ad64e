// Package spfsuite reads the openspf.org / pyspf SPF test-suite files
// (rfc7208-tests.yml and the files in the same format) into scenarios with
// their tests and zone data, following the pyspf driver rules of
// ../shared/conformance/README.md. It only reads; serving the zone is left
// to the test.
package spfsuite

import (
	"fmt"
	"os"
	"strings"
)

// Scenario is one YAML document: tests sharing one zone.
type Scenario struct {
	Description string
	Tests       []Test // in file order
	Zone        []Name // in file order
}

// Test is one check_host call and its accepted results.
type Test struct {
	Name        string
	Description string
	Spec        string
	Helo        string
	Host        string
	MailFrom    string
	Results     []string // any of them passes
	Explanation string   // "" when the test does not say
	Skip        string   // blitiri's skip: key, "" if absent
	Receiver    string   // pyspf's receiver: the %{r} macro, "" if absent
	Extras      []string // pyspf keys present that drivers may ignore (header, strict)
}

// Name is one owner name of the zone data and its entries in order.
type Name struct {
	Name    string
	Records []Record
}

// Record is one zonedata entry. Type is upper case: SPF, TXT, A, AAAA, MX,
// PTR, CNAME, TIMEOUT or SERVFAIL. Values holds the strings of a TXT or SPF
// record (several for a multi-string record), the address, the target
// name, or for MX the preference and the host.
type Record struct {
	Type   string
	Values []string
}

// ReadFile reads a suite file.
func ReadFile(path string) ([]Scenario, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(string(b))
}

// Parse reads a suite from its text.
func Parse(src string) ([]Scenario, error) {
	docs, err := ParseDocuments(src)
	if err != nil {
		return nil, err
	}
	var out []Scenario
	for i, d := range docs {
		m, ok := d.(*Map)
		if !ok {
			return nil, fmt.Errorf("spfsuite: document %d is not a mapping", i+1)
		}
		sc, err := scenario(m)
		if err != nil {
			return nil, fmt.Errorf("spfsuite: document %d: %w", i+1, err)
		}
		out = append(out, sc)
	}
	return out, nil
}

func str(n Node) string {
	s, _ := n.(string)
	return s
}

func scenario(m *Map) (Scenario, error) {
	sc := Scenario{Description: str(m.Get("description"))}
	if tests, ok := m.Get("tests").(*Map); ok {
		for i, name := range tests.Keys {
			tm, ok := tests.Values[i].(*Map)
			if !ok {
				return sc, fmt.Errorf("test %s is not a mapping", name)
			}
			t := Test{
				Name:        name,
				Description: str(tm.Get("description")),
				Spec:        str(tm.Get("spec")),
				Helo:        str(tm.Get("helo")),
				Host:        str(tm.Get("host")),
				MailFrom:    str(tm.Get("mailfrom")),
				Explanation: str(tm.Get("explanation")),
				Skip:        str(tm.Get("skip")),
				Receiver:    str(tm.Get("receiver")),
			}
			switch r := tm.Get("result").(type) {
			case string:
				t.Results = []string{r}
			case []Node:
				for _, x := range r {
					t.Results = append(t.Results, str(x))
				}
			default:
				return sc, fmt.Errorf("test %s has no result", name)
			}
			for _, k := range []string{"header", "strict"} {
				if tm.Get(k) != nil {
					t.Extras = append(t.Extras, k)
				}
			}
			sc.Tests = append(sc.Tests, t)
		}
	}
	if zone, ok := m.Get("zonedata").(*Map); ok {
		for i, owner := range zone.Keys {
			n := Name{Name: owner}
			entries, _ := zone.Values[i].([]Node)
			for _, e := range entries {
				rec, err := record(e)
				if err != nil {
					return sc, fmt.Errorf("zonedata %s: %w", owner, err)
				}
				n.Records = append(n.Records, rec)
			}
			sc.Zone = append(sc.Zone, n)
		}
	}
	return sc, nil
}

func record(e Node) (Record, error) {
	switch v := e.(type) {
	case string:
		// "- TIMEOUT" written as a bare scalar.
		return Record{Type: strings.ToUpper(v)}, nil
	case *Map:
		if len(v.Keys) != 1 {
			return Record{}, fmt.Errorf("entry with %d keys", len(v.Keys))
		}
		rec := Record{Type: strings.ToUpper(v.Keys[0])}
		switch x := v.Values[0].(type) {
		case string:
			if rec.Type != "TIMEOUT" && rec.Type != "SERVFAIL" {
				rec.Values = []string{x}
			}
		case []Node:
			rec.Values = []string{}
			for _, s := range x {
				rec.Values = append(rec.Values, str(s))
			}
		}
		return rec, nil
	}
	return Record{}, fmt.Errorf("unexpected entry %v", e)
}

// Accepts reports whether result is one the test accepts.
func (t Test) Accepts(result string) bool {
	for _, r := range t.Results {
		if strings.EqualFold(r, result) {
			return true
		}
	}
	return false
}
