package segment

// This file reads the JSON-lines format: one object per line with the CSV
// format's field names.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// readJSONLines runs parse on every non-empty line; parse appends the events
// of one record to evs.
func (rd *Reader) readJSONLines(s *lineScanner, f Format, parse func(rd *Reader, line []byte, evs []Event) ([]Event, bool, error), yield func(Event, error) bool) {
	var evs []Event
	for b := range rd.lines(s, f, yield) {
		b = bytes.TrimSpace(b)
		if len(b) == 0 {
			continue
		}
		var relevant bool
		var err error
		evs, relevant, err = parse(rd, b, evs[:0])
		if err != nil {
			if !yield(Event{}, rd.rowErr(f, s.line, err)) {
				return
			}
			continue
		}
		if !relevant {
			rd.Stats.Ignored++
			continue
		}
		for i := range evs {
			rd.Stats.Events++
			if !yield(evs[i], nil) {
				return
			}
			evs[i] = Event{}
		}
	}
}

// parseJSONLEvent reads one object of the JSON-lines format. Known fields
// (the CSV column names) must be strings, except transactional (bool or
// string) and subscriber_age_days (number or string); others become
// attributes in the order given.
func parseJSONLEvent(rd *Reader, line []byte, evs []Event) ([]Event, bool, error) {
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.UseNumber()
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return evs, false, fmt.Errorf("%w: not a JSON object", ErrBadRecord)
	}
	var ev Event
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return evs, false, fmt.Errorf("%w: %v", ErrBadRecord, err)
		}
		key, _ := t.(string)
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return evs, false, fmt.Errorf("%w: field %q: %v", ErrBadRecord, key, err)
		}
		v, isString := jsonScalar(raw)
		role, known := csvColumns[strings.ToLower(key)]
		if !known {
			if v != "" && v != "null" {
				ev.Attrs = append(ev.Attrs, Attr{key, v})
			}
			continue
		}
		if !isString && role != colTransactional && role != colAgeDays && role != colTime && v != "null" {
			return evs, false, fmt.Errorf("%w: field %q must be a string", ErrBadValue, key)
		}
		if v == "null" {
			v = ""
		}
		if err := rd.setColumn(&ev, role, v); err != nil {
			return evs, false, fmt.Errorf("field %s: %w", key, err)
		}
	}
	if _, err := dec.Token(); err != nil {
		return evs, false, fmt.Errorf("%w: %v", ErrBadRecord, err)
	}
	if ev.Recipient == "" {
		return evs, false, ErrNoRecipient
	}
	if ev.Outcome == "" {
		return evs, false, fmt.Errorf("%w: missing", ErrBadOutcome)
	}
	return append(evs, ev), true, nil
}

// jsonScalar returns a string's value, or the JSON text of anything else.
func jsonScalar(raw json.RawMessage) (string, bool) {
	if len(raw) > 0 && raw[0] == '"' {
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return s, true
		}
	}
	return string(raw), false
}

// metaToEvent maps message metadata or tags (sorted by key, so the
// attribute order is stable) onto the event.
func metaToEvent(ev *Event, meta map[string]any) {
	keys := make([]string, 0, len(meta))
	for k := range meta {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		var v string
		switch x := meta[k].(type) {
		case string:
			v = x
		case []any:
			if len(x) > 0 {
				v, _ = x[0].(string)
			}
		case bool:
			v = strconv.FormatBool(x)
		case float64:
			v = strconv.FormatFloat(x, 'f', -1, 64)
		case nil:
		default:
			b, _ := json.Marshal(x)
			v = string(b)
		}
		if v == "" {
			continue
		}
		switch strings.ToLower(k) {
		case "campaign", "campaign_id", "campaignid", "x-campaign":
			ev.Campaign = v
		case "template", "template_id", "templateid", "x-template":
			ev.Template = v
		case "transactional", "x-transactional":
			ev.Transactional, _ = parseBool(v)
		case "signup_date":
			ev.SignupDate, _ = parseTime(v, time.UTC)
		case "subscriber_age_days":
			ev.SubscriberAge, _ = parseAgeDays(v)
		default:
			ev.Attrs = append(ev.Attrs, Attr{k, v})
		}
	}
}
