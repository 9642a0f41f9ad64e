package main

import (
	"context"
	"io"
	"path/filepath"
	"testing"

	"github.com/bouncekit/bouncekit/internal/corpus"
)

// BenchmarkParseCommandCorpus runs what `bouncekit parse --jobs 1` does
// over every message file of ../shared/corpus (the classifier already
// built): reading, parsing, classifying and writing JSON lines. It skips
// when the corpus is absent.
func BenchmarkParseCommandCorpus(b *testing.B) {
	c, err := corpus.Find(filepath.Join("..", "..", "..", "shared", "corpus"))
	if err != nil {
		b.Skip(err)
	}
	files, err := c.Files()
	if err != nil {
		b.Fatal(err)
	}
	names := make([]string, len(files))
	for i, f := range files {
		names[i] = c.Path(f)
	}
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	var sc parseScratch
	for b.Loop() {
		for _, name := range names {
			var r parseResult
			parseInput(ctx, name, nil, &r, io.Discard, &sc)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(names))/1e3, "µs/file")
}
