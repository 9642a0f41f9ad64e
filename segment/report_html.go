package segment

// This file writes the report as one self-contained HTML page: inline CSS,
// inline SVG charts (report_svg.go), no script, no font or image to fetch,
// so it can be mailed, archived or opened offline and shows the same
// everywhere.

import (
	"fmt"
	"html"
	"io"
	"strings"

	"github.com/bouncekit/bouncekit/classify"
)

const htmlStyle = `body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:24px auto;max-width:980px;color:#212121;padding:0 16px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #e0e0e0;padding-bottom:4px}h3{font-size:15px;margin:18px 0 6px}
table{border-collapse:collapse;margin:6px 0 12px;font-variant-numeric:tabular-nums}th,td{padding:3px 10px;border-bottom:1px solid #eee;text-align:right}
th{background:#fafafa;font-weight:600}td:first-child,th:first-child,td.l,th.l{text-align:left}
.lv{display:inline-block;padding:0 8px;border-radius:9px;color:#fff;font-size:12px}
.watch{background:#2e7d32}.investigate{background:#e0a800;color:#212121}.pause{background:#c62828}.insufficient_data{background:#9e9e9e}
.chart{max-width:100%;height:auto;display:block;margin:8px 0}.ct{font-weight:600;font-size:14px}.ax{font-size:11px;fill:#616161}.lb{font-size:12px}.vl{font-size:11px}
.note{color:#616161}.keep{background:#fff8e1;padding:8px 12px;border-left:4px solid #e0a800}.diag{border-left:4px solid #c62828;padding:4px 14px;margin:10px 0;background:#fff5f5}
dt{font-weight:600}dd{margin:0 0 6px 16px}`

