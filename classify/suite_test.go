package classify_test

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bouncekit/bouncekit/bounce"
	"github.com/bouncekit/bouncekit/classify"
)

// crispAccept maps the labels of the crisp-email-bounce-parser suite
// (../shared/bounce-suites, its README) to the categories that say the
// same.
var crispAccept = map[string][]classify.Category{
	"no_such_recipient":      {classify.CategoryRecipientUnknown, classify.CategoryRecipientInactive},
	"mailbox_full":           {classify.CategoryMailboxFull, classify.CategoryRecipientInactive},
	"mailbox_over_quota":     {classify.CategoryMailboxFull},
	"spam_content":           {classify.CategorySpamContent, classify.CategoryContentPolicy, classify.CategoryReputationBlock, classify.CategoryPolicy},
	"reputation":             {classify.CategoryReputationBlock, classify.CategoryRateLimited},
	"ip_blocked_spam":        {classify.CategoryReputationBlock},
	"authentication_failure": {classify.CategoryAuthFailure},
	"server_timeout":         {classify.CategoryNetwork, classify.CategorySystem, classify.CategoryPolicy},
	"server_unknown":         {classify.CategoryBadDomain, classify.CategoryNetwork},
	"recipient_disabled_or_recipient_rate_limited": {classify.CategoryRecipientInactive, classify.CategoryRecipientUnknown, classify.CategoryRateLimited},
	"action_not_taken_mailbox_rate_limited":        {classify.CategoryRateLimited, classify.CategoryRecipientInactive},
}

// crispNotRecipient are the suite's labels for causes that are not the
// address's: a verdict under them must never suppress.
var crispNotRecipient = map[string]bool{
	"spam_content": true, "reputation": true, "ip_blocked_spam": true, "authentication_failure": true,
	"server_timeout": true, "server_unknown": true, "action_not_taken_mailbox_rate_limited": true,
}

// TestCrispSuiteReplies classifies the server reply of each Postfix-style
// notice of the crisp-email-bounce-parser suite (the paragraph after the
// failed recipient's "<address>:") and checks it against the suite's own
// category and hard/soft labels; no reply labelled with a cause that is
// not the address's may be suppressed. Notices in other layouts are the bounce package's concern
// and are left out here.
func TestCrispSuiteReplies(t *testing.T) {
	dir, ok := findShared("bounce-suites/crisp-email-bounce-parser")
	if !ok {
		t.Skip("../shared/bounce-suites not available")
	}
	f, err := os.Open(filepath.Join(dir, "expected.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	c := classify.Default()
	var replies, labelled, catOK, hardN, hardOK, wrongSuppress int
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var e struct {
			File     string  `json:"file"`
			Category *string `json:"category"`
			Hard     *bool   `json:"hard"`
		}
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(filepath.Join(dir, e.File))
		if err != nil {
			t.Fatal(err)
		}
		para := ""
		for _, p := range strings.Split(strings.ReplaceAll(string(b), "\r\n", "\n"), "\n\n") {
			if p = strings.TrimSpace(p); strings.HasPrefix(p, "<") && strings.Contains(p, ">: ") {
				para = strings.Join(strings.Fields(p), " ")
				para = para[strings.Index(para, ">: ")+3:]
				break
			}
		}
		if para == "" {
			continue
		}
		r, err := bounce.ParseReply(para)
		if err != nil {
			continue
		}
		replies++
		v := c.Classify(&r, classify.Context{})
		label := ""
		if e.Category != nil {
			label = *e.Category
		}
		if v.Suppress && crispNotRecipient[label] {
			wrongSuppress++
			t.Errorf("%s (%s): suppressed by %s", e.File, label, v.Rule)
		}
		if e.Hard != nil && r.Class() != 0 {
			hardN++
			if (v.Severity == classify.SeverityHard) == *e.Hard {
				hardOK++
			} else if testing.Verbose() {
				t.Logf("%s: hard=%v, got %s (%s)", e.File, *e.Hard, v.Severity, v.Rule)
			}
		}
		if accept, ok := crispAccept[label]; ok {
			labelled++
			if containsCat(accept, v.Category) {
				catOK++
			} else if testing.Verbose() {
				t.Logf("%s: %s, got %s (%s): %q", e.File, label, v.Category, v.Rule, truncateStr(r.Text, 120))
			}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	t.Logf("crisp suite: %d replies; category %d/%d labelled; hard/soft %d/%d; %d suppressed under a label that is not the address's",
		replies, catOK, labelled, hardOK, hardN, wrongSuppress)
	if replies < 80 || catOK*100 < labelled*95 || hardOK*100 < hardN*95 {
		t.Errorf("below the floors (80 replies, 95%% of categories, 95%% of hard/soft)")
	}
}
