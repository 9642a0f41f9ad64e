package classify_test

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bouncekit/bouncekit/bounce"
	"github.com/bouncekit/bouncekit/classify"
	"github.com/bouncekit/bouncekit/classify/classifytest"
)

func mustParse(t testing.TB, s string) bounce.Reply {
	t.Helper()
	r, err := bounce.ParseReply(s)
	if err != nil {
		t.Fatalf("ParseReply(%q): %v", s, err)
	}
	return r
}

const cs01 = "554 5.7.1 [CS01] Message rejected due to local policy. Please visit https://support.apple.com/en-us/HT204137"

// The motivating case of the issue, checked field by field.
func TestCS01IsHardButNeverSuppressed(t *testing.T) {
	for _, in := range []classify.Context{
		{RemoteMTA: "mx01.mail.icloud.com"},
		{Recipient: "someone@icloud.com"},
		{Recipient: "someone@me.com", Stage: bounce.StageEndOfData},
	} {
		r := mustParse(t, cs01)
		v := classify.Default().Classify(&r, in)
		want := classify.Verdict{Severity: classify.SeverityHard, Category: classify.CategoryContentPolicy,
			Hint: classify.HintContent, Retry: false, Suppress: false, Provider: classify.ProviderApple}
		if v.Severity != want.Severity || v.Category != want.Category || v.Hint != want.Hint ||
			v.Retry || v.Suppress || v.Provider != want.Provider || v.Rule != "apple-cs01" {
			t.Errorf("context %+v: got %+v", in, v)
		}
		if v.Tag != "CS01" {
			t.Errorf("tag = %q, want CS01 (from ParseReply)", v.Tag)
		}
	}
}

func TestPrivateRelayUnauthorizedSenderIsNotSuppressed(t *testing.T) {
	r := mustParse(t, "550 5.1.1 <bounce+x=y=privaterelay.appleid.com@sender.example>: unauthorized sender")
	v := classify.Default().Classify(&r, classify.Context{Recipient: "y@privaterelay.appleid.com"})
	if v.Suppress || v.Hint != classify.HintForwarding || v.Severity != classify.SeverityHard {
		t.Errorf("got %+v, want hard, hint forwarding, no suppress", v)
	}
}

func TestProviderDetectionOrder(t *testing.T) {
	c := classify.Default()
	r := mustParse(t, "550 5.1.1 user unknown")
	// The MX host wins over the recipient domain (AT&T mail is at Yahoo).
	v := c.Classify(&r, classify.Context{Recipient: "x@att.net", RemoteMTA: "dns; mx-att.mail.am0.yahoodns.net"})
	if v.Provider != classify.ProviderYahoo {
		t.Errorf("provider = %q, want yahoo", v.Provider)
	}
	v = c.Classify(&r, classify.Context{Recipient: "x@comcast.net", RemoteMTA: "mx0b-001.pphosted.com"})
	if v.Provider != classify.ProviderProofpoint {
		t.Errorf("provider = %q, want proofpoint (the filter answering)", v.Provider)
	}
	v = c.Classify(&r, classify.Context{Recipient: "x@Hotmail.co.uk"})
	if v.Provider != classify.ProviderMicrosoft {
		t.Errorf("provider = %q, want microsoft", v.Provider)
	}
	r = mustParse(t, "550 5.1.1 The email account that you tried to reach does not exist. - gsmtp")
	if v = c.Classify(&r, classify.Context{}); v.Provider != classify.ProviderGoogle {
		t.Errorf("provider from text = %q, want google", v.Provider)
	}
}

