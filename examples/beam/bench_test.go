package main

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/bouncekit/bouncekit/segment"
)

// BenchmarkDeliveryPrism runs the whole delivery pipeline on prism over the
// sample deployment (24,000 events): events/s for one local worker,
// including the runner's start-up.
func BenchmarkDeliveryPrism(b *testing.B) {
	n := countLines(b, sampleEvents) - 1
	for b.Loop() {
		runDelivery(b, sampleEvents)
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkMergeShards measures what the CombineFn's merge costs as the
// number of shards grows: each shard's Aggregate encoded by the
// accumulator's coder, decoded, and merged into one.
func BenchmarkMergeShards(b *testing.B) {
	data, err := os.ReadFile(sampleEvents)
	if err != nil {
		b.Fatal(err)
	}
	lines := strings.SplitAfter(string(data), "\n")
	header, rows := lines[0], lines[1:]
	for _, shards := range []int{1, 4, 16, 64} {
		var enc [][]byte
		for i := range shards {
			var sb strings.Builder
			sb.WriteString(header)
			for j := i; j < len(rows); j += shards {
				sb.WriteString(rows[j])
			}
			a := &aggAccum{Agg: segment.NewAggregate(segment.Options{})}
			rd := &segment.Reader{}
			for ev, err := range rd.Events(strings.NewReader(sb.String())) {
				if err == nil {
					a.Agg.Add(&ev)
				}
			}
			e, err := encodeAggAccum(a)
			if err != nil {
				b.Fatal(err)
			}
			enc = append(enc, e)
		}
		b.Run(fmt.Sprintf("shards=%d", shards), func(b *testing.B) {
			fn := &aggregateFn{}
			for b.Loop() {
				acc := fn.CreateAccumulator()
				for _, e := range enc {
					part, err := decodeAggAccum(e)
					if err != nil {
						b.Fatal(err)
					}
					acc = fn.MergeAccumulators(acc, part)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(shards)/1e3, "µs/shard")
		})
	}
}

func countLines(b *testing.B, path string) int {
	data, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	return bytes.Count(data, []byte("\n"))
}
