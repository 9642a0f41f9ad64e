package bounce

// This file reads mbox files (RFC 4155) one message at a time: messages are
// separated by "From " lines at the start of the file or after an empty
// line, or by a full envelope line ("From sender Www Mmm dd hh:mm:ss yyyy")
// anywhere; ">From " quoting (mboxrd) is undone. Only one message is held in
// memory at a time, and no more than Limits.MaxMessageBytes of it.

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"iter"
)

// Message is one message read from a mailbox.
type Message struct {
	// Index is the 0-based position of the message in its mbox file, or
	// in the sorted listing of a Maildir.
	Index int
	// Path is the file the message came from (Maildir); "" for an mbox.
	Path string
	// Report is what ParseMessage read; never nil when yielded with a nil
	// error or a *LimitError.
	Report *Report
	// Raw is the message as read from an mbox (quoting undone, cut at
	// MaxMessageBytes), for readers that need more than Report keeps, such
	// as attachments. It is only valid until the iteration moves on; nil
	// for a Maildir message (read the file at Path).
	Raw []byte
}

// ReadMbox is Parser.Mbox with the default Limits.
func ReadMbox(r io.Reader) iter.Seq2[Message, error] {
	var p Parser
	return p.Mbox(r)
}

// Mbox returns an iterator over the messages of the mbox read from r. Each
// message comes with the error of parsing it (a *LimitError, or nil); a
// read error of r is yielded once with an empty Message and ends the
// iteration. Input without any "From " line is read as one message.
func (p *Parser) Mbox(r io.Reader) iter.Seq2[Message, error] {
	return func(yield func(Message, error) bool) {
		lim := p.Limits.withDefaults()
		size := 64 << 10
		if l, ok := r.(interface{ Len() int }); ok {
			// An in-memory reader (bytes.Reader, strings.Reader,
			// bytes.Buffer) of a small mbox needs no 64 KiB buffer.
			size = min(size, max(l.Len()+1, 512))
		}
		br := bufio.NewReaderSize(r, size)
		var (
			buf       bytes.Buffer
			over      bool // the current message passed MaxMessageBytes
			inMessage bool
			prevBlank = true
			atStart   = true // at the start of a line
			index     int
		)
		emit := func() bool {
			if !inMessage {
				return true
			}
			rep, err := p.ParseBytes(buf.Bytes())
			if over && err == nil || over && errors.Is(err, ErrEmptyMessage) {
				err = &LimitError{Limit: "MaxMessageBytes", Max: lim.MaxMessageBytes}
			}
			ok := yield(Message{Index: index, Report: rep, Raw: buf.Bytes()}, err)
			index++
			buf.Reset()
			over, inMessage = false, false
			return ok
		}
		add := func(b []byte) {
			if over {
				return
			}
			if lim.MaxMessageBytes > 0 && int64(buf.Len()+len(b)) > lim.MaxMessageBytes {
				// Keep the message up to the limit (its partial Report
				// comes with the *LimitError); skip the rest of it.
				buf.Write(b[:lim.MaxMessageBytes-int64(buf.Len())])
				over = true
				return
			}
			buf.Write(b)
		}
		for {
			chunk, err := br.ReadSlice('\n')
			if len(chunk) > 0 {
				lineStart := atStart
				atStart = chunk[len(chunk)-1] == '\n'
				if lineStart && (prevBlank && isFromLine(chunk) || isEnvelopeLine(chunk)) {
					if !emit() {
						return
					}
					inMessage = true
					prevBlank = false
					continue
				}
				if !inMessage {
					if len(bytes.TrimSpace(chunk)) == 0 {
						prevBlank = true
						continue
					}
					inMessage = true // no From_ line: one bare message
				}
				if lineStart {
					prevBlank = len(bytes.TrimRight(chunk, "\r\n")) == 0
					if q := bytes.TrimLeft(chunk, ">"); len(q) < len(chunk) && bytes.HasPrefix(q, []byte("From ")) {
						chunk = chunk[1:] // mboxrd: one level of quoting
					}
				} else {
					prevBlank = false
				}
				add(chunk)
			}
			if err == bufio.ErrBufferFull {
				continue
			}
			if err == io.EOF {
				emit()
				return
			}
			if err != nil {
				if emit() {
					yield(Message{Index: index}, err)
				}
				return
			}
		}
	}
}

// isFromLine reports whether line is an mbox separator, "From " followed by
// the envelope sender and a date (RFC 4155 §2), as opposed to body text that
// happens to start with "From " in an unquoted (mboxo) file.
func isFromLine(line []byte) bool {
	if !bytes.HasPrefix(line, []byte("From ")) {
		return false
	}
	f := bytes.Fields(line)
	return len(f) >= 3 && bytes.ContainsAny(line, "0123456789")
}

// isEnvelopeLine reports whether line is a full RFC 4155 envelope line,
// "From sender Www Mmm dd hh:mm:ss yyyy": such a line separates messages
// even when no empty line precedes it (some archivers join messages
// without one, after a closing MIME boundary). Body text rarely has this
// shape, and MTAs quote body lines that start with "From ".
func isEnvelopeLine(line []byte) bool {
	if !bytes.HasPrefix(line, []byte("From ")) {
		return false
	}
	f := bytes.Fields(line)
	if len(f) < 7 || len(f) > 9 {
		return false
	}
	// f[1] is the sender; the asctime date follows.
	d := f[2:]
	if !isNameOf(d[0], "MonTueWedThuFriSatSun") || !isNameOf(d[1], "JanFebMarAprMayJunJulAugSepOctNovDec") {
		return false
	}
	if len(d[2]) > 2 || !allDigits(string(d[2])) {
		return false
	}
	t := d[3]
	if len(t) != 8 || t[2] != ':' || t[5] != ':' || !allDigits(string(t[:2])) || !allDigits(string(t[3:5])) || !allDigits(string(t[6:])) {
		return false
	}
	for _, y := range d[4:] { // the year, possibly before or after a zone
		if len(y) == 4 && allDigits(string(y)) {
			return true
		}
	}
	return false
}

// isNameOf reports whether w is one of the three-letter names packed in names.
func isNameOf(w []byte, names string) bool {
	if len(w) != 3 {
		return false
	}
	for i := 0; i+3 <= len(names); i += 3 {
		if string(w) == names[i:i+3] {
			return true
		}
	}
	return false
}
