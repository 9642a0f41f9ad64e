package dmarcreport

// This file holds the limits reading works under, the errors it returns and
// the list of repairs a lenient read made.

import (
	"errors"
	"fmt"
	"strconv"
)

// Limits bounds the work of reading one input. The zero value of each field
// means its default; a negative value means no limit (trusted input only).
type Limits struct {
	// MaxInputBytes is the largest file or message read: default 64 MiB.
	MaxInputBytes int64
	// MaxXMLBytes is the largest report document, after decompression:
	// default 64 MiB. A zip or gzip bomb stops here.
	MaxXMLBytes int64
	// MaxTotalBytes bounds everything decompressed from one input (all
	// members of a zip, all parts of an email): default 256 MiB.
	MaxTotalBytes int64
	// MaxRecords is the number of <record> elements read from one report:
	// default 200,000. Records past it are dropped with a *LimitError.
	MaxRecords int
	// MaxAuthResults is the number of DKIM or SPF results kept per record:
	// default 64.
	MaxAuthResults int
	// MaxNesting bounds containers within containers (gzip in gzip, zip in
	// an email in an mbox) and MIME nesting: default 8.
	MaxNesting int
	// MaxParts bounds zip members plus MIME parts of one input: default
	// 1000.
	MaxParts int
}

// Default limits; see Limits.
const (
	DefaultMaxInputBytes  = 64 << 20
	DefaultMaxXMLBytes    = 64 << 20
	DefaultMaxTotalBytes  = 256 << 20
	DefaultMaxRecords     = 200_000
	DefaultMaxAuthResults = 64
	DefaultMaxNesting     = 8
	DefaultMaxParts       = 1000
)

func (l Limits) withDefaults() Limits {
	def := func(v *int64, d int64) {
		if *v == 0 {
			*v = d
		} else if *v < 0 {
			*v = 1<<62 - 1
		}
	}
	defi := func(v *int, d int) {
		if *v == 0 {
			*v = d
		} else if *v < 0 {
			*v = 1<<31 - 1
		}
	}
	def(&l.MaxInputBytes, DefaultMaxInputBytes)
	def(&l.MaxXMLBytes, DefaultMaxXMLBytes)
	def(&l.MaxTotalBytes, DefaultMaxTotalBytes)
	defi(&l.MaxRecords, DefaultMaxRecords)
	defi(&l.MaxAuthResults, DefaultMaxAuthResults)
	defi(&l.MaxNesting, DefaultMaxNesting)
	defi(&l.MaxParts, DefaultMaxParts)
	return l
}

// Sentinel errors; match them with errors.Is.
var (
	// ErrNotReport is returned for input that holds no aggregate report:
	// another XML document, a message without a report attachment,
	// content of an unknown kind.
	ErrNotReport = errors.New("not a DMARC aggregate report")
	// ErrLimit matches every *LimitError.
	ErrLimit = errors.New("limit exceeded")
	// ErrMalformed matches every *SyntaxError and *ContainerError.
	ErrMalformed = errors.New("malformed report")
)

// LimitError reports that an input went past one of its Limits. What was
// read before the limit is returned with it.
type LimitError struct {
	Limit string // the Limits field name
	Max   int64
}

func (e *LimitError) Error() string {
	return "dmarcreport: input exceeds " + e.Limit + " (" + strconv.FormatInt(e.Max, 10) + ")"
}

// Is makes errors.Is(err, ErrLimit) true.
func (e *LimitError) Is(target error) bool { return target == ErrLimit }

// SyntaxError is XML that could not be read to its end. When Partial is
// true the Report returned with it holds the records read before the
// error.
type SyntaxError struct {
	Offset  int64 // byte offset of the error in the (decompressed) document
	Partial bool
	Err     error
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("dmarcreport: broken XML at byte %d: %v", e.Offset, e.Err)
}

func (e *SyntaxError) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrMalformed) true.
func (e *SyntaxError) Is(target error) bool { return target == ErrMalformed }

// ContainerError is a gzip, zip or zlib stream, or a MIME structure, that
// could not be opened.
type ContainerError struct {
	Container string // "gzip", "zip", "zlib", "mime"
	Err       error
}

func (e *ContainerError) Error() string {
	return "dmarcreport: cannot read " + e.Container + ": " + e.Err.Error()
}

func (e *ContainerError) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrMalformed) true.
func (e *ContainerError) Is(target error) bool { return target == ErrMalformed }

// RepairKind names a lenient reading.
type RepairKind string

// Repair kinds.
const (
	RepairCase          RepairKind = "case"          // a token in another case: "Pass" read as "pass"
	RepairAlias         RepairKind = "alias"         // a non-schema token read as its schema value: "hardfail" as "fail"
	RepairEmpty         RepairKind = "empty"         // an empty element dropped (a reason with no type)
	RepairUnknown       RepairKind = "unknown_token" // a token outside the schema kept as written
	RepairOrgName       RepairKind = "org_name"      // a missing org_name taken from the email or file name
	RepairReportID      RepairKind = "report_id"     // a report id unwrapped from <> or trimmed
	RepairEncoding      RepairKind = "encoding"      // invalid UTF-8, a non-UTF-8 charset, a BOM, illegal characters
	RepairTruncated     RepairKind = "truncated"     // the document ended early; complete records kept
	RepairTrailing      RepairKind = "trailing_data" // bytes after the document or the compressed stream ignored
	RepairTimestamp     RepairKind = "timestamp"     // a date range in milliseconds, swapped, or not in Unix seconds
	RepairCount         RepairKind = "count"         // a count that is missing or not a number
	RepairSourceIP      RepairKind = "source_ip"     // a source address that is not an address, or IPv4-mapped
	RepairMissing       RepairKind = "missing"       // a required element filled in from elsewhere
	RepairContainer     RepairKind = "container"     // a compressed stream that ended early
	RepairMixedDocument RepairKind = "leading_data"  // bytes before the document ignored
)

// Repair is one kind of lenient reading, with how often it was made.
type Repair struct {
	Kind   RepairKind
	Detail string
	Count  int
}

// String gives "kind: detail", with "(xN)" when made more than once.
func (r Repair) String() string {
	s := string(r.Kind) + ": " + r.Detail
	if r.Count > 1 {
		s += " (x" + strconv.Itoa(r.Count) + ")"
	}
	return s
}

// MarshalText implements encoding.TextMarshaler.
func (r Repair) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

// repairs collects Repairs in first-seen order, merging repeats.
type repairs struct {
	list  []Repair
	index map[Repair]int // keyed with Count 0
}

func (rs *repairs) add(kind RepairKind, detail string) {
	k := Repair{Kind: kind, Detail: detail}
	if i, ok := rs.index[k]; ok {
		rs.list[i].Count++
		return
	}
	if rs.index == nil {
		rs.index = map[Repair]int{}
	}
	if len(rs.list) >= 256 { // a hostile report cannot grow the list without end
		return
	}
	rs.index[k] = len(rs.list)
	k.Count = 1
	rs.list = append(rs.list, k)
}
