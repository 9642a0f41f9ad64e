package segment

// This file streams the outcome rules of outcome.go over a reader's
// events, with memory bounded by the keys it holds.

import (
	"iter"
)

// DefaultMaxOpenKeys is how many keys Dedup holds by default: 32,768. A key
// costs about 1 KiB (its event, the log line it points into, the map
// entry), so the default holds about 32 MiB.
const DefaultMaxOpenKeys = 1 << 15

// Dedup applies the outcome rules (KeyState) to a stream of events and
// yields one outcome per message and recipient.
//
// It holds each key until the end of the input, so that a final status
// logged after another (an asynchronous bounce after a delivery) still
// decides, up to MaxOpenKeys keys. Past the cap it hands on the key that
// has been final the longest (keys with a final status first, oldest
// first; then, when every held key is still deferred, the one first seen
// earliest, as deferred) and remembers the handed-on key as an 8-byte hash,
// so that a later event of it is counted in Stats.Late instead of as a
// second outcome (a complaint, which does not change an outcome, is still
// passed on). At most 4 x MaxOpenKeys such hashes (8 MiB at the default) are kept; past that the
// memory of handed-on keys starts over. Events without a key pass through.
//
// A Dedup is not safe for concurrent use.
type Dedup struct {
	// MaxOpenKeys caps the keys held; 0 means DefaultMaxOpenKeys.
	MaxOpenKeys int
	// Stats counts what the last Events call did.
	Stats DedupStats

	m      map[Key]*dedupEntry
	closed dedupList // keys with a final status, in the order they became final
	open   dedupList // keys still deferred, in the order first seen
	gone   hashSet
	free   *dedupEntry
}

// DedupStats count a Dedup's work.
type DedupStats struct {
	Events   int64 // events read
	Outcomes int64 // outcome events yielded (complaints included)
	Keys     int64 // distinct keys seen (handed-on keys seen again not counted)
	// Folded are the events folded into another of their key: the retries.
	Folded int64
	// Unkeyed are events without a message ID, passed through.
	Unkeyed int64
	// Early are keys handed on before the end of the input because
	// MaxOpenKeys keys were held; EarlyDeferred those among them that were
	// still deferred.
	Early, EarlyDeferred int64
	// Late are events of a key already handed on, dropped.
	Late int64
}

type dedupEntry struct {
	key        Key
	st         KeyState
	prev, next *dedupEntry
	inClosed   bool
}

type dedupList struct{ head, tail *dedupEntry }

func (l *dedupList) push(e *dedupEntry) {
	e.prev, e.next = l.tail, nil
	if l.tail != nil {
		l.tail.next = e
	} else {
		l.head = e
	}
	l.tail = e
}

func (l *dedupList) remove(e *dedupEntry) {
	if e.prev != nil {
		e.prev.next = e.next
	} else {
		l.head = e.next
	}
	if e.next != nil {
		e.next.prev = e.prev
	} else {
		l.tail = e.prev
	}
	e.prev, e.next = nil, nil
}

func keyHash(k Key) uint64 {
	h := hashFold(k.MessageID)
	h ^= hashFold(k.Recipient) * 0x9e3779b97f4a7c15
	return h
}

// Events returns the outcomes of in. Errors from in pass through in place.
func (d *Dedup) Events(in iter.Seq2[Event, error]) iter.Seq2[Event, error] {
	return func(yield func(Event, error) bool) {
		d.Stats = DedupStats{}
		d.m = map[Key]*dedupEntry{}
		d.closed, d.open, d.gone = dedupList{}, dedupList{}, hashSet{}
		max := d.MaxOpenKeys
		if max <= 0 {
			max = DefaultMaxOpenKeys
		}
		var buf []Event
		emit := func(e *dedupEntry) bool {
			buf = e.st.AppendOutcomes(buf[:0])
			for i := range buf {
				d.Stats.Outcomes++
				if !yield(buf[i], nil) {
					return false
				}
				buf[i] = Event{}
			}
			return true
		}
		for ev, err := range in {
			if err != nil {
				if !yield(ev, err) {
					return
				}
				continue
			}
			d.Stats.Events++
			k, ok := KeyOf(&ev)
			if !ok {
				d.Stats.Unkeyed++
				d.Stats.Outcomes++
				if !yield(ev, nil) {
					return
				}
				continue
			}
			e := d.m[k]
			if e == nil {
				if d.gone.n > 0 && d.gone.has(keyHash(k)) {
					if ev.Outcome == OutcomeComplained {
						d.Stats.Outcomes++
						if !yield(ev, nil) {
							return
						}
						continue
					}
					d.Stats.Late++
					continue
				}
				if len(d.m) >= max {
					// Hand on the key final the longest, else the oldest.
					old := d.closed.head
					if old != nil {
						d.closed.remove(old)
					} else {
						old = d.open.head
						d.open.remove(old)
						if old.st.out.Outcome == OutcomeDeferred {
							d.Stats.EarlyDeferred++
						}
					}
					d.Stats.Early++
					delete(d.m, old.key)
					if d.gone.n >= 4*max {
						d.gone = hashSet{}
					}
					d.gone.add(keyHash(old.key))
					if !emit(old) {
						return
					}
					*old = dedupEntry{}
					d.free = old
				}
				e = d.free
				d.free = nil
				if e == nil {
					e = &dedupEntry{}
				}
				e.key = k
				d.m[k] = e
				d.Stats.Keys++
				d.open.push(e)
			} else {
				d.Stats.Folded++
			}
			wasFinal := e.st.Final()
			e.st.Add(&ev)
			if !wasFinal && e.st.Final() {
				d.open.remove(e)
				d.closed.push(e)
				e.inClosed = true
			}
		}
		// End of input: every key held, in the order first seen among the
		// still deferred, then the final ones in the order they closed.
		for _, l := range []*dedupList{&d.open, &d.closed} {
			for e := l.head; e != nil; e = e.next {
				if !emit(e) {
					return
				}
			}
		}
		d.m = nil
		d.open, d.closed = dedupList{}, dedupList{}
	}
}
