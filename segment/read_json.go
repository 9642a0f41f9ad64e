package segment

// This file splits JSON input into records for the JSON readers (jsonl,
// kumo, ses): one record per line, pretty-printed records over many lines,
// records one after the other, or the elements of a top-level array, as
// AWS, KumoMTA and log shippers write them.

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
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
	js := &jsonRecords{br: s.br, max: s.max, line: 1, lineStart: true}
	var evs []Event
	for {
		rec, line, recErr, err := js.next()
		switch {
		case err == io.EOF:
			rd.Stats.Lines = int64(js.lines())
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

// jsonRecords cuts a byte stream into top-level JSON objects by counting
// brackets outside strings: linear, one pass over chunks of the input (so
// records written one after the other on a single line of any length, as
// Kinesis Firehose writes them, are read too), a record at most max bytes.
// Inside a top-level array, each element object is a record. A record still
// open when a line starts with `{"` at its first column (the next record of
// a one-per-line file) is reported as unterminated, so one broken line
// costs one record, not the rest of the file.
type jsonRecords struct {
	br        *bufio.Reader
	max       int
	buf       []byte
	rest      []byte // the unread part of the current chunk
	line      int    // the line the next byte of rest is on
	lineStart bool   // rest starts a line
	sawByte   bool   // the current line has bytes (for the line count at EOF)
	eof       bool
	depth     int
	base      int // 1 inside a top-level array
	inStr     bool
	esc       bool
	start     int  // line the current record starts on
	tooLong   bool // the current record is over the limit: skip it
}

// lines is the number of lines read (a last line without a newline counts).
func (j *jsonRecords) lines() int {
	if j.sawByte {
		return j.line
	}
	return j.line - 1
}

// fill reads the next chunk: up to a newline, or a buffer's worth of a
// longer line.
func (j *jsonRecords) fill() error {
	if j.eof {
		return io.EOF
	}
	b, err := j.br.ReadSlice('\n')
	switch {
	case err == nil, errors.Is(err, bufio.ErrBufferFull):
	case errors.Is(err, io.EOF):
		j.eof = true
		if len(b) == 0 {
			return io.EOF
		}
	default:
		return err
	}
	j.rest = b
	return nil
}

// advance consumes n bytes of rest, counting the newlines among them.
func (j *jsonRecords) advance(n int) {
	for _, c := range j.rest[:n] {
		j.sawByte = true
		if c == '\n' {
			j.line++
			j.sawByte = false
		}
	}
	j.lineStart = n > 0 && j.rest[n-1] == '\n' || n == 0 && j.lineStart
	j.rest = j.rest[n:]
}

// next returns the next record and the line it starts on; recErr is a
// record that could not be cut (skipped), err io.EOF or a read error. The
// slice is valid until the next call.
func (j *jsonRecords) next() (rec []byte, line int, recErr, err error) {
	for {
		if len(j.rest) == 0 {
			if err := j.fill(); err == io.EOF {
				if j.depth > j.base {
					j.depth = j.base
					return nil, j.start, fmt.Errorf("%w: record not closed at end of input", ErrBadRecord), nil
				}
				return nil, 0, nil, io.EOF
			} else if err != nil {
				return nil, 0, nil, err
			}
		}
		b := j.rest
		if j.lineStart && j.depth > j.base && !j.inStr && len(b) > 1 && b[0] == '{' && b[1] == '"' {
			// A new one-line record while the last one is still open.
			j.depth, j.esc, j.tooLong = j.base, false, false
			return nil, j.start, fmt.Errorf("%w: record not closed before line %d", ErrBadRecord, j.line), nil
		}
		if j.depth == j.base {
			// Between records: white space, commas, a UTF-8 byte order mark,
			// the brackets of a top-level array.
			i := 0
			for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == '\n' || b[i] == ',' || b[i] == 0xef || b[i] == 0xbb || b[i] == 0xbf) {
				i++
			}
			j.advance(i)
			b = j.rest
			if len(b) == 0 {
				continue
			}
			switch c := b[0]; {
			case c == '[' && j.base == 0:
				j.base, j.depth = 1, 1
				j.advance(1)
				continue
			case c == ']' && j.base == 1:
				j.base, j.depth = 0, 0
				j.advance(1)
				continue
			case c != '{':
				// Skip to the end of the line.
				line := j.line
				k := bytes.IndexByte(b, '\n')
				if k < 0 {
					k = len(b) - 1
				}
				snippet := shorten(string(b[:k+1]), 20)
				j.advance(k + 1)
				return nil, line, fmt.Errorf("%w: %q where a JSON object should start", ErrBadRecord, snippet), nil
			}
			j.buf = j.buf[:0]
			j.start = j.line
			j.tooLong = false
		}
		// Inside a record: scan to its end or the end of the chunk.
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
				case '\n':
					// RFC 8259 section 7: a string holds no raw line break,
					// so the record was cut short; the next line starts afresh.
					j.advance(i + 1)
					j.depth, j.inStr, j.tooLong = j.base, false, false
					return nil, j.start, fmt.Errorf("%w: record cut short in a string", ErrBadRecord), nil
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
			if c == '\n' && i+2 < len(b) && !j.inStr && b[i+1] == '{' && b[i+2] == '"' {
				// The next line may start a new record: let the check above
				// see it at the start of a line.
				end = i + 1
				break
			}
		}
		if end < 0 {
			end = len(b)
		}
		if !j.tooLong {
			if len(j.buf)+end > j.max {
				j.tooLong = true
			} else {
				j.buf = append(j.buf, b[:end]...)
			}
		}
		j.advance(end)
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
