package segment

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"iter"
	"slices"
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
	FormatExim    Format = "exim"    // Exim main log
	FormatPMTA    Format = "pmta"    // PowerMTA accounting CSV
	FormatKumo    Format = "kumo"    // KumoMTA JSON log records
	FormatSES     Format = "ses"     // Amazon SES event publishing / notification JSON
)

// Formats lists the formats in the order DetectFormat tries them.
var Formats = []Format{FormatSES, FormatKumo, FormatJSONL, FormatPMTA, FormatCSV, FormatPostfix, FormatExim}

// FormatNames is the list of format tokens, for messages and usage lines.
func FormatNames() string {
	var b strings.Builder
	for i, f := range []Format{FormatCSV, FormatJSONL, FormatPostfix, FormatExim, FormatPMTA, FormatKumo, FormatSES} {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(string(f))
	}
	return b.String()
}

// ParseFormat reads a format token; "" and "auto" give FormatAuto.
func ParseFormat(s string) (Format, error) {
	switch f := Format(strings.ToLower(strings.TrimSpace(s))); f {
	case "auto":
		return FormatAuto, nil
	case FormatAuto, FormatCSV, FormatJSONL, FormatPostfix, FormatExim, FormatPMTA, FormatKumo, FormatSES:
		return f, nil
	}
	return "", fmt.Errorf("%w: %q (known: auto, %s)", ErrUnknownFormat, s, FormatNames())
}

func (f Format) String() string {
	if f == FormatAuto {
		return "auto"
	}
	return string(f)
}

// DefaultMaxLineBytes is the longest line (or CSV record, or JSON record) a
// reader accepts: 1 MiB. Longer lines are skipped with ErrLineTooLong.
const DefaultMaxLineBytes = 1 << 20

// Detection reads DetectBytes first and, when that does not decide (a mail
// log whose first 64 KiB are connection lines), up to MaxDetectBytes.
const (
	DetectBytes    = 64 << 10
	MaxDetectBytes = 4 << 20
)

// Reader reads events from one input. The zero Reader detects the format
// and the compression. A Reader is not safe for concurrent use; Stats may be
// read after (or during, from the same goroutine) the iteration.
type Reader struct {
	// Format is the input format; FormatAuto detects it (DetectFormat).
	Format Format
	// MaxLineBytes limits one line, CSV record or JSON record; 0 means
	// DefaultMaxLineBytes.
	MaxLineBytes int
	// Location is used for timestamps without a zone; nil means UTC.
	Location *time.Location
	// Year is the year of the first syslog timestamp without one ("Jan  2
	// 15:04:05"); later lines roll over to the next year when the date steps
	// back (Dec 31 to Jan 1). 0 means the latest year that does not put the
	// first line after Now.
	Year int
	// Now is the reading's clock for year inference; the zero time means
	// time.Now().
	Now time.Time
	// KeepNotSends keeps what is not a send to a recipient (Postfix's and
	// Exim's own bounce notices, local mailbox deliveries) as events; by
	// default they are left out and counted in Stats.NotSends.
	KeepNotSends bool

	// Stats counts what the last Events call read.
	Stats ReadStats
}

// ReadStats counts the rows of one input.
type ReadStats struct {
	Format      Format      // the format read (detected or given)
	Compression Compression // the compression read through
	Lines       int64       // physical lines read (after decompression)
	Events      int64       // events yielded
	Skipped     int64       // rows that were yielded as a *RowError
	Ignored     int64       // lines that are not delivery events (other log lines, reception records, ...)
	// NotSends are delivery lines left out because they are not sends,
	// per reason, in the order of the NotSend constants.
	NotSends []NotSendCount
}

// NotSend is why a delivery line is not counted as a send. The values are
// wire tokens of the report.
type NotSend string

// Reasons a delivery line is not a send.
const (
	// NotSendNullSender: the message is the MTA's own notice (a bounce,
	// a delay warning) with the null reverse path (RFC 5321 section 4.5.5):
	// Postfix queue IDs made by postfix/bounce or logged by qmgr with
	// from=<>, Exim messages received with "<= <>".
	NotSendNullSender NotSend = "null_sender"
	// NotSendLocal: delivered to a mailbox on this host (Postfix local,
	// virtual, pipe to dovecot, LMTP to a socket or loopback; Exim local
	// transports), not sent to a mailbox provider.
	NotSendLocal NotSend = "local_delivery"
)

// NotSendCount is how many delivery lines were left out for one reason.
type NotSendCount struct {
	Reason NotSend `json:"reason"`
	Lines  int64   `json:"lines"`
}