func TestProviderForDomainAndHost(t *testing.T) {
	domains := map[string]classify.Provider{
		"icloud.com": "apple", "ME.COM": "apple", "mac.com": "apple", "privaterelay.appleid.com": "apple",
		"bob@gmail.com": "google", "googlemail.com": "google", "outlook.com": "microsoft", "live.fr": "microsoft",
		"yahoo.co.jp": "yahoo", "aol.com": "yahoo", "sbcglobal.net": "yahoo", "verizon.net": "yahoo",
		"comcast.net": "comcast", "cox.net": "cox", "gmx.de": "gmx", "web.de": "gmx", "orange.fr": "orange",
		"t-online.de": "t-online", "mail.ru": "mailru", "yandex.ru": "yandex", "qq.com": "qq", "163.com": "netease",
		"zoho.com": "zoho", "example.com": "", "": "", "gmail.com.evil.example": "",
	}
	for d, want := range domains {
		if got := classify.ProviderForDomain(d); got != want {
			t.Errorf("ProviderForDomain(%q) = %q, want %q", d, got, want)
		}
	}
	hosts := map[string]classify.Provider{
		"mx01.mail.icloud.com": "apple", "aspmx.l.google.com": "google", "gmail-smtp-in.l.google.com.": "google",
		"example-com.mail.protection.outlook.com": "microsoft", "mta6.am0.yahoodns.net": "yahoo",
		"mx0a-00123.pphosted.com": "proofpoint", "eu-smtp-inbound-1.mimecast.com": "mimecast",
		"d1.ess.barracudanetworks.com": "barracuda", "dns; mx1.iphmx.com": "cisco",
		"mx.example.com[192.0.2.1]": "", "notgoogle.com": "",
	}
	for h, want := range hosts {
		if got := classify.ProviderForHost(h); got != want {
			t.Errorf("ProviderForHost(%q) = %q, want %q", h, got, want)
		}
	}
}

func TestClassMismatchIsDecidedExplicitly(t *testing.T) {
	c := classify.Default()
	r := mustParse(t, "421 5.7.32 Your email has been blocked because the From: header isn't aligned with either the authenticated SPF or DKIM organizational domain. - gsmtp")
	if v := c.Classify(&r, classify.Context{Recipient: "a@gmail.com"}); v.Severity != classify.SeverityHard || !strings.Contains(v.Explanation, "class mismatch") {
		t.Errorf("421 5.7.32: got %+v", v)
	}
	r = mustParse(t, "452 4.1.1 <bob@comcast.net> user over quota")
	if v := c.Classify(&r, classify.Context{}); v.Severity != classify.SeveritySoft || v.Category != classify.CategoryMailboxFull || v.Suppress {
		t.Errorf("452 4.1.1 over quota: got %+v", v)
	}
}

func TestUserRulesBeforeAfterAndDisable(t *testing.T) {
	before := classify.Rule{ID: "acme-cs01-soft", Provider: classify.ProviderApple, Any: []string{"[CS01]"},
		Severity: classify.SeveritySoft, Category: classify.CategoryContentPolicy, Explanation: "we retry CS01 once"}
	after := classify.Rule{ID: "acme-weird", Code: "5xx", All: []string{"frobnicated"},
		Category: classify.CategoryRecipientUnknown, Suppress: true, Explanation: "our own server's wording"}
	c, err := classify.New(classify.Options{Before: []classify.Rule{before}, After: []classify.Rule{after},
		Disable: []string{"apple-hm08"}})
	if err != nil {
		t.Fatal(err)
	}
	classifytest.Run(t, c, []classifytest.Case{
		{Name: "a Before rule outranks the built-in", Reply: cs01, Recipient: "a@icloud.com", Rule: "acme-cs01-soft", Severity: "soft", Retry: classifytest.Bool(true)},
		{Name: "an After rule catches what built-ins leave", Reply: "550 mailbox frobnicated", Rule: "acme-weird", Suppress: classifytest.Bool(true)},
		{Name: "an After rule does not outrank a built-in text rule", Reply: "550 5.1.1 user unknown frobnicated", Rule: "generic-recipient-unknown"},
		{Name: "a disabled rule no longer fires", Reply: "554 5.7.1 [HM08] Message rejected due to local policy", Recipient: "a@icloud.com", Rule: "apple-local-policy"},
		{Name: "other built-ins still fire", Reply: "550 5.1.1 user unknown", Rule: "generic-recipient-unknown"},
	})
}

