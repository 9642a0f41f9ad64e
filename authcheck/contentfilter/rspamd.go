package contentfilter

// This file is the Rspamd client: POST the message to /checkv2 with the
// envelope in request headers, read the JSON verdict
// (https://rspamd.com/doc/developers/protocol.html).

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// Rspamd is a client of Rspamd's normal worker (port 11333). It is safe for
// concurrent use.
type Rspamd struct {
	// URL is the worker's base URL ("http://127.0.0.1:11333").
	URL string
	// Timeout bounds each request; default 20 s. Rspamd's DNS-based rules
	// wait for their own timeouts when the resolver does not answer, so
	// keep it at 10 s or more.
	Timeout time.Duration
	// Password is sent as the Password header, when set.
	Password string
	// Client is the HTTP client; nil means a new http.Client.
	Client *http.Client
}

// Name returns "rspamd".
func (r *Rspamd) Name() string { return "rspamd" }

// Check posts msg to /checkv2. The envelope goes in the IP, Helo, From and
// Rcpt request headers (one Rcpt per recipient), as an MTA's milter would
// send it.
func (r *Rspamd) Check(ctx context.Context, msg []byte, env Envelope) (Result, error) {
	timeout := r.Timeout
	if timeout <= 0 {
		timeout = 20 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	url := strings.TrimRight(r.URL, "/") + "/checkv2"
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(msg))
	if err != nil {
		return Result{Engine: "rspamd"}, fmt.Errorf("contentfilter: rspamd %s: %w", r.URL, err)
	}
	if env.IP.IsValid() {
		req.Header.Set("IP", env.IP.String())
	}
	if env.HELO != "" {
		req.Header.Set("Helo", env.HELO)
	}
	if env.MailFrom != "" {
		req.Header.Set("From", env.MailFrom)
	}
	for _, rc := range env.Rcpt {
		req.Header.Add("Rcpt", rc)
	}
	if r.Password != "" {
		req.Header.Set("Password", r.Password)
	}
	c := r.Client
	if c == nil {
		c = &http.Client{}
	}
	resp, err := c.Do(req)
	if err != nil {
		return Result{Engine: "rspamd"}, fmt.Errorf("contentfilter: rspamd %s: %w", r.URL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxReplySize+1))
	if err != nil {
		return Result{Engine: "rspamd"}, fmt.Errorf("contentfilter: rspamd %s: %w", r.URL, err)
	}
	if resp.StatusCode != http.StatusOK {
		return Result{Engine: "rspamd"}, &HTTPError{Status: resp.StatusCode, Body: clip(strings.TrimSpace(string(body)))}
	}
	return ParseRspamdReply(body)
}

// HTTPError is an Rspamd answer whose HTTP status is not 200.
type HTTPError struct {
	Status int
	Body   string
}

func (e *HTTPError) Error() string {
	return fmt.Sprintf("contentfilter: rspamd answered HTTP %d: %s", e.Status, e.Body)
}

type rspamdReply struct {
	IsSkipped     bool                    `json:"is_skipped"`
	Score         *float64                `json:"score"`
	RequiredScore float64                 `json:"required_score"`
	Action        string                  `json:"action"`
	Symbols       map[string]rspamdSymbol `json:"symbols"`
	Error         string                  `json:"error"`
}

type rspamdSymbol struct {
	Name        string   `json:"name"`
	Score       float64  `json:"score"`
	Description string   `json:"description"`
	Options     []string `json:"options"`
}

// ParseRspamdReply reads the JSON body of a /checkv2 answer. Errors wrap
// ErrProtocol.
func ParseRspamdReply(body []byte) (Result, error) {
	res := Result{Engine: "rspamd"}
	if len(body) > MaxReplySize {
		return res, fmt.Errorf("%w: rspamd reply longer than %d bytes", ErrProtocol, MaxReplySize)
	}
	var rr rspamdReply
	if err := json.Unmarshal(body, &rr); err != nil {
		return res, fmt.Errorf("%w: rspamd reply: %v", ErrProtocol, err)
	}
	if rr.Error != "" {
		return res, fmt.Errorf("%w: rspamd: %s", ErrProtocol, clip(rr.Error))
	}
	if rr.Score == nil || rr.Action == "" {
		return res, fmt.Errorf("%w: rspamd reply has no score or action", ErrProtocol)
	}
	res.Score, res.Required, res.Action = *rr.Score, rr.RequiredScore, rr.Action
	// Rspamd's own reading: "reject" is spam; "add header" and "rewrite
	// subject" are spam delivered to the junk folder.
	switch rr.Action {
	case "reject", "add header", "rewrite subject":
		res.Spam = true
	}
	for key, s := range rr.Symbols {
		name := s.Name
		if name == "" {
			name = key
		}
		res.Symbols = append(res.Symbols, Symbol{Name: name, Score: s.Score, Description: s.Description, Options: s.Options})
	}
	sortSymbols(res.Symbols)
	return res, nil
}