// WriteHTML writes the report as one self-contained HTML page: per-provider
// failure rates with their intervals and levels as a chart, the per-domain
// split within each provider that needs attention (and Apple's: icloud.com,
// me.com, mac.com, Private Relay), rates over time per provider, the tables,
// the comparison of failed and delivered rows, the diagnosis with next
// steps, the address lists' counts and what the terms mean.
func (r *Report) WriteHTML(w io.Writer) error {
	var b strings.Builder
	e := html.EscapeString
	t := r.Total
	th := r.Thresholds()
	b.WriteString("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
	b.WriteString(`<meta name="viewport" content="width=device-width, initial-scale=1">`)
	b.WriteString("<title>bouncekit triage</title><style>" + htmlStyle + "</style></head><body>\n")
	fmt.Fprintf(&b, "<h1>bouncekit triage: %s messages</h1>\n", num(t.Sent()))
	fmt.Fprintf(&b, "<p>%s delivered, %s bounced, %s deferred; %s complaints. Whole send: failure rate <b>%s</b> (95%% interval %s) %s</p>\n",
		num(t.Delivered), num(t.Bounced), num(t.Deferred), num(t.Complained), pct(r.TotalRate.Rate), interval(r.TotalRate), levelBadge(r.TotalLevel))
	if r.Skipped > 0 && len(r.Errors) > 0 {
		fmt.Fprintf(&b, "<p class=\"note\">Skipped %s unreadable rows (first: %s).</p>\n", num(r.Skipped), e(r.Errors[0].Error()))
	}

	b.WriteString("<h2>Per provider</h2>\n")
	var bars []barRow
	for _, p := range r.Providers {
		bars = append(bars, barRow{string(p.Provider), p.Rate, p.Level, num(p.Sent())})
	}
	b.WriteString(barChart("Failure rate per provider, with 95% intervals", bars, th))
	b.WriteString("\n")
	rows := [][]string{{"provider", "sent", "delivered", "bounced", "deferred", "complaints", "rate", "95% interval", "level"}}
	for _, p := range r.Providers {
		rows = append(rows, []string{string(p.Provider), num(p.Sent()), num(p.Delivered), num(p.Bounced), num(p.Deferred), num(p.Complained),
			pct(p.Rate.Rate), interval(p.Rate), "\x00" + string(p.Level)})
	}
	htmlTable(&b, "providers", rows)

	diagnosed := map[classify.Provider]bool{}
	for _, d := range r.Diagnoses {
		diagnosed[d.Provider] = true
	}
	for _, p := range r.Providers {
		if !diagnosed[p.Provider] && p.Provider != "apple" {
			continue
		}
		fmt.Fprintf(&b, "<h3>%s by domain</h3>\n", e(string(p.Provider)))
		var bars []barRow
		rows := [][]string{{"domain", "sent", "delivered", "bounced", "deferred", "rate", "95% interval", "level"}}
		for _, d := range p.Domains {
			bars = append(bars, barRow{d.Key, d.Rate, d.Level, num(d.Sent())})
			rows = append(rows, []string{d.Key, num(d.Sent()), num(d.Delivered), num(d.Bounced), num(d.Deferred), pct(d.Rate.Rate), interval(d.Rate), "\x00" + string(d.Level)})
		}
		b.WriteString(barChart(string(p.Provider)+": failure rate per domain", bars, th))
		htmlTable(&b, "domains", rows)
		if len(p.Tags) > 0 {
			fmt.Fprintf(&b, "<h3>%s by tag</h3>\n", e(string(p.Provider)))
			rows := [][]string{{"tag", "bounced", "deferred", "rate", "95% interval", "level"}}
			for _, tg := range p.Tags {
				rows = append(rows, []string{tg.Key, num(tg.Bounced), num(tg.Deferred), pct(tg.Rate.Rate), interval(tg.Rate), "\x00" + string(tg.Level)})
			}
			htmlTable(&b, "tags", rows)
			for _, tg := range p.Tags {
				if m, ok := r.tagMeaning(p.Provider, tg.Key); ok {
					fmt.Fprintf(&b, "<p><b>%s</b>: %s.", e(tg.Key), e(m.Meaning))
					if !m.Suppress {
						b.WriteString(" <b>Do not suppress these addresses: the message was refused, not the address.</b>")
					}
					b.WriteString("</p>\n")
				}
			}
		}
	}

	// Windows with fewer than minWindow messages are left out of the
	// chart: a rate of 1 in 3 says nothing and would dwarf the others.
	const minWindow = 50
	var series []lineSeries
	for _, tr := range r.Trends {
		var pts []TrendPoint
		for _, p := range tr.Points {
			if p.Rate.Sent >= minWindow {
				pts = append(pts, p)
			}
		}
		if len(pts) >= 2 {
			series = append(series, lineSeries{string(tr.Provider), pts})
		}
	}
	if len(series) > 0 {
		b.WriteString("<h2>Over time</h2>\n")
		b.WriteString(lineChart(fmt.Sprintf("Failure rate per provider per window (windows of %d messages or more)", minWindow), series, th))
		for _, tr := range r.Trends {
			if tr.Rising {
				fmt.Fprintf(&b, "<p><b>%s is rising</b>: %s</p>\n", e(string(tr.Provider)), e(tr.Reason))
			}
		}
	}

	b.WriteString("<h2>Differences between failed and delivered rows</h2>\n")
	if len(r.Findings) == 0 {
		b.WriteString("<p>None: no attribute value sets the failures apart.</p>\n")
	} else {
		rows := [][]string{{"provider", "failures", "attribute = value", "failed", "delivered", "rate with", "without", "p", "q"}}
		for _, f := range r.Findings {
			av := f.Attribute + " = " + f.Value
			if f.OnlyOnFailures {
				av += " (only on failures)"
			}
			rows = append(rows, []string{string(f.Provider), "\x01" + f.Focus, "\x01" + av, num(f.Failed), num(f.Delivered), pct(f.FailRate), pct(f.RestRate), sci(f.P), sci(f.Q)})
		}
		htmlTable(&b, "findings", rows)
	}

	b.WriteString("<h2>Diagnosis and next steps</h2>\n")
	if len(r.Diagnoses) == 0 {
		b.WriteString("<p>No provider with enough messages to judge is at the investigate level or above; keep watching.</p>\n")
	}
	for _, d := range r.Diagnoses {
		fmt.Fprintf(&b, "<div class=\"diag\"><h3>%s: %s %s</h3><p>%s, %s.", e(string(d.Provider)), e(string(d.Pattern)), levelBadge(d.Level), e(d.Focus), pct(d.Rate.Rate))
		if d.Cause != nil {
			fmt.Fprintf(&b, " Cause: <b>%s = %s</b>", e(d.Cause.Attribute), e(d.Cause.Value))
		}
		b.WriteString("</p><ul>")
		for _, ev := range d.Evidence {
			fmt.Fprintf(&b, "<li>%s</li>", e(ev))
		}
		fmt.Fprintf(&b, "</ul><p><b>Next step:</b> %s</p></div>\n", e(d.NextStep))
	}
	for _, br := range r.Brakes {
		if br.Hold {
			fmt.Fprintf(&b, "<p class=\"keep\"><b>Suppression brake:</b> %s.</p>\n", e(br.Reason))
		}
	}
	if s := r.AddressCounts; s.Suppress+s.Keep > 0 {
		b.WriteString("<h2>Addresses</h2>\n")
		fmt.Fprintf(&b, "<p><b>%s to suppress</b>: the address itself is bad (unknown user, disabled mailbox, domain without mail).</p>\n", num(s.Suppress))
		fmt.Fprintf(&b, "<p class=\"keep\"><b>%s to keep</b>: do not suppress these addresses, the message was refused, not the address (content or policy filters such as CS01, reputation, authentication, rate limits, or a provider held by the suppression brake).</p>\n", num(s.Keep))
	}
	b.WriteString("<h2>How to read the figures</h2>\n<dl>")
	for _, g := range glossary(th) {
		fmt.Fprintf(&b, "<dt>%s</dt><dd>%s</dd>", e(g[0]), e(g[1]))
	}
	b.WriteString("</dl>\n<p class=\"note\">Written by bouncekit; this page loads nothing from the network.</p>\n</body></html>\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func levelBadge(l Level) string {
	return fmt.Sprintf(`<span class="lv %s">%s</span>`, html.EscapeString(string(l)), html.EscapeString(LevelWords(l)))
}

// htmlTable writes rows, the first the header. A cell starting with "\x00"
// holds a level, shown as a badge; one with "\x01" is left-aligned text.
func htmlTable(b *strings.Builder, class string, rows [][]string) {
	fmt.Fprintf(b, "<table class=\"%s\"><thead><tr>", class)
	for i, h := range rows[0] {
		// A column of text or levels has its heading on the left too.
		if len(rows) > 1 && i < len(rows[1]) && (strings.HasPrefix(rows[1][i], "\x00") || strings.HasPrefix(rows[1][i], "\x01")) {
			fmt.Fprintf(b, "<th class=\"l\">%s</th>", html.EscapeString(h))
			continue
		}
		fmt.Fprintf(b, "<th>%s</th>", html.EscapeString(h))
	}
	b.WriteString("</tr></thead><tbody>")
	for _, r := range rows[1:] {
		b.WriteString("<tr>")
		for _, c := range r {
			switch {
			case strings.HasPrefix(c, "\x00"):
				fmt.Fprintf(b, "<td class=\"l\">%s</td>", levelBadge(Level(c[1:])))
			case strings.HasPrefix(c, "\x01"):
				fmt.Fprintf(b, "<td class=\"l\">%s</td>", html.EscapeString(c[1:]))
			default:
				fmt.Fprintf(b, "<td>%s</td>", html.EscapeString(c))
			}
		}
		b.WriteString("</tr>")
	}
	b.WriteString("</tbody></table>\n")
}