func TestTagPredicate(t *testing.T) {
	c, err := classify.New(classify.Options{Before: []classify.Rule{
		{ID: "tag-exact", Tags: []string{"tss04"}, Category: classify.CategoryRateLimited, Explanation: "x"},
		{ID: "tag-prefix", Tags: []string{"AUP#IPBL*"}, Category: classify.CategoryReputationBlock, Explanation: "x"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	classifytest.Run(t, c, []classifytest.Case{
		{Reply: "421 4.7.0 [TSS04] Messages from 192.0.2.1 temporarily deferred", Rule: "tag-exact"},
		{Reply: "554 cxr.mx.east.cox.net cmsmtp blocked. AUP#IPBL0101", Rule: "tag-prefix"},
		{Reply: "421 4.7.0 [TSS02] Messages temporarily deferred", Rule: "yahoo-deferral"},
	})
}

func TestInvalidRulesGiveTypedErrors(t *testing.T) {
	ok := classify.Rule{ID: "ok", Any: []string{"x"}, Category: classify.CategoryPolicy}
	tests := []struct {
		name string
		opts classify.Options
		want error
		id   string
	}{
		{"missing ID", classify.Options{Before: []classify.Rule{{Any: []string{"x"}, Category: "policy"}}}, classify.ErrNoID, ""},
		{"duplicate of a built-in ID", classify.Options{Before: []classify.Rule{{ID: "apple-cs01", Any: []string{"x"}, Category: "policy"}}}, classify.ErrDuplicateID, "apple-cs01"},
		{"no predicate", classify.Options{After: []classify.Rule{{ID: "r", Category: "policy"}}}, classify.ErrNoPredicate, "r"},
		{"bad code", classify.Options{Before: []classify.Rule{{ID: "r", Code: "6xx", Category: "policy"}}}, classify.ErrBadCode, "r"},
		{"bad status", classify.Options{Before: []classify.Rule{{ID: "r", Status: "5.9.1", Category: "policy"}}}, classify.ErrBadStatus, "r"},
		{"bad category", classify.Options{Before: []classify.Rule{{ID: "r", Code: "550", Category: "bogus"}}}, classify.ErrBadCategory, "r"},
		{"bad severity", classify.Options{Before: []classify.Rule{{ID: "r", Code: "550", Severity: "fatal", Category: "policy"}}}, classify.ErrBadSeverity, "r"},
		{"bad hint", classify.Options{Before: []classify.Rule{{ID: "r", Code: "550", Hint: "luck", Category: "policy"}}}, classify.ErrBadHint, "r"},
		{"bad stage", classify.Options{Before: []classify.Rule{{ID: "r", Stages: []bounce.Stage{"LOGIN"}, Category: "policy"}}}, classify.ErrBadStage, "r"},
		{"empty pattern", classify.Options{Before: []classify.Rule{{ID: "r", Any: []string{""}, Category: "policy"}}}, classify.ErrEmptyPattern, "r"},
		{"suppress on a content verdict", classify.Options{Before: []classify.Rule{{ID: "r", Any: []string{"cs01"}, Category: "content_policy", Suppress: true}}}, classify.ErrBadSuppress, "r"},
		{"disable an unknown rule", classify.Options{Before: []classify.Rule{ok}, Disable: []string{"no-such-rule"}}, classify.ErrUnknownRule, "no-such-rule"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := classify.New(tt.opts)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			var re *classify.RuleError
			if !errors.As(err, &re) || re.ID != tt.id {
				t.Fatalf("err = %#v, want a *RuleError naming %q", err, tt.id)
			}
			if tt.id != "" && !strings.Contains(err.Error(), tt.id) {
				t.Errorf("message %q does not name the rule", err.Error())
			}
		})
	}
}

func TestReadOptionsJSON(t *testing.T) {
	const file = `{
	  "before": [{"id": "acme-1", "any": ["Frobnicated"], "code": "55x", "category": "recipient_unknown", "suppress": true, "explanation": "ours"}],
	  "after":  [{"id": "acme-2", "status": "5.7.*", "all": ["acme", "gateway"], "category": "policy", "hint": "recipient"},
	             {"id": "acme-3", "stages": ["rcpt"], "any": ["acme says no"], "category": "policy"},
	             {"id": "acme-4", "provider": "acme-mail", "code": "550", "any": ["adresa neexistuje"], "category": "recipient_unknown", "suppress": true}],
	  "disable": ["apple-hm07"],
	  "providers": [{"provider": "acme-mail", "domains": ["acme-mail.example"], "hosts": ["mx.acme-mail.example"]}]
	}`
	opts, err := classify.ReadOptions(strings.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	c, err := classify.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	classifytest.Run(t, c, []classifytest.Case{
		{Reply: "550 mailbox FROBNICATED", Rule: "acme-1", Suppress: classifytest.Bool(true)},
		{Reply: "550 5.7.9 acme says no", Command: "rcpt to", Rule: "acme-3"},
		{Reply: "550 5.7.9 blocked by ACME gateway", Rule: "acme-2", Hint: "recipient"},
		{Reply: "550 Adresa neexistuje", Recipient: "ann@acme-mail.example", Provider: "acme-mail", Rule: "acme-4"},
		{Reply: "550 Adresa neexistuje", Recipient: "ann@other.example", Rule: "rfc5321-550"},
	})
	if _, ok := c.Rule("apple-hm07"); ok {
		t.Error("disabled rule apple-hm07 still present")
	}

	opts, err = classify.ReadOptions(strings.NewReader(`[{"id": "only", "code": "550", "category": "policy"}]`))
	if err != nil || len(opts.Before) != 1 {
		t.Fatalf("bare array: %v %+v", err, opts)
	}
	if _, err := classify.ReadOptions(strings.NewReader(`[{"id": "typo", "anny": ["x"], "category": "policy"}]`)); err == nil {
		t.Error("unknown field accepted")
	}
	if _, err := classify.ReadOptions(strings.NewReader(`{"before": [`)); err == nil {
		t.Error("truncated JSON accepted")
	}
}

func TestClassifyDSN(t *testing.T) {
	c := classify.Default()
	st := bounce.MustParseStatus
	tests := []struct {
		name     string
		action   string
		status   string
		diag     string
		category classify.Category
		severity classify.Severity
	}{
		{"delayed 4.4.7 is expired but still retried", "delayed", "4.4.7", "", classify.CategoryExpired, classify.SeveritySoft},
		{"failed 5.4.7 is expired", "failed", "5.4.7", "", classify.CategoryExpired, classify.SeverityHard},
		{"failed after an unspecific 4.x.x gave up", "failed", "4.0.0", "4.0.0 deferred", classify.CategoryExpired, classify.SeverityHard},
		{"failed after connection failures gave up", "failed", "4.4.1", "421 4.4.1 connection timed out", classify.CategoryExpired, classify.SeverityHard},
		{"failed after a DNS failure keeps its cause", "failed", "4.4.3", "451 4.4.3 Name service error for domain x.example: Host not found, try again", classify.CategoryNetwork, classify.SeverityHard},
		{"failed after a 4xx system error keeps its cause", "failed", "4.3.0", "451 4.3.0 queue file write error", classify.CategorySystem, classify.SeverityHard},
		{"delayed after connection failures is expired", "delayed", "4.4.1", "421 4.4.1 connection timed out", classify.CategoryExpired, classify.SeveritySoft},
		{"delayed without a cause is expired", "delayed", "4.0.0", "", classify.CategoryExpired, classify.SeveritySoft},
		{"delayed after a receiver's system error keeps its cause", "delayed", "4.3.0", "451 4.3.0 Error: queue file write error", classify.CategorySystem, classify.SeveritySoft},
		{"failed after rate limiting keeps its cause", "failed", "4.7.0", "421 4.7.0 Too many concurrent SMTP connections from this IP", classify.CategoryRateLimited, classify.SeverityHard},
		{"failed 5.1.1 without diagnostic", "failed", "5.1.1", "", classify.CategoryRecipientUnknown, classify.SeverityHard},
		{"the diagnostic outranks the status", "failed", "5.0.0", cs01, classify.CategoryContentPolicy, classify.SeverityHard},
		{"delayed mailbox full", "delayed", "4.2.2", "452 4.2.2 mailbox full", classify.CategoryMailboxFull, classify.SeveritySoft},
		{"delivered", "delivered", "2.0.0", "", classify.CategoryDelivered, classify.SeverityNone},
		{"relayed", "Relayed", "2.0.0", "", classify.CategoryDelivered, classify.SeverityNone},
		{"complaint", "complaint", "", "", classify.CategoryComplaint, classify.SeverityNone},
		{"auto-reply", "auto-reply", "", "", classify.CategoryAutoReply, classify.SeverityNone},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s bounce.Status
			if tt.status != "" {
				s = st(tt.status)
			}
			var diag *bounce.Reply
			if tt.diag != "" {
				r := mustParse(t, tt.diag)
				diag = &r
			}
			v := c.ClassifyDSN(tt.action, s, diag, classify.Context{})
			if v.Category != tt.category || v.Severity != tt.severity {
				t.Errorf("got %s/%s (rule %s), want %s/%s", v.Category, v.Severity, v.Rule, tt.category, tt.severity)
			}
			if v.Severity == classify.SeverityHard && v.Retry {
				t.Error("hard with retry")
			}
			if tt.action == "delayed" && v.Suppress {
				t.Error("a delayed recipient suppressed")
			}
		})
	}
}

func TestCollectorGroupsUnknowns(t *testing.T) {
	c := classify.Default()
	var col classify.Collector
	inputs := []string{
		"550 Message from <a@x.example> refused at 10:31",
		"550 Message from <b@y.example> refused at 11:02",
		"554 5.0.0 Something odd",
		"550 5.1.1 user unknown", // classified: not collected
	}
	var wg sync.WaitGroup
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, s := range inputs {
				r := mustParse(t, s)
				col.Add(&r, c.Classify(&r, classify.Context{}))
			}
		}()
	}
	wg.Wait()
	got := col.Unknowns()
	if len(got) != 2 {
		t.Fatalf("got %d groups, want 2: %+v", len(got), got)
	}
	if got[0].Count != 20 || got[0].Key != "550 message from <> refused at #:#" || got[1].Count != 10 {
		t.Errorf("groups = %+v", got)
	}
	limited := classify.Collector{Limit: 1}
	for _, s := range inputs[1:3] {
		r := mustParse(t, s)
		limited.Add(&r, c.Classify(&r, classify.Context{}))
	}
	if len(limited.Unknowns()) != 1 || limited.Dropped() != 1 {
		t.Errorf("limit not applied: %+v dropped %d", limited.Unknowns(), limited.Dropped())
	}
}

