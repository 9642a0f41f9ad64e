package dmarcreport

// This file finds reports in report emails (RFC 7489 §7.2.1.1, RFC 9990
// §4): in any MIME structure (RFC 2045, RFC 2046), whatever the parts are
// labelled. A part is read when its content is a container or a report
// document; labels only decide whether a part that is neither is an error
// (application/zip, gzip, octet-stream, xml: it was meant to be a report)
// or is skipped (the human-readable text beside the report).

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"strconv"
	"strings"
)

// reportTypes are the media types reporters label report attachments with.
var reportTypes = []string{
	"application/zip", "application/x-zip", "application/x-zip-compressed",
	"application/gzip", "application/x-gzip", "application/gzip-compressed", "application/x-gunzip",
	"application/octet-stream", "application/xml", "text/xml", "application/zlib",
}

// email reads one message: b holds its header and body.
func (st *state) email(b []byte, part string, depth int, yield func(Result) bool) (cont, found bool) {
	h, body, ok := splitHeader(b)
	if !ok {
		return yield(Result{Part: part, Err: &ContainerError{Container: "mime", Err: errors.New("no message header")}}), true
	}
	mi := msgInfo{from: fromDomain(h.Get("From")), subject: h.Get("Subject")}
	cont, found = st.entity(h, body, part, "", mi, depth, yield)
	if cont && !found {
		return yield(Result{Part: part, Err: fmt.Errorf("%w: the message has no report attachment", ErrNotReport)}), true
	}
	return cont, found
}

// maxHeaderBytes bounds one header block.
const maxHeaderBytes = 1 << 20

// splitHeader reads an RFC 5322 §2.2 header block up to the first empty
// line, leniently: continuation lines are unfolded, lines without a colon
// skipped, names taken as written (spaces before the colon trimmed). ok is
// false when the first line is not a header field.
func splitHeader(b []byte) (h textproto.MIMEHeader, body []byte, ok bool) {
	h = textproto.MIMEHeader{}
	var last string
	for i := 0; ; {
		if i >= len(b) {
			return h, nil, true
		}
		j := bytes.IndexByte(b[i:], '\n')
		end := len(b)
		if j >= 0 {
			end = i + j + 1
		}
		line := bytes.TrimRight(b[i:end], "\r\n")
		if len(line) == 0 {
			return h, b[end:], true
		}
		if i > maxHeaderBytes {
			return h, b[end:], true
		}
		switch {
		case line[0] == ' ' || line[0] == '\t':
			if vs := h[last]; len(vs) > 0 {
				vs[len(vs)-1] += " " + string(bytes.TrimSpace(line))
			}
		default:
			k, v, found := bytes.Cut(line, []byte(":"))
			if !found || len(bytes.TrimSpace(k)) == 0 {
				if i == 0 {
					return nil, b, false
				}
				break
			}
			last = textproto.CanonicalMIMEHeaderKey(string(bytes.TrimSpace(k)))
			h[last] = append(h[last], string(bytes.TrimSpace(v)))
		}
		i = end
	}
}

// splitParts splits a multipart body at its boundary lines (RFC 2046
// §5.1.1): the preamble and epilogue are dropped, a missing closing
// boundary ends the last part at the end of the body.
func splitParts(body []byte, boundary string, max int) [][]byte {
	delim := []byte("--" + boundary)
	var parts [][]byte
	start := -1
	for i := 0; i < len(body); {
		j := bytes.IndexByte(body[i:], '\n')
		end := len(body)
		if j >= 0 {
			end = i + j + 1
		}
		line := body[i:end]
		if bytes.HasPrefix(line, delim) {
			rest := bytes.TrimRight(line[len(delim):], " \t\r\n")
			if len(rest) == 0 || bytes.Equal(rest, []byte("--")) {
				if start >= 0 {
					parts = append(parts, trimEOL(body[start:i]))
				}
				if len(rest) > 0 || len(parts) >= max {
					return parts
				}
				start = end
			}
		}
		i = end
	}
	if start >= 0 && start < len(body) {
		parts = append(parts, body[start:])
	}
	return parts
}

// trimEOL drops the line break that belongs to the boundary after a part.
func trimEOL(b []byte) []byte {
	b = bytes.TrimSuffix(b, []byte("\n"))
	return bytes.TrimSuffix(b, []byte("\r"))
}

// msgInfo is what the nearest enclosing message says about its report.
type msgInfo struct {
	from    string // the domain of From
	subject string
}

// subjectField reads a field of the RFC 7489 §7.2.1.1 Subject,
// "Report Domain: example.com Submitter: google.com Report-ID: <123>".
func subjectField(subject, name string) string {
	i := strings.Index(strings.ToLower(subject), strings.ToLower(name))
	if i < 0 {
		return ""
	}
	f := strings.Fields(subject[i+len(name):])
	if len(f) == 0 {
		return ""
	}
	return strings.Trim(f[0], "<>")
}