func (s *ReadStats) notSend(r NotSend) {
	for i := range s.NotSends {
		if s.NotSends[i].Reason == r {
			s.NotSends[i].Lines++
			return
		}
	}
	s.NotSends = append(s.NotSends, NotSendCount{r, 1})
	slices.SortFunc(s.NotSends, func(x, y NotSendCount) int { return strings.Compare(string(x.Reason), string(y.Reason)) })
}

// NotSendTotal is the sum of NotSends.
func (s *ReadStats) NotSendTotal() int64 {
	var n int64
	for _, c := range s.NotSends {
		n += c.Lines
	}
	return n
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

// ReadExim reads an Exim main log: "=>" and "->" deliveries, "**" failures
// and "==" deferrals become events, other lines are ignored.
func ReadExim(r io.Reader) iter.Seq2[Event, error] { return Read(r, FormatExim) }

// ReadPMTA reads a PowerMTA accounting CSV by its header names (type, rcpt,
// dsnStatus, dsnDiag, dsnMta, bounceCat, jobId, dlvSourceIp, vmta,
// header_*).
func ReadPMTA(r io.Reader) iter.Seq2[Event, error] { return Read(r, FormatPMTA) }

// ReadKumo reads KumoMTA JSON log records, one per line or pretty-printed.
func ReadKumo(r io.Reader) iter.Seq2[Event, error] { return Read(r, FormatKumo) }

// ReadSES reads Amazon SES event JSON (event publishing "eventType" or
// notification "notificationType" records, bare or wrapped in an SNS
// envelope), one record per line, pretty-printed, or in a JSON array; a
// record yields one event per recipient.
func ReadSES(r io.Reader) iter.Seq2[Event, error] { return Read(r, FormatSES) }

// Events returns the events of r, decompressed when r is gzip, zstd or
// bzip2 data. Rows that cannot be read are yielded as a *RowError and the
// iteration goes on; an error reading r itself (or a missing required
// column, or an input whose format cannot be told) is yielded last.
func (rd *Reader) Events(r io.Reader) iter.Seq2[Event, error] {
	return func(yield func(Event, error) bool) {
		rd.Stats = ReadStats{Format: rd.Format}
		br := bufio.NewReaderSize(r, DetectBytes)
		dr, comp, err := decompress(br)
		if err != nil {
			yield(Event{}, err)
			return
		}
		rd.Stats.Compression = comp
		if dr != nil {
			defer dr.Close()
			br = bufio.NewReaderSize(dr, DetectBytes)
		}
		f := rd.Format
		if f == FormatAuto {
			head, err := br.Peek(DetectBytes)
			if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
				yield(Event{}, err)
				return
			}
			f = DetectFormat(head)
			if f == FormatAuto && len(head) == DetectBytes {
				// Read further: a log may open with thousands of lines
				// that are not deliveries.
				big := bufio.NewReaderSize(br, MaxDetectBytes)
				head, err = big.Peek(MaxDetectBytes)
				if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
					yield(Event{}, err)
					return
				}
				f = DetectFormat(head)
				br = big
			}
			if f == FormatAuto {
				if len(bytes.TrimSpace(head)) == 0 {
					return
				}
				yield(Event{}, &FormatError{Head: firstLines(head, 3), Read: len(head)})
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
			rd.readJSONRecords(s, FormatJSONL, parseJSONLEvent, yield)
		case FormatKumo:
			rd.readJSONRecords(s, FormatKumo, parseKumoEvent, yield)
		case FormatSES:
			rd.readJSONRecords(s, FormatSES, parseSESEvents, yield)
		case FormatPostfix:
			rd.readPostfix(s, yield)
		case FormatExim:
			rd.readExim(s, yield)
		default:
			yield(Event{}, fmt.Errorf("segment: %w: %q", ErrUnknownFormat, string(f)))
		}
	}
}

// FormatError is an input whose format could not be told. It wraps
// ErrUnknownFormat.
type FormatError struct {
	Head []string // the first lines, shortened
	Read int      // the bytes looked at
}

func (e *FormatError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "segment: %v: the first %d bytes match no known format; they begin", ErrUnknownFormat, e.Read)
	for _, l := range e.Head {
		fmt.Fprintf(&b, " %q", l)
	}
	fmt.Fprintf(&b, "; name the format (one of %s)", FormatNames())
	return b.String()
}

func (e *FormatError) Unwrap() error { return ErrUnknownFormat }

func firstLines(head []byte, n int) []string {
	var out []string
	for len(out) < n && len(head) > 0 {
		line := head
		if i := bytes.IndexByte(head, '\n'); i >= 0 {
			line, head = head[:i], head[i+1:]
		} else {
			head = nil
		}
		if l := strings.TrimSpace(string(line)); l != "" {
			out = append(out, shorten(strings.ToValidUTF8(l, "?"), 80))
		}
	}
	return out
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
