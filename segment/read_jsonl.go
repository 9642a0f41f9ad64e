package segment

// This file reads the JSON-lines format: one object per line with the CSV
// format's field names.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

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
