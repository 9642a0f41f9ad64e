package segment

import (
	"fmt"
	"io"
	"strings"
)

// csvRecords reads RFC 4180 records on top of a lineScanner. Fields are
// substrings of one string per record, so a record costs one allocation
// (plus one per field that holds an escaped quote).
type csvRecords struct {
	s      *lineScanner
	fields []string
	buf    []byte
}

// next returns the fields of the next non-empty record and the line it
// starts on. A record error (unterminated quote, too long) is returned as
// recErr with the record skipped; err is io.EOF or a read error.
func (c *csvRecords) next() (fields []string, line int, recErr, err error) {
	for {
		b, tooLong, err := c.s.next()
		if err != nil {
			return nil, 0, nil, err
		}
		line = c.s.line
		if tooLong {
			return nil, line, ErrLineTooLong, nil
		}
		if len(b) == 0 {
			continue
		}
		c.buf = append(c.buf[:0], b...)
		var ok bool
		if c.fields, ok = splitCSV(string(c.buf), c.fields[:0]); ok {
			return c.fields, line, nil, nil
		}
		// A record whose quoted field is still open needs more lines;
		// csvQuotes follows splitCSV's rules line by line, so the record
		// is split again only when it may be whole, and a quote left open
		// over many lines costs time linear in them.
		var q csvQuotes
		q.feed(b)
		for {
			// A quoted field runs over the line end (RFC 4180 §2.6).
			b, tooLong, err := c.s.next()
			if err == io.EOF {
				return nil, line, fmt.Errorf("%w: unterminated quoted field", ErrBadRecord), nil
			}
			if err != nil {
				return nil, 0, nil, err
			}
			if tooLong || len(c.buf)+len(b) > c.s.max {
				// Skip the rest of the record as best we can: up to the
				// next line that closes the quote is unknowable, so stop here.
				return nil, line, ErrLineTooLong, nil
			}
			c.buf = append(c.buf, '\n')
			c.buf = append(c.buf, b...)
			if q.feed(b); !q.open() {
				if c.fields, ok = splitCSV(string(c.buf), c.fields[:0]); ok {
					return c.fields, line, nil, nil
				}
			}
		}
	}
}

// csvQuotes follows where a CSV record stands as its lines come, by
// splitCSV's rules: a field that starts with a quote is quoted until a
// quote not followed by another (RFC 4180 §2.5-2.7); a quote elsewhere is
// a literal character; after a closing quote the rest up to the comma is
// dropped.
type csvQuotes struct{ st uint8 }

const (
	csvFieldStart uint8 = iota
	csvUnquoted
	csvQuoted
	csvAfterClose
)

// feed reads one line of the record (without its line end).
func (q *csvQuotes) feed(b []byte) {
	for i := 0; i < len(b); i++ {
		c := b[i]
		switch q.st {
		case csvFieldStart:
			switch c {
			case '"':
				q.st = csvQuoted
			case ',':
			default:
				q.st = csvUnquoted
			}
		case csvUnquoted, csvAfterClose:
			if c == ',' {
				q.st = csvFieldStart
			}
		case csvQuoted:
			if c == '"' {
				if i+1 < len(b) && b[i+1] == '"' {
					i++
				} else {
					q.st = csvAfterClose
				}
			}
		}
	}
}

// open reports whether the record's last field is a quoted one still open
// at the end of the lines fed so far.
func (q *csvQuotes) open() bool { return q.st == csvQuoted }

// splitCSV splits one record. ok is false when a quoted field is not closed.
// A quote inside an unquoted field is kept as a literal character, and
// characters between a closing quote and the next comma are dropped
// (lenient, as most producers are).
func splitCSV(rec string, fields []string) ([]string, bool) {
	i := 0
	for {
		if i < len(rec) && rec[i] == '"' {
			j := i + 1
			escaped := false
			for {
				k := strings.IndexByte(rec[j:], '"')
				if k < 0 {
					return fields, false
				}
				j += k
				if j+1 < len(rec) && rec[j+1] == '"' {
					escaped = true
					j += 2
					continue
				}
				break
			}
			v := rec[i+1 : j]
			if escaped {
				v = strings.ReplaceAll(v, `""`, `"`)
			}
			fields = append(fields, v)
			j++
			k := strings.IndexByte(rec[j:], ',')
			if k < 0 {
				return fields, true
			}
			i = j + k + 1
			continue
		}
		k := strings.IndexByte(rec[i:], ',')
		if k < 0 {
			return append(fields, rec[i:]), true
		}
		fields = append(fields, rec[i:i+k])
		i += k + 1
	}
}

