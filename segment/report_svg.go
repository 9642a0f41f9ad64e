package segment

// This file is the small SVG renderer of the HTML report: a horizontal
// bar chart of rates with their 95% intervals and the level thresholds, and
// a line chart of rates over time. It is our own (some 150 lines) rather
// than a charting library so that the page stays one self-contained file
// with no script, the output is deterministic for tests, and the module
// keeps its short dependency list.

import (
	"fmt"
	"html"
	"strings"
	"time"
)

// levelColour is the fill of a level, the same in charts and tables.
func levelColour(l Level) string {
	switch l {
	case LevelWatch:
		return "#2e7d32"
	case LevelInvestigate:
		return "#e0a800"
	case LevelPause:
		return "#c62828"
	}
	return "#9e9e9e"
}

// barRow is one bar: a label, a rate with its interval, a level.
type barRow struct {
	Label string
	Rate  Rate
	Level Level
	Note  string // after the label, e.g. "5,000 sent"
}

// barChart draws rows as horizontal bars with interval whiskers, and the
// investigate and pause thresholds as dashed lines.
func barChart(title string, rows []barRow, t Thresholds) string {
	const (
		width  = 760
		left   = 210
		right  = 70
		rowH   = 26
		top    = 46 // below the title and the threshold labels
		bottom = 34
	)
	hi := t.Pause * 1.5
	for _, r := range rows {
		hi = max(hi, r.Rate.High, r.Rate.Rate)
	}
	hi = niceCeil(hi)
	plotW := float64(width - left - right)
	x := func(v float64) float64 { return float64(left) + plotW*v/hi }
	height := top + rowH*len(rows) + bottom
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" role="img" xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d">`, width, height, width, height)
	fmt.Fprintf(&b, `<title>%s</title>`, html.EscapeString(title))
	fmt.Fprintf(&b, `<text x="0" y="16" class="ct">%s</text>`, html.EscapeString(title))
	// Axis ticks.
	for i := 0; i <= 4; i++ {
		v := hi * float64(i) / 4
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#e0e0e0"/>`, x(v), top-4, x(v), top+rowH*len(rows))
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="middle" class="ax">%s</text>`, x(v), height-16, axisPct(v))
	}
	for i, r := range rows {
		y := top + rowH*i
		fmt.Fprintf(&b, `<g class="bar" data-level="%s"><title>%s: %s, %s</title>`, r.Level, html.EscapeString(r.Label), r.Rate, LevelWords(r.Level))
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end" class="lb">%s</text>`, left-8, y+17, html.EscapeString(r.Label+" "+r.Note))
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%.1f" height="%d" fill="%s" opacity="0.85"/>`, left, y+5, x(r.Rate.Rate)-float64(left), rowH-10, levelColour(r.Level))
		if r.Rate.Sent > 0 {
			fmt.Fprintf(&b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#212121" stroke-width="1.5"/>`, x(r.Rate.Low), y+13, x(r.Rate.High), y+13)
			for _, v := range []float64{r.Rate.Low, r.Rate.High} {
				fmt.Fprintf(&b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#212121" stroke-width="1.5"/>`, x(v), y+8, x(v), y+18)
			}
		}
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" class="vl">%s</text></g>`, x(max(r.Rate.High, r.Rate.Rate))+6, y+17, pct(r.Rate.Rate))
	}
	// The investigate label stands left of its line, the pause label
	// right of its own, so close thresholds do not overlap.
	for _, th := range []struct {
		v      float64
		name   string
		l      Level
		anchor string
		dx     float64
	}{{t.Investigate, "investigate", LevelInvestigate, "end", -4}, {t.Pause, "pause", LevelPause, "start", 4}} {
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="%s" stroke-dasharray="5,4" stroke-width="1.5"/>`, x(th.v), top-4, x(th.v), top+rowH*len(rows), levelColour(th.l))
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="%s" class="ax" fill="%s">%s %s</text>`, x(th.v)+th.dx, top-8, th.anchor, levelColour(th.l), th.name, pct(th.v))
	}
	b.WriteString(`</svg>`)
	return b.String()
}

