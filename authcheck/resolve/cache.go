// The Client answer cache: bounded, TTL-honouring (RFC 1035 §3.2.1,
// RFC 2308 §5 for negative answers) and safe for concurrent use.

package resolve

import (
	"sync"
	"time"

	"github.com/miekg/dns"
)

type dnsCacheKey struct {
	name  string // canonical, fully qualified
	qtype uint16
}

type dnsCacheEntry struct {
	answer  []dns.RR
	err     error // nil or ErrNXDomain
	expires time.Time
}

// dnsCache holds at most max answers. When full it first drops expired
// entries, then the oldest inserted ones (FIFO), so its memory stays bounded
// whatever the traffic.
type dnsCache struct {
	mu      sync.Mutex
	max     int
	entries map[dnsCacheKey]dnsCacheEntry
	order   []dnsCacheKey // insertion order, may hold stale keys
}

func newDNSCache(size int) *dnsCache {
	return &dnsCache{max: size, entries: make(map[dnsCacheKey]dnsCacheEntry, size)}
}

func (c *dnsCache) get(name string, qtype uint16, now time.Time) ([]dns.RR, error, bool) {
	k := dnsCacheKey{name, qtype}
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[k]
	if !ok {
		return nil, nil, false
	}
	if !now.Before(e.expires) {
		delete(c.entries, k)
		return nil, nil, false
	}
	return e.answer, e.err, true
}

func (c *dnsCache) put(name string, qtype uint16, answer []dns.RR, err error, expires time.Time) {
	k := dnsCacheKey{name, qtype}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.entries[k]; !ok {
		c.evictLocked(time.Now())
		c.order = append(c.order, k)
	}
	c.entries[k] = dnsCacheEntry{answer: answer, err: err, expires: expires}
}

// evictLocked makes room for one more entry.
func (c *dnsCache) evictLocked(now time.Time) {
	if len(c.entries) < c.max {
		return
	}
	for k, e := range c.entries {
		if !now.Before(e.expires) {
			delete(c.entries, k)
		}
	}
	for len(c.entries) >= c.max && len(c.order) > 0 {
		k := c.order[0]
		c.order = c.order[1:]
		delete(c.entries, k)
	}
	// Drop keys already gone so order does not grow without bound.
	if len(c.order) > 2*c.max {
		live := c.order[:0]
		for _, k := range c.order {
			if _, ok := c.entries[k]; ok {
				live = append(live, k)
			}
		}
		c.order = live
	}
}

// Len reports how many answers the cache holds (for tests).
func (c *dnsCache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries)
}
