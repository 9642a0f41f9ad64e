package dmarcreport

// This file opens the containers reports come in. What a file holds is
// decided from its first bytes, never from its name: reporters label zip
// files application/gzip and name gzip files .zip. gzip (RFC 1952) may be
// several members in a row, a gzip inside a gzip, or followed by padding;
// zip members and zlib streams (RFC 1950) are read under the same byte
// budget, so no bomb gets past Limits.

import (
	"archive/zip"
	"bufio"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
	"iter"
	"path"
	"strings"
	"sync"
)

// Reader reads reports from files, messages and mailboxes under Limits. The
// zero Reader uses the default limits. A Reader is safe for concurrent use.
type Reader struct {
	Limits Limits
}

// Result is one report, or one failure to read one, from an input.
type Result struct {
	// Part says where in the input the report was: "" for the input
	// itself, else the path through messages, MIME parts and archive
	// members, such as "message 3/part 2 (report.zip)/google.com!x!1!2.xml".
	Part   string
	Report *Report
	// Err is nil for a report read whole. With a Report it says what was
	// lost (a *LimitError, a partial *SyntaxError); without one, why
	// nothing was read (ErrNotReport, a *ContainerError, ...).
	Err error
}

// kind is what the first bytes of some content say it is.
type kind int

const (
	kindUnknown kind = iota
	kindXML
	kindGzip
	kindZip
	kindZlib
	kindEmail
	kindMbox
)

func sniff(b []byte) kind {
	switch {
	case len(b) >= 2 && b[0] == 0x1f && b[1] == 0x8b:
		return kindGzip
	case bytes.HasPrefix(b, []byte("PK\x03\x04")), bytes.HasPrefix(b, []byte("PK\x05\x06")), bytes.HasPrefix(b, []byte("PK\x07\x08")):
		return kindZip
	case bytes.HasPrefix(b, []byte("From ")):
		return kindMbox
	}
	t := b
	if bytes.HasPrefix(t, []byte{0xEF, 0xBB, 0xBF}) {
		t = t[3:]
	}
	if bytes.HasPrefix(t, []byte{0xFE, 0xFF}) || bytes.HasPrefix(t, []byte{0xFF, 0xFE}) {
		return kindXML
	}
	t = bytes.TrimLeft(t, " \t\r\n")
	if len(t) > 0 && t[0] == '<' {
		return kindXML
	}
	if looksLikeHeader(t) {
		return kindEmail
	}
	// RFC 1950 §2.2: CM=8 (deflate), CINFO<=7, and FCHECK makes the first
	// two bytes a multiple of 31. Checked last: one text in 31 that starts
	// with the right letter passes it.
	if len(b) >= 2 && b[0]&0x0f == 8 && b[0]>>4 <= 7 && (uint16(b[0])<<8|uint16(b[1]))%31 == 0 {
		return kindZlib
	}
	return kindUnknown
}

// looksLikeHeader reports whether b starts with an RFC 5322 §2.2 header
// field: a name of printable characters other than ':' and space, then ':'.
func looksLikeHeader(b []byte) bool {
	i := 0
	for i < len(b) && i < 80 && b[i] > ' ' && b[i] < 0x7f && b[i] != ':' {
		i++
	}
	return i > 0 && i < len(b) && b[i] == ':'
}

// state is the budget of one input, shared by everything inside it.
type state struct {
	lim   Limits
	total int64 // bytes decompressed so far
	parts int
}

// Read reads every report in r: a report document, a gzip, zip or zlib
// file, a report email or an mbox of them. name is the file name, used
// for the RFC 7489 §7.2.1.1 fallbacks; it may be "". An mbox is read one
// message at a time; anything else is read whole, up to MaxInputBytes.
func (rd *Reader) Read(name string, r io.Reader) iter.Seq[Result] {
	return func(yield func(Result) bool) {
		lim := rd.Limits.withDefaults()
		br := bufio.NewReaderSize(r, 64<<10)
		head, _ := br.Peek(5)
		if sniff(head) == kindMbox {
			rd.mbox(br, yield)
			return
		}
		b, err := io.ReadAll(io.LimitReader(br, lim.MaxInputBytes+1))
		if err != nil {
			yield(Result{Err: err})
			return
		}
		if int64(len(b)) > lim.MaxInputBytes {
			yield(Result{Err: &LimitError{Limit: "MaxInputBytes", Max: lim.MaxInputBytes}})
			return
		}
		rd.ReadBytes(name, b)(yield)
	}
}

// ReadBytes is Read over content already in memory. b is not retained.
func (rd *Reader) ReadBytes(name string, b []byte) iter.Seq[Result] {
	return func(yield func(Result) bool) {
		st := &state{lim: rd.Limits.withDefaults()}
		if sniff(b) == kindMbox {
			rd.mbox(bytes.NewReader(b), yield)
			return
		}
		st.content(b, "", hints{fileName: name}, 0, true, yield)
	}
}

