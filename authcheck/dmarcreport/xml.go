package dmarcreport

// This file reads the <feedback> document of RFC 7489 Appendix C and RFC
// 9990 §3 token by token, so that a document cut short still gives the
// records before the cut, and element names are matched by local name
// whatever their namespace (RFC 7489 reports have none, RFC 9990 ones use
// Namespace2) and case.

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"strings"
)

// hints are what the container around a document knows about its report.
type hints struct {
	fromDomain string // the domain of the report email's From
	fileName   string // the attachment or file name
	subject    string // the report email's Subject
}

// Parse reads one report document (the XML, not a container) with the
// default Limits. See Reader.ParseXML.
func Parse(b []byte) (*Report, error) {
	var rd Reader
	return rd.ParseXML(b)
}

// ParseXML reads one report document. The Report is nil only when err
// says no report could be read (ErrNotReport, or a *SyntaxError with
// Partial false); with a *LimitError or a partial *SyntaxError it holds
// what was read before.
func (rd *Reader) ParseXML(b []byte) (*Report, error) {
	return parseXML(b, hints{}, rd.Limits.withDefaults())
}

// node is an element read whole: its local name in lower case, its text
// (trimmed) and its child elements.
type node struct {
	name string
	text string
	kids []*node
}

func (n *node) child(name string) *node {
	if n == nil {
		return nil
	}
	for _, k := range n.kids {
		if k.name == name {
			return k
		}
	}
	return nil
}

func (n *node) get(name string) string {
	if c := n.child(name); c != nil {
		return c.text
	}
	return ""
}

// maxNodeDepth bounds element nesting inside one top-level element; the
// schema needs 4 levels.
const maxNodeDepth = 16

func decodeNode(d *xml.Decoder, start xml.StartElement, depth int) (*node, error) {
	n := &node{name: strings.ToLower(start.Name.Local)}
	var text []byte
	for {
		// RawToken: names are matched by local name anyway, and the
		// namespace bookkeeping of Token is most of the decoding time.
		tok, err := d.RawToken()
		if err != nil {
			return n, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if depth >= maxNodeDepth {
				if err := d.Skip(); err != nil {
					return n, err
				}
				continue
			}
			k, err := decodeNode(d, t, depth+1)
			n.kids = append(n.kids, k)
			if err != nil {
				return n, err
			}
		case xml.CharData:
			if len(n.kids) == 0 {
				text = append(text, t...)
			}
		case xml.EndElement:
			n.text = string(bytes.TrimSpace(text))
			return n, nil
		}
	}
}

func parseXML(b []byte, h hints, lim Limits) (*Report, error) {
	rs := &repairs{}
	if int64(len(b)) > lim.MaxXMLBytes {
		return nil, &LimitError{Limit: "MaxXMLBytes", Max: lim.MaxXMLBytes}
	}
	b = cleanText(b, rs)
	b = escapeReportID(b, rs)
	if i := bytes.IndexByte(b, '<'); i < 0 {
		return nil, ErrNotReport
	} else if len(bytes.TrimSpace(b[:i])) > 0 {
		rs.add(RepairMixedDocument, "bytes before the XML document ignored")
		b = b[i:]
	}
	d := xml.NewDecoder(bytes.NewReader(b))
	d.Strict = false                                                                   // RFC-breaking entities and unclosed tags are read as text and closed
	d.CharsetReader = func(_ string, r io.Reader) (io.Reader, error) { return r, nil } // cleanText made it UTF-8

	var root xml.StartElement
	for {
		tok, err := d.Token()
		if err != nil {
			if err == io.EOF {
				return nil, ErrNotReport
			}
			return nil, &SyntaxError{Offset: d.InputOffset(), Err: err}
		}
		if se, ok := tok.(xml.StartElement); ok {
			root = se
			break
		}
	}
	if !strings.EqualFold(root.Name.Local, "feedback") {
		return nil, ErrNotReport
	}
	rep := &Report{Namespace: root.Name.Space}
	p := &reportParser{rep: rep, rs: rs, lim: lim}
	var (
		meta, pol *node
		err       error
		partial   bool
		limitErr  error
	)
loop:
	for {
		var tok xml.Token
		tok, err = d.Token()
		if err != nil {
			break
		}
		switch t := tok.(type) {
		case xml.EndElement:
			break loop
		case xml.StartElement:
			name := strings.ToLower(t.Name.Local)
			if name == "record" && len(rep.Records) >= lim.MaxRecords {
				limitErr = &LimitError{Limit: "MaxRecords", Max: int64(lim.MaxRecords)}
				if err = d.Skip(); err != nil {
					break loop
				}
				continue
			}
			var n *node
			n, err = decodeNode(d, t, 1)
			if err != nil {
				partial = true
				if name == "report_metadata" && meta == nil {
					meta = n // a cut metadata still has the fields read before the cut
				}
				break loop
			}
			switch name {
			case "version":
				rep.Version = n.text
			case "report_metadata":
				meta = n
			case "policy_published":
				pol = n
			case "record":
				p.record(n)
			default:
				p.extension(t.Name.Local)
			}
		}
	}
	if meta == nil && pol == nil && len(rep.Records) == 0 {
		if err != nil && err != io.EOF {
			return nil, &SyntaxError{Offset: d.InputOffset(), Err: err}
		}
		if err == io.EOF {
			return nil, &SyntaxError{Offset: d.InputOffset(), Err: io.ErrUnexpectedEOF}
		}
	}
	p.metadata(meta, h)
	p.policy(pol)
	p.finish(h)
	var serr error
	switch {
	case err == nil:
	case !partial:
		// Every element read was complete: the document ends, or breaks,
		// between records.
		rs.add(RepairTruncated, "document ends or breaks before </feedback>; every record read was complete")
	default:
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		rs.add(RepairTruncated, "document broken or cut inside an element; the records before it kept")
		serr = &SyntaxError{Offset: d.InputOffset(), Partial: true, Err: err}
	}
	rep.Repairs = rs.list
	if serr != nil {
		return rep, serr
	}
	if limitErr != nil {
		return rep, limitErr
	}
	return rep, nil
}

func (p *reportParser) extension(name string) {
	for _, e := range p.rep.Extensions {
		if e == name {
			return
		}
	}
	if len(p.rep.Extensions) < 64 {
		p.rep.Extensions = append(p.rep.Extensions, name)
	}
}

// escapeReportID escapes a report id written as "<id@host>" without
// entities, as some reporters copy a Message-ID into the element; XML
// would read it as a tag.
func escapeReportID(b []byte, rs *repairs) []byte {
	open, close := []byte("<report_id>"), []byte("</report_id>")
	i := bytes.Index(b, open)
	if i < 0 {
		return b
	}
	start := i + len(open)
	j := bytes.Index(b[start:], close)
	if j < 0 || j > 1024 {
		return b
	}
	id := b[start : start+j]
	if !bytes.ContainsAny(id, "<>") {
		return b
	}
	esc := bytes.ReplaceAll(bytes.ReplaceAll(id, []byte("<"), []byte("&lt;")), []byte(">"), []byte("&gt;"))
	rs.add(RepairReportID, "report id with bare <> escaped")
	out := make([]byte, 0, len(b)+len(esc)-len(id))
	out = append(out, b[:start]...)
	out = append(out, esc...)
	return append(out, b[start+j:]...)
}
