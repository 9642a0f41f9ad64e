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
