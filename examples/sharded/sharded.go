// Package sharded shows how to aggregate an event log too large for one pass
// in several goroutines (or processes, or map-reduce partitions) and merge
// the partial aggregates. segment.Aggregate is mergeable and serialisable, so
// the merged result equals one pass over the whole log, exactly.
//
// In a distributed job each partition builds its own Aggregate from its
// slice of the events and writes it out with json.Marshal; the reducer reads
// them back with json.Unmarshal, merges them in any order with Merge, and
// builds the report from the result (segment.NewReport).
package sharded

import (
	"fmt"
	"io"
	"sync"

	"github.com/bouncekit/bouncekit/segment"
)

// Aggregate reads each shard in its own goroutine, each into its own
// Aggregate, and merges them. Shards are event logs in any format the segment
// readers detect (CSV shards each need their header row). Rows that cannot
// be read are counted in skipped and do not stop the run.
func Aggregate(shards []io.Reader, opt segment.Options) (agg *segment.Aggregate, skipped int64, err error) {
	parts := make([]*segment.Aggregate, len(shards))
	skips := make([]int64, len(shards))
	errs := make([]error, len(shards))
	var wg sync.WaitGroup
	for i, r := range shards {
		wg.Go(func() {
			a := segment.NewAggregate(opt)
			var rd segment.Reader
			for ev, err := range rd.Events(r) {
				if err != nil {
					if _, ok := err.(*segment.RowError); ok {
						skips[i]++
						continue // a bad row: counted, the shard goes on
					}
					errs[i] = fmt.Errorf("shard %d: %w", i, err)
					return
				}
				a.Add(&ev)
			}
			parts[i] = a
		})
	}
	wg.Wait()
	agg = segment.NewAggregate(opt)
	for i, p := range parts {
		if errs[i] != nil {
			return nil, 0, errs[i]
		}
		if err := agg.Merge(p); err != nil {
			return nil, 0, err
		}
		skipped += skips[i]
	}
	return agg, skipped, nil
}
