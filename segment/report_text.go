package segment

// This file is the report for a person: plain words first, every line
// within 100 columns, each statistics term explained once at the end.

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/bouncekit/bouncekit/classify"
)

// TextWidth is the widest line WriteText writes.
const TextWidth = 100

// TextOptions configure WriteTextOptions. The zero value is plain text.
type TextOptions struct {
	// Colour marks levels and headings with ANSI colours; set it only when
	// the output is a terminal (and NO_COLOR is not set).
	Colour bool
}

// LevelWords is a level in plain words: "healthy" for watch, "investigate",
// "pause", "too few" for insufficient data.
func LevelWords(l Level) string {
	switch l {
	case LevelWatch:
		return "healthy"
	case LevelInsufficient:
		return "too few"
	case "":
		return "-"
	}
	return string(l)
}

// glossary returns the terms the report uses with their meaning, in the
// order they first appear.
func glossary(t Thresholds) [][2]string {
	return [][2]string{
		{"sent", "delivered + bounced + deferred messages; complaints are about mail already delivered, so they are not counted again"},
		{"rate", "the failure rate, bounced / sent, per provider: each provider filters on its own, so each is judged on its own rate"},
		{"95% interval", "the Wilson score interval: with 95% confidence the true failure rate lies in this range; it is wide when few messages were sent"},
		{"levels", fmt.Sprintf("healthy (watch) under %s; investigate from %s to %s: check content, links and authentication before the next large send; pause over %s: hold volume to that provider until the cause is found; too few: under %d messages, no level is given",
			pct(t.Investigate), pct(t.Investigate), pct(t.Pause), pct(t.Pause), t.MinSample)},
		{"tag", "a code the provider puts in its reply (Apple's CS01, Yahoo's TSS04) naming which of its filters refused the message"},
		{"with / without", "the failure rate of rows that have the attribute value, and of the rows that do not"},
		{"p", "Fisher's exact test: the chance of a split this uneven between failed and delivered rows if the value made no difference"},
		{"q", "p adjusted for testing many values at once (Benjamini-Hochberg false discovery rate); only values with a small q are listed"},
	}
}

// WriteText writes the report for a person (WriteTextOptions with no
// colour).
func (r *Report) WriteText(w io.Writer) error { return r.WriteTextOptions(w, TextOptions{}) }

