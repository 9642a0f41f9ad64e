package classify_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"

	"github.com/bouncekit/bouncekit/bounce"
	"github.com/bouncekit/bouncekit/classify"
	"github.com/bouncekit/bouncekit/internal/costcheck"
)

// wideAlphabet is 132 distinct bytes as valid UTF-8 (Latin-1 letters give
// 0xc2/0xc3 and 64 continuation bytes; the rest is lower-case ASCII and
// punctuation): patterns over it need many byte classes, the worst case of
// the matcher's table.
func wideAlphabet() []string {
	var a []string
	for r := rune(0xa0); r <= 0xff; r++ {
		a = append(a, string(r))
	}
	for c := byte('!'); c <= '~'; c++ {
		if (c < 'A' || c > 'Z') && c != '"' && c != '\\' {
			a = append(a, string(c))
		}
	}
	return a
}

// rulesFile is a rules file of n-byte random patterns over alpha, as large
// as the file limit allows (or of total pattern bytes when that is smaller).
func rulesFile(t testing.TB, alpha []string, n, total int) []byte {
	rng := rand.New(rand.NewPCG(1, 2))
	var rules []classify.Rule
	size, got := 0, 0
	for size < classify.MaxRulesFileSize-64<<10 && got < total && len(rules) < classify.MaxRules {
		r := classify.Rule{ID: fmt.Sprintf("r%d", len(rules)), Category: classify.CategoryPolicy}
		for range 32 {
			var b strings.Builder
			for b.Len() < n {
				b.WriteString(alpha[rng.IntN(len(alpha))])
			}
			r.Any = append(r.Any, b.String())
			got += b.Len()
			size += b.Len()*2 + 4
		}
		rules = append(rules, r)
	}
	data, err := json.Marshal(rules)
	if err != nil {
		t.Fatal(err)
	}
	if len(data) > classify.MaxRulesFileSize {
		t.Fatalf("test rules file of %d bytes is over the file limit", len(data))
	}
	return data
}

func load(data []byte) (*classify.Classifier, error) {
	opts, err := classify.ReadOptions(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	return classify.New(opts)
}

// The largest rules files the file limit allows are refused with a typed
// error by the pattern and table limits, not compiled into gigabytes.
func TestRulesPastTheLimitsGiveALimitError(t *testing.T) {
	ascii := wideAlphabet()[96:]
	for _, tt := range []struct {
		name  string
		data  []byte
		limit string
	}{
		{"4 MiB of ASCII patterns", rulesFile(t, ascii, 64, 1<<30), "MaxPatternBytes"},
		{"wide alphabet, under the byte limit", rulesFile(t, wideAlphabet(), 64, classify.MaxPatternBytes-64<<10), "MaxMatcherCells"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := load(tt.data)
			var le *classify.LimitError
			if !errors.As(err, &le) || le.Limit != tt.limit || !errors.Is(err, classify.ErrRulesTooLarge) || !errors.Is(err, classify.ErrRules) {
				t.Fatalf("err = %v, want a *LimitError for %s", err, tt.limit)
			}
			if le.Got <= le.Max {
				t.Errorf("Got %d not past Max %d", le.Got, le.Max)
			}
		})
	}
}

// Patterns that are suffixes of one another ("a", "aa", ...) multiply the
// outputs of the states of a long pattern ending in them.
func TestSuffixPatternsHitTheOutputLimit(t *testing.T) {
	r := classify.Rule{ID: "suffixes", Category: classify.CategoryPolicy, Any: []string{strings.Repeat("a", 200000)}}
	for k := 1; k <= 700; k++ {
		r.Any = append(r.Any, strings.Repeat("a", k))
	}
	_, err := classify.New(classify.Options{NoBuiltins: true, Before: []classify.Rule{r}})
	var le *classify.LimitError
	if !errors.As(err, &le) || le.Limit != "MaxMatcherOutputs" {
		t.Fatalf("err = %v, want a *LimitError for MaxMatcherOutputs", err)
	}
}

