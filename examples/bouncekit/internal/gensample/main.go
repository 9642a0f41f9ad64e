// Command gensample writes the synthetic deployment the bouncekit binary
// embeds for its triage demo, in segment's plain CSV format:
//
//	go run ./examples/bouncekit/internal/gensample > examples/bouncekit/sample/events.csv
//
// The default is one marketing send to 24,000 recipients across the big
// mailbox providers. Apple returns 125 "554 5.7.1 [CS01]" rejections, all on
// messages whose personalised product block links to one partner host
// (deals.partnerhub.example), which appears in two different blocks; the
// same host is delivered fine at every other provider. Around it is ordinary
// noise: a few unknown users at Gmail, Microsoft, Yahoo and corporate
// domains, a mailbox full at Comcast, and Yahoo [TSS04] deferrals.
//
// The output depends only on the flags: the random source has a fixed seed.
// -n scales every count (for example -n 10000000 for the end-to-end
// benchmark file); -seed changes the draw.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"slices"
	"time"
)

type provider struct {
	name    string
	share   float64
	domains []string
	weights []float64
	// failures: reply text and how many per 24,000 recipients.
	failures []failure
}

type failure struct {
	outcome, reply string
	per24k         int
	count          int
}

var providers = []provider{
	{name: "google", share: 0.40, domains: []string{"gmail.com", "googlemail.com"}, weights: []float64{0.97, 0.03},
		failures: []failure{{outcome: "bounced", per24k: 6, reply: "550-5.1.1 The email account that you tried to reach does not exist. Please try double-checking the recipient's email address for typos or unnecessary spaces. For more information, go to https://support.google.com/mail/?p=NoSuchUser - gsmtp"}}},
	{name: "apple", share: 5000.0 / 24000, domains: []string{"icloud.com", "me.com", "mac.com", "privaterelay.appleid.com"}, weights: []float64{0.70, 0.09, 0.03, 0.18},
		failures: []failure{{outcome: "bounced", per24k: 2, reply: "550 5.1.1 <{rcpt}>: user does not exist"}}},
	{name: "microsoft", share: 0.175, domains: []string{"outlook.com", "hotmail.com", "live.com"}, weights: []float64{0.5, 0.4, 0.1},
		failures: []failure{{outcome: "bounced", per24k: 3, reply: "550 5.5.0 Requested action not taken: mailbox unavailable (S2017062302). [AM4PEPF00027A64.eurprd04.prod.outlook.com]"}}},
	{name: "yahoo", share: 0.10, domains: []string{"yahoo.com", "aol.com", "ymail.com"}, weights: []float64{0.75, 0.2, 0.05},
		failures: []failure{
			{outcome: "deferred", per24k: 5, reply: "421 4.7.0 [TSS04] Messages from 192.0.2.11 temporarily deferred due to unexpected volume or user complaints - 4.16.55.1; see https://postmaster.yahooinc.com/error-codes"},
			{outcome: "bounced", per24k: 2, reply: "554 delivery error: dd This user doesn't have a yahoo.com account ({rcpt}) [0] - mta1234.mail.bf1.yahoo.com"},
		}},
	{name: "comcast", share: 0.025, domains: []string{"comcast.net"}, weights: []float64{1},
		failures: []failure{{outcome: "bounced", per24k: 1, reply: "552 5.2.2 <{rcpt}>: mailbox full"}}},
	{name: "gmx", share: 400.0 / 24000, domains: []string{"gmx.de", "web.de", "gmx.net"}, weights: []float64{0.5, 0.4, 0.1}},
	{name: "other", share: 0, domains: []string{"northwind-traders.example", "contoso-widgets.example", "fabrikam.co.uk", "acme-logistics.example"}, weights: []float64{0.3, 0.3, 0.2, 0.2},
		failures: []failure{{outcome: "bounced", per24k: 2, reply: "550 5.1.1 <{rcpt}>: Recipient address rejected: User unknown in virtual mailbox table"}}},
}

const (
	partnerHost     = "deals.partnerhub.example"
	cs01Reply       = "554 5.7.1 [CS01] Message rejected due to local policy. Please visit https://support.apple.com/en-us/HT204137"
	applePartner24k = 150 // Apple recipients whose product block links to the partner host
	appleCS0124k    = 125 // of them, rejected with CS01
)

var (
	subjects  = []string{"Spring sale: 30% off everything", "Your spring picks are here"}
	blocks    = []string{"bestsellers", "spring-picks", "new-arrivals"}
	partnerBl = []string{"partner-picks", "weekend-deals"}
	ips       = []string{"192.0.2.10", "192.0.2.11"}
)