// WriteTextOptions writes the report for a person: the whole send, the
// per-provider table, the detail of each provider that needs attention
// (and Apple's, always) by domain and tag with what each tag means, the top
// differences between failed and delivered rows, the diagnosis with next
// steps, the address lists when collected, and what the terms mean. No
// line is wider than TextWidth columns.
func (r *Report) WriteTextOptions(w io.Writer, opt TextOptions) error {
	st := styler(opt.Colour)
	ew := &errWriter{w: w}
	para := func(s, first, rest string) { ew.printf("%s", wrapText(s, TextWidth, first, rest)) }
	t := r.Total
	ew.printf("%s\n", st.bold(fmt.Sprintf("bouncekit triage: %s messages", num(t.Sent()))))
	para(fmt.Sprintf("%s delivered, %s bounced, %s deferred; %s complaints.", num(t.Delivered), num(t.Bounced), num(t.Deferred), num(t.Complained)), "", "")
	para(fmt.Sprintf("Whole send: failure rate %s (95%% interval %s): %s.", pct(r.TotalRate.Rate), interval(r.TotalRate), LevelWords(r.TotalLevel)), "", "")
	if t.Delivered > 0 {
		para(fmt.Sprintf("Complaints: %s of delivered (%s; providers ask for under 0.10%%, never 0.30%%); deferred at the end: %s of sent.",
			pct(t.ComplaintRate()), LevelWords(r.TotalComplaintLevel), pct(t.DeferralRate())), "", "  ")
	}
	if o := r.Outcomes; o.Folded > 0 || o.Late > 0 {
		para(fmt.Sprintf("Outcomes: %s events folded into %s outcomes, one per message and recipient (%s retries folded, %s late events dropped); attempts per delivered %.2f, per bounced %.2f.",
			num(o.Events), num(o.Outcomes), num(o.Folded), num(o.Late), r.Attempts.Delivered, r.Attempts.Bounced), "", "  ")
	}
	if r.Filtered > 0 {
		para(fmt.Sprintf("Filters left out %s outcomes.", num(r.Filtered)), "", "  ")
	}
	if len(r.NotSends) > 0 {
		var parts []string
		for _, n := range r.NotSends {
			parts = append(parts, num(n.Lines)+" "+string(n.Reason))
		}
		para("Not sends, left out: "+strings.Join(parts, ", ")+".", "", "  ")
	}
	if r.Skipped > 0 && len(r.Errors) > 0 {
		para(fmt.Sprintf("Skipped %s unreadable rows (first: %v)", num(r.Skipped), r.Errors[0]), "", "  ")
	}
	for _, f := range r.Stats.Folded {
		para(fmt.Sprintf("Note: %s rows had more distinct %s values than the limit and are counted under %q.", num(f.Rows), f.Attr, OtherValue), "", "  ")
	}

	complaints := t.Complained > 0
	ew.printf("\n%s\n", st.bold("Per provider, each on its own denominator:"))
	head := []string{"provider", "sent", "delivered", "bounced", "deferred", "rate", "95% interval", "level"}
	if complaints {
		head = append(head, "complaints")
	}
	rows := [][]string{head}
	for _, p := range r.Providers {
		row := []string{string(p.Provider), num(p.Sent()), num(p.Delivered), num(p.Bounced), num(p.Deferred),
			pct(p.Rate.Rate), interval(p.Rate), LevelWords(p.Level)}
		if complaints {
			row = append(row, complaintRate(p.Counts))
		}
		rows = append(rows, row)
	}
	writeTable(ew, "  ", rows, st)
	if t.Complained > 0 || t.Deferred > 0 || r.Outcomes.Folded > 0 {
		ew.printf("\n%s\n", st.bold("Complaints over delivered, deferrals over sent, attempts per outcome:"))
		rows = [][]string{{"provider", "complaints", "rate", "level", "deferral rate", "attempts d / b", "median delay"}}
		for _, p := range r.Providers {
			rows = append(rows, []string{string(p.Provider), num(p.Complained), pct(p.ComplaintRate()), LevelWords(p.ComplaintLevel), pct(p.DeferralRate()),
				fmt.Sprintf("%.2f / %.2f", p.Attempts.Delivered, p.Attempts.Bounced), delayText(p.TimeToDelivery.P50)})
		}
		writeTable(ew, "  ", rows, st)
	}

	// Why the whole-send rate misleads.
	var misled []string
	for _, p := range r.Providers {
		lv, rate := p.Level, p.Rate
		for _, tg := range p.Tags {
			if tg.Level.rank() > lv.rank() {
				lv, rate = tg.Level, tg.Rate
			}
		}
		if lv.rank() > r.TotalLevel.rank() {
			misled = append(misled, fmt.Sprintf("%s at %s (%s)", p.Provider, pct(rate.Rate), LevelWords(lv)))
		}
	}
	if len(misled) > 0 {
		ew.printf("\n")
		para(fmt.Sprintf("The whole-send rate (%s, %s) understates: %s. Each provider filters on its own, so judge each on its own rate.",
			pct(r.TotalRate.Rate), LevelWords(r.TotalLevel), strings.Join(misled, ", ")), "", "")
	}

	diagnosed := map[classify.Provider]bool{}
	for _, d := range r.Diagnoses {
		diagnosed[d.Provider] = true
	}
	for _, p := range r.Providers {
		if !diagnosed[p.Provider] && p.Provider != "apple" {
			continue
		}
		ew.printf("\n%s\n", st.bold(fmt.Sprintf("%s by domain:", p.Provider)))
		rows := [][]string{{"domain", "sent", "delivered", "bounced", "deferred", "rate", "95% interval", "level"}}
		for _, d := range p.Domains {
			rows = append(rows, []string{d.Key, num(d.Sent()), num(d.Delivered), num(d.Bounced), num(d.Deferred), pct(d.Rate.Rate), interval(d.Rate), LevelWords(d.Level)})
		}
		writeTable(ew, "  ", rows, st)
		if len(p.Tags) > 0 {
			ew.printf("\n%s\n", st.bold(fmt.Sprintf("%s by tag (bounces with the tag over all %s messages):", p.Provider, p.Provider)))
			rows := [][]string{{"tag", "bounced", "deferred", "rate", "95% interval", "level"}}
			for _, tg := range p.Tags {
				rows = append(rows, []string{tg.Key, num(tg.Bounced), num(tg.Deferred), pct(tg.Rate.Rate), interval(tg.Rate), LevelWords(tg.Level)})
			}
			writeTable(ew, "  ", rows, st)
			for _, tg := range p.Tags {
				if m, ok := r.tagMeaning(p.Provider, tg.Key); ok {
					s := tg.Key + ": " + m.Meaning + "."
					if !m.Suppress {
						s += " Do not suppress these addresses: the message was refused, not the address."
					}
					para(s, "  ", "    ")
				}
			}
		}
	}

	ew.printf("\n%s\n", st.bold("Top differences between failed and delivered rows:"))
	if len(r.Findings) == 0 {
		ew.printf("  none: no attribute value sets the failures apart.\n")
	}
	for i := 0; i < len(r.Findings); {
		f0 := r.Findings[i]
		ew.printf("  %s, failures with %s:\n", f0.Provider, f0.Focus)
		rows := [][]string{{"attribute = value", "failed", "delivered", "with", "without", "p", "q"}}
		for ; i < len(r.Findings) && r.Findings[i].Provider == f0.Provider && r.Findings[i].Focus == f0.Focus; i++ {
			f := r.Findings[i]
			av := f.Attribute + " = " + f.Value
			if f.OnlyOnFailures {
				av += " (only on failures)"
			}
			rows = append(rows, []string{av, num(f.Failed), num(f.Delivered), pct(f.FailRate), pct(f.RestRate), sci(f.P), sci(f.Q)})
		}
		writeTable(ew, "    ", rows, st)
	}

	ew.printf("\n%s\n", st.bold("Diagnosis:"))
	if len(r.Diagnoses) == 0 {
		para("No provider with enough messages to judge is at the investigate level or above; keep watching.", "  ", "  ")
	}
	for _, d := range r.Diagnoses {
		ew.printf("\n%s\n", st.level(d.Level, fmt.Sprintf("%s: %s (%s, %s, %s)", d.Provider, d.Pattern, d.Focus, pct(d.Rate.Rate), LevelWords(d.Level))))
		if d.Cause != nil {
			para(fmt.Sprintf("Cause: %s = %s", d.Cause.Attribute, d.Cause.Value), "  ", "    ")
		}
		for _, e := range d.Evidence {
			para(e, "  - ", "    ")
		}
		para("Next step: "+d.NextStep, "  ", "    ")
	}
	for _, b := range r.Brakes {
		if !diagnosed[b.Provider] {
			ew.printf("\n")
			para("Suppression brake: "+b.Reason+".", "", "  ")
		}
	}
	if s := r.AddressCounts; s.Suppress+s.Keep > 0 {
		ew.printf("\n%s\n", st.bold("Addresses:"))
		para(fmt.Sprintf("%s to suppress: the address itself is bad (unknown user, disabled mailbox, domain without mail).", num(s.Suppress)), "  ", "    ")
		para(fmt.Sprintf("%s to keep: do not suppress these addresses, the message was refused, not the address (content or policy filters such as CS01, reputation, authentication, rate limits, or a provider held by the suppression brake).", num(s.Keep)), "  ", "    ")
		if s.Dropped > 0 {
			para(fmt.Sprintf("%s more addresses were left out past the list limit.", num(s.Dropped)), "  ", "    ")
		}
	}

	ew.printf("\n%s\n", st.bold("How to read the figures:"))
	for _, g := range glossary(r.Thresholds()) {
		para(g[0]+": "+g[1]+".", "  ", "    ")
	}
	return ew.err
}

