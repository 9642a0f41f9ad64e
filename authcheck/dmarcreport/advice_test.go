package dmarcreport

import (
	"fmt"
	"strings"
	"testing"
)

// daily builds an aggregate of one report per day for days days, each with
// the given rows.
func daily(t testing.TB, days int, policy string, rows ...row) DomainSummary {
	t.Helper()
	a := NewAggregate(AggregateOptions{})
	for i := 0; i < days; i++ {
		d := doc{org: "google.com", mail: "noreply-dmarc-support@google.com", id: fmt.Sprint("r", i),
			begin: int64(day0 + i*86400), end: int64(day0 + (i+1)*86400 - 1),
			policy: "<domain>example.com</domain>" + policy, rows: rows}
		a.Add(mustParse(t, d))
	}
	sum, _ := a.Summary("example.com")
	return sum
}

var (
	good = row{ip: "192.0.2.10", count: 1000, disp: "none", dkim: "pass", spf: "pass", headerFrom: "example.com",
		dkimAuth: []auth{{"example.com", "pass", "s1"}}, spfAuth: []auth{{"example.com", "pass", ""}}}
	spoof = row{ip: "203.0.113.9", count: 50, disp: "none", dkim: "fail", spf: "fail", headerFrom: "example.com",
		spfAuth: []auth{{"example.com", "fail", ""}}}
	crm = row{ip: "198.51.100.20", count: 30, disp: "none", dkim: "fail", spf: "fail", headerFrom: "example.com",
		dkimAuth: []auth{{"crm.example.net", "pass", "k1"}}, spfAuth: []auth{{"bounce.crm.example.net", "pass", ""}}}
	spfOnly = row{ip: "198.51.100.7", count: 20, disp: "none", dkim: "fail", spf: "pass", headerFrom: "example.com",
		spfAuth: []auth{{"example.com", "pass", ""}}}
	list = row{ip: "209.85.220.69", count: 10, disp: "none", dkim: "fail", spf: "fail", headerFrom: "example.com",
		dkimAuth: []auth{{"example.com", "fail", "s1"}}, spfAuth: []auth{{"lists.example.org", "pass", ""}}}
)

func TestAdviceFromNone(t *testing.T) {
	t.Run("two clean weeks make the first step safe", func(t *testing.T) {
		sum := daily(t, 14, "<p>none</p>", good, spoof)
		adv := Advise(PolicyFromReport(sum.Policy), sum, AdviceOptions{})
		assert.Equal(t, StageNone, adv.Stage)
		require.NotNil(t, adv.Next)
		assert.Equal(t, StageQuarantineTest, adv.Next.Stage)
		assert.Equal(t, "v=DMARC1; p=quarantine; pct=0; t=y", adv.Next.Record)
		assert.True(t, adv.Safe, adv.Reasons)
		assert.Equal(t, 1.0, adv.PassRate, "spoofing is not legitimate mail")
		assert.Equal(t, "2025-12-13", adv.Next.Earliest)
		assert.Equal(t, Effect{}, adv.Next.RFC7489, "test mode affects nothing")
		assert.Equal(t, StageReject, adv.Timeline[len(adv.Timeline)-1].Stage)
	})
	t.Run("three days are not enough", func(t *testing.T) {
		sum := daily(t, 3, "<p>none</p>", good)
		adv := Advise(PolicyFromReport(sum.Policy), sum, AdviceOptions{})
		assert.False(t, adv.Safe)
		assert.Contains(t, strings.Join(adv.Reasons, "\n"), "3 days of reports; 14 needed")
		assert.Equal(t, "2025-12-13", adv.Next.Earliest, "eleven more days")
	})
	t.Run("the thresholds are configurable", func(t *testing.T) {
		sum := daily(t, 3, "<p>none</p>", good)
		adv := Advise(PolicyFromReport(sum.Policy), sum, AdviceOptions{MinDaysAtNone: 3})
		assert.True(t, adv.Safe, adv.Reasons)
	})
}

