package arc

// Reading the ValiMail ARC interoperability suite
// (../shared/conformance/arc, format in its README) with the YAML subset
// reader the SPF suites use, and serving its TXT records from a zone.

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/bouncekit/bouncekit/internal/spfsuite"
)

type suiteCase struct {
	Scenario, Name string
	Fields         map[string]string // message, cv, t, sig-headers, srv-id, AS, AMS, AAR
}

type suiteScenario struct {
	Description string
	Cases       []suiteCase
	TXT         [][2]string // name, record, in file order
	Domain, Sel string
	PrivateKey  string
}

func readSuite(t testing.TB, file string) []suiteScenario {
	t.Helper()
	dir, err := spfsuite.ConformanceDir()
	if err != nil {
		t.Skipf("ARC suite absent: %v", err)
	}
	path := filepath.Join(dir, "arc", file)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Skipf("ARC suite absent: %v", err)
	}
	docs, err := spfsuite.ParseDocuments(string(b))
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	var out []suiteScenario
	for _, d := range docs {
		m, ok := d.(*spfsuite.Map)
		if !ok {
			t.Fatalf("%s: document is not a mapping", file)
		}
		sc := suiteScenario{Description: str(m.Get("description")), Domain: str(m.Get("domain")), Sel: str(m.Get("sel")), PrivateKey: str(m.Get("privatekey"))}
		for _, key := range []string{"txt_records", "txt-records"} {
			if recs, ok := m.Get(key).(*spfsuite.Map); ok {
				for i, k := range recs.Keys {
					sc.TXT = append(sc.TXT, [2]string{k, str(recs.Values[i])})
				}
			}
		}
		tests, ok := m.Get("tests").(*spfsuite.Map)
		if !ok {
			t.Fatalf("%s: scenario %q has no tests", file, sc.Description)
		}
		seen := map[string]int{}
		for i, name := range tests.Keys {
			tm, ok := tests.Values[i].(*spfsuite.Map)
			if !ok {
				t.Fatalf("%s: test %s is not a mapping", file, name)
			}
			c := suiteCase{Scenario: sc.Description, Name: name, Fields: map[string]string{}}
			// The suite repeats a few names inside one mapping (YAML readers
			// keep the last); we run every case and number the repeats.
			if seen[name]++; seen[name] > 1 {
				c.Name = name + "#" + string(rune('0'+seen[name]))
			}
			for j, k := range tm.Keys {
				c.Fields[k] = str(tm.Values[j])
			}
			sc.Cases = append(sc.Cases, c)
		}
		out = append(out, sc)
	}
	return out
}

func str(n spfsuite.Node) string {
	s, _ := n.(string)
	return s
}

// zoneText writes the scenario's TXT records as zone-file text: folding
// inside the key is dropped (RFC 6376 §3.6.1 ignores FWS in p=) and the
// value is cut into 255-byte character-strings (RFC 1035 §3.3.14).
func zoneText(recs [][2]string) string {
	var b strings.Builder
	for _, r := range recs {
		v := strings.Join(strings.Fields(r[1]), " ")
		v = strings.ReplaceAll(v, "p= ", "p=")
		b.WriteString(strings.TrimSuffix(r[0], ".") + ". 300 IN TXT")
		for len(v) > 0 {
			n := min(len(v), 255)
			b.WriteString(` "` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(v[:n]) + `"`)
			v = v[n:]
		}
		b.WriteString("\n")
	}
	return b.String()
}

// suiteMessage turns the suite's LF text into the CRLF message it stands
// for.
func suiteMessage(s string) []byte {
	return []byte(strings.ReplaceAll(s, "\n", "\r\n"))
}

func sortedKeys(m map[string]int) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
