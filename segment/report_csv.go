package segment

// This file writes the report's tables, and its address lists, as CSV
// (RFC 4180) for spreadsheets and jobs.

import (
	"encoding/csv"
	"io"
	"strconv"
	"strings"
	"time"
)

// CSVHeader is the header WriteCSV writes. Every table of the report is in
// one sheet, told apart by the "table" column: total, provider, domain,
// tag, category (figures of a segment), finding (an attribute value set
// against the rest), trend (a provider in one time window, key = window
// start). Columns a table has no figure for are empty.
var CSVHeader = []string{"table", "provider", "key", "sent", "delivered", "bounced", "deferred", "complained",
	"failure_rate", "interval_low", "interval_high", "level", "focus", "attribute", "value",
	"failed_rows", "delivered_rows", "fail_rate_with", "fail_rate_without", "p_value", "q_value"}

// WriteCSV writes the report's tables as CSV, with CSVHeader first.
func (r *Report) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	cw.Write(CSVHeader)
	f := func(v float64) string { return strconv.FormatFloat(v, 'g', 6, 64) }
	i := func(v int64) string { return strconv.FormatInt(v, 10) }
	seg := func(table, prov, key string, c Counts, rt Rate, l Level) {
		cw.Write([]string{table, prov, key, i(c.Sent()), i(c.Delivered), i(c.Bounced), i(c.Deferred), i(c.Complained),
			f(rt.Rate), f(rt.Low), f(rt.High), string(l), "", "", "", "", "", "", "", "", ""})
	}
	seg("total", "", "", r.Total, r.TotalRate, r.TotalLevel)
	for _, p := range r.Providers {
		seg("provider", string(p.Provider), "", p.Counts, p.Rate, p.Level)
	}
	for _, p := range r.Providers {
		for _, d := range p.Domains {
			seg("domain", string(p.Provider), cell(d.Key), d.Counts, d.Rate, d.Level)
		}
		for _, t := range p.Tags {
			seg("tag", string(p.Provider), t.Key, t.Counts, t.Rate, t.Level)
		}
		for _, c := range p.Categories {
			seg("category", string(p.Provider), c.Key, c.Counts, c.Rate, c.Level)
		}
	}
	for _, fd := range r.Findings {
		cw.Write([]string{"finding", string(fd.Provider), "", "", "", "", "", "", "", "", "", "", cell(fd.Focus), cell(fd.Attribute), cell(fd.Value),
			i(fd.Failed), i(fd.Delivered), f(fd.FailRate), f(fd.RestRate), f(fd.P), f(fd.Q)})
	}
	for _, t := range r.Trends {
		for _, p := range t.Points {
			seg("trend", string(t.Provider), p.Start.UTC().Format(time.RFC3339), p.Counts.Counts, p.Rate, "")
		}
	}
	cw.Flush()
	return cw.Error()
}

// SuppressionsHeader is the header WriteSuppressionsCSV writes.
var SuppressionsHeader = []string{"list", "address", "provider", "category", "tag", "rule", "bounces", "time", "reason", "reply"}

// WriteSuppressionsCSV writes the address lists (see Suppressions) as CSV,
// SuppressionsHeader first: every address to suppress (list "suppress"),
// then every address to keep (list "keep": do not suppress it, the message
// was refused, not the address). It writes only the header when the
// report was built without ReportOptions.Suppressions.
func (r *Report) WriteSuppressionsCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	cw.Write(SuppressionsHeader)
	if s := r.Suppress; s != nil {
		for _, l := range []struct {
			name string
			list []AddressVerdict
		}{{"suppress", s.Suppress}, {"keep", s.Keep}} {
			for _, a := range l.list {
				t := ""
				if !a.Time.IsZero() {
					t = a.Time.UTC().Format(time.RFC3339)
				}
				cw.Write([]string{l.name, cell(a.Address), string(a.Provider), string(a.Category), cell(a.Tag), a.Rule,
					strconv.FormatInt(a.Bounces, 10), t, cell(a.Reason), cell(a.Reply)})
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

// cell keeps a text taken from the input from being read as a formula by a
// spreadsheet (OWASP "CSV injection"): one starting with = + - @ or a tab
// gets a leading apostrophe.
func cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
