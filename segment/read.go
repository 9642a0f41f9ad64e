package segment

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"iter"
	"strings"
	"time"
)

// Format names an event input format. The values are the tokens accepted by
// the binary's --input flag.
type Format string

// Formats.
const (
	FormatAuto    Format = ""        // detect from the first bytes (DetectFormat)
	FormatCSV     Format = "csv"     // CSV with a header row, see ReadCSV
	FormatJSONL   Format = "jsonl"   // JSON lines with the CSV's field names
	FormatPostfix Format = "postfix" // Postfix mail log
	FormatPMTA    Format = "pmta"    // PowerMTA accounting CSV
	FormatKumo    Format = "kumo"    // KumoMTA JSON log records
	FormatSES     Format = "ses"     // Amazon SES event publishing / notification JSON
)

// Formats lists the formats in the order DetectFormat tries them.
var Formats = []Format{FormatSES, FormatKumo, FormatJSONL, FormatPMTA, FormatCSV, FormatPostfix}

// ParseFormat reads a format token; "" and "auto" give FormatAuto.
func ParseFormat(s string) (Format, error) {
	switch f := Format(strings.ToLower(strings.TrimSpace(s))); f {
	case "auto":
		return FormatAuto, nil
	case FormatAuto, FormatCSV, FormatJSONL, FormatPostfix, FormatPMTA, FormatKumo, FormatSES:
		return f, nil
	}
	return "", fmt.Errorf("%w: %q", ErrUnknownFormat, s)
}

func (f Format) String() string {
	if f == FormatAuto {
		return "auto"
	}
	return string(f)
}

// DefaultMaxLineBytes is the longest line (or CSV record) a reader accepts:
// 1 MiB. Longer lines are skipped with ErrLineTooLong.
const DefaultMaxLineBytes = 1 << 20

// Reader reads events from one input. The zero Reader detects the format.
// A Reader is not safe for concurrent use; Stats may be read after (or
// during, from the same goroutine) the iteration.
type Reader struct {
	// Format is the input format; FormatAuto detects it from the first
	// 64 KiB.
	Format Format
	// MaxLineBytes limits one line or CSV record; 0 means DefaultMaxLineBytes.
	MaxLineBytes int
	// Location is used for timestamps without a zone; nil means UTC.
	Location *time.Location
	// Year is used for syslog timestamps without a year ("Jan  2 15:04:05");
	// 0 means the current year.
	Year int

	// Stats counts what the last Events call read.
	Stats ReadStats
}

// ReadStats counts the rows of one input.
type ReadStats struct {
	Format  Format // the format read (detected or given)
	Lines   int64  // physical lines read
	Events  int64  // events yielded
	Skipped int64  // rows that were yielded as a *RowError
	Ignored int64  // lines that are not delivery events (other log lines, reception records, ...)
}

// Read is shorthand for (&Reader{Format: f}).Events(r).
func Read(r io.Reader, f Format) iter.Seq2[Event, error] {
	return (&Reader{Format: f}).Events(r)
}

// ReadCSV reads the plain CSV format: a header row, then one event per row.
// The columns time, recipient, outcome, reply, campaign, template,
// sending_ip, message_id, transactional, signup_date and
// subscriber_age_days are understood by name (case-insensitive); every other
// column becomes an attribute named after its header. recipient and outcome
// are required. Quoting follows RFC 4180.
func ReadCSV(r io.Reader) iter.Seq2[Event, error] { return Read(r, FormatCSV) }

// ReadJSONL reads one JSON object per line with the field names of the CSV
// format; other fields become attributes (non-string values as JSON text).
func ReadJSONL(r io.Reader) iter.Seq2[Event, error] { return Read(r, FormatJSONL) }

// ReadPostfix reads Postfix mail log lines; status=sent, deferred, bounced
// and expired delivery lines become events, other lines are ignored.
func ReadPostfix(r io.Reader) iter.Seq2[Event, error] { return Read(r, FormatPostfix) }

// ReadPMTA reads a PowerMTA accounting CSV by its header names (type, rcpt,
// dsnStatus, dsnDiag, dsnMta, jobId, dlvSourceIp, vmta, header_*).
func ReadPMTA(r io.Reader) iter.Seq2[Event, error] { return Read(r, FormatPMTA) }

// ReadKumo reads KumoMTA JSON log records, one per line.
func ReadKumo(r io.Reader) iter.Seq2[Event, error] { return Read(r, FormatKumo) }

// ReadSES reads Amazon SES event JSON (event publishing "eventType" or SNS
// notification "notificationType" records, bare or wrapped in an SNS
// envelope), one record per line; a record yields one event per recipient.
func ReadSES(r io.Reader) iter.Seq2[Event, error] { return Read(r, FormatSES) }

// DetectFormat guesses the format of an input from its first bytes;
// FormatAuto means it could not tell.
func DetectFormat(head []byte) Format {
	head = bytes.TrimLeft(head, "\ufeff \t\r\n")
	first := head
	if i := bytes.IndexByte(first, '\n'); i >= 0 {
		first = first[:i]
	}
	switch {
	case len(first) > 0 && first[0] == '{':
		switch {
		case bytes.Contains(first, []byte(`"eventType"`)) || bytes.Contains(first, []byte(`"notificationType"`)) ||
			bytes.Contains(first, []byte(`\"notificationType\"`)) || bytes.Contains(first, []byte(`\"eventType\"`)):
			return FormatSES
		case bytes.Contains(head, []byte(`"bounce_classification"`)) || bytes.Contains(head, []byte(`"egress_source"`)) ||
			bytes.Contains(head, []byte(`"peer_address"`)):
			return FormatKumo
		}
		return FormatJSONL
	case bytes.Contains(first, []byte("dsnStatus")) || bytes.Contains(first, []byte("dsnDiag")) || bytes.HasPrefix(first, []byte("type,timeLogged")):
		return FormatPMTA
	case bytes.Contains(head, []byte("postfix/")) && bytes.Contains(head, []byte("status=")):
		return FormatPostfix
	}
	low := bytes.ToLower(first)
	if bytes.Contains(low, []byte("recipient")) && bytes.Contains(low, []byte("outcome")) && bytes.IndexByte(low, ',') >= 0 {
		return FormatCSV
	}
	return FormatAuto
}

