package segment_test

import (
	"fmt"
	"strings"
	"time"

	"github.com/bouncekit/bouncekit/segment"
)

// A Postfix queue entry deferred once and then delivered is one delivered
// outcome of two attempts; the bounce notice Postfix sends back is not a
// send.
func ExampleDedup() {
	log := `Nov 27 10:00:01 mx postfix/smtp[11]: 4AAA: to=<ann@gmail.com>, relay=gmail-smtp-in.l.google.com[142.250.1.26]:25, delay=1, dsn=4.7.28, status=deferred (host gmail-smtp-in.l.google.com[142.250.1.26] said: 421 4.7.28 try later (in reply to end of DATA command))
Nov 27 10:30:01 mx postfix/smtp[12]: 4AAA: to=<ann@gmail.com>, relay=gmail-smtp-in.l.google.com[142.250.1.26]:25, delay=1801, dsn=2.0.0, status=sent (250 2.0.0 OK)
Nov 27 10:30:02 mx postfix/smtp[12]: 4CCC: to=<cat@yahoo.com>, relay=mta5.am0.yahoodns.net[67.195.204.72]:25, delay=2, dsn=5.1.1, status=bounced (host mta5.am0.yahoodns.net[67.195.204.72] said: 554 delivery error: dd This user doesn't have a yahoo.com account (in reply to end of DATA command))
Nov 27 10:30:02 mx postfix/bounce[14]: 4CCC: sender non-delivery notification: 4DDD
Nov 27 10:30:03 mx postfix/local[15]: 4DDD: to=<news@shop.example>, relay=local, delay=0.1, dsn=2.0.0, status=sent (delivered to mailbox)
`
	rd := &segment.Reader{Now: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)}
	dd := &segment.Dedup{}
	for ev, err := range dd.Events(rd.Events(strings.NewReader(log))) {
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Println(ev.Time.Format("2006-01-02 15:04"), ev.Recipient, ev.Outcome, ev.Attempts, "attempts", ev.Delay)
	}
	fmt.Println(rd.Stats.Format, "lines", rd.Stats.Lines, "not sends", rd.Stats.NotSends)
	// Output:
	// 2026-11-27 10:30 ann@gmail.com delivered 2 attempts 30m1s
	// 2026-11-27 10:30 cat@yahoo.com bounced 1 attempts 2s
	// postfix lines 5 not sends [{null_sender 1}]
}

// The fold of one key's events is the same whatever their order or
// grouping: fold two shards and merge them.
func ExampleKeyState() {
	t0 := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	evs := []segment.Event{
		{MessageID: "0100-abc", Recipient: "bob@example.com", Outcome: segment.OutcomeDeferred, Time: t0},
		{MessageID: "0100-abc", Recipient: "bob@example.com", Outcome: segment.OutcomeBounced, Time: t0.Add(2 * time.Hour)},
		{MessageID: "0100-abc", Recipient: "Bob@Example.com", Outcome: segment.OutcomeDelivered, Time: t0.Add(time.Hour)},
	}
	var shard1, shard2 segment.KeyState
	shard1.Add(&evs[1])
	shard2.Add(&evs[0])
	shard2.Add(&evs[2])
	shard1.Merge(&shard2)
	k, _ := segment.KeyOf(&evs[2])
	for _, o := range shard1.Outcomes() {
		fmt.Println(k.Recipient, o.Outcome, o.Attempts, o.Delay)
	}
	// Output:
	// bob@example.com bounced 3 2h0m0s
}
