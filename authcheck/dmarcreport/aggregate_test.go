package dmarcreport

import (
	"net/netip"
	"reflect"
	"testing"
	"time"
)

func allShapes() []doc {
	return []doc{googleDoc(), microsoftDoc(), yahooDoc(), mailruDoc(), gmxDoc(), mimecastDoc(), sesDoc()}
}

func mustParse(t testing.TB, d doc) *Report {
	t.Helper()
	rep, err := Parse(d.xml())
	if err != nil {
		t.Fatalf("%s: %v", d.id, err)
	}
	return rep
}

func sourceOf(t *testing.T, sum DomainSummary, ip string) Source {
	t.Helper()
	for _, s := range sum.Sources {
		if s.IP == netip.MustParseAddr(ip) {
			return s
		}
	}
	t.Fatalf("no source %s", ip)
	return Source{}
}

func TestAggregateSumsAndDeduplicates(t *testing.T) {
	a := NewAggregate(AggregateOptions{})
	var want, wantPass int64
	for _, d := range allShapes() {
		require.True(t, a.Add(mustParse(t, d)), d.id)
		n, p := d.messages()
		want += n
		wantPass += p
	}
	assert.False(t, a.Add(mustParse(t, googleDoc())), "the same org and report id again")
	assert.Equal(t, 7, a.Reports())
	assert.Equal(t, 1, a.Duplicates())
	sum, ok := a.Summary("example.com")
	require.True(t, ok)
	assert.Equal(t, want, sum.Messages)
	assert.Equal(t, wantPass, sum.DMARCPass)
	assert.Equal(t, want-wantPass, sum.DMARCFail)
	var days, sources int64
	for _, d := range sum.Days {
		days += d.Messages
	}
	for _, s := range sum.Sources {
		sources += s.Messages
	}
	assert.Equal(t, want, days, "the days add up to the total")
	assert.Equal(t, want, sources, "the sources add up to the total")
	// The most recent report's policy wins; all end on or after day1-1,
	// and the RFC 9990 one at day1 came last among equals.
	assert.Equal(t, 7, sum.Reports)
	for i := 1; i < len(sum.Sources); i++ {
		assert.True(t, sum.Sources[i-1].Messages >= sum.Sources[i].Messages, "sources by volume")
	}
}

func TestReportsSpreadOverTheirDays(t *testing.T) {
	d := googleDoc()
	d.begin, d.end = day0+43200, day0+2*86400 // noon day 0 to midnight day 2
	d.rows = d.rows[:1]
	d.rows[0].count = 7
	a := NewAggregate(AggregateOptions{})
	a.Add(mustParse(t, d))
	sum, _ := a.Summary("example.com")
	require.Len(t, sum.Days, 2)
	assert.Equal(t, "2025-11-30", sum.Days[0].Date)
	assert.Equal(t, "2025-12-01", sum.Days[1].Date)
	// Half a day, then a whole day: 7 messages split 2 and 5 (a third and
	// two thirds, rounded so they still add up).
	assert.Equal(t, int64(2), sum.Days[0].Messages)
	assert.Equal(t, int64(5), sum.Days[1].Messages)
	assert.Equal(t, int64(7), sum.Days[0].DMARCPass+sum.Days[1].DMARCPass)
}

func TestMergeEqualsOnePass(t *testing.T) {
	shapes := allShapes()
	one := NewAggregate(AggregateOptions{})
	left, right := NewAggregate(AggregateOptions{}), NewAggregate(AggregateOptions{})
	for i, d := range shapes {
		one.Add(mustParse(t, d))
		if i%2 == 0 {
			left.Add(mustParse(t, d))
		} else {
			right.Add(mustParse(t, d))
		}
	}
	left.Merge(right)
	assert.Equal(t, one.Reports(), left.Reports())
	if !reflect.DeepEqual(one.Summaries(), left.Summaries()) {
		t.Errorf("merged summary differs:\n%+v\n%+v", one.Summaries(), left.Summaries())
	}
}