func TestRetryPolicy(t *testing.T) {
	t0 := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	now := t0
	p := classify.RetryPolicy{Now: func() time.Time { return now }, Rand: func() float64 { return 0.5 }} // no jitter
	soft := classify.Verdict{Severity: classify.SeveritySoft, Category: classify.CategorySystem, Retry: true}
	hard := classify.Verdict{Severity: classify.SeverityHard, Category: classify.CategoryContentPolicy}

	if d := p.Decide(hard, 1, t0); d.Retry {
		t.Errorf("hard retried: %+v", d)
	}
	// A hard verdict that claims retry is still not retried.
	if d := p.Decide(classify.Verdict{Severity: classify.SeverityHard, Retry: true}, 1, t0); d.Retry {
		t.Errorf("hard with retry flag retried: %+v", d)
	}
	if d := p.Decide(classify.Verdict{Severity: classify.SeverityNone, Category: classify.CategoryDelivered}, 1, t0); d.Retry {
		t.Errorf("delivered retried: %+v", d)
	}
	wantDelays := []time.Duration{5 * time.Minute, 10 * time.Minute, 20 * time.Minute, 40 * time.Minute, 80 * time.Minute, 160 * time.Minute, 4 * time.Hour, 4 * time.Hour}
	for i, want := range wantDelays {
		d := p.Decide(soft, i+1, t0)
		if !d.Retry || d.Delay != want || !d.At.Equal(now.Add(want)) {
			t.Errorf("attempt %d: %+v, want delay %v", i+1, d, want)
		}
	}
	slow := soft
	slow.SlowDown = true
	if d := p.Decide(slow, 1, t0); d.Delay != 20*time.Minute {
		t.Errorf("slow_down delay = %v, want 20m", d.Delay)
	}
	// Jitter stays within ±20%.
	for _, r := range []float64{0, 0.999} {
		pj := p
		pj.Rand = func() float64 { return r }
		d := pj.Decide(soft, 1, t0).Delay
		if d < 4*time.Minute || d > 6*time.Minute {
			t.Errorf("jittered delay %v outside ±20%% of 5m", d)
		}
	}
	// Past the queue lifetime the message expires.
	now = t0.Add(71 * time.Hour)
	if d := p.Decide(soft, 20, t0); d.Retry || !d.Expired {
		t.Errorf("past lifetime: %+v", d)
	}
	pa := p
	pa.MaxAttempts = 3
	now = t0
	if d := pa.Decide(soft, 3, t0); d.Retry || !d.Expired {
		t.Errorf("max attempts: %+v", d)
	}
}

