package segment

// This file splits JSON input into records for the JSON readers (jsonl,
// kumo, ses): one record per line, pretty-printed records over many lines,
// records one after the other, or the elements of a top-level array, as
// AWS, KumoMTA and log shippers write them.

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
)

// readJSONRecords runs parse on every record; parse appends the events of
// one record to evs and reports whether the record is a delivery outcome at
// all.
func (rd *Reader) readJSONRecords(s *lineScanner, f Format, parse func(rd *Reader, rec []byte, evs []Event) ([]Event, bool, error), yield func(Event, error) bool) {
	js := &jsonRecords{s: s}
	var evs []Event
	for {
		rec, line, recErr, err := js.next()
		switch {
		case err == io.EOF:
			rd.Stats.Lines = int64(s.line)
			return
		case err != nil:
			yield(Event{}, err)
			return
		case recErr != nil:
			if !yield(Event{}, rd.rowErr(f, line, recErr)) {
				return
			}
			continue
		}
		var relevant bool
		evs, relevant, err = parse(rd, rec, evs[:0])
		if err != nil {
			if !yield(Event{}, rd.rowErr(f, line, err)) {
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

// jsonRecords cuts a stream of lines into top-level JSON objects by
// counting brackets outside strings: linear, one pass, a record at most
// lineScanner.max bytes. Inside a top-level array, each element object is a
// record. A record still open when a line starts with `{"` at its first
// column (the next record of a one-per-line file) is reported as
// unterminated, so one broken line costs one record, not the rest of the
// file.
type jsonRecords struct {
	s       *lineScanner
	buf     []byte
	rest    []byte // the unread part of the current line
	depth   int
	base    int // 1 inside a top-level array
	inStr   bool
	esc     bool
	start   int  // line the current record starts on
	tooLong bool // the current record is over the limit: skip it
}

// next returns the next record and the line it starts on; recErr is a
// record that could not be cut (skipped), err io.EOF or a read error. The
// slice is valid until the next call.
func (j *jsonRecords) next() (rec []byte, line int, recErr, err error) {
	for {
		if len(j.rest) == 0 {
			b, tooLong, err := j.s.next()
			if err == io.EOF {
				if j.depth > j.base {
					j.depth = j.base
					return nil, j.start, fmt.Errorf("%w: record not closed at end of input", ErrBadRecord), nil
				}
				return nil, 0, nil, io.EOF
			}
			if err != nil {
				return nil, 0, nil, err
			}
			if tooLong {
				if j.depth > j.base {
					j.tooLong = true
					continue
				}
				return nil, j.s.line, ErrLineTooLong, nil
			}
			if j.depth > j.base && !j.inStr && len(b) > 1 && b[0] == '{' && b[1] == '"' {
				// A new one-line record while the last one is still open.
				j.rest = b
				j.depth, j.inStr, j.esc, j.tooLong = j.base, false, false, false
				return nil, j.start, fmt.Errorf("%w: record not closed before line %d", ErrBadRecord, j.s.line), nil
			}
			j.rest = b
			if j.depth > j.base && !j.tooLong {
				j.buf = append(j.buf, '\n')
			}
		}
		b := j.rest
		if j.depth == j.base {
			// Between records.
			i := 0
			for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == ',' || b[i] == 0xef || b[i] == 0xbb || b[i] == 0xbf) {
				i++
			}
			b = b[i:]
			j.rest = b
			if len(b) == 0 {
				continue
			}
			switch c := b[0]; {
			case c == '[' && j.base == 0:
				j.base, j.depth = 1, 1
				j.rest = b[1:]
				continue
			case c == ']' && j.base == 1:
				j.base, j.depth = 0, 0
				j.rest = b[1:]
				continue
			case c != '{':
				j.rest = nil
				return nil, j.s.line, fmt.Errorf("%w: %q where a JSON object should start", ErrBadRecord, shorten(string(b), 20)), nil
			}
			j.buf = j.buf[:0]
			j.start = j.s.line
			j.tooLong = false
		}
		// Inside a record: scan to its end or the end of the line.
		end := -1
		for i, c := range b {
			switch {
			case j.esc:
				j.esc = false
			case j.inStr:
				switch c {
				case '\\':
					j.esc = true
				case '"':
					j.inStr = false
				}
			case c == '"':
				j.inStr = true
			case c == '{' || c == '[':
				j.depth++
			case c == '}' || c == ']':
				j.depth--
			}
			if j.depth == j.base {
				end = i + 1
				break
			}
		}
		if end < 0 {
			end = len(b)
		}
		if !j.tooLong {
			if len(j.buf)+end > j.s.max {
				j.tooLong = true
			} else {
				j.buf = append(j.buf, b[:end]...)
			}
		}
		j.rest = b[end:]
		if j.depth == j.base {
			if j.tooLong {
				return nil, j.start, ErrLineTooLong, nil
			}
			return j.buf, j.start, nil, nil
		}
	}
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
