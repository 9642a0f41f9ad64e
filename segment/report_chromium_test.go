package segment

// The HTML report rendered in a real headless Chromium, driven over the
// DevTools protocol (its websocket, through golang.org/x/net/websocket):
// the DOM has the tables and charts, the page logs no console error or
// exception, requests nothing but its own file, and a screenshot is taken.
// .ci/chromium.sh installs Debian's chromium when it is missing.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"image/png"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/websocket"
)

// chromiumPath finds a Chromium binary, or skips the test (fails it when
// BOUNCEKIT_REQUIRE_SERVICES=1, as in CI).
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, name := range []string{os.Getenv("BOUNCEKIT_CHROMIUM"), "chromium", "chromium-browser", "google-chrome"} {
		if name == "" {
			continue
		}
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("BOUNCEKIT_REQUIRE_SERVICES") == "1" {
		t.Fatal("chromium not found and BOUNCEKIT_REQUIRE_SERVICES=1: run .ci/chromium.sh (apt-get install chromium)")
	}
	t.Skip("chromium not found: install it with .ci/chromium.sh (Debian's chromium package) to render the HTML report headless")
	return ""
}

// cdp is a DevTools protocol session on one page.
type cdp struct {
	ws     *websocket.Conn
	id     int
	events []cdpMsg
}

type cdpMsg struct {
	ID     int             `json:"id"`
	Method string          `json:"method"`
	Params json.RawMessage `json:"params"`
	Result json.RawMessage `json:"result"`
	Error  *struct {
		Message string `json:"message"`
	} `json:"error"`
}

// call sends a command and waits for its result, keeping the events that
// arrive meanwhile.
func (c *cdp) call(method string, params any) (json.RawMessage, error) {
	c.id++
	if err := websocket.JSON.Send(c.ws, map[string]any{"id": c.id, "method": method, "params": params}); err != nil {
		return nil, err
	}
	for {
		var m cdpMsg
		if err := websocket.JSON.Receive(c.ws, &m); err != nil {
			return nil, fmt.Errorf("%s: %w", method, err)
		}
		if m.ID == c.id {
			if m.Error != nil {
				return nil, fmt.Errorf("%s: %s", method, m.Error.Message)
			}
			return m.Result, nil
		}
		if m.Method != "" {
			c.events = append(c.events, m)
		}
	}
}

// waitEvent reads messages until the event named method arrives.
func (c *cdp) waitEvent(method string) error {
	for _, e := range c.events {
		if e.Method == method {
			return nil
		}
	}
	for {
		var m cdpMsg
		if err := websocket.JSON.Receive(c.ws, &m); err != nil {
			return fmt.Errorf("waiting for %s: %w", method, err)
		}
		if m.Method != "" {
			c.events = append(c.events, m)
		}
		if m.Method == method {
			return nil
		}
	}
}

// problems returns the console errors, exceptions and requests for
// anything other than file: and data: URLs seen so far.
func (c *cdp) problems() []string {
	var out []string
	for _, e := range c.events {
		switch e.Method {
		case "Runtime.exceptionThrown":
			out = append(out, "exception: "+string(e.Params))
		case "Runtime.consoleAPICalled":
			var p struct{ Type string }
			json.Unmarshal(e.Params, &p)
			if p.Type == "error" || p.Type == "warning" || p.Type == "assert" {
				out = append(out, "console "+p.Type+": "+string(e.Params))
			}
		case "Log.entryAdded":
			var p struct {
				Entry struct{ Level, Text, URL string }
			}
			json.Unmarshal(e.Params, &p)
			if p.Entry.Level == "error" {
				out = append(out, "log error: "+p.Entry.Text+" "+p.Entry.URL)
			}
		case "Network.requestWillBeSent":
			var p struct{ Request struct{ URL string } }
			json.Unmarshal(e.Params, &p)
			if u := p.Request.URL; !strings.HasPrefix(u, "file:") && !strings.HasPrefix(u, "data:") {
				out = append(out, "network request: "+u)
			}
		}
	}
	return out
}