// TestClassifyAllocatesNothing guards the hot path.
func TestClassifyAllocatesNothing(t *testing.T) {
	cases, err := classifytest.ReadFile(repliesFile)
	if err != nil {
		t.Fatal(err)
	}
	c := classify.Default()
	type item struct {
		r  bounce.Reply
		in classify.Context
	}
	items := make([]item, len(cases))
	for i, tc := range cases {
		items[i] = item{mustParse(t, tc.Reply), tc.Context()}
	}
	var sink classify.Verdict
	allocs := testing.AllocsPerRun(10, func() {
		for i := range items {
			sink = c.Classify(&items[i].r, items[i].in)
		}
	})
	_ = sink
	if allocs != 0 {
		t.Errorf("Classify allocated %.1f times per %d replies, want 0", allocs, len(items))
	}
	allocs = testing.AllocsPerRun(100, func() {
		_ = classify.ProviderForDomain("Bob@iCloud.com")
		_ = classify.ProviderForHost("MX01.mail.icloud.com.")
	})
	if allocs != 0 {
		t.Errorf("provider lookups allocated %.1f times", allocs)
	}
}

func TestConcurrentClassify(t *testing.T) {
	cases, err := classifytest.ReadFile(repliesFile)
	if err != nil {
		t.Fatal(err)
	}
	c := classify.Default()
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := g; i < len(cases); i += 8 {
				v, err := cases[i].Classify(c)
				if err != nil || cases[i].Diff(v) != "" {
					t.Errorf("case %s differs under concurrency", cases[i].Name)
				}
			}
		}()
	}
	wg.Wait()
}

