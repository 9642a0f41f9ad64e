package segment

import (
	"math/rand/v2"
	"time"
)

// plan describes a constructed deployment: who is sent what, and which
// rows fail how.
type plan struct {
	n    int
	seed uint64
	// campaigns and their templates; a row picks a campaign, then one of
	// its templates (the first with weight 1-newShare).
	campaigns []campaignPlan
	// fail returns the outcome and reply of a row; nil means all delivered.
	fail func(ev *Event, rng *rand.Rand) (Outcome, string)
	// mutate adjusts a row before fail sees it.
	mutate func(ev *Event, rng *rand.Rand)
}

type campaignPlan struct {
	name          string
	templates     []string
	newShare      float64
	transactional bool
}

const (
	cs01  = "554 5.7.1 [CS01] Message rejected due to local policy. Please visit https://support.apple.com/en-us/HT204137"
	unk   = "550 5.1.1 <x@gmail.com>: user unknown"
	s3150 = "550 5.7.1 Unfortunately, messages from [192.0.2.10] weren't sent. Please contact your Internet service provider since part of their network is on our block list (S3150)."
)

var synthProviders = []struct {
	weight  float64
	domains []string
}{
	{0.30, []string{"icloud.com", "icloud.com", "icloud.com", "me.com", "mac.com", "privaterelay.appleid.com"}},
	{0.40, []string{"gmail.com"}},
	{0.20, []string{"outlook.com", "hotmail.com"}},
	{0.10, []string{"yahoo.com"}},
}

var t0 = time.Date(2026, 5, 12, 14, 0, 0, 0, time.UTC)

func (p plan) events() []Event {
	rng := rand.New(rand.NewPCG(p.seed, 7))
	camps := p.campaigns
	if camps == nil {
		camps = []campaignPlan{{name: "spring", templates: []string{"spring-v3"}}}
	}
	out := make([]Event, 0, p.n)
	for i := range p.n {
		x := rng.Float64()
		var doms []string
		for _, sp := range synthProviders {
			doms = sp.domains
			if x < sp.weight {
				break
			}
			x -= sp.weight
		}
		c := camps[rng.IntN(len(camps))]
		tmpl := c.templates[0]
		if len(c.templates) > 1 && rng.Float64() < c.newShare {
			tmpl = c.templates[1+rng.IntN(len(c.templates)-1)]
		}
		link := "www.shop.example"
		switch y := rng.Float64(); {
		case y < 0.03:
			link = "deals.partnerhub.example"
		case y < 0.12:
			link = "cdn.shop.example"
		}
		first := "set"
		if rng.IntN(5) == 0 {
			first = "empty"
		}
		ev := Event{
			Time:          t0.Add(time.Duration(i) * time.Second),
			Recipient:     "r" + itoa(i) + "@" + doms[rng.IntN(len(doms))],
			Outcome:       OutcomeDelivered,
			ReplyText:     "250 2.0.0 OK",
			Campaign:      c.name,
			Template:      tmpl,
			SendingIP:     []string{"192.0.2.10", "192.0.2.11"}[rng.IntN(2)],
			Transactional: c.transactional,
			SubscriberAge: time.Duration(rng.IntN(1500)+1) * 24 * time.Hour,
			Attrs: []Attr{
				{"subject", []string{"Spring sale", "Last chance", "New in"}[rng.IntN(3)]},
				{"link_host", link},
				{"product_block", []string{"bestsellers", "picks", "new", "deals"}[rng.IntN(4)]},
				{"first_name", first},
			},
		}
		if p.mutate != nil {
			p.mutate(&ev, rng)
		}
		if p.fail != nil {
			ev.Outcome, ev.ReplyText = p.fail(&ev, rng)
			if ev.Outcome == "" {
				ev.Outcome, ev.ReplyText = OutcomeDelivered, "250 2.0.0 OK"
			}
		}
		out = append(out, ev)
	}
	return out
}

func isApple(ev *Event) bool {
	switch ev.Domain() {
	case "icloud.com", "me.com", "mac.com", "privaterelay.appleid.com":
		return true
	}
	return false
}

func aggregate(evs []Event, opt Options) *Aggregate {
	a := NewAggregate(opt)
	for i := range evs {
		a.Add(&evs[i])
	}
	return a
}

func itoa(i int) string {
	var b [20]byte
	n := len(b)
	for {
		n--
		b[n] = byte('0' + i%10)
		i /= 10
		if i == 0 {
			return string(b[n:])
		}
	}
}

// background adds ordinary noise: a few unknown users at Gmail.
func background(ev *Event, rng *rand.Rand) (Outcome, string) {
	if ev.Domain() == "gmail.com" && rng.Float64() < 0.001 {
		return OutcomeBounced, unk
	}
	return "", ""
}