// startChromium starts a headless Chromium with a fresh profile and returns
// a DevTools session on its first page.
func startChromium(t *testing.T, bin string) *cdp {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	// The profile is removed by hand: Chromium's helper processes may
	// still write to it for a moment after the browser is stopped, which
	// t.TempDir's cleanup would report as a failure.
	profile, err := os.MkdirTemp("", "bouncekit-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(ctx, bin,
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--disable-extensions", "--disable-default-apps", "--hide-scrollbars", "--window-size=1000,900",
		"--user-data-dir="+profile, "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0", "--remote-allow-origins=*", "about:blank")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		for range 20 {
			if os.RemoveAll(profile) == nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
	re := regexp.MustCompile(`DevTools listening on (ws://127\.0\.0\.1:(\d+)/\S+)`)
	port := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				port <- m[2]
			}
		}
		close(port)
	}()
	var p string
	select {
	case p = <-port:
	case <-time.After(30 * time.Second):
	}
	if p == "" {
		t.Fatal("chromium did not print its DevTools address")
	}
	var targets []struct{ Type, WebSocketDebuggerURL string }
	for range 50 {
		resp, err := http.Get("http://127.0.0.1:" + p + "/json/list")
		if err == nil {
			err = json.NewDecoder(resp.Body).Decode(&targets)
			resp.Body.Close()
		}
		if err == nil && len(targets) > 0 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	for _, tg := range targets {
		if tg.Type == "page" {
			ws, err := websocket.Dial(tg.WebSocketDebuggerURL, "", "http://127.0.0.1/")
			if err != nil {
				t.Fatal(err)
			}
			ws.MaxPayloadBytes = 64 << 20
			t.Cleanup(func() { ws.Close() })
			ws.SetDeadline(time.Now().Add(60 * time.Second))
			c := &cdp{ws: ws}
			for _, m := range []string{"Runtime.enable", "Log.enable", "Page.enable", "Network.enable"} {
				if _, err := c.call(m, map[string]any{}); err != nil {
					t.Fatal(err)
				}
			}
			return c
		}
	}
	t.Fatalf("no page target in %+v", targets)
	return nil
}

// load opens a file in the page and waits for its load event.
func (c *cdp) load(t *testing.T, path string) {
	t.Helper()
	c.events = c.events[:0]
	if _, err := c.call("Page.navigate", map[string]any{"url": "file://" + path}); err != nil {
		t.Fatal(err)
	}
	if err := c.waitEvent("Page.loadEventFired"); err != nil {
		t.Fatal(err)
	}
}

func (c *cdp) eval(t *testing.T, expr string, v any) {
	t.Helper()
	res, err := c.call("Runtime.evaluate", map[string]any{"expression": expr, "returnByValue": true})
	if err != nil {
		t.Fatal(err)
	}
	var r struct {
		Result struct{ Value json.RawMessage }
	}
	if err := json.Unmarshal(res, &r); err != nil {
		t.Fatal(err)
	}
	var s string
	if err := json.Unmarshal(r.Result.Value, &s); err != nil {
		t.Fatalf("%s: %s", expr, res)
	}
	if err := json.Unmarshal([]byte(s), v); err != nil {
		t.Fatal(err)
	}
}