func TestClassifytestDiffIsReadable(t *testing.T) {
	tc := classifytest.Case{Reply: cs01, Recipient: "a@icloud.com", Category: "spam_content", Suppress: classifytest.Bool(true), Ref: "A1"}
	v, err := tc.Classify(classify.Default())
	if err != nil {
		t.Fatal(err)
	}
	d := tc.Diff(v)
	for _, want := range []string{"reply:  " + cs01, "category   spam_content         content_policy", "suppress   true                 false", "rule fired: apple-cs01: ", "ref:    A1"} {
		if !strings.Contains(d, want) {
			t.Errorf("diff lacks %q:\n%s", want, d)
		}
	}
	tc = classifytest.Case{Reply: cs01, Recipient: "a@icloud.com", Category: "content_policy", Suppress: classifytest.Bool(false)}
	if d := tc.Diff(v); d != "" {
		t.Errorf("matching case gave diff:\n%s", d)
	}
	if _, err := classifytest.ReadCases(strings.NewReader(`{"reply": "550 x", "categroy": "policy"}`)); err == nil {
		t.Error("ReadCases accepted a misspelt field")
	}
}

func TestNoBuiltinsAndValidate(t *testing.T) {
	rule := classify.Rule{ID: "only", Code: "550", Category: classify.CategoryPolicy, Explanation: "x"}
	if err := rule.Validate(); err != nil {
		t.Fatal(err)
	}
	bad := classify.Rule{ID: "bad", Status: "5.x", Category: classify.CategoryPolicy}
	if err := bad.Validate(); !errors.Is(err, classify.ErrBadStatus) {
		t.Errorf("Validate: %v", err)
	}
	c, err := classify.New(classify.Options{NoBuiltins: true, After: []classify.Rule{rule}})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(c.Rules()); n != 1 {
		t.Fatalf("%d rules, want 1", n)
	}
	r := mustParse(t, "550 5.1.1 user unknown")
	if v := c.Classify(&r, classify.Context{}); v.Rule != "only" || v.Suppress {
		t.Errorf("got %+v", v)
	}
	r = mustParse(t, "451 4.3.0 try later")
	if v := c.Classify(&r, classify.Context{}); v.Rule != "" || v.Category != classify.CategoryUnknown || !v.Retry {
		t.Errorf("no rule matched: got %+v", v)
	}
	if v := c.Classify(nil, classify.Context{}); v.Category != classify.CategoryUnknown {
		t.Errorf("nil reply: %+v", v)
	}
}

func TestTooManyRules(t *testing.T) {
	rules := make([]classify.Rule, classify.MaxRules+1)
	for i := range rules {
		rules[i] = classify.Rule{ID: "r" + strings.Repeat("x", i%7) + string(rune('a'+i%26)) + strings.Repeat("y", i/26), Code: "550", Category: classify.CategoryPolicy}
	}
	if _, err := classify.New(classify.Options{NoBuiltins: true, Before: rules}); !errors.Is(err, classify.ErrTooManyRules) {
		t.Errorf("err = %v, want ErrTooManyRules", err)
	}
}