func TestAdviceBlockers(t *testing.T) {
	t.Run("an unknown sender blocks quarantine", func(t *testing.T) {
		sum := daily(t, 10, "<p>quarantine</p><pct>0</pct>", good, crm)
		cur, err := ParsePolicy("v=DMARC1; p=quarantine; pct=0; t=y; rua=mailto:d@example.com")
		require.NoError(t, err)
		adv := Advise(cur, sum, AdviceOptions{})
		assert.Equal(t, StageQuarantineTest, adv.Stage)
		require.NotNil(t, adv.Next)
		assert.Equal(t, StageQuarantinePartial, adv.Next.Stage)
		assert.Equal(t, "v=DMARC1; p=quarantine; pct=25; rua=mailto:d@example.com", adv.Next.Record)
		assert.False(t, adv.Safe)
		require.Len(t, adv.Blockers, 1)
		b := adv.Blockers[0]
		assert.Equal(t, ClassUnknown, b.Class)
		assert.Contains(t, b.Fix, "signs as d=crm.example.net")
		// 300 failing legitimate messages over the window: pct=25 quarantines
		// a quarter at RFC 7489 receivers, all of them at RFC 9989 ones.
		assert.Equal(t, Effect{Quarantined: 75}, adv.Next.RFC7489)
		assert.Equal(t, Effect{Quarantined: 300}, adv.Next.RFC9989)
	})
	t.Run("SPF-only senders block reject, not quarantine", func(t *testing.T) {
		sum := daily(t, 10, "<p>quarantine</p><pct>100</pct>", good, spfOnly)
		adv := Advise(PolicyFromReport(sum.Policy), sum, AdviceOptions{})
		assert.Equal(t, StageQuarantine, adv.Stage)
		assert.Equal(t, StageRejectTest, adv.Next.Stage)
		assert.True(t, adv.Safe, adv.Reasons)
		require.Len(t, adv.Blockers, 1)
		assert.Equal(t, StageRejectPartial, adv.Blockers[0].Blocks)
		assert.Contains(t, adv.Blockers[0].Fix, "does not sign")

		cur, _ := ParsePolicy("v=DMARC1; p=reject; t=y")
		adv = Advise(cur, sum, AdviceOptions{})
		assert.Equal(t, StageRejectTest, adv.Stage)
		assert.False(t, adv.Safe, "reject_partial is blocked")
	})
	t.Run("mailing lists stop the ladder at quarantine", func(t *testing.T) {
		sum := daily(t, 10, "<p>quarantine</p>", good, list)
		adv := Advise(PolicyFromReport(sum.Policy), sum, AdviceOptions{MailingListShare: 0.005})
		assert.Nil(t, adv.Next)
		assert.False(t, adv.Safe)
		assert.Contains(t, strings.Join(adv.Reasons, "\n"), "RFC 9989 advises")
	})
	t.Run("a low pass rate fails the gate", func(t *testing.T) {
		bad := crm
		bad.count = 100
		sum := daily(t, 20, "<p>none</p>", good, bad)
		cur, _ := ParsePolicy("v=DMARC1; p=quarantine; t=y")
		adv := Advise(cur, sum, AdviceOptions{BlockerShare: 0.5})
		assert.Empty(t, adv.Blockers)
		assert.False(t, adv.Safe)
		assert.Contains(t, strings.Join(adv.Reasons, "\n"), "below the 95% quarantine gate")
	})
}

func TestPolicyStagesAndText(t *testing.T) {
	tests := []struct {
		txt   string
		stage Stage
	}{
		{"v=DMARC1; p=none", StageNone},
		{"v=DMARC1; p=quarantine; pct=0", StageQuarantineTest},
		{"v=DMARC1; p=quarantine; t=y", StageQuarantineTest},
		{"v=DMARC1; p=quarantine; pct=50", StageQuarantinePartial},
		{"v=DMARC1; p=quarantine", StageQuarantine},
		{"v=DMARC1; p=reject; t=y", StageRejectTest},
		{"v=DMARC1; p=reject; pct=10", StageRejectPartial},
		{"v=DMARC1; p=reject; sp=quarantine; np=reject; adkim=s; fo=1", StageReject},
	}
	for _, tc := range tests {
		c, err := ParsePolicy(tc.txt)
		require.NoError(t, err, tc.txt)
		assert.Equal(t, tc.stage, c.Stage(), tc.txt)
		assert.Equal(t, tc.txt, c.String(), "round trip")
	}
	_, err := ParsePolicy("v=spf1 -all")
	assert.ErrorIs(t, err, ErrPolicySyntax)
	_, err = ParsePolicy("v=DMARC1; p=maybe")
	assert.ErrorIs(t, err, ErrPolicySyntax)
}

func TestNoRecordAdvisesPublishingOne(t *testing.T) {
	sum := daily(t, 2, "<p>none</p>", good)
	adv := Advise(CurrentPolicy{}, sum, AdviceOptions{})
	assert.Equal(t, StageNoRecord, adv.Stage)
	assert.Equal(t, StageNone, adv.Next.Stage)
	assert.Contains(t, strings.Join(adv.Notes, "\n"), "publish v=DMARC1; p=none; rua=mailto:dmarc-reports@example.com")
}