// content reads b, whatever it is. strict says that content holding no
// report is an error (ErrNotReport); inside an email, parts that are
// not reports are skipped instead. It returns false when yield asked to
// stop, and reports whether anything was yielded.
func (st *state) content(b []byte, part string, h hints, depth int, strict bool, yield func(Result) bool) (cont, found bool) {
	if depth > st.lim.MaxNesting {
		return yield(Result{Part: part, Err: &LimitError{Limit: "MaxNesting", Max: int64(st.lim.MaxNesting)}}), true
	}
	k := sniff(b)
	switch k {
	case kindXML:
		rep, err := parseXML(b, h, st.lim)
		if errors.Is(err, ErrNotReport) && !strict {
			return true, false
		}
		return yield(Result{Part: part, Report: rep, Err: err}), true
	case kindGzip, kindZlib:
		out, rep, err := st.inflate(k, b)
		if err != nil && len(out) == 0 {
			return yield(Result{Part: part, Err: err}), true
		}
		cont, found := st.content(out, part, h, depth+1, true, func(r Result) bool {
			if r.Report != nil {
				r.Report.Repairs = append(rep, r.Report.Repairs...)
				if err != nil && r.Err == nil {
					r.Err = err
				}
			}
			return yield(r)
		})
		return cont, found
	case kindZip:
		return st.unzip(b, part, h, depth, yield)
	case kindEmail, kindMbox:
		if depth > 0 && !strict {
			return true, false
		}
		return st.email(b, part, depth, yield)
	}
	if !strict {
		return true, false
	}
	return yield(Result{Part: part, Err: fmt.Errorf("%w: content is not XML, gzip, zip, zlib or an email", ErrNotReport)}), true
}

// budget is how many more bytes the next decompression may produce.
func (st *state) budget() int64 {
	return min(st.lim.MaxXMLBytes, st.lim.MaxTotalBytes-st.total)
}

// readCapped reads r up to the budget; past it the result is a
// *LimitError.
func (st *state) readCapped(r io.Reader) ([]byte, error) {
	max := st.budget()
	if max <= 0 {
		return nil, &LimitError{Limit: "MaxTotalBytes", Max: st.lim.MaxTotalBytes}
	}
	b, err := io.ReadAll(io.LimitReader(r, max+1))
	st.total += int64(len(b))
	if int64(len(b)) > max {
		if max == st.lim.MaxXMLBytes {
			return nil, &LimitError{Limit: "MaxXMLBytes", Max: st.lim.MaxXMLBytes}
		}
		return nil, &LimitError{Limit: "MaxTotalBytes", Max: st.lim.MaxTotalBytes}
	}
	return b, err
}

var gzipPool sync.Pool

// inflate decompresses a gzip or zlib stream. A stream cut short gives what
// was decompressed with a repair; bytes after the last gzip member are
// ignored with a repair.
func (st *state) inflate(k kind, b []byte) ([]byte, []Repair, error) {
	var rs repairs
	br := bytes.NewReader(b) // an io.ByteReader: gzip reads no further than each member
	if k == kindZlib {
		zr, err := zlib.NewReader(br)
		if err != nil {
			return nil, nil, &ContainerError{Container: "zlib", Err: err}
		}
		out, err := st.readCapped(zr)
		if errors.Is(err, ErrLimit) {
			return nil, nil, err
		}
		if err != nil {
			if len(out) == 0 {
				return nil, nil, &ContainerError{Container: "zlib", Err: err}
			}
			rs.add(RepairContainer, "zlib stream broken or cut short; the data before it kept")
		}
		return out, rs.list, nil
	}
	// The inflater's 32 KiB window is most of the cost of a small report:
	// reuse readers.
	zr, _ := gzipPool.Get().(*gzip.Reader)
	var err error
	if zr == nil {
		zr, err = gzip.NewReader(br)
	} else {
		err = zr.Reset(br)
	}
	if err != nil {
		return nil, nil, &ContainerError{Container: "gzip", Err: err}
	}
	defer gzipPool.Put(zr)
	var out []byte
	for member := 0; ; member++ {
		zr.Multistream(false)
		chunk, err := st.readCapped(zr)
		out = append(out, chunk...)
		if errors.Is(err, ErrLimit) {
			return nil, nil, err
		}
		if err != nil {
			if len(out) == 0 {
				return nil, nil, &ContainerError{Container: "gzip", Err: err}
			}
			rs.add(RepairContainer, "gzip stream broken or cut short; the data before it kept")
			return out, rs.list, nil
		}
		rest := b[len(b)-br.Len():]
		if len(rest) == 0 {
			return out, rs.list, nil
		}
		// RFC 1952 §2.2: a gzip file is a series of members.
		if len(rest) >= 2 && rest[0] == 0x1f && rest[1] == 0x8b && member < st.lim.MaxParts {
			if err := zr.Reset(br); err == nil {
				continue
			}
		}
		if len(bytes.Trim(rest, "\x00 \t\r\n")) == 0 {
			rs.add(RepairTrailing, "padding after the gzip data ignored")
		} else {
			rs.add(RepairTrailing, fmt.Sprintf("%d bytes after the gzip data ignored", len(rest)))
		}
		return out, rs.list, nil
	}
}

