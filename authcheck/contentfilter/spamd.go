package contentfilter

// This file is the SpamAssassin spamd client and the SPAMC/1.5 reply parser
// (spamd(1), section "PROTOCOL"; Mail::SpamAssassin::Spamd).

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"time"
)

// Spamd is a client of SpamAssassin's spamd. It is safe for concurrent use.
type Spamd struct {
	// Addr is spamd's host:port (spamd listens on 783 by default).
	Addr string
	// Timeout bounds each request; default 10 s (spamd answers in ~0.3 s
	// with network tests off, but a cold child loads its rules first).
	Timeout time.Duration
	// User is sent as the User header (per-user preferences), when set.
	User string
	// NoReport skips the REPORT request, which gives each rule's points and
	// description; the result then has the rule names only.
	NoReport bool
}

// Name returns "spamd".
func (s *Spamd) Name() string { return "spamd" }

// Check asks spamd for SYMBOLS (score, threshold and rule names) and, unless
// NoReport, REPORT (each rule's points and description). SpamAssassin reads
// the envelope from the message's own trace fields, so when env has an IP the
// message is handed over as the receiving MTA would: with a Return-Path and
// a Received field for the last hop (RFC 5321 §4.4) prepended.
func (s *Spamd) Check(ctx context.Context, msg []byte, env Envelope) (Result, error) {
	msg = withTrace(msg, env, time.Now())
	rep, err := s.Do(ctx, "SYMBOLS", msg)
	if err != nil {
		return Result{Engine: "spamd"}, err
	}
	res := Result{Engine: "spamd", Score: rep.Score, Required: rep.Threshold, Spam: rep.Spam, Action: "no action"}
	if rep.Spam {
		res.Action = "reject"
	}
	for _, name := range rep.Symbols() {
		res.Symbols = append(res.Symbols, Symbol{Name: name})
	}
	if !s.NoReport {
		rr, err := s.Do(ctx, "REPORT", msg)
		if err != nil {
			sortSymbols(res.Symbols)
			return res, err
		}
		byName := make(map[string]Symbol)
		for _, sym := range rr.ReportRules() {
			byName[sym.Name] = sym
		}
		for i, sym := range res.Symbols {
			if r, ok := byName[sym.Name]; ok {
				res.Symbols[i] = r
			}
		}
	}
	sortSymbols(res.Symbols)
	return res, nil
}

