package main

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// progress draws one status line on stderr while a long run goes on:
// files, messages or rows, MB/s, and an ETA when the total size is known.
// It draws only when stderr is a terminal (and not --quiet), at most five
// times a second, and only after the first second, so short runs and piped
// output see nothing. It is safe for concurrent use.
type progress struct {
	mu      sync.Mutex
	w       io.Writer
	on      bool
	unit    string // what n counts: "files", "rows"
	total   int64  // of unit, 0 when not known
	size    int64  // total bytes, 0 when not known
	start   time.Time
	last    time.Time
	n, msgs int64
	bytes   int64
	drawn   bool
}

func newProgress(stderr io.Writer, enabled bool, unit string, total int64) *progress {
	now := time.Now()
	return &progress{w: stderr, on: enabled && isTerminal(stderr), unit: unit, total: total, start: now, last: now}
}

// setSize sets the total input size in bytes, for the ETA.
func (p *progress) setSize(n int64) {
	p.mu.Lock()
	p.size = n
	p.mu.Unlock()
}

// add counts n more units, msgs messages and b bytes, and redraws when due.
func (p *progress) add(n, msgs, b int64) {
	if !p.on {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.n += n
	p.msgs += msgs
	p.bytes += b
	now := time.Now()
	if now.Sub(p.start) < time.Second || now.Sub(p.last) < 200*time.Millisecond {
		return
	}
	p.last = now
	fmt.Fprintf(p.w, "\r%s\x1b[K", p.line(now))
	p.drawn = true
}

func (p *progress) line(now time.Time) string {
	el := now.Sub(p.start).Seconds()
	var parts []string
	if p.total > 0 {
		parts = append(parts, fmt.Sprintf("%d/%d %s", p.n, p.total, p.unit))
	} else {
		parts = append(parts, fmt.Sprintf("%d %s", p.n, p.unit))
	}
	if p.msgs > 0 {
		parts = append(parts, fmt.Sprintf("%d messages", p.msgs))
	}
	mbs := float64(p.bytes) / 1e6 / el
	parts = append(parts, fmt.Sprintf("%.1f MB/s", mbs))
	switch {
	case p.size > 0 && p.bytes > 0 && p.bytes < p.size:
		eta := time.Duration(float64(p.size-p.bytes) / float64(p.bytes) * el * float64(time.Second))
		parts = append(parts, "ETA "+eta.Round(time.Second).String())
	case p.size == 0 && p.total > 0 && p.n > 0 && p.n < p.total:
		eta := time.Duration(float64(p.total-p.n) / float64(p.n) * el * float64(time.Second))
		parts = append(parts, "ETA "+eta.Round(time.Second).String())
	}
	return "bouncekit: " + strings.Join(parts, ", ")
}

// clear removes the line so that other stderr output starts on a clean line.
func (p *progress) clear() {
	if !p.on {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.drawn {
		io.WriteString(p.w, "\r\x1b[K")
		p.drawn = false
	}
}

// done clears the line at the end of the run.
func (p *progress) done() { p.clear() }

// countingReader counts the bytes read through it into a progress.
type countingReader struct {
	r io.Reader
	p *progress
}

func (c countingReader) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	c.p.add(0, 0, int64(n))
	return n, err
}

// setCount sets the running count of units (rows read) and redraws when due.
func (p *progress) setCount(n int64) {
	if !p.on {
		return
	}
	p.mu.Lock()
	d := n - p.n
	p.mu.Unlock()
	p.add(d, 0, 0)
}