func fromDomain(from string) string {
	addr := from
	if a, err := mail.ParseAddress(from); err == nil {
		addr = a.Address
	}
	if i := strings.LastIndexByte(addr, '@'); i >= 0 {
		return lowerDomain(strings.Trim(addr[i+1:], "<> \t"))
	}
	return ""
}

// entity reads one MIME entity with header h and (still encoded) body.
// prefix is where its message is in the input, idx its part number in the
// message ("" for the message's own body, "2.1" for the first part of the
// second part).
func (st *state) entity(h textproto.MIMEHeader, body []byte, prefix, idx string, mi msgInfo, depth int, yield func(Result) bool) (cont, found bool) {
	part := joinPart(prefix, "part "+idx)
	if idx == "" {
		part = joinPart(prefix, "body")
	}
	if depth > st.lim.MaxNesting {
		return yield(Result{Part: part, Err: &LimitError{Limit: "MaxNesting", Max: int64(st.lim.MaxNesting)}}), true
	}
	st.parts++
	if st.parts > st.lim.MaxParts {
		return yield(Result{Part: part, Err: &LimitError{Limit: "MaxParts", Max: int64(st.lim.MaxParts)}}), true
	}
	ct, params, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err != nil {
		ct = "text/plain" // RFC 2045 §5.2: the default for a missing or broken Content-Type
		if mt, _, _ := strings.Cut(h.Get("Content-Type"), ";"); strings.Contains(mt, "/") {
			ct = strings.ToLower(strings.TrimSpace(mt))
		}
	}
	if strings.HasPrefix(ct, "multipart/") {
		boundary := params["boundary"]
		if boundary == "" {
			return true, false
		}
		for i, pb := range splitParts(body, boundary, st.lim.MaxParts) {
			ph, pbody, ok := splitHeader(pb)
			if !ok {
				ph, pbody = textproto.MIMEHeader{}, pb // a part without a header: RFC 2046 §5.1.1 defaults
			}
			sub := strconv.Itoa(i + 1)
			if idx != "" {
				sub = idx + "." + sub
			}
			c, f := st.entity(ph, pbody, prefix, sub, mi, depth+1, yield)
			found = found || f
			if !c {
				return false, found
			}
		}
		return true, found
	}
	data := decodeBody(h.Get("Content-Transfer-Encoding"), body)
	name := partName(h, params)
	label := part
	if name != "" {
		label += " (" + name + ")"
	}
	if ct == "message/rfc822" || ct == "message/global" {
		ih, inner, ok := splitHeader(data)
		if !ok {
			return true, false
		}
		if f := fromDomain(ih.Get("From")); f != "" {
			mi.from = f
		}
		if sub := ih.Get("Subject"); sub != "" {
			mi.subject = sub
		}
		return st.entity(ih, inner, label, "", mi, depth+1, yield)
	}
	labelled := false
	for _, t := range reportTypes {
		if ct == t {
			labelled = true
		}
	}
	lname := strings.ToLower(name)
	for _, ext := range []string{".xml", ".gz", ".zip", ".zlib", ".gzip"} {
		if strings.HasSuffix(lname, ext) {
			labelled = true
		}
	}
	k := sniff(data)
	if !labelled && k != kindGzip && k != kindZip && !(k == kindXML && bytes.Contains(data, []byte("feedback"))) {
		return true, false // the text of the email, a logo, a signature
	}
	if k == kindEmail || k == kindMbox {
		k = kindUnknown
	}
	if k == kindUnknown {
		return yield(Result{Part: label, Err: fmt.Errorf("%w: %s part holds no report", ErrNotReport, ct)}), true
	}
	return st.content(data, label, hints{fromDomain: mi.from, subject: mi.subject, fileName: name}, depth+1, true, yield)
}

func partName(h textproto.MIMEHeader, ctParams map[string]string) string {
	if _, p, err := mime.ParseMediaType(h.Get("Content-Disposition")); err == nil && p["filename"] != "" {
		return p["filename"]
	}
	return ctParams["name"]
}

// decodeBody undoes a Content-Transfer-Encoding (RFC 2045 §6), leniently:
// base64 with line breaks, junk or missing padding, quoted-printable with
// bad escapes. Unknown encodings are taken as they are.
func decodeBody(cte string, body []byte) []byte {
	switch strings.ToLower(strings.TrimSpace(cte)) {
	case "base64":
		clean := make([]byte, 0, len(body))
		for _, c := range body {
			if c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/' {
				clean = append(clean, c)
			} else if c == '=' {
				break
			}
		}
		if len(clean)%4 == 1 {
			clean = clean[:len(clean)-1]
		}
		out := make([]byte, base64.RawStdEncoding.DecodedLen(len(clean)))
		n, _ := base64.RawStdEncoding.Decode(out, clean)
		return out[:n]
	case "quoted-printable":
		out, err := io.ReadAll(quotedprintable.NewReader(bytes.NewReader(body)))
		if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && len(out) == 0 {
			return body
		}
		return out
	}
	return body
}