// CSV column roles.
const (
	colAttr = iota
	colTime
	colRecipient
	colOutcome
	colReply
	colCampaign
	colTemplate
	colSendingIP
	colMessageID
	colTransactional
	colSignup
	colAgeDays
	colIgnore
)

// csvColumns maps the plain format's header names (lower-cased) to roles.
var csvColumns = map[string]int{
	"time": colTime, "timestamp": colTime,
	"recipient": colRecipient, "email": colRecipient, "rcpt": colRecipient,
	"outcome":  colOutcome,
	"reply":    colReply,
	"campaign": colCampaign, "template": colTemplate,
	"sending_ip": colSendingIP, "message_id": colMessageID,
	"transactional": colTransactional, "signup_date": colSignup,
	"subscriber_age_days": colAgeDays,
}

// setColumn stores one known column of the plain format.
func (rd *Reader) setColumn(ev *Event, role int, v string) error {
	var err error
	switch role {
	case colTime:
		// A time column with an empty cell is a row without a time: an
		// error, not the year 1 (a file without the column has no times).
		if strings.TrimSpace(v) == "" {
			return fmt.Errorf("%w: empty", ErrBadTime)
		}
		ev.Time, err = parseTime(v, rd.loc())
	case colRecipient:
		ev.Recipient = strings.TrimSpace(v)
	case colOutcome:
		ev.Outcome, err = ParseOutcome(v)
	case colReply:
		ev.ReplyText = v
	case colCampaign:
		ev.Campaign = v
	case colTemplate:
		ev.Template = v
	case colSendingIP:
		ev.SendingIP = strings.TrimSpace(v)
	case colMessageID:
		ev.MessageID = v
	case colTransactional:
		ev.Transactional, err = parseBool(v)
	case colSignup:
		ev.SignupDate, err = parseTime(v, rd.loc())
	case colAgeDays:
		ev.SubscriberAge, err = parseAgeDays(v)
	}
	return err
}

func (rd *Reader) readCSV(s *lineScanner, yield func(Event, error) bool) {
	c := &csvRecords{s: s}
	var roles []int
	var names []string
	var nattr int
	var slab []Attr
	for fields, line := range rd.records(c, FormatCSV, yield) {
		if roles == nil {
			roles = make([]int, len(fields))
			names = make([]string, len(fields))
			var haveRcpt, haveOutcome bool
			for i, h := range fields {
				h = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
				names[i] = h
				roles[i] = csvColumns[strings.ToLower(h)]
				haveRcpt = haveRcpt || roles[i] == colRecipient
				haveOutcome = haveOutcome || roles[i] == colOutcome
				if roles[i] == colAttr {
					nattr++
				}
			}
			if !haveRcpt || !haveOutcome {
				rd.Stats.Skipped++
				yield(Event{}, &RowError{Format: FormatCSV, Line: line, Err: fmt.Errorf("%w: need recipient and outcome, have %q", ErrMissingColumn, strings.Join(names, ","))})
				return
			}
			continue
		}
		if len(fields) != len(roles) {
			if !yield(Event{}, rd.rowErr(FormatCSV, line, fmt.Errorf("%w: %d fields, header has %d", ErrBadRecord, len(fields), len(roles)))) {
				return
			}
			continue
		}
		var ev Event
		var rowErr error
		for i, v := range fields {
			if roles[i] == colAttr {
				if v != "" {
					if ev.Attrs == nil {
						// Carve the attributes out of a shared slab: one
						// allocation per 256 rows instead of one per row.
						if len(slab)+nattr > cap(slab) {
							slab = make([]Attr, 0, 256*nattr)
						}
						n := len(slab)
						slab = slab[:n+nattr]
						ev.Attrs = slab[n : n : n+nattr]
					}
					ev.Attrs = append(ev.Attrs, Attr{names[i], v})
				}
				continue
			}
			if err := rd.setColumn(&ev, roles[i], v); err != nil && rowErr == nil {
				rowErr = fmt.Errorf("column %s: %w", names[i], err)
			}
		}
		if rowErr == nil && ev.Recipient == "" {
			rowErr = ErrNoRecipient
		}
		if rowErr != nil {
			if !yield(Event{}, rd.rowErr(FormatCSV, line, rowErr)) {
				return
			}
			continue
		}
		rd.Stats.Events++
		if !yield(ev, nil) {
			return
		}
	}
}
