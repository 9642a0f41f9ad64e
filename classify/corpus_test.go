package classify_test

import (
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/bouncekit/bouncekit/bounce"
	"github.com/bouncekit/bouncekit/classify"
	"github.com/bouncekit/bouncekit/internal/corpus"
)

// acceptable maps a Sisimai reason to the bouncekit categories the corpus
// README (../shared/corpus/README.md) accepts for it; nil means any.
var acceptable = map[string][]classify.Category{
	"userunknown":     {"recipient_unknown"},
	"suspend":         {"recipient_inactive", "recipient_unknown"},
	"hasmoved":        {"recipient_moved", "recipient_unknown"},
	"mailboxfull":     {"mailbox_full"},
	"hostunknown":     {"bad_domain"},
	"notaccept":       {"bad_domain"},
	"mesgtoobig":      {"message_too_large"},
	"exceedlimit":     {"message_too_large"},
	"spamdetected":    {"spam_content", "content_policy"},
	"contenterror":    {"content_policy"},
	"filtered":        {"content_policy", "policy", "spam_content"},
	"notcompliantrfc": {"content_policy", "protocol"},
	"virusdetected":   {"virus"},
	"blocked":         {"reputation_block", "policy", "auth_failure"},
	"badreputation":   {"reputation_block"},
	"authfailure":     {"auth_failure"},
	"requireptr":      {"auth_failure", "reputation_block"},
	"toomanyconn":     {"rate_limited"},
	"speeding":        {"rate_limited"},
	"norelaying":      {"relay_denied"},
	"rejected":        {"sender_rejected"},
	"policyviolation": {"policy", "content_policy"},
	"securityerror":   {"policy", "auth_failure", "tls_failure"},
	"failedstarttls":  {"tls_failure"},
	"expired":         {"expired"},
	"networkerror":    {"network"},
	"syntaxerror":     {"protocol"},
	"systemerror":     {"system", "network"},
	"systemfull":      {"system", "mailbox_full"},
	"mailererror":     {"system"},
	"vacation":        {"auto_reply"},
	"feedback":        {"complaint"},
	"delivered":       {"delivered"},
	"onhold":          nil,
	"undefined":       nil,
}

// TestCorpusCategories classifies every expected record of the shared
// corpus (parsed with bounce.ParseMessage) and checks its category through
// the README's Sisimai mapping. Target: 90% of expected records.
func TestCorpusCategories(t *testing.T) {
	cp, err := corpus.Find("../../shared/corpus")
	if err != nil {
		t.Skipf("shared corpus not available (%v)", err)
	}
	c := classify.Default()
	var expected, ok, suppressAgree, noDiag int
	misses := map[string]int{}
	var missLines []string
	for _, e := range cp.Entries {
		if e.SameAs != "" || e.Unlabelled || e.NotABounce {
			continue
		}
		reps, err := cp.Reports(e.File)
		if err != nil {
			t.Fatal(err)
		}
		// The records of every message in the file (a few are mbox files
		// of two bounces), each with the report it came from.
		type recIn struct {
			rep *bounce.Report
			rec *bounce.Record
		}
		var all []recIn
		for _, r := range reps {
			for i := range r.Records {
				all = append(all, recIn{r, &r.Records[i]})
			}
		}
		used := make([]bool, len(all))
		for _, want := range e.Records {
			expected++
			idx := -1
			for i := range all {
				if !used[i] && strings.EqualFold(all[i].rec.Recipient, want.Recipient) {
					idx = i
					break
				}
			}
			if idx < 0 {
				noDiag++
				misses["(record not parsed)"]++
				missLines = append(missLines, fmt.Sprintf("%s: %s: record not parsed", e.File, want.Recipient))
				continue
			}
			used[idx] = true
			rep, rec := all[idx].rep, all[idx].rec
			v := c.ClassifyRecord(rep, rec)
			if v.Suppress == want.SisimaiHard {
				suppressAgree++
			}
			cats, known := acceptable[want.SisimaiReason]
			if !known {
				t.Errorf("%s: sisimai reason %q not in the README mapping", e.File, want.SisimaiReason)
				continue
			}
			if cats == nil || containsCat(cats, v.Category) {
				ok++
				continue
			}
			if !rec.Reply.HasCode() && v.Rule == "" {
				noDiag++ // no code and no text any rule knows: nothing to classify
			}
			misses[want.SisimaiReason+" -> "+string(v.Category)]++
			missLines = append(missLines, fmt.Sprintf("%s: %s want %s got %s (rule %s) action=%s status=%s stage=%s reply=%q",
				e.File, want.Recipient, want.SisimaiReason, v.Category, v.Rule, rec.Action, rec.Status, rec.Stage, truncateStr(rec.Reply.Raw, 200)))
		}
	}
	pct := 100 * float64(ok) / float64(expected)
	t.Logf("corpus categories: %d/%d expected records (%.1f%%); suppress agrees with sisimai_hard on %d/%d (%.1f%%); %d misses had no record or no usable diagnostic",
		ok, expected, pct, suppressAgree, expected, 100*float64(suppressAgree)/float64(expected), noDiag)
	if testing.Verbose() || os.Getenv("BOUNCEKIT_MISSES") != "" {
		keys := make([]string, 0, len(misses))
		for k := range misses {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(i, j int) bool {
			return misses[keys[i]] > misses[keys[j]] || misses[keys[i]] == misses[keys[j]] && keys[i] < keys[j]
		})
		for _, k := range keys {
			t.Logf("%4d  %s", misses[k], k)
		}
		if os.Getenv("BOUNCEKIT_MISSES") != "" {
			for _, l := range missLines {
				t.Log(l)
			}
		}
	}
	// The floor is 90%. The remaining misses are mostly Sisimai
	// labels we read differently on purpose (docs/bench-classify.md lists
	// them by group) and records whose bounce gives no usable reason.
	const floor = 90.0
	if pct < floor {
		t.Errorf("corpus categories %.1f%%, below the floor of %.0f%%", pct, floor)
	}
}

func containsCat(cs []classify.Category, c classify.Category) bool {
	for _, x := range cs {
		if x == c {
			return true
		}
	}
	return false
}

func truncateStr(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}
