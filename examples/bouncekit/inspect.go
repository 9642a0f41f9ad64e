package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/bouncekit/bouncekit/authcheck/contentfilter"
	"github.com/bouncekit/bouncekit/authcheck/inspect"
)

func init() {
	register(command{name: "inspect", usage: "inspect [--ip IP --helo NAME --mail-from ADDR] [--dns-zone FILE] [--now UNIX|RFC3339] [--spamd HOST:PORT] [--rspamd URL] [--format text|json] FILE", run: runInspect})
}

// inspectDNSHook is set by the DNS-backed checks (authentication and
// infrastructure) when they are compiled in: it turns the zone file and the
// envelope into inspect options. Without it --dns-zone is accepted and the
// DNS checks are absent.
var inspectDNSHook func(ctx context.Context, zoneFile string, opts *inspect.Options) error

// runInspect checks one message as sent. Exit status: 0 when no check
// fails, 1 when one does, 2 for bad usage or an unreadable file.
func runInspect(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("inspect", flag.ContinueOnError)
	fs.SetOutput(stderr)
	ipStr := fs.String("ip", "", "sending IP address")
	helo := fs.String("helo", "", "HELO/EHLO name")
	mailFrom := fs.String("mail-from", "", "MAIL FROM address")
	zone := fs.String("dns-zone", "", "zone file answering the DNS checks offline")
	nowStr := fs.String("now", "", "judge the message at this time (Unix seconds or RFC 3339)")
	spamd := fs.String("spamd", "", "spamd host:port (SpamAssassin)")
	rspamd := fs.String("rspamd", "", "Rspamd worker URL, e.g. http://127.0.0.1:11333")
	format := fs.String("format", "text", "output format: text or json")
	// Flags may follow the file name.
	var files []string
	for {
		if err := fs.Parse(args); err != nil {
			return 2
		}
		if fs.NArg() == 0 {
			break
		}
		files = append(files, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if len(files) != 1 || (*format != "text" && *format != "json") {
		fmt.Fprintln(stderr, "usage: bouncekit "+commandUsage("inspect"))
		return 2
	}
	raw, err := readMessageFile(files[0], stdin)
	if err != nil {
		fmt.Fprintf(stderr, "bouncekit inspect: %v\n", err)
		return 2
	}
	opts := inspect.Options{Envelope: inspect.Envelope{HELO: *helo, MailFrom: *mailFrom}}
	if *ipStr != "" {
		ip, err := netip.ParseAddr(*ipStr)
		if err != nil {
			fmt.Fprintf(stderr, "bouncekit inspect: --ip: %v\n", err)
			return 2
		}
		opts.Envelope.IP = ip
	}
	if *nowStr != "" {
		t, err := parseNow(*nowStr)
		if err != nil {
			fmt.Fprintf(stderr, "bouncekit inspect: --now: %v\n", err)
			return 2
		}
		opts.Now = t
	}
	if *spamd != "" {
		opts.Filters = append(opts.Filters, &contentfilter.Spamd{Addr: *spamd})
	}
	if *rspamd != "" {
		opts.Filters = append(opts.Filters, &contentfilter.Rspamd{URL: *rspamd})
	}
	if inspectDNSHook != nil {
		if err := inspectDNSHook(ctx, *zone, &opts); err != nil {
			fmt.Fprintf(stderr, "bouncekit inspect: %v\n", err)
			return 2
		}
	} else if *zone != "" {
		fmt.Fprintln(stderr, "bouncekit inspect: note: this build has no DNS checks; --dns-zone is ignored")
	}
	rep := inspect.Inspect(ctx, raw, opts)
	if *format == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.Encode(rep)
	} else {
		writeInspectText(stdout, rep)
	}
	for _, f := range rep.Checks {
		if f.Result == inspect.Fail {
			return 1
		}
	}
	return 0
}

func commandUsage(name string) string {
	for _, c := range commands {
		if c.name == name {
			return c.usage
		}
	}
	return name
}

// readMessageFile reads a message file ("-" for stdin); a file with LF line
// endings is read as the CRLF message it stands for.
func readMessageFile(name string, stdin io.Reader) ([]byte, error) {
	var r io.Reader = stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r = f
	}
	raw, err := io.ReadAll(io.LimitReader(r, 64<<20))
	if err != nil {
		return nil, err
	}
	return inspect.Stored(raw), nil
}

func parseNow(s string) (time.Time, error) {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return time.Unix(n, 0).UTC(), nil
	}
	return time.Parse(time.RFC3339, s)
}

func writeInspectText(w io.Writer, r inspect.Report) {
	var b strings.Builder
	fmt.Fprintf(&b, "%d of %d checks passed\n", r.Passed, r.Total)
	var group inspect.Group
	for _, f := range r.Checks {
		if f.Group != group {
			group = f.Group
			fmt.Fprintf(&b, "\n%s\n", group)
		}
		fmt.Fprintf(&b, "  %-4s %-28s %s\n", f.Result, f.ID, f.Detail)
		if f.Fix != "" {
			fmt.Fprintf(&b, "       fix: %s\n", f.Fix)
		}
	}
	if len(r.Links) > 0 {
		fmt.Fprintf(&b, "\nlinks\n")
		for _, l := range r.Links {
			extra := ""
			if l.Target != "" {
				extra = " → " + l.Target
			}
			fmt.Fprintf(&b, "  %-14s %-6s %-24s %s%s\n", l.Kind, l.Source, l.Domain, l.URL, extra)
		}
	}
	if len(r.Domains) > 0 {
		fmt.Fprintf(&b, "\ndomains\n")
		for _, d := range r.Domains {
			fmt.Fprintf(&b, "  %-28s %s\n", d.Domain, strings.Join(d.Sources, ", "))
		}
	}
	io.WriteString(w, b.String())
}
