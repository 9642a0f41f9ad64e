package segment

import (
	"strings"

	"github.com/bouncekit/bouncekit/bounce"
	"github.com/bouncekit/bouncekit/classify"
)

// DefaultMaxReplyCache is how many distinct reply texts an Aggregate keeps
// classified. Replies that carry per-message IDs (Gmail's, Yahoo's) defeat
// the cache; beyond the limit they are classified without being kept.
const DefaultMaxReplyCache = 1 << 16

// replyCache classifies reply texts once per provider: the same words can
// mean different things from different providers, and the classifier reads
// the recipient's domain.
type replyCache struct {
	max int
	m   map[cacheKey]classified
	c   *classify.Classifier // nil: classify.Default()
}

type cacheKey struct {
	prov uint32
	text string
}

type classified struct {
	category string
	tag      string
	// recipientLevel: the failure is about the address itself (unknown,
	// inactive, bad domain): what suppression acts on.
	recipientLevel bool
}

func (c *replyCache) get(ev *Event, prov uint32) classified {
	if ev.Verdict.Category != "" {
		tag := ev.Verdict.Tag
		if tag == "" {
			tag = ev.Reply.Tag()
		}
		return classified{string(ev.Verdict.Category), tag, recipientLevel(ev.Verdict)}
	}
	if ev.ReplyText == "" {
		if ev.Reply.Raw == "" && !ev.Reply.HasCode() && !ev.Reply.Status.IsValid() {
			return classified{}
		}
		// A parsed Reply without its text: classify it as given (no cache,
		// the key would be the text).
		r := ev.Reply
		v := classifyReply(c.c, &r, ev.Recipient)
		tag := v.Tag
		if tag == "" {
			tag = r.Tag()
		}
		if tag == "" {
			tag = bracketTag(r.Raw)
		}
		return classified{string(v.Category), strings.Clone(tag), recipientLevel(v)}
	}
	if v, ok := c.m[cacheKey{prov, ev.ReplyText}]; ok {
		return v
	}
	v := classifyText(c.c, ev.ReplyText, ev.Recipient)
	if c.m == nil {
		c.m = make(map[cacheKey]classified)
	}
	if len(c.m) < c.max {
		c.m[cacheKey{prov, strings.Clone(ev.ReplyText)}] = v
	}
	return v
}

func recipientLevel(v classify.Verdict) bool {
	switch v.Category {
	case classify.CategoryRecipientUnknown, classify.CategoryRecipientInactive, classify.CategoryBadDomain:
		return true
	}
	return false
}

// classifyText reads and classifies one reply text.
func classifyText(c *classify.Classifier, text, recipient string) classified {
	r, err := bounce.ParseReply(text)
	if err != nil && r.Raw == "" {
		return classified{category: string(classify.CategoryUnknown)}
	}
	v := classifyReply(c, &r, recipient)
	tag := v.Tag
	if tag == "" {
		tag = r.Tag()
	}
	if tag == "" {
		tag = bracketTag(r.Raw)
	}
	return classified{string(v.Category), strings.Clone(tag), recipientLevel(v)}
}

// bracketTag finds a provider tag written as "[CS01]" or "[TSS04]" when the
// reply parser did not report one.
func bracketTag(s string) string {
	for {
		i := strings.IndexByte(s, '[')
		if i < 0 {
			return ""
		}
		s = s[i+1:]
		j := strings.IndexByte(s, ']')
		if j < 0 {
			return ""
		}
		t := s[:j]
		if len(t) >= 2 && len(t) <= 10 && isTagToken(t) {
			return t
		}
	}
}

func isTagToken(t string) bool {
	letters, digits := 0, 0
	for i := 0; i < len(t); i++ {
		switch c := t[i]; {
		case c >= 'A' && c <= 'Z':
			letters++
		case c >= '0' && c <= '9':
			digits++
		case c == '_' || c == '#':
		default:
			return false
		}
	}
	return letters > 0 && digits > 0
}
