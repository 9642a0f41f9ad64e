package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/bouncekit/bouncekit/bounce"
)

func init() {
	register(command{name: "reply", usage: "reply [TEXT...]   print what ParseReply reads from each TEXT argument, or with none from each line on stdin (code, status, tags, stage, host, flags)", run: runReply,
		example: "bouncekit reply '554 5.7.1 [CS01] Message rejected due to local policy'\necho '550 5.1.1 user unknown' | bouncekit reply"})
	register(command{name: "demo", usage: "demo   parse a few embedded sample replies", run: runDemo})
}

// sampleReplies are shown by the demo, the CS01 one first.
var sampleReplies = []string{
	"host mx01.mail.icloud.com[17.57.154.6] said: 554 5.7.1 [CS01] Message rejected due to local policy. Please visit https://support.apple.com/en-us/HT204137 (in reply to end of DATA command)",
	"550-5.7.26 This mail has been blocked because the sender is\r\n550-5.7.26 unauthenticated. Gmail requires all senders to authenticate with\r\n550 5.7.26 either SPF or DKIM. - gsmtp",
	"421 4.7.0 [TSS04] Messages from 192.0.2.1 temporarily deferred due to unexpected volume or user complaints - 4.16.55.1; see https://postmaster.yahooinc.com/error-codes",
	"Remote Server returned '550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup'",
	"SMTP error from remote mail server after RCPT TO:<bob@example.org>: 550 5.1.1 <bob@example.org>: Recipient address rejected: User unknown in virtual mailbox table",
}

func runDemo(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return runReply(ctx, sampleReplies, stdin, stdout, stderr)
}

func runReply(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := newFlags("reply")
	if code, ok := parseFlags(fs, args, stderr); !ok {
		return code
	}
	texts := fs.Args()
	if len(texts) == 0 {
		hintStdin(stdin, stderr, "reply")
		br := bufio.NewReaderSize(stdin, 64<<10)
		for ctx.Err() == nil {
			line, tooLong, err := readLine(br)
			if s := strings.TrimSpace(line); s != "" && !tooLong {
				texts = append(texts, s)
			}
			if err != nil {
				break
			}
		}
		if len(texts) == 0 {
			fmt.Fprintln(stderr, "bouncekit reply: no reply given (pass it as an argument or on stdin); 'bouncekit reply --help' for more")
			return 2
		}
	}
	code := 0
	enc := json.NewEncoder(stdout)
	for _, a := range texts {
		r, err := bounce.ParseReply(a)
		if err != nil {
			fmt.Fprintf(stderr, "bouncekit: %v\n", err)
			code = 1
			continue
		}
		_ = enc.Encode(r) // bounce.Reply marshals itself (snake_case, flags as names)
	}
	return code
}