func TestHTMLReportRendersInHeadlessChromium(t *testing.T) {
	bin := chromiumPath(t)
	r, err := BuildReport(context.Background(), seqOf(linkHostEvents()), ReportOptions{Suppressions: true})
	if err != nil {
		t.Fatal(err)
	}
	var page bytes.Buffer
	if err := r.WriteHTML(&page); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "report.html")
	if err := os.WriteFile(path, page.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	c := startChromium(t, bin)
	c.load(t, path)

	var dom struct {
		Title                      string
		Tables, Charts, Bars, Rows int
		Series, Findings, Diag     int
		External                   int
		Domains                    []string
		Width, Height              int
	}
	c.eval(t, `JSON.stringify({
		title: document.querySelector('h1').textContent,
		tables: document.querySelectorAll('table').length,
		charts: document.querySelectorAll('svg.chart').length,
		bars: document.querySelectorAll('svg.chart g.bar').length,
		rows: document.querySelectorAll('table.providers tbody tr').length,
		series: document.querySelectorAll('svg.chart g.series polyline').length,
		findings: document.querySelectorAll('table.findings tbody tr').length,
		diag: document.querySelectorAll('.diag').length,
		external: document.querySelectorAll('script,link,img,iframe,[src]').length,
		domains: [...document.querySelectorAll('table.domains tbody tr td:first-child')].map(e => e.textContent),
		width: document.documentElement.scrollWidth,
		height: document.documentElement.scrollHeight})`, &dom)
	if !strings.HasPrefix(dom.Title, "bouncekit triage: ") || dom.Tables < 4 || dom.Charts < 3 || dom.Series < 2 ||
		dom.Rows != len(r.Providers) || dom.Findings != len(r.Findings) || dom.Diag != len(r.Diagnoses) || dom.External != 0 {
		t.Errorf("DOM %+v (providers %d, findings %d, diagnoses %d)", dom, len(r.Providers), len(r.Findings), len(r.Diagnoses))
	}
	if bars := len(r.Providers) + len(r.Providers[1].Domains); dom.Bars < bars {
		t.Errorf("%d bars, want at least %d", dom.Bars, bars)
	}
	for _, d := range []string{"icloud.com", "me.com", "mac.com", "privaterelay.appleid.com"} {
		if !strings.Contains(strings.Join(dom.Domains, " "), d) {
			t.Errorf("domain table lacks %s: %q", d, dom.Domains)
		}
	}
	if p := c.problems(); len(p) > 0 {
		t.Errorf("the page had problems: %q", p)
	}

	shot, err := c.call("Page.captureScreenshot", map[string]any{"format": "png", "captureBeyondViewport": true,
		"clip": map[string]any{"x": 0, "y": 0, "width": 1000, "height": min(dom.Height, 2600), "scale": 1}})
	if err != nil {
		t.Fatal(err)
	}
	var s struct{ Data string }
	json.Unmarshal(shot, &s)
	img, err := base64.StdEncoding.DecodeString(s.Data)
	if err != nil {
		t.Fatal(err)
	}
	m, err := png.Decode(bytes.NewReader(img))
	if err != nil {
		t.Fatalf("screenshot is not a PNG: %v", err)
	}
	if b := m.Bounds(); b.Dx() < 900 || b.Dy() < 800 {
		t.Errorf("screenshot %v", b)
	}
	// A rendered page has many colours (the level badges and bars); a
	// blank one has one.
	colours := map[[3]uint32]bool{}
	for y := m.Bounds().Min.Y; y < m.Bounds().Max.Y; y += 7 {
		for x := m.Bounds().Min.X; x < m.Bounds().Max.X; x += 7 {
			r, g, b, _ := m.At(x, y).RGBA()
			colours[[3]uint32{r >> 12, g >> 12, b >> 12}] = true
		}
	}
	if len(colours) < 8 {
		t.Errorf("screenshot has %d colours: blank?", len(colours))
	}
	out := filepath.Join(dir, "report.png")
	if p := os.Getenv("BOUNCEKIT_SCREENSHOT"); p != "" {
		out = p // go test -run Chromium ./segment with BOUNCEKIT_SCREENSHOT=docs/img/report.png updates the docs
	}
	if err := os.WriteFile(out, img, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot %v written to %s", m.Bounds(), out)

	// The checker itself: a page that logs an error and fetches from the
	// network is caught.
	bad := filepath.Join(dir, "bad.html")
	os.WriteFile(bad, []byte(`<!DOCTYPE html><html><body><script>console.error("boom")</script><img src="http://192.0.2.1/x.png"></body></html>`), 0o644)
	c.load(t, bad)
	p := c.problems()
	if !strings.Contains(strings.Join(p, "\n"), "boom") || !strings.Contains(strings.Join(p, "\n"), "network request: http://192.0.2.1/x.png") {
		t.Errorf("the checker missed a console error or a network request: %q", p)
	}
}