// Events returns the events of r. Rows that cannot be read are yielded as a
// *RowError and the iteration goes on; an error reading r itself (or a
// missing required column) is yielded last.
func (rd *Reader) Events(r io.Reader) iter.Seq2[Event, error] {
	return func(yield func(Event, error) bool) {
		rd.Stats = ReadStats{Format: rd.Format}
		br := bufio.NewReaderSize(r, 64<<10)
		f := rd.Format
		if f == FormatAuto {
			head, err := br.Peek(64 << 10)
			if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
				yield(Event{}, err)
				return
			}
			f = DetectFormat(head)
			if f == FormatAuto {
				if len(bytes.TrimSpace(head)) == 0 {
					return
				}
				yield(Event{}, fmt.Errorf("segment: %w: first bytes %q", ErrUnknownFormat, shorten(string(head), 48)))
				return
			}
			rd.Stats.Format = f
		}
		s := &lineScanner{br: br, max: rd.maxLine()}
		switch f {
		case FormatCSV:
			rd.readCSV(s, yield)
		case FormatPMTA:
			rd.readPMTA(s, yield)
		case FormatJSONL:
			rd.readJSONLines(s, FormatJSONL, parseJSONLEvent, yield)
		case FormatKumo:
			rd.readJSONLines(s, FormatKumo, parseKumoEvent, yield)
		case FormatSES:
			rd.readJSONLines(s, FormatSES, parseSESEvents, yield)
		case FormatPostfix:
			rd.readPostfix(s, yield)
		default:
			yield(Event{}, fmt.Errorf("segment: %w: %q", ErrUnknownFormat, string(f)))
		}
	}
}

func (rd *Reader) maxLine() int {
	if rd.MaxLineBytes > 0 {
		return rd.MaxLineBytes
	}
	return DefaultMaxLineBytes
}

func (rd *Reader) loc() *time.Location {
	if rd.Location != nil {
		return rd.Location
	}
	return time.UTC
}

// rowErr counts and builds a row error.
func (rd *Reader) rowErr(f Format, line int, err error) error {
	rd.Stats.Skipped++
	return &RowError{Format: f, Line: line, Err: err}
}

// lineScanner reads lines with their numbers, skipping over lines longer
// than max (reported once each with ErrLineTooLong).
// lines iterates over the lines of s for a reader of format f. The end of
// input sets Stats.Lines; a line over the limit goes to yield as a
// *RowError and is skipped; a read error goes to yield and ends the
// iteration. The slice is valid until the next line.
func (rd *Reader) lines(s *lineScanner, f Format, yield func(Event, error) bool) iter.Seq[[]byte] {
	return func(body func([]byte) bool) {
		for {
			b, tooLong, err := s.next()
			switch {
			case err == io.EOF:
				rd.Stats.Lines = int64(s.line)
				return
			case err != nil:
				yield(Event{}, err)
				return
			case tooLong:
				if !yield(Event{}, rd.rowErr(f, s.line, ErrLineTooLong)) {
					return
				}
			default:
				if !body(b) {
					return
				}
			}
		}
	}
}

// records is lines for CSV input: it iterates over the records of c with
// the line each starts on, and handles record errors the same way.
func (rd *Reader) records(c *csvRecords, f Format, yield func(Event, error) bool) iter.Seq2[[]string, int] {
	return func(body func([]string, int) bool) {
		for {
			fields, line, recErr, err := c.next()
			switch {
			case err == io.EOF:
				rd.Stats.Lines = int64(c.s.line)
				return
			case err != nil:
				yield(Event{}, err)
				return
			case recErr != nil:
				if !yield(Event{}, rd.rowErr(f, line, recErr)) {
					return
				}
			default:
				if !body(fields, line) {
					return
				}
			}
		}
	}
}

type lineScanner struct {
	br   *bufio.Reader
	max  int
	line int
	long []byte
}

// next returns the next line without its line ending; the slice is valid
// until the next call. tooLong reports a line that exceeded max (its content
// is dropped).
func (s *lineScanner) next() (b []byte, tooLong bool, err error) {
	s.line++
	b, err = s.br.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		// Gather the rest of the line up to max, then drop anything beyond.
		s.long = append(s.long[:0], b...)
		for errors.Is(err, bufio.ErrBufferFull) {
			b, err = s.br.ReadSlice('\n')
			if len(s.long) <= s.max {
				s.long = append(s.long, b...)
			}
		}
		b = s.long
	}
	if len(b) > s.max+2 || len(b) > s.max && b[len(b)-1] != '\n' && b[len(b)-1] != '\r' {
		tooLong = true
	}
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, false, err
	}
	if errors.Is(err, io.EOF) {
		if len(b) == 0 {
			s.line--
			return nil, false, io.EOF
		}
		err = nil
	}
	b = bytes.TrimSuffix(b, []byte("\n"))
	b = bytes.TrimSuffix(b, []byte("\r"))
	return b, tooLong, nil
}

func shorten(s string, n int) string {
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}