func (r *Report) tagMeaning(p classify.Provider, tag string) (TagMeaning, bool) {
	for _, m := range r.TagMeanings {
		if m.Provider == p && m.Tag == tag && m.Meaning != "" {
			return m, true
		}
	}
	return TagMeaning{}, false
}

func complaintRate(c Counts) string {
	if c.Delivered == 0 {
		return "-"
	}
	return strconv.FormatFloat(100*float64(c.Complained)/float64(c.Delivered), 'f', 3, 64) + "%"
}

// style adds ANSI colour when on.
type style struct{ on bool }

func styler(on bool) style { return style{on} }

func (s style) wrap(code, text string) string {
	if !s.on {
		return text
	}
	return "\x1b[" + code + "m" + text + "\x1b[0m"
}

func (s style) bold(text string) string { return s.wrap("1", text) }

// level colours text by level: green healthy, yellow investigate, red pause.
func (s style) level(l Level, text string) string {
	switch l {
	case LevelWatch:
		return s.wrap("32", text)
	case LevelInvestigate:
		return s.wrap("33", text)
	case LevelPause:
		return s.wrap("1;31", text)
	}
	return text
}

// levelWord colours a cell holding a level in plain words.
func (s style) levelWord(text string) string {
	for _, l := range []Level{LevelWatch, LevelInvestigate, LevelPause} {
		if strings.TrimSpace(text) == LevelWords(l) {
			return s.level(l, text)
		}
	}
	return text
}

