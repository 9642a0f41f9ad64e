package queue_test

import (
	"fmt"
	"time"

	"github.com/bouncekit/bouncekit/classify"
	"github.com/bouncekit/bouncekit/examples/queue"
)

// Example sends one message to each of five recipients through a scripted
// SMTP server on 127.0.0.1 and prints what the queue decides for each.
func Example() {
	srv, err := startServer(
		map[string]string{ // replies to RCPT TO
			"volume@gmail.com": "421-4.7.28 Gmail has detected an unusual rate of unsolicited mail originating\n421 4.7.28 from your IP address. To protect our users from spam, mail has been rate limited. - gsmtp",
			"gone@example.org": "550 5.1.1 <gone@example.org>: Recipient address rejected: User unknown in virtual mailbox table",
			"full@gmail.com":   "452-4.2.2 The recipient's inbox is out of storage space.\n452 4.2.2 Please direct the recipient to https://support.google.com/mail/?p=OverQuotaTemp - gsmtp",
		},
		map[string]string{ // replies to the end of DATA
			"kate@icloud.com": "554 5.7.1 [CS01] Message rejected due to local policy. Please visit https://support.apple.com/en-us/HT204137",
		})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()

	c := classify.Default()
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	policy := classify.RetryPolicy{Now: func() time.Time { return now }, Jitter: -1}
	msg := "From: news@sender.example\nTo: you\nSubject: November news\n\nHello.\n"

	// The MX names are what the queue resolved for each recipient domain; the
	// classifier uses them to recognise the provider.
	for _, rc := range []struct{ rcpt, mx string }{
		{"kate@icloud.com", "mx01.mail.icloud.com"},
		{"volume@gmail.com", "gmail-smtp-in.l.google.com"},
		{"gone@example.org", "mx.example.org"},
		{"full@gmail.com", "gmail-smtp-in.l.google.com"},
		{"ann@example.org", "mx.example.org"},
	} {
		err := queue.Send(srv.Addr(), "mta1.sender.example", "bounces@sender.example", rc.rcpt, msg)
		d := queue.Decide(c, policy, err, rc.rcpt, rc.mx, 1, now)
		fmt.Println(d)
		if !d.At.IsZero() {
			fmt.Printf("  next attempt in %v\n", d.At.Sub(now))
		}
	}

	// A server that is not there: no SMTP reply, a network failure, retried.
	closed := closedAddr()
	err = queue.Send(closed, "mta1.sender.example", "bounces@sender.example", "bob@example.net", msg)
	d := queue.Decide(c, policy, err, "bob@example.net", "", 1, now)
	fmt.Println(d.Action, d.Verdict.Category, d.Verdict.Retry)

	// Output:
	// kate@icloud.com: give up, keep address (hard content_policy, provider apple, rule apple-cs01)
	// volume@gmail.com: retry later, slow down provider (soft reputation_block, provider google, rule google-unusual-rate)
	//   next attempt in 20m0s
	// gone@example.org: suppress address (hard recipient_unknown, rule generic-recipient-unknown)
	// full@gmail.com: retry later (soft mailbox_full, provider google, rule google-over-quota)
	//   next attempt in 5m0s
	// ann@example.org: delivered
	// retry later network true
}