func main() {
	n := flag.Int("n", 24000, "recipients")
	seed := flag.Uint64("seed", 20260512, "random seed")
	startFlag := flag.String("start", "2026-05-12T14:00:00Z", "send start (RFC 3339)")
	hours := flag.Float64("hours", 2, "send duration in hours")
	flag.Parse()
	start, err := time.Parse(time.RFC3339, *startFlag)
	if err != nil || *n <= 0 || *hours <= 0 {
		fmt.Fprintln(os.Stderr, "gensample: bad -start, -n or -hours")
		os.Exit(2)
	}
	w := bufio.NewWriterSize(os.Stdout, 1<<20)
	generate(w, *n, *seed, start, *hours)
	if err := w.Flush(); err != nil {
		fmt.Fprintln(os.Stderr, "gensample:", err)
		os.Exit(1)
	}
}

// generate writes n recipients' events.
func generate(w io.Writer, n int, seed uint64, start time.Time, hours float64) {
	// Work on a copy: the failure counts below are used up as rows draw them.
	providers := slices.Clone(providers)
	for i := range providers {
		providers[i].failures = slices.Clone(providers[i].failures)
	}
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	scale := float64(n) / 24000
	// Exact counts per provider: the shares, with the rest going to "other".
	remaining := make([]int, len(providers))
	used := 0
	for i, p := range providers {
		if p.share > 0 {
			remaining[i] = int(p.share*float64(n) + 0.5)
			used += remaining[i]
		}
	}
	remaining[len(providers)-1] = n - used
	for i := range providers {
		for j := range providers[i].failures {
			f := &providers[i].failures[j]
			f.count = int(float64(f.per24k)*scale + 0.5)
		}
	}
	partnerLeft := int(applePartner24k*scale + 0.5)
	cs01Left := int(appleCS0124k*scale + 0.5)
	total := n

	fmt.Fprintln(w, "time,recipient,outcome,reply,campaign,template,sending_ip,message_id,transactional,subscriber_age_days,subject,from_domain,link_host,product_block,first_name")
	span := hours * float64(time.Hour)
	for i := 0; i < n; i++ {
		// Draw the provider without replacement so the counts are exact.
		k := rng.IntN(total)
		pi := 0
		for ; pi < len(remaining); pi++ {
			if k < remaining[pi] {
				break
			}
			k -= remaining[pi]
		}
		left := remaining[pi]
		remaining[pi]--
		total--
		p := &providers[pi]
		dom := p.domains[pick(rng, p.weights)]
		rcpt := fmt.Sprintf("u%07d@%s", i, dom)
		if dom == "privaterelay.appleid.com" {
			rcpt = fmt.Sprintf("%x@%s", rng.Uint64()&0xffffffffff, dom)
		}
		outcome, reply := "delivered", "250 2.0.0 OK"
		block := blocks[rng.IntN(len(blocks))]
		link := "www.shop.example"
		if p.name == "apple" {
			if rng.IntN(left) < partnerLeft {
				partnerLeft--
				block, link = partnerBl[rng.IntN(2)], partnerHost
				if rng.IntN(partnerLeft+1) < cs01Left {
					cs01Left--
					outcome, reply = "bounced", cs01Reply
				}
			}
		} else if rng.Float64() < 0.03 {
			block, link = partnerBl[rng.IntN(2)], partnerHost
		}
		if outcome == "delivered" {
			for j := range p.failures {
				f := &p.failures[j]
				if f.count > 0 && rng.IntN(left) < f.count {
					f.count--
					outcome, reply = f.outcome, replace(f.reply, "{rcpt}", rcpt)
					break
				}
			}
		}
		t := start.Add(time.Duration(float64(i) / float64(n) * span)).Add(time.Duration(rng.IntN(1000)) * time.Millisecond)
		age := int(rng.ExpFloat64() * 400)
		first := "set"
		if rng.IntN(5) == 0 {
			first = "empty"
		}
		fmt.Fprintf(w, "%s,%s,%s,%s,2026-05-spring-sale,spring-sale-v3,%s,<%d.%d@mail.shop.example>,false,%d,%s,shop.example,%s,%s,%s\n",
			t.UTC().Format(time.RFC3339), rcpt, outcome, csvQuote(reply), ips[rng.IntN(2)], seed, i, age,
			csvQuote(subjects[rng.IntN(2)]), link, block, first)
	}
}

func pick(rng *rand.Rand, weights []float64) int {
	x := rng.Float64()
	for i, w := range weights {
		if x < w {
			return i
		}
		x -= w
	}
	return len(weights) - 1
}

func replace(s, old, new string) string {
	for i := 0; i+len(old) <= len(s); i++ {
		if s[i:i+len(old)] == old {
			return s[:i] + new + s[i+len(old):]
		}
	}
	return s
}

func csvQuote(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] == ',' || s[i] == '"' || s[i] == '\n' {
			q := []byte{'"'}
			for j := 0; j < len(s); j++ {
				if s[j] == '"' {
					q = append(q, '"')
				}
				q = append(q, s[j])
			}
			return string(append(q, '"'))
		}
	}
	return s
}
