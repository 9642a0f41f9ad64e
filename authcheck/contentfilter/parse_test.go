package contentfilter_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/bouncekit/bouncekit/authcheck/contentfilter"
)

// The replies below are the shapes spamd writes (Mail::SpamAssassin's spamd
// 4.0), cut to what the parser reads.
func TestParseSpamdReply(t *testing.T) {
	tests := []struct {
		name      string
		raw       string
		wantErr   bool
		spam      bool
		score     float64
		threshold float64
		symbols   []string
	}{
		{name: "a SYMBOLS reply gives score, threshold and rule names",
			raw:  "SPAMD/1.1 0 EX_OK\r\nContent-length: 24\r\nSpam: True ; 1000.0 / 5.0\r\n\r\nGTUBE,MSGID_SHORT,NO_RELAYS",
			spam: true, score: 1000, threshold: 5, symbols: []string{"GTUBE", "MSGID_SHORT", "NO_RELAYS"}},
		{name: "a CHECK reply of a ham message has no body",
			raw:  "SPAMD/1.1 0 EX_OK\r\nSpam: False ; -0.1 / 5.0\r\n\r\n",
			spam: false, score: -0.1, threshold: 5},
		{name: "the old Yes/No spelling is read", raw: "SPAMD/1.0 0 EX_OK\nSpam: Yes ; 7.2 / 5.0\n\n", spam: true, score: 7.2, threshold: 5},
		{name: "a status line that is not SPAMD is a protocol error", raw: "HTTP/1.1 200 OK\r\n\r\n", wantErr: true},
		{name: "a non-numeric code is a protocol error", raw: "SPAMD/1.5 x EX_OK\r\n\r\n", wantErr: true},
		{name: "a Spam header without scores is a protocol error", raw: "SPAMD/1.5 0 EX_OK\r\nSpam: True\r\n\r\n", wantErr: true},
		{name: "an infinite score is a protocol error", raw: "SPAMD/1.5 0 EX_OK\r\nSpam: True ; Inf / 5\r\n\r\n", wantErr: true},
		{name: "empty input is a protocol error", raw: "", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep, err := contentfilter.ParseSpamdReply([]byte(tt.raw))
			if tt.wantErr {
				if !errors.Is(err, contentfilter.ErrProtocol) {
					t.Fatalf("want ErrProtocol, got %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if rep.Spam != tt.spam || rep.Score != tt.score || rep.Threshold != tt.threshold || !rep.HasScore {
				t.Errorf("got spam=%v %v/%v", rep.Spam, rep.Score, rep.Threshold)
			}
			if got := rep.Symbols(); !slices.Equal(got, tt.symbols) {
				t.Errorf("symbols %q, want %q", got, tt.symbols)
			}
		})
	}
}

func TestSpamdReportTable(t *testing.T) {
	raw := "SPAMD/1.1 0 EX_OK\r\nSpam: True ; 1000.0 / 5.0\r\n\r\n" +
		"Spam detection software, running on the system \"x\",\n\n" +
		"Content analysis details:   (1000.0 points, 5.0 required)\n\n" +
		" pts rule name              description\n" +
		"---- ---------------------- --------------------------------------------------\n" +
		"1000 GTUBE                  BODY: Generic Test for Unsolicited Bulk Email\n" +
		"-0.0 NO_RELAYS              Informational: message was not relayed via SMTP\n" +
		" 0.0 TVD_SPACE_RATIO        No description available.\n" +
		" 1.2 LONG_RULE              A description that goes on\n" +
		"                            over a second line\n"
	rep, err := contentfilter.ParseSpamdReply([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	got := rep.ReportRules()
	want := []contentfilter.Symbol{
		{Name: "GTUBE", Score: 1000, Description: "BODY: Generic Test for Unsolicited Bulk Email"},
		{Name: "NO_RELAYS", Score: 0, Description: "Informational: message was not relayed via SMTP"},
		{Name: "TVD_SPACE_RATIO", Score: 0, Description: "No description available."},
		{Name: "LONG_RULE", Score: 1.2, Description: "A description that goes on over a second line"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d rules %+v", len(got), got)
	}
	for i := range want {
		if got[i].Name != want[i].Name || got[i].Score != want[i].Score || got[i].Description != want[i].Description {
			t.Errorf("rule %d: got %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestParseRspamdReply(t *testing.T) {
	res, err := contentfilter.ParseRspamdReply([]byte(`{"is_skipped":false,"score":6.5,"required_score":15.0,"action":"add header",
	"symbols":{"R_SPF_NA":{"name":"R_SPF_NA","score":0.0},"MISSING_DATE":{"name":"MISSING_DATE","score":1.0,"description":"Date header is missing"},
	"HFILTER_HOSTNAME_UNKNOWN":{"name":"HFILTER_HOSTNAME_UNKNOWN","score":2.5,"options":["x"]}},"messages":{}}`))
	if err != nil {
		t.Fatal(err)
	}
	if !res.Spam || res.Score != 6.5 || res.Required != 15 || res.Action != "add header" {
		t.Fatalf("got %+v", res)
	}
	var names []string
	for _, s := range res.Symbols {
		names = append(names, s.Name)
	}
	if want := []string{"HFILTER_HOSTNAME_UNKNOWN", "MISSING_DATE", "R_SPF_NA"}; !slices.Equal(names, want) {
		t.Errorf("symbols %v, want %v", names, want)
	}
	for _, bad := range []string{``, `{}`, `{"error":"bad request"}`, `[1]`, `{"score":1}`} {
		if _, err := contentfilter.ParseRspamdReply([]byte(bad)); !errors.Is(err, contentfilter.ErrProtocol) {
			t.Errorf("%q: want ErrProtocol, got %v", bad, err)
		}
	}
}

func FuzzParseSpamdReply(f *testing.F) {
	f.Add([]byte("SPAMD/1.1 0 EX_OK\r\nSpam: True ; 1000.0 / 5.0\r\n\r\nGTUBE,NO_RELAYS"))
	f.Add([]byte("SPAMD/1.1 0 EX_OK\r\nSpam: False ; 0 / 5\r\n\r\n pts rule\n---- ----\n 1.0 A_B desc\n   more\n"))
	f.Add([]byte("SPAMD/1.0 76 Bad header line: x\r\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		rep, err := contentfilter.ParseSpamdReply(b)
		if err != nil && !errors.Is(err, contentfilter.ErrProtocol) {
			t.Fatalf("untyped error %v", err)
		}
		for _, s := range rep.Symbols() {
			if s == "" {
				t.Fatal("empty symbol")
			}
		}
		for _, s := range rep.ReportRules() {
			if s.Name == "" || s.Score-s.Score != 0 {
				t.Fatalf("bad rule %+v", s)
			}
		}
	})
}

func FuzzParseRspamdReply(f *testing.F) {
	f.Add([]byte(`{"score":1.5,"required_score":15,"action":"no action","symbols":{"A":{"name":"A","score":1.5}}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		res, err := contentfilter.ParseRspamdReply(b)
		if err != nil {
			if !errors.Is(err, contentfilter.ErrProtocol) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		if res.Action == "" {
			t.Fatal("accepted a reply without an action")
		}
	})
}