type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	e.err = err
	return n, err
}

func (e *errWriter) printf(format string, args ...any) { fmt.Fprintf(e, format, args...) }

func pct(r float64) string { return strconv.FormatFloat(100*r, 'f', 2, 64) + "%" }

// sci formats a p or q value in two significant digits.
func sci(v float64) string { return strconv.FormatFloat(v, 'g', 2, 64) }

func interval(r Rate) string {
	if r.Sent == 0 {
		return "-"
	}
	return fmt.Sprintf("%.2f-%.2f%%", 100*r.Low, 100*r.High)
}

// num formats n with thousands separators.
func num(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// wrapText breaks s into lines of at most width columns, the first line
// starting with first and the others with rest. A word longer than a line
// (a URL) is cut into pieces that fit.
func wrapText(s string, width int, first, rest string) string {
	var b strings.Builder
	line, n := first, utf8.RuneCountInString(first)
	empty := true
	for _, word := range strings.Fields(s) {
		wl := utf8.RuneCountInString(word)
		if !empty && n+1+wl > width {
			b.WriteString(line + "\n")
			line, n, empty = rest, utf8.RuneCountInString(rest), true
		}
		for empty && n+wl > width && width-n > 0 {
			rs := []rune(word)
			cut := width - n
			b.WriteString(line + string(rs[:cut]) + "\n")
			word = string(rs[cut:])
			wl -= cut
			line, n = rest, utf8.RuneCountInString(rest)
		}
		if !empty {
			line += " "
			n++
		}
		line += word
		n += wl
		empty = false
	}
	b.WriteString(line + "\n")
	return b.String()
}

// writeTable writes rows as columns two spaces apart: the first column,
// "attribute = value" and "level" left-aligned, the rest (numbers)
// right-aligned. When the table would be wider than TextWidth, the widest
// left-aligned column is cut to fit, its long cells ending in "…".
func writeTable(w io.Writer, indent string, rows [][]string, st style) {
	if len(rows) == 0 {
		return
	}
	left := func(i int) bool { h := rows[0][i]; return i == 0 || h == "attribute = value" || h == "level" }
	width := make([]int, len(rows[0]))
	for _, r := range rows {
		for i, c := range r {
			width[i] = max(width[i], utf8.RuneCountInString(c))
		}
	}
	total := utf8.RuneCountInString(indent) + 2*(len(width)-1)
	widest := 0
	for i, wd := range width {
		total += wd
		if left(i) && wd > width[widest] {
			widest = i
		}
	}
	if over := total - TextWidth; over > 0 {
		width[widest] = max(8, width[widest]-over)
	}
	var b strings.Builder
	for _, r := range rows {
		b.WriteString(indent)
		for i, c := range r {
			if n := utf8.RuneCountInString(c); n > width[i] {
				c = string([]rune(c)[:width[i]-1]) + "…"
			}
			pad := strings.Repeat(" ", width[i]-utf8.RuneCountInString(c))
			if i > 0 {
				b.WriteString("  ")
			}
			if rows[0][i] == "level" {
				c = st.levelWord(c)
			}
			if left(i) {
				b.WriteString(c)
				if i < len(r)-1 {
					b.WriteString(pad)
				}
			} else {
				b.WriteString(pad + c)
			}
		}
		b.WriteString("\n")
	}
	io.WriteString(w, b.String())
}

// delayText is a median time to delivery as the delay buckets give it.
func delayText(d time.Duration) string {
	switch {
	case d < 0:
		return "over 5d"
	case d == 0:
		return "-"
	case d >= 24*time.Hour:
		return fmt.Sprintf("under %dd", d/(24*time.Hour))
	}
	return "under " + d.String()
}
