package segment

// This file reads the time stamps and small values event sources write.

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// parseTime reads the timestamps event sources use: RFC 3339 (with or
// without fraction), "2006-01-02 15:04:05" with an optional numeric zone,
// PowerMTA's "2006-01-02 15:04:05-0700", and Unix seconds (with an optional
// fraction). "" gives the zero time.
func parseTime(s string, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	if s[0] >= '0' && s[0] <= '9' && len(s) >= 10 && s[4] == '-' {
		if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
			return t, nil
		}
		for _, layout := range []string{"2006-01-02 15:04:05Z07:00", "2006-01-02 15:04:05-0700", "2006-01-02 15:04:05 -0700", "2006-01-02T15:04:05-0700"} {
			if t, err := time.Parse(layout, s); err == nil {
				return t, nil
			}
		}
		for _, layout := range []string{"2006-01-02 15:04:05", "2006-01-02T15:04:05", "2006-01-02"} {
			if t, err := time.ParseInLocation(layout, s, loc); err == nil {
				return t, nil
			}
		}
		return time.Time{}, fmt.Errorf("%w: %q", ErrBadTime, shorten(s, 40))
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && f >= 0 && f < 1e11 {
		sec := int64(f)
		return time.Unix(sec, int64((f-float64(sec))*1e9)).UTC(), nil
	}
	return time.Time{}, fmt.Errorf("%w: %q", ErrBadTime, shorten(s, 40))
}

func parseBool(s string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "0", "false", "f", "no", "n":
		return false, nil
	case "1", "true", "t", "yes", "y":
		return true, nil
	}
	return false, fmt.Errorf("%w: transactional %q", ErrBadValue, shorten(s, 40))
}

func parseAgeDays(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < 0 || f > 100*365 {
		return 0, fmt.Errorf("%w: subscriber_age_days %q", ErrBadValue, shorten(s, 40))
	}
	return time.Duration(f * float64(24*time.Hour)), nil
}

// yearGuess places syslog time stamps that have no year ("Jan  2
// 15:04:05", RFC 3164 section 4.1.2). The first is put in Reader.Year, or
// else in the latest year that does not put it after the clock (a log read
// in January that starts in December is last year's); each later one rolls
// over to the next year when the date steps back by more than 30 days (Dec
// 31 to Jan 1), since a log runs forward.
type yearGuess struct {
	year  int
	now   time.Time
	last  time.Time
	start bool
}

func newYearGuess(rd *Reader) *yearGuess {
	g := &yearGuess{year: rd.Year, now: rd.Now}
	if g.now.IsZero() {
		g.now = time.Now()
	}
	return g
}

// place returns t (read with year 0) in its year.
func (g *yearGuess) place(t time.Time) time.Time {
	if !g.start {
		g.start = true
		if g.year == 0 {
			g.year = g.now.In(t.Location()).Year()
			// A day of slack for clocks and zones a little apart.
			if t.AddDate(g.year, 0, 0).After(g.now.Add(24 * time.Hour)) {
				g.year--
			}
		}
	}
	p := t.AddDate(g.year, 0, 0)
	if !g.last.IsZero() && p.Before(g.last.Add(-30*24*time.Hour)) {
		g.year++
		p = t.AddDate(g.year, 0, 0)
	}
	g.last = p
	return p
}

// parseSyslogTime reads a log line's time stamp as bouncekit.ParseLogLine
// returns it: RFC 3164 "Jan  2 15:04:05" (one- or two-digit day, one or two
// spaces; placed in its year by g), RFC 3339 / RFC 5424
// "2026-01-02T15:04:05.000000+01:00", and "2026-01-02 15:04:05" with an
// optional fraction and numeric zone (Exim, and syslog daemons so
// configured). Times without a zone are in loc.
func parseSyslogTime(ts string, g *yearGuess, loc *time.Location) (time.Time, error) {
	ts = strings.TrimSpace(ts)
	if ts == "" {
		return time.Time{}, fmt.Errorf("%w: no time stamp", ErrBadTime)
	}
	if ts[0] >= '0' && ts[0] <= '9' {
		if len(ts) > 10 && ts[10] == ' ' {
			// "2026-01-02 15:04:05[.fff][ +zzzz]"
			for _, layout := range []string{"2006-01-02 15:04:05.999999999 -0700", "2006-01-02 15:04:05.999999999 -07:00"} {
				if t, err := time.Parse(layout, ts); err == nil {
					return t, nil
				}
			}
			if t, err := time.ParseInLocation("2006-01-02 15:04:05.999999999", ts, loc); err == nil {
				return t, nil
			}
			return time.Time{}, fmt.Errorf("%w: %q", ErrBadTime, shorten(ts, 40))
		}
		return parseTime(ts, loc)
	}
	if t, ok := fastStamp(ts, loc); ok {
		return g.place(t), nil
	}
	// "Jan  2 15:04:05", "Jan 2 15:04:05", with an optional fraction.
	f := strings.Fields(ts)
	if len(f) != 3 || len(f[0]) != 3 || len(f[1]) > 2 {
		return time.Time{}, fmt.Errorf("%w: %q", ErrBadTime, shorten(ts, 40))
	}
	t, err := time.ParseInLocation("Jan 2 15:04:05.999999999", f[0]+" "+f[1]+" "+f[2], loc)
	if err != nil {
		return time.Time{}, fmt.Errorf("%w: %q", ErrBadTime, shorten(ts, 40))
	}
	// time.Parse gives year 0; place() adds the year.
	return g.place(t), nil
}

var months = [...]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}

// fastStamp reads the common "Jan _2 15:04:05" without time.Parse: a mail
// log has millions of them.
func fastStamp(ts string, loc *time.Location) (time.Time, bool) {
	if len(ts) != 15 || ts[3] != ' ' || ts[6] != ' ' || ts[9] != ':' || ts[12] != ':' {
		return time.Time{}, false
	}
	m := 0
	for i, name := range months {
		if ts[:3] == name {
			m = i + 1
			break
		}
	}
	d1 := ts[4]
	if d1 == ' ' {
		d1 = '0'
	}
	num := func(a, b byte) (int, bool) {
		if a < '0' || a > '9' || b < '0' || b > '9' {
			return 0, false
		}
		return int(a-'0')*10 + int(b-'0'), true
	}
	day, ok1 := num(d1, ts[5])
	h, ok2 := num(ts[7], ts[8])
	mi, ok3 := num(ts[10], ts[11])
	s, ok4 := num(ts[13], ts[14])
	if m == 0 || !ok1 || !ok2 || !ok3 || !ok4 || day < 1 || day > 31 || h > 23 || mi > 59 || s > 60 {
		return time.Time{}, false
	}
	if day > daysIn(time.Month(m)) {
		return time.Time{}, false
	}
	// Year 0, as time.Parse gives for a layout without one; place() adds it.
	return time.Date(0, time.Month(m), day, h, mi, s, 0, loc), true
}

// daysIn is the longest a month can be (February 29: year 0 is a leap year).
func daysIn(m time.Month) int {
	switch m {
	case time.February:
		return 29
	case time.April, time.June, time.September, time.November:
		return 30
	}
	return 31
}
