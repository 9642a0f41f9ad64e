package classify

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/bouncekit/bouncekit/bounce"
)

// Collector keeps the distinct replies a classifier could not classify
// (category unknown), with counts, so rules can be written for them.
// Replies are grouped by their codes and a normalised text: lower case,
// digits folded to "#", text in angle brackets dropped, white space
// collapsed. Safe for
// concurrent use; the zero Collector is ready and keeps up to
// DefaultCollectorLimit groups.
type Collector struct {
	// Limit is the most distinct groups kept; later new groups are only
	// counted in Dropped. 0 means DefaultCollectorLimit.
	Limit int

	mu      sync.Mutex
	groups  map[string]*Unknown
	dropped int
}

// DefaultCollectorLimit is the number of groups a zero Collector keeps.
const DefaultCollectorLimit = 1000

// Unknown is one group of unclassified replies.
type Unknown struct {
	Key      string   `json:"key"`      // the normalised form
	Example  string   `json:"example"`  // the first reply seen
	Count    int      `json:"count"`    // replies in the group
	Provider Provider `json:"provider"` // provider of the first reply
	Rule     string   `json:"rule"`     // the fallback rule that answered
}

// Add records r when v's category is unknown and reports whether it did.
func (c *Collector) Add(r *bounce.Reply, v Verdict) bool {
	if r == nil || v.Category != CategoryUnknown {
		return false
	}
	raw := r.Raw
	if raw == "" {
		raw = r.Text
	}
	text := r.Text
	if text == "" {
		text = raw
	}
	key := normaliseReply(text)
	if r.Status.IsValid() {
		key = r.Status.String() + " " + key
	}
	if r.Code != 0 {
		key = strconv.Itoa(r.Code) + " " + key
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if g, ok := c.groups[key]; ok {
		g.Count++
		return true
	}
	limit := c.Limit
	if limit <= 0 {
		limit = DefaultCollectorLimit
	}
	if len(c.groups) >= limit {
		c.dropped++
		return false
	}
	if c.groups == nil {
		c.groups = map[string]*Unknown{}
	}
	c.groups[key] = &Unknown{Key: key, Example: raw, Count: 1, Provider: v.Provider, Rule: v.Rule}
	return true
}

// Unknowns returns the groups, most frequent first, ties by key: the
// order does not depend on the order of Add calls across goroutines.
func (c *Collector) Unknowns() []Unknown {
	c.mu.Lock()
	out := make([]Unknown, 0, len(c.groups))
	for _, g := range c.groups {
		out = append(out, *g)
	}
	c.mu.Unlock()
	slices.SortFunc(out, func(a, b Unknown) int {
		if a.Count != b.Count {
			return cmp.Compare(b.Count, a.Count)
		}
		return strings.Compare(a.Key, b.Key)
	})
	return out
}

// Dropped returns how many replies were not kept because Limit was reached.
func (c *Collector) Dropped() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.dropped
}

// normaliseReply folds the parts of a reply that differ between otherwise
// identical replies (addresses, IDs, numbers). Note the first example of a
// group is kept as it was; the Example may thus carry one address.
func normaliseReply(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space, digit, angle := false, false, false
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case angle:
			if ch == '>' {
				angle = false
			}
			continue
		case ch == '<':
			angle = true
			b.WriteString("<>")
			space, digit = false, false
			continue
		case ch >= '0' && ch <= '9':
			if !digit {
				b.WriteByte('#')
			}
			digit, space = true, false
			continue
		case ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n':
			if !space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space, digit = true, false
			continue
		case ch >= 'A' && ch <= 'Z':
			ch += 'a' - 'A'
		}
		space, digit = false, false
		b.WriteByte(ch)
	}
	return strings.TrimSpace(b.String())
}
