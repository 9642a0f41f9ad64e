package sharded_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/bouncekit/bouncekit/examples/sharded"
	"github.com/bouncekit/bouncekit/segment"
)

// eventLog builds a deterministic CSV event log of n rows.
func eventLog(n int) string {
	var b strings.Builder
	b.WriteString("time,recipient,outcome,reply,campaign,template,sending_ip,link_host\n")
	domains := []string{"gmail.com", "icloud.com", "outlook.com", "yahoo.com", "me.com", "example.org"}
	for i := range n {
		d := domains[i%len(domains)]
		outcome, reply := "delivered", "250 2.0.0 OK"
		switch {
		case d == "icloud.com" && i%97 == 1:
			outcome, reply = "bounced", "554 5.7.1 [CS01] Message rejected due to local policy"
		case d == "gmail.com" && i%311 == 0:
			outcome, reply = "bounced", "550 5.1.1 The email account that you tried to reach does not exist. - gsmtp"
		case d == "yahoo.com" && i%53 == 3:
			outcome, reply = "deferred", "421 4.7.0 [TSS04] Messages from 192.0.2.10 temporarily deferred"
		}
		fmt.Fprintf(&b, "2026-11-27T%02d:%02d:00Z,u%05d@%s,%s,%q,nov-news,news-v%d,192.0.2.%d,links%d.shop.example\n",
			10+i/3600, (i/60)%60, i, d, outcome, reply, 1+i%2, 10+i%3, i%2)
	}
	return b.String()
}

// split cuts a CSV log into n shards at line boundaries, each with the header.
func split(log string, n int) []io.Reader {
	header, body, _ := strings.Cut(log, "\n")
	lines := strings.SplitAfter(body, "\n")
	var shards []io.Reader
	per := (len(lines) + n - 1) / n
	for i := 0; i < len(lines); i += per {
		shards = append(shards, strings.NewReader(header+"\n"+strings.Join(lines[i:min(i+per, len(lines))], "")))
	}
	return shards
}

func Example() {
	log := eventLog(24000)

	// One pass over the whole log.
	one, _, err := sharded.Aggregate([]io.Reader{strings.NewReader(log)}, segment.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	// Eight shards, one goroutine each, merged.
	merged, _, err := sharded.Aggregate(split(log, 8), segment.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	a, _ := json.Marshal(one)
	b, _ := json.Marshal(merged)
	fmt.Println("merged equals one pass:", bytes.Equal(a, b))

	// Between processes the aggregates travel as JSON.
	var back segment.Aggregate
	if err := json.Unmarshal(b, &back); err != nil {
		fmt.Println(err)
		return
	}
	c, _ := json.Marshal(&back)
	fmt.Println("JSON round trip equal:", bytes.Equal(b, c))

	rep := segment.NewReport(merged, segment.ReportOptions{})
	for _, p := range rep.Providers {
		fmt.Printf("%-10s sent %5d bounced %3d deferred %3d  %s\n", p.Provider, p.Counts.Sent(), p.Counts.Bounced, p.Counts.Deferred, p.Level)
	}
	// Output:
	// merged equals one pass: true
	// JSON round trip equal: true
	// apple      sent  8000 bounced  42 deferred   0  investigate
	// google     sent  4000 bounced  13 deferred   0  watch
	// microsoft  sent  4000 bounced   0 deferred   0  watch
	// other      sent  4000 bounced   0 deferred   0  watch
	// yahoo      sent  4000 bounced   0 deferred  76  watch
}