// unzip reads every member of a zip archive (PKWARE APPNOTE), whatever its
// name says, except directories and macOS resource forks.
func (st *state) unzip(b []byte, part string, h hints, depth int, yield func(Result) bool) (cont, found bool) {
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		if c, fnd, ok := st.salvageZip(b, part, h, depth, yield); ok {
			return c, fnd
		}
		return yield(Result{Part: part, Err: &ContainerError{Container: "zip", Err: err}}), true
	}
	for _, f := range zr.File {
		if strings.HasSuffix(f.Name, "/") || strings.HasPrefix(f.Name, "__MACOSX/") || strings.HasPrefix(path.Base(f.Name), "._") {
			continue
		}
		st.parts++
		if st.parts > st.lim.MaxParts {
			return yield(Result{Part: part, Err: &LimitError{Limit: "MaxParts", Max: int64(st.lim.MaxParts)}}), true
		}
		sub := joinPart(part, f.Name)
		rc, err := f.Open()
		if err != nil {
			found = true
			if !yield(Result{Part: sub, Err: &ContainerError{Container: "zip", Err: err}}) {
				return false, true
			}
			continue
		}
		out, err := st.readCapped(rc)
		rc.Close()
		if err != nil {
			found = true
			if errors.Is(err, ErrLimit) {
				return yield(Result{Part: sub, Err: err}), true
			}
			if !yield(Result{Part: sub, Err: &ContainerError{Container: "zip", Err: err}}) {
				return false, true
			}
			continue
		}
		hh := h
		hh.fileName = f.Name
		c, fnd := st.content(out, sub, hh, depth+1, true, yield)
		found = found || fnd
		if !c {
			return false, true
		}
	}
	if !found {
		return yield(Result{Part: part, Err: fmt.Errorf("%w: empty zip archive", ErrNotReport)}), true
	}
	return true, true
}

// salvageZip reads the members of a zip whose central directory is gone
// (a file cut short, junk appended past what archive/zip tolerates) from
// their local headers (APPNOTE §4.3.7), deflated or stored with a known
// size. ok is false when no member could be read.
func (st *state) salvageZip(b []byte, part string, h hints, depth int, yield func(Result) bool) (cont, found, ok bool) {
	le16 := func(p []byte) int { return int(p[0]) | int(p[1])<<8 }
	le32 := func(p []byte) int64 { return int64(p[0]) | int64(p[1])<<8 | int64(p[2])<<16 | int64(p[3])<<24 }
	sig := []byte("PK\x03\x04")
	for off := 0; ; {
		i := bytes.Index(b[off:], sig)
		if i < 0 || st.parts >= st.lim.MaxParts {
			return true, found, ok
		}
		hdr := b[off+i:]
		if len(hdr) < 30 {
			return true, found, ok
		}
		method, csize := le16(hdr[8:]), le32(hdr[18:])
		start := 30 + le16(hdr[26:]) + le16(hdr[28:])
		if start > len(hdr) {
			return true, found, ok
		}
		name := string(hdr[30 : 30+le16(hdr[26:])])
		data := hdr[start:]
		var out []byte
		var err error
		next := off + i + 4
		switch {
		case method == 8:
			br := bytes.NewReader(data) // an io.ByteReader: flate reads no further than its stream
			out, err = st.readCapped(flate.NewReader(br))
			next = off + i + start + (len(data) - br.Len())
		case method == 0 && csize > 0 && csize <= int64(len(data)):
			out = data[:csize]
			next = off + i + start + int(csize)
		default:
			off = next
			continue
		}
		if errors.Is(err, ErrLimit) {
			return yield(Result{Part: joinPart(part, name), Err: err}), true, true
		}
		off = next
		if len(out) == 0 || strings.HasSuffix(name, "/") {
			continue
		}
		st.parts++
		ok = true
		hh := h
		hh.fileName = name
		c, fnd := st.content(out, joinPart(part, name), hh, depth+1, true, func(r Result) bool {
			if r.Report != nil {
				r.Report.Repairs = append([]Repair{{Kind: RepairContainer, Detail: "zip directory unreadable; member read from its local header", Count: 1}}, r.Report.Repairs...)
			}
			return yield(r)
		})
		found = found || fnd
		if !c {
			return false, true, true
		}
	}
}

func joinPart(part, name string) string {
	if part == "" {
		return name
	}
	return part + "/" + name
}
