// Reading what a message's own header says about its authentication: the
// Authentication-Results and Received-SPF fields receivers stamped on it,
// its DKIM signatures and its From and Return-Path, so the original message
// returned inside a bounce can be turned into a CheckSender input.

package authcheck

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/mail"
	"strings"

	"github.com/bouncekit/bouncekit/authcheck/authres"
	"github.com/bouncekit/bouncekit/authcheck/dkim"
)

// MaxMessageHeaderBytes bounds the header section ReadMessageAuth reads.
const MaxMessageHeaderBytes = 1 << 20

// MessageAuth is what one message's header fields say about its
// authentication, in header order (top first: the most recent hop first).
type MessageAuth struct {
	FromDomain     string // RFC5322.From domain, lower case
	ReturnPath     string // the Return-Path address (RFC5321.MailFrom as delivered), "" for <>
	AuthResults    []*authres.Results
	ReceivedSPF    []*authres.ReceivedSPF
	DKIMSignatures []*dkim.Signature
	// Errors lists header fields that did not parse; the rest are still read.
	Errors []error
}

// ReadMessageAuth reads the header section of a message (the body is not
// read) and parses its Authentication-Results, Received-SPF and
// DKIM-Signature fields and its From and Return-Path. It fails only when
// the header cannot be read or exceeds MaxMessageHeaderBytes; fields that
// do not parse are listed in Errors.
func ReadMessageAuth(r io.Reader) (*MessageAuth, error) {
	br := bufio.NewReader(io.LimitReader(r, MaxMessageHeaderBytes+1))
	var hdr bytes.Buffer
	for {
		line, err := br.ReadBytes('\n')
		hdr.Write(line)
		if hdr.Len() > MaxMessageHeaderBytes {
			return nil, fmt.Errorf("message header: %w (over %d bytes)", dkim.ErrMessageTooLarge, MaxMessageHeaderBytes)
		}
		if len(bytes.TrimRight(line, "\r\n")) == 0 || err != nil {
			if err != nil && !errors.Is(err, io.EOF) {
				return nil, fmt.Errorf("message header: %w", err)
			}
			break
		}
	}
	m := dkim.SplitMessage(hdr.Bytes())
	ma := &MessageAuth{}
	for _, h := range m.Headers {
		v := h.Value()
		switch strings.ToLower(h.Name) {
		case "authentication-results":
			ar, err := authres.Parse(v)
			if err != nil {
				ma.Errors = append(ma.Errors, fmt.Errorf("Authentication-Results: %w", err))
			}
			if ar != nil {
				ma.AuthResults = append(ma.AuthResults, ar)
			}
		case "received-spf":
			rs, err := authres.ParseReceivedSPF(v)
			if err != nil {
				ma.Errors = append(ma.Errors, fmt.Errorf("Received-SPF: %w", err))
			}
			if rs != nil && rs.Result != "" {
				ma.ReceivedSPF = append(ma.ReceivedSPF, rs)
			}
		case "dkim-signature":
			s, err := dkim.ParseSignature(v)
			if err != nil {
				ma.Errors = append(ma.Errors, err)
				continue
			}
			ma.DKIMSignatures = append(ma.DKIMSignatures, s)
		case "from":
			if ma.FromDomain == "" {
				ma.FromDomain = addressDomain(v)
			}
		case "return-path":
			if ma.ReturnPath == "" {
				rp := strings.TrimSpace(unfold(v))
				rp = strings.TrimSuffix(strings.TrimPrefix(rp, "<"), ">")
				ma.ReturnPath = strings.TrimSpace(rp)
			}
		}
	}
	return ma, nil
}

func unfold(s string) string {
	return strings.NewReplacer("\r\n", "", "\n", "").Replace(s)
}

// addressDomain returns the lower-case domain of the first address of an
// address-list header value, tolerating values net/mail refuses.
func addressDomain(v string) string {
	v = strings.TrimSpace(unfold(v))
	if list, err := mail.ParseAddressList(v); err == nil && len(list) > 0 {
		a := list[0].Address
		return strings.ToLower(a[strings.LastIndexByte(a, '@')+1:])
	}
	// Fall back on the text after the last '@', up to '>' or a space.
	at := strings.LastIndexByte(v, '@')
	if at < 0 {
		return ""
	}
	d := v[at+1:]
	if i := strings.IndexAny(d, "> \t,;"); i >= 0 {
		d = d[:i]
	}
	return strings.ToLower(strings.TrimSuffix(d, "."))
}

// SenderInput builds a CheckSender input from the message: the From domain,
// the Return-Path as MAIL FROM, every DKIM signature's selector at its d=
// domain, and the client IP and HELO of the topmost Received-SPF field that
// gives them (the receiver's view of the sending hop).
func (m *MessageAuth) SenderInput() SenderInput {
	in := SenderInput{FromDomain: m.FromDomain, MailFrom: m.ReturnPath}
	for _, s := range m.DKIMSignatures {
		sel := s.Selector + ":" + s.Domain
		if !containsString(in.DKIMSelectors, sel) && len(in.DKIMSelectors) < MaxSenderSelectors {
			in.DKIMSelectors = append(in.DKIMSelectors, sel)
		}
	}
	for _, rs := range m.ReceivedSPF {
		if rs.ClientIP.IsValid() {
			in.IP, in.HELO = rs.ClientIP, rs.HELO
			if in.MailFrom == "" {
				in.MailFrom = rs.EnvelopeFrom
			}
			break
		}
	}
	return in
}