func TestSourcesAreClassifiedWithEvidence(t *testing.T) {
	a := NewAggregate(AggregateOptions{})
	for _, d := range allShapes() {
		a.Add(mustParse(t, d))
	}
	sum, _ := a.Summary("example.com")
	tests := []struct {
		ip    string
		class Class
		org   string
	}{
		{"192.0.2.10", ClassAuthorized, ""},
		{"198.51.100.7", ClassBrokenDKIM, "SendGrid"},
		{"40.107.22.55", ClassForwarder, ""},
		{"209.85.220.69", ClassMailingList, ""},
		{"203.0.113.50", ClassSpoofing, ""},
		{"54.240.8.20", ClassAuthorized, "Amazon SES"},
		{"2001:db8::25", ClassAuthorized, ""},
	}
	for _, tc := range tests {
		s := sourceOf(t, sum, tc.ip)
		assert.Equal(t, tc.class, s.Class, tc.ip)
		if tc.org != "" {
			assert.Equal(t, tc.org, s.Org, tc.ip)
		}
		assert.NotEmpty(t, s.Evidence, tc.ip)
	}
	assert.Contains(t, sourceOf(t, sum, "40.107.22.55").Evidence, "reporter saw ARC pass on 12")
	assert.Contains(t, sourceOf(t, sum, "198.51.100.7").Evidence, "DKIM d=sendgrid.net pass on 41")
}

func TestClassifyRecord(t *testing.T) {
	pass := []DKIMAuth{{Domain: "example.com", Result: DKIMPass}}
	tests := []struct {
		name string
		r    Record
		want Class
	}{
		{"aligned DKIM and SPF is authorised", Record{DKIM: ResultPass, SPF: ResultPass, DKIMResults: pass}, ClassAuthorized},
		{"aligned DKIM with an ESP's own SPF is authorised", Record{DKIM: ResultPass, SPF: ResultFail, DKIMResults: pass,
			SPFResults: []SPFAuth{{Domain: "bounces.esp.example", Result: SPFPass}}}, ClassAuthorized},
		{"aligned DKIM with SPF failing is a forwarder", Record{DKIM: ResultPass, SPF: ResultFail, DKIMResults: pass,
			SPFResults: []SPFAuth{{Domain: "example.com", Result: SPFFail}}}, ClassForwarder},
		{"SPF alone is broken DKIM", Record{DKIM: ResultFail, SPF: ResultPass}, ClassBrokenDKIM},
		{"a mailing_list override is a list", Record{DKIM: ResultFail, SPF: ResultFail, Reasons: []Reason{{Type: OverrideMailingList}}}, ClassMailingList},
		{"a broken own signature with the list's SPF is a list", Record{DKIM: ResultFail, SPF: ResultFail,
			DKIMResults: []DKIMAuth{{Domain: "example.com", Result: DKIMFail}}, SPFResults: []SPFAuth{{Domain: "lists.example.org", Result: SPFPass}}}, ClassMailingList},
		{"a trusted_forwarder override is a forwarder", Record{DKIM: ResultFail, SPF: ResultFail, Reasons: []Reason{{Type: OverrideTrustedForwarder}}}, ClassForwarder},
		{"only another domain's DKIM is unknown", Record{DKIM: ResultFail, SPF: ResultFail,
			DKIMResults: []DKIMAuth{{Domain: "crm.example.net", Result: DKIMPass}}}, ClassUnknown},
		{"nothing passing is spoofing", Record{DKIM: ResultFail, SPF: ResultFail,
			SPFResults: []SPFAuth{{Domain: "example.com", Result: SPFSoftFail}}}, ClassSpoofing},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.r.HeaderFrom = "example.com"
			assert.Equal(t, tc.want, ClassifyRecord(&tc.r, AlignRelaxed))
		})
	}
}

func TestOrgOf(t *testing.T) {
	for name, want := range map[string]string{
		"mail-sor-f41.google.com":                          "Google",
		"mail-eopbgr80055.outbound.protection.outlook.com": "Microsoft 365",
		"a8-20.smtp-out.amazonses.com":                     "Amazon SES",
		"o1.ptr1234.sendgrid.net":                          "SendGrid",
		"mail123.atl11.rsgsv.net":                          "Mailchimp",
		"mta.example.co.uk":                                "example.co.uk",
	} {
		got, _ := OrgOf(name)
		assert.Equal(t, want, got, name)
	}
}

func TestSpreadDaysOfOddWindows(t *testing.T) {
	assert.Len(t, spreadDays(time.Time{}, time.Time{}), 0)
	assert.Len(t, spreadDays(time.Unix(day0, 0), time.Unix(day0, 0)), 1)
	assert.Len(t, spreadDays(time.Unix(day0, 0), time.Unix(day0+400*86400, 0)), 1, "a window over maxSpreadDays counts on its last day")
	assert.Len(t, spreadDays(time.Unix(day0, 0), time.Unix(day1, 0)), 1, "midnight to midnight is one day")
}