// lineSeries is one provider's rate per window.
type lineSeries struct {
	Name   string
	Points []TrendPoint
}

// seriesColours tell the lines apart; the legend names them.
var seriesColours = []string{"#1565c0", "#c62828", "#2e7d32", "#6a1b9a", "#ef6c00", "#00838f", "#5d4037", "#ad1457"}

// lineChart draws each series' failure rate over time, the pause threshold
// dashed.
func lineChart(title string, series []lineSeries, t Thresholds) string {
	const (
		width  = 760
		height = 300
		left   = 56
		right  = 150
		top    = 30
		bottom = 40
	)
	var t0, t1 time.Time
	hi := t.Pause * 1.5
	for _, s := range series {
		for _, p := range s.Points {
			if t0.IsZero() || p.Start.Before(t0) {
				t0 = p.Start
			}
			if p.Start.After(t1) {
				t1 = p.Start
			}
			hi = max(hi, p.Rate.Rate)
		}
	}
	hi = niceCeil(hi)
	span := t1.Sub(t0).Seconds()
	if span <= 0 {
		span = 1
	}
	plotW, plotH := float64(width-left-right), float64(height-top-bottom)
	x := func(tm time.Time) float64 { return float64(left) + plotW*tm.Sub(t0).Seconds()/span }
	y := func(v float64) float64 { return float64(top) + plotH*(1-v/hi) }
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" role="img" xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d">`, width, height, width, height)
	fmt.Fprintf(&b, `<title>%s</title><text x="0" y="16" class="ct">%s</text>`, html.EscapeString(title), html.EscapeString(title))
	for i := 0; i <= 4; i++ {
		v := hi * float64(i) / 4
		fmt.Fprintf(&b, `<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#e0e0e0"/><text x="%d" y="%.1f" text-anchor="end" class="ax">%s</text>`,
			left, y(v), width-right, y(v), left-6, y(v)+4, axisPct(v))
	}
	fmt.Fprintf(&b, `<text x="%d" y="%d" class="ax">%s</text><text x="%d" y="%d" text-anchor="end" class="ax">%s</text>`,
		left, height-14, t0.UTC().Format("2006-01-02 15:04"), width-right, height-14, t1.UTC().Format("2006-01-02 15:04"))
	fmt.Fprintf(&b, `<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="%s" stroke-dasharray="5,4"/>`, left, y(t.Pause), width-right, y(t.Pause), levelColour(LevelPause))
	for i, s := range series {
		c := seriesColours[i%len(seriesColours)]
		var pts []string
		for _, p := range s.Points {
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", x(p.Start), y(p.Rate.Rate)))
		}
		fmt.Fprintf(&b, `<g class="series"><title>%s</title><polyline fill="none" stroke="%s" stroke-width="2" points="%s"/>`, html.EscapeString(s.Name), c, strings.Join(pts, " "))
		for _, p := range s.Points {
			fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="2.5" fill="%s"><title>%s %s: %s of %s</title></circle>`,
				x(p.Start), y(p.Rate.Rate), c, html.EscapeString(s.Name), p.Start.UTC().Format(time.RFC3339), pct(p.Rate.Rate), num(p.Rate.Sent))
		}
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="12" height="12" fill="%s"/><text x="%d" y="%d" class="lb">%s</text></g>`,
			width-right+12, top+18*i, c, width-right+30, top+18*i+11, html.EscapeString(s.Name))
	}
	b.WriteString(`</svg>`)
	return b.String()
}

// niceCeil rounds a rate up to 1, 2 or 5 times a power of ten.
func niceCeil(v float64) float64 {
	if v <= 0 {
		return 0.01
	}
	p := 1e-6
	for p*10 <= v {
		p *= 10
	}
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= v {
			return m * p
		}
	}
	return 10 * p
}

func axisPct(v float64) string {
	s := fmt.Sprintf("%.2f", 100*v)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	return s + "%"
}