// Do sends one SPAMC/1.5 request (CHECK, SYMBOLS, REPORT, REPORT_IFSPAM,
// PROCESS, HEADERS or PING) and parses the reply.
func (s *Spamd) Do(ctx context.Context, command string, msg []byte) (SpamdReply, error) {
	timeout := s.Timeout
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", s.Addr)
	if err != nil {
		return SpamdReply{}, fmt.Errorf("contentfilter: spamd %s: %w", s.Addr, err)
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()

	var req bytes.Buffer
	fmt.Fprintf(&req, "%s SPAMC/1.5\r\n", command)
	if command != "PING" {
		// spamd reads exactly Content-length bytes of message.
		fmt.Fprintf(&req, "Content-length: %d\r\n", len(msg))
	}
	if s.User != "" {
		fmt.Fprintf(&req, "User: %s\r\n", s.User)
	}
	req.WriteString("\r\n")
	if command != "PING" {
		req.Write(msg)
	}
	if _, err := conn.Write(req.Bytes()); err != nil {
		return SpamdReply{}, fmt.Errorf("contentfilter: spamd %s: %w", s.Addr, err)
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		tc.CloseWrite()
	}
	raw, err := io.ReadAll(io.LimitReader(conn, MaxReplySize+1))
	if err != nil {
		return SpamdReply{}, fmt.Errorf("contentfilter: spamd %s: %w", s.Addr, err)
	}
	if len(raw) > MaxReplySize {
		return SpamdReply{}, fmt.Errorf("%w: spamd reply longer than %d bytes", ErrProtocol, MaxReplySize)
	}
	rep, err := ParseSpamdReply(raw)
	if err != nil {
		return rep, err
	}
	if rep.Code != 0 {
		return rep, &SpamdError{Code: rep.Code, Message: rep.Message}
	}
	return rep, nil
}

// SpamdError is a reply whose response code is not 0 (EX_OK); the codes are
// sysexits(3) values (64 EX_USAGE, 65 EX_DATAERR, 74 EX_IOERR, 76
// EX_PROTOCOL ...).
type SpamdError struct {
	Code    int
	Message string
}

func (e *SpamdError) Error() string {
	return fmt.Sprintf("contentfilter: spamd answered %d %s", e.Code, e.Message)
}

// SpamdReply is a parsed spamd reply.
type SpamdReply struct {
	// Version is the protocol version of the status line ("1.1").
	Version string
	// Code is the response code (0 for EX_OK) and Message its text.
	Code    int
	Message string
	// HasScore is true when the reply had a Spam header; Spam, Score and
	// Threshold are its values ("Spam: True ; 15.3 / 5.0").
	HasScore  bool
	Spam      bool
	Score     float64
	Threshold float64
	// Headers are the reply's header lines in order, Body what followed
	// the empty line.
	Headers [][2]string
	Body    string
}

// ParseSpamdReply parses a spamd reply: a status line "SPAMD/<version>
// <code> <message>", header lines, an empty line and the body. Errors wrap
// ErrProtocol; what was read before the error is returned.
func ParseSpamdReply(raw []byte) (SpamdReply, error) {
	var rep SpamdReply
	if len(raw) > MaxReplySize {
		return rep, fmt.Errorf("%w: spamd reply longer than %d bytes", ErrProtocol, MaxReplySize)
	}
	line, rest, _ := bytes.Cut(raw, []byte("\n"))
	status := strings.TrimRight(string(line), "\r")
	proto, after, ok := strings.Cut(status, " ")
	if !ok || !strings.HasPrefix(proto, "SPAMD/") {
		return rep, fmt.Errorf("%w: spamd status line %q", ErrProtocol, clip(status))
	}
	rep.Version = proto[len("SPAMD/"):]
	codeStr, msg, _ := strings.Cut(after, " ")
	code, err := strconv.Atoi(codeStr)
	if err != nil || code < 0 || code > 255 {
		return rep, fmt.Errorf("%w: spamd response code %q", ErrProtocol, clip(codeStr))
	}
	rep.Code, rep.Message = code, strings.TrimSpace(msg)
	for len(rest) > 0 {
		line, rest, _ = bytes.Cut(rest, []byte("\n"))
		l := strings.TrimRight(string(line), "\r")
		if l == "" {
			break
		}
		name, value, ok := strings.Cut(l, ":")
		if !ok {
			return rep, fmt.Errorf("%w: spamd header line %q", ErrProtocol, clip(l))
		}
		name, value = strings.TrimSpace(name), strings.TrimSpace(value)
		rep.Headers = append(rep.Headers, [2]string{name, value})
		if strings.EqualFold(name, "Spam") {
			if err := rep.parseSpam(value); err != nil {
				return rep, err
			}
		}
	}
	rep.Body = string(rest)
	return rep, nil
}

// parseSpam reads "True ; 15.3 / 5.0" (also "Yes", "False", "No").
func (rep *SpamdReply) parseSpam(v string) error {
	flag, scores, ok := strings.Cut(v, ";")
	if !ok {
		return fmt.Errorf("%w: spamd Spam header %q", ErrProtocol, clip(v))
	}
	switch strings.ToLower(strings.TrimSpace(flag)) {
	case "true", "yes":
		rep.Spam = true
	case "false", "no":
	default:
		return fmt.Errorf("%w: spamd Spam header %q", ErrProtocol, clip(v))
	}
	sc, th, ok := strings.Cut(scores, "/")
	if !ok {
		return fmt.Errorf("%w: spamd Spam header %q", ErrProtocol, clip(v))
	}
	score, err1 := strconv.ParseFloat(strings.TrimSpace(sc), 64)
	thr, err2 := strconv.ParseFloat(strings.TrimSpace(th), 64)
	if err1 != nil || err2 != nil || !finite(score) || !finite(thr) {
		return fmt.Errorf("%w: spamd Spam header %q", ErrProtocol, clip(v))
	}
	rep.HasScore, rep.Score, rep.Threshold = true, score, thr
	return nil
}

// Symbols returns the rule names of a SYMBOLS reply body (comma separated).
func (rep SpamdReply) Symbols() []string {
	var out []string
	for _, f := range strings.Split(rep.Body, ",") {
		if f = strings.TrimSpace(f); f != "" && isRuleName(f) {
			out = append(out, f)
		}
	}
	return out
}

// ReportRules reads the points table of a REPORT reply body:
//
//	 pts rule name              description
//	---- ---------------------- ------------------------------------------
//	 1.4 MISSING_DATE           Missing Date: header
//	                            (continued description)
func (rep SpamdReply) ReportRules() []Symbol {
	var out []Symbol
	inTable := false
	for _, line := range strings.Split(rep.Body, "\n") {
		line = strings.TrimRight(line, "\r")
		t := strings.TrimSpace(line)
		if strings.HasPrefix(t, "----") {
			inTable = true
			continue
		}
		if !inTable || t == "" {
			continue
		}
		f := strings.Fields(t)
		if len(f) >= 2 {
			if pts, err := strconv.ParseFloat(f[0], 64); err == nil && finite(pts) && isRuleName(f[1]) {
				desc := strings.TrimSpace(strings.TrimPrefix(t[len(f[0]):], " "))
				desc = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(desc), f[1]))
				out = append(out, Symbol{Name: f[1], Score: pts, Description: desc})
				continue
			}
		}
		if len(out) > 0 && strings.HasPrefix(line, " ") {
			last := &out[len(out)-1]
			last.Description = strings.TrimSpace(last.Description + " " + t)
		}
	}
	return out
}

// withTrace prepends the Return-Path and Received fields a receiving MTA
// adds, so the filter's SPF, rDNS and HELO rules see the sending hop.
func withTrace(msg []byte, env Envelope, now time.Time) []byte {
	if !env.IP.IsValid() {
		return msg
	}
	helo := env.HELO
	if helo == "" {
		helo = "unknown"
	}
	var b bytes.Buffer
	if env.MailFrom != "" {
		fmt.Fprintf(&b, "Return-Path: <%s>\r\n", env.MailFrom)
	}
	fmt.Fprintf(&b, "Received: from %s ([%s])\r\n\tby inspect.bouncekit.invalid with ESMTP; %s\r\n", helo, env.IP, now.UTC().Format(time.RFC1123Z))
	b.Write(msg)
	return b.Bytes()
}

func isRuleName(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}

func finite(f float64) bool { return f-f == 0 }

func clip(s string) string {
	if len(s) > 80 {
		return s[:80] + "..."
	}
	return s
}
