package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/netip"
	"os"
	"strings"
	"time"

	"github.com/bouncekit/bouncekit/authcheck"
	"github.com/bouncekit/bouncekit/authcheck/dkim"
	"github.com/bouncekit/bouncekit/authcheck/dnsbl"
	"github.com/bouncekit/bouncekit/authcheck/resolve"
)

func init() {
	register(command{name: "auth", usage: "auth --ip IP --helo NAME --mail-from ADDR --from DOMAIN [--selector S]... [--link-domain D]... [--resolver host:port] [--format text|json]", run: runAuth})
}

// listFlag is a repeatable string flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(s string) error { *l = append(*l, s); return nil }

// runAuth checks a sending setup with authcheck.CheckSender. Exit status: 0
// when no finding is an error and every check could be done, 1 when some
// finding is an error, 2 for bad usage, 3 when nothing is wrong as far as
// could be seen but some lookups failed or timed out (the report is
// incomplete).
func runAuth(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("auth", flag.ContinueOnError)
	fs.SetOutput(stderr)
	ipStr := fs.String("ip", "", "sending IP address")
	helo := fs.String("helo", "", "HELO/EHLO name")
	mailFrom := fs.String("mail-from", "", "MAIL FROM address or domain (empty for the null sender)")
	from := fs.String("from", "", "From header domain (required)")
	var selectors, links listFlag
	fs.Var(&selectors, "selector", "DKIM selector, or selector:domain (repeatable)")
	fs.Var(&links, "link-domain", "domain linked from the message (repeatable)")
	resolver := fs.String("resolver", "", "DNS server host:port (default: /etc/resolv.conf)")
	format := fs.String("format", "text", "output format: text or json")
	timeout := fs.Duration("timeout", 30*time.Second, "overall deadline")
	noBL := fs.Bool("no-blocklists", false, "skip blocklist queries")
	message := fs.String("message", "", "read IP, HELO, MAIL FROM, From and DKIM selectors from this message's header (\"-\" for stdin); flags override")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	var fromMsg authcheck.SenderInput
	if *message != "" {
		in, err := senderFromMessage(*message, stdin)
		if err != nil {
			fmt.Fprintf(stderr, "bouncekit auth: --message: %v\n", err)
			return 2
		}
		fromMsg = in
		if *from == "" {
			*from = in.FromDomain
		}
	}
	if *from == "" || (*format != "text" && *format != "json") {
		fmt.Fprintln(stderr, "usage: bouncekit auth --ip IP --helo NAME --mail-from ADDR --from DOMAIN [--selector S]... [--link-domain D]... [--resolver host:port] [--format text|json]")
		return 2
	}
	in := authcheck.SenderInput{HELO: *helo, MailFrom: *mailFrom, FromDomain: *from, DKIMSelectors: selectors, LinkDomains: links}
	// Values read from --message fill what the flags leave empty.
	if in.HELO == "" {
		in.HELO = fromMsg.HELO
	}
	if in.MailFrom == "" {
		in.MailFrom = fromMsg.MailFrom
	}
	if len(in.DKIMSelectors) == 0 {
		in.DKIMSelectors = fromMsg.DKIMSelectors
	}
	in.IP = fromMsg.IP
	if *ipStr != "" {
		ip, err := netip.ParseAddr(*ipStr)
		if err != nil {
			fmt.Fprintf(stderr, "bouncekit auth: --ip: %v\n", err)
			return 2
		}
		in.IP = ip
	}
	if *noBL {
		in.Blocklists = []dnsbl.Zone{}
	}
	cfg := resolve.Config{CacheSize: 1024}
	if *resolver != "" {
		cfg.Servers = []string{*resolver}
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	rep, err := authcheck.CheckSender(ctx, resolve.NewClient(cfg), in)
	if err != nil {
		fmt.Fprintf(stderr, "bouncekit auth: %v\n", err)
		return 2
	}
	if *format == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			fmt.Fprintf(stderr, "bouncekit auth: %v\n", err)
			return 1
		}
	} else {
		printAuthText(stdout, rep)
	}
	if rep.Count(authcheck.SeverityError) > 0 {
		return 1
	}
	if n := rep.Incomplete(); n > 0 {
		// Nothing wrong was found, but not everything could be looked
		// at: say so, and do not exit 0.
		fmt.Fprintf(stderr, "bouncekit auth: %d checks could not be completed (DNS lookups failed or timed out); the result is incomplete\n", n)
		return 3
	}
	return 0
}

func senderFromMessage(path string, stdin io.Reader) (authcheck.SenderInput, error) {
	r := stdin
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return authcheck.SenderInput{}, err
		}
		defer f.Close()
		r = f
	}
	ma, err := authcheck.ReadMessageAuth(r)
	if err != nil {
		return authcheck.SenderInput{}, err
	}
	return ma.SenderInput(), nil
}

func printAuthText(w io.Writer, r *authcheck.SenderReport) {
	if s := r.SPF; s != nil {
		fmt.Fprintf(w, "SPF         %s for %s (%d lookups)\n", s.Result, s.Domain, s.Lookups)
	}
	d := r.DMARC
	switch {
	case d.Record != "":
		fmt.Fprintf(w, "DMARC       policy %s from _dmarc.%s; org domain %s (PSL: %s)\n", d.Policy, d.PolicyDomain, d.OrgDomain, d.PSLOrgDomain)
	case d.Error != "":
		fmt.Fprintf(w, "DMARC       lookup failed for %s (temperror)\n", d.Domain)
	default:
		fmt.Fprintf(w, "DMARC       no record for %s\n", d.Domain)
	}
	for _, k := range r.DKIM {
		fmt.Fprintf(w, "DKIM        %s._domainkey.%s %s", k.Selector, k.Domain, k.Status)
		if k.Status == dkim.KeyOK {
			fmt.Fprintf(w, " (%s %d bits)", k.KeyType, k.Bits)
		}
		fmt.Fprintln(w)
	}
	if x := r.RDNS; x != nil {
		fmt.Fprintf(w, "rDNS        %s -> %s (forward-confirmed: %v); HELO %s resolves: %v\n", x.IP, strings.Join(x.PTR, ", "), x.FCrDNS, x.HELO, x.HELOResolves)
	}
	listed := 0
	for _, b := range r.Blocklists {
		if b.Status == dnsbl.Listed {
			listed++
		}
	}
	fmt.Fprintf(w, "Blocklists  %d listed of %d queries\n", listed, len(r.Blocklists))
	fmt.Fprintf(w, "\nFindings (%d errors, %d warnings):\n", r.Count(authcheck.SeverityError), r.Count(authcheck.SeverityWarning))
	for _, f := range r.Findings {
		fmt.Fprintf(w, "  %-7s %-30s %s: %s [%s]\n", f.Severity, f.Code, f.Subject, f.Message, f.RFC)
	}
}