// Every error of a rules file matches ErrRules: too large, not JSON, an
// unknown field, an invalid rule.
func TestEveryRulesFileErrorMatchesErrRules(t *testing.T) {
	for name, data := range map[string][]byte{
		"over the file limit": bytes.Repeat([]byte(" "), classify.MaxRulesFileSize+1),
		"not JSON":            []byte(`[{"id": `),
		"unknown field":       []byte(`[{"id": "a", "cod": "550", "category": "policy"}]`),
		"invalid rule":        []byte(`[{"id": "a", "code": "5x", "category": "policy"}]`),
		"no predicate":        []byte(`[{"id": "a", "category": "policy"}]`),
		"unknown disable":     []byte(`{"disable": ["no-such-rule"]}`),
	} {
		t.Run(name, func(t *testing.T) {
			_, err := load(data)
			if !errors.Is(err, classify.ErrRules) {
				t.Fatalf("err = %v does not match ErrRules", err)
			}
		})
	}
	_, err := load([]byte(`[{"id": }]`))
	var se *json.SyntaxError
	if !errors.As(err, &se) {
		t.Errorf("a JSON error %v does not unwrap to *json.SyntaxError", err)
	}
	_, err = load(bytes.Repeat([]byte(" "), classify.MaxRulesFileSize+1))
	var le *classify.LimitError
	if !errors.As(err, &le) || le.Limit != "MaxRulesFileSize" {
		t.Errorf("an oversized file gives %v, want a *LimitError for MaxRulesFileSize", err)
	}
}

// The matcher finds exactly the patterns a plain case-insensitive search
// finds, on random patterns and texts over a small alphabet (where patterns
// overlap and are suffixes of each other).
func TestMatcherAgreesWithSubstringSearch(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	alpha := []string{"a", "b", "A", "é", " "}
	word := func(n int) string {
		var b strings.Builder
		for range n {
			b.WriteString(alpha[rng.IntN(len(alpha))])
		}
		return b.String()
	}
	for round := range 200 {
		seen := map[string]bool{}
		var any []string
		for len(any) < 1+rng.IntN(12) {
			w := word(1 + rng.IntN(5))
			if k := strings.ToLower(w); !seen[k] && strings.TrimSpace(w) != "" {
				seen[k] = true
				any = append(any, w)
			}
		}
		var rules []classify.Rule
		for i, p := range any {
			rules = append(rules, classify.Rule{ID: fmt.Sprint("p", i), Code: "550", Any: []string{p}, Category: classify.CategoryPolicy})
		}
		c, err := classify.New(classify.Options{NoBuiltins: true, Before: rules})
		if err != nil {
			t.Fatal(err)
		}
		text := word(3 + rng.IntN(20))
		reply, _ := bounce.ParseReply("550 " + text)
		v := c.Classify(&reply, classify.Context{})
		want := ""
		for i, p := range any {
			if strings.Contains(strings.ToLower(reply.Text), strings.ToLower(p)) {
				want = fmt.Sprint("p", i)
				break
			}
		}
		if v.Rule != want {
			t.Fatalf("round %d: text %q, patterns %q: rule %q, want %q", round, text, any, v.Rule, want)
		}
	}
}

// BenchmarkWorstRulesFile loads the costliest rules file the limits accept:
// patterns over 132 distinct bytes filling the table to MaxMatcherCells. It
// reports the heap the compilation allocated (alloc-MB/op) and what it keeps
// (live-MB).
func BenchmarkWorstRulesFile(b *testing.B) {
	// 120,000 pattern bytes over 132 distinct bytes give about 16 Mi cells.
	data := rulesFile(b, wideAlphabet(), 64, 115000)
	var keep *classify.Classifier
	var ms0, ms1 runtime.MemStats
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		c, err := load(data)
		if err != nil {
			b.Fatal(err)
		}
		keep = c
	}
	runtime.GC()
	runtime.ReadMemStats(&ms0)
	runtime.KeepAlive(keep)
	keep = nil
	runtime.GC()
	runtime.ReadMemStats(&ms1)
	b.ReportMetric(float64(ms0.HeapAlloc-ms1.HeapAlloc)/(1<<20), "live-MB")
	_ = keep
}

// BenchmarkWorstCaseRules grows a rules file 4x and 16x: random patterns
// over ASCII and over 132 distinct bytes (the table's width), from 7,000
// pattern bytes to 112,000. Compilation is linear in the table's cells.
func BenchmarkWorstCaseRules(b *testing.B) {
	for _, alpha := range []struct {
		name string
		a    []string
	}{{"ascii", wideAlphabet()[96:]}, {"wide", wideAlphabet()}} {
		for _, g := range []int{1, 4, 16} {
			data := rulesFile(b, alpha.a, 64, 7000*g)
			b.Run(fmt.Sprintf("%s/x%d", alpha.name, g), func(b *testing.B) {
				costcheck.Bench(b, len(data), func() {
					if _, err := load(data); err != nil {
						b.Fatal(err)
					}
				})
			})
		}
	}
}
