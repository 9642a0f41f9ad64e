package dmarcreport

// This file advises on staged enforcement: from the published policy and
// the reports of N days, where the domain stands, whether the next step is
// safe, what each step would cost in legitimate mail, what blocks it and
// when each step could come.

import (
	"cmp"
	"fmt"
	"net/netip"
	"slices"
	"time"
)

// AdviceOptions are the thresholds of Advise. The zero value means the
// defaults, each of which cites where it comes from.
type AdviceOptions struct {
	// MinDaysAtNone is how many days of reports p=none needs before the
	// first step: default 14. Google Workspace's DMARC rollout tutorial
	// starts at p=none and reviews reports before any change; two weeks
	// let senders that mail weekly or fortnightly show up.
	MinDaysAtNone int
	// DaysPerStep is the days of reports each later step needs before
	// the next: default 7, the week between changes of Google Workspace's
	// tutorial.
	DaysPerStep int
	// PassRateQuarantine is the legitimate pass rate required before
	// quarantine is applied to any mail: default 0.95, the ~95% DMARC
	// vendors use as the quarantine gate.
	PassRateQuarantine float64
	// PassRateReject is the rate required before reject: default 0.98,
	// the ~98% vendors use as the reject gate.
	PassRateReject float64
	// BlockerShare is the share of legitimate volume from which a failing
	// source blocks a step: default 0.001 (0.1%).
	BlockerShare float64
	// MailingListShare is the share of legitimate volume sent through
	// mailing lists from which p=reject is not advised: default 0.005.
	// RFC 9989 advises domains whose users post to mailing lists against
	// p=reject, since lists that modify messages fail DMARC (RFC 7960).
	MailingListShare float64
	// PctSteps are the pct values of the partial stages, rising, ending at
	// 100: default 25, 50, 100. They matter to RFC 7489 receivers only
	// (RFC 9989 dropped pct); Google's tutorial raises pct in steps.
	PctSteps []int
}

func (o AdviceOptions) withDefaults() AdviceOptions {
	if o.MinDaysAtNone <= 0 {
		o.MinDaysAtNone = 14
	}
	if o.DaysPerStep <= 0 {
		o.DaysPerStep = 7
	}
	if o.PassRateQuarantine <= 0 {
		o.PassRateQuarantine = 0.95
	}
	if o.PassRateReject <= 0 {
		o.PassRateReject = 0.98
	}
	if o.BlockerShare <= 0 {
		o.BlockerShare = 0.001
	}
	if o.MailingListShare <= 0 {
		o.MailingListShare = 0.005
	}
	if len(o.PctSteps) == 0 {
		o.PctSteps = []int{25, 50, 100}
	}
	return o
}

// Effect is what a step does to a domain's legitimate mail that fails
// DMARC, over the reports' window.
type Effect struct {
	Quarantined int64 `json:"quarantined"`
	Rejected    int64 `json:"rejected"`
}

// Step is one rung of the enforcement ladder.
type Step struct {
	Stage  Stage  `json:"stage"`
	Record string `json:"record"`
	// RFC7489 is the effect at receivers that apply pct (RFC 7489 §6.6.4),
	// RFC9989 at receivers that apply t= and ignore pct.
	RFC7489 Effect `json:"rfc7489"`
	RFC9989 Effect `json:"rfc9989"`
	// Earliest is the first day the step could be published, if what
	// blocks it is fixed now: the last report day plus the days each step
	// before it needs.
	Earliest string `json:"earliest"`
}

// Blocker is a source whose legitimate mail a step would hurt.
type Blocker struct {
	IP       netip.Addr `json:"ip"`
	PTR      string     `json:"ptr,omitempty"`
	Org      string     `json:"org,omitempty"`
	Class    Class      `json:"class"`
	Messages int64      `json:"messages"`
	Failing  int64      `json:"failing"`
	// Blocks is the first stage the source blocks.
	Blocks Stage  `json:"blocks"`
	Fix    string `json:"fix"`
}

// Advice is the staged-enforcement advice for one domain, a plain value.
// Advise itself is pure and safe for concurrent use.
type Advice struct {
	Domain string        `json:"domain"`
	Policy CurrentPolicy `json:"policy"`
	Stage  Stage         `json:"stage"`
	Days   int           `json:"days"`
	// Legitimate counts the messages of every class but spoofing;
	// PassRate is their DMARC pass rate.
	Messages       int64   `json:"messages"`
	Legitimate     int64   `json:"legitimate"`
	LegitimatePass int64   `json:"legitimate_pass"`
	PassRate       float64 `json:"pass_rate"`
	// Next is the next step (nil at p=reject, or where reject is not
	// advised and quarantine is reached); Safe says whether it may be
	// taken now, Reasons why or why not.
	Next     *Step     `json:"next"`
	Safe     bool      `json:"safe"`
	Reasons  []string  `json:"reasons"`
	Blockers []Blocker `json:"blockers"`
	// Timeline is Next and the steps after it.
	Timeline []Step   `json:"timeline"`
	Notes    []string `json:"notes"`
}

type rung struct {
	stage   Stage
	policy  Policy
	pct     int
	testing bool
}

func ladder(o AdviceOptions) []rung {
	l := []rung{{StageNone, PolicyNone, 100, false}, {StageQuarantineTest, PolicyQuarantine, 0, true}}
	for _, p := range o.PctSteps {
		st := StageQuarantinePartial
		if p >= 100 {
			st, p = StageQuarantine, 100
		}
		l = append(l, rung{st, PolicyQuarantine, p, false})
	}
	l = append(l, rung{StageRejectTest, PolicyReject, 0, true})
	for _, p := range o.PctSteps {
		st := StageRejectPartial
		if p >= 100 {
			st, p = StageReject, 100
		}
		l = append(l, rung{st, PolicyReject, p, false})
	}
	return l
}

// position finds the rung of the current policy: the highest rung it has
// reached (a pct between two steps counts as the lower one).
func position(l []rung, c CurrentPolicy) int {
	pct := c.Pct
	if !c.HasPct {
		pct = 100
	}
	testing := c.Testing || pct == 0
	pos := -1
	for i, r := range l {
		switch {
		case rank(r.policy) < rank(c.P):
			pos = i
		case r.policy != c.P:
		case r.testing:
			pos = i
			if testing {
				return i
			}
		case !testing && r.pct <= pct:
			pos = i
		}
	}
	return pos
}

func rank(p Policy) int {
	switch p {
	case PolicyQuarantine:
		return 1
	case PolicyReject:
		return 2
	}
	return 0
}

// effect of a rung on failing legitimate messages.
func (r rung) effect(failing int64) (e7489, e9989 Effect) {
	if r.policy == PolicyNone {
		return
	}
	// RFC 7489 §6.6.4: pct% get the policy, the rest the next-lower one.
	applied := failing * int64(r.pct) / 100
	rest := failing - applied
	if r.policy == PolicyQuarantine {
		e7489.Quarantined = applied
	} else {
		e7489.Rejected, e7489.Quarantined = applied, rest
	}
	// RFC 9989: t=y applies the next-lower policy to all; pct is gone.
	switch {
	case r.policy == PolicyQuarantine && !r.testing:
		e9989.Quarantined = failing
	case r.policy == PolicyReject && r.testing:
		e9989.Quarantined = failing
	case r.policy == PolicyReject:
		e9989.Rejected = failing
	}
	return
}

// Advise gives the advice for the domain of sum, whose record is cur (look
// it up, parse it with ParsePolicy, or take PolicyFromReport(sum.Policy)).
func Advise(cur CurrentPolicy, sum DomainSummary, opt AdviceOptions) Advice {
	o := opt.withDefaults()
	adv := Advice{Domain: sum.Domain, Policy: cur, Stage: cur.Stage(), Days: len(sum.Days), Messages: sum.Messages}
	var listVol, fwdFail int64
	for _, s := range sum.Sources {
		if !s.Class.Legitimate() {
			continue
		}
		adv.Legitimate += s.Messages
		adv.LegitimatePass += s.DMARCPass
		switch s.Class {
		case ClassMailingList:
			listVol += s.Messages
		case ClassForwarder:
			fwdFail += s.DMARCFail
		}
	}
	if adv.Legitimate > 0 {
		adv.PassRate = float64(adv.LegitimatePass) / float64(adv.Legitimate)
	}
	failing := adv.Legitimate - adv.LegitimatePass
	noReject := adv.Legitimate > 0 && float64(listVol) >= o.MailingListShare*float64(adv.Legitimate)

	// Blockers: legitimate sources that fail, or pass on SPF alone.
	for _, s := range sum.Sources {
		b := Blocker{IP: s.IP, PTR: s.PTR, Org: s.Org, Class: s.Class, Messages: s.Messages, Failing: s.DMARCFail}
		big := adv.Legitimate > 0 && float64(s.Messages) >= o.BlockerShare*float64(adv.Legitimate)
		switch s.Class {
		case ClassUnknown:
			if !big {
				continue
			}
			b.Blocks = StageQuarantinePartial
			b.Fix = fixUnknown(sum.Domain, s)
		case ClassBrokenDKIM:
			if !big {
				continue
			}
			// SPF does not survive forwarding (RFC 7960): under reject, the
			// forwarded share of this mail is lost.
			b.Blocks = StageRejectPartial
			b.Fix = fixBrokenDKIM(sum.Domain, s)
		default:
			continue
		}
		adv.Blockers = append(adv.Blockers, b)
	}
	slices.SortFunc(adv.Blockers, func(x, y Blocker) int {
		if c := cmp.Compare(y.Messages, x.Messages); c != 0 {
			return c
		}
		return x.IP.Compare(y.IP)
	})

	l := ladder(o)
	pos := position(l, cur)
	if cur.Stage() == StageNoRecord {
		pos = -1
		adv.Notes = append(adv.Notes, "no DMARC record: publish "+CurrentPolicy{P: PolicyNone, RUA: []string{"mailto:dmarc-reports@" + sum.Domain}}.String()+" and collect reports first")
	}
	last := lastDay(sum)
	wait := func(r rung) int {
		if r.policy == PolicyNone {
			return o.MinDaysAtNone
		}
		return o.DaysPerStep
	}
	day := last
	for i := pos + 1; i < len(l); i++ {
		r := l[i]
		if noReject && r.policy == PolicyReject {
			break
		}
		var need int
		if i == pos+1 {
			if pos >= 0 {
				need = max(0, wait(l[pos])-adv.Days)
			}
		} else {
			need = wait(l[i-1])
		}
		day = day.AddDate(0, 0, need)
		e7, e9 := r.effect(failing)
		adv.Timeline = append(adv.Timeline, Step{
			Stage: r.stage, Record: cur.with(r.policy, r.pct, r.testing).String(),
			RFC7489: e7, RFC9989: e9, Earliest: day.Format(time.DateOnly),
		})
	}
	if len(adv.Timeline) > 0 {
		adv.Next = &adv.Timeline[0]
	}
	adv.Safe, adv.Reasons = safety(adv, o, l, pos, noReject, listVol, fwdFail)
	if cur.SP == PolicyNone && cur.P != PolicyNone {
		adv.Notes = append(adv.Notes, "sp=none keeps subdomains unprotected; drop sp or raise it with p")
	}
	if cur.P != PolicyNone && cur.NP == "" {
		adv.Notes = append(adv.Notes, "np= (RFC 9989) can reject mail from subdomains that do not exist before p moves: np=reject")
	}
	return adv
}

func safety(adv Advice, o AdviceOptions, l []rung, pos int, noReject bool, listVol, fwdFail int64) (bool, []string) {
	var why []string
	if adv.Next == nil {
		if noReject && adv.Stage != StageReject {
			why = append(why, fmt.Sprintf("stop at quarantine: %d messages (%.1f%% of legitimate mail) go through mailing lists, and RFC 9989 advises domains whose users post to lists against p=reject", listVol, pct(listVol, adv.Legitimate)))
		} else {
			why = append(why, "at the last stage: p=reject for all mail")
		}
		return false, why
	}
	if adv.Legitimate == 0 {
		return false, []string{"no legitimate mail in the reports: nothing shows that every sender is set up"}
	}
	next := adv.Next.Stage
	safe := true
	need := o.MinDaysAtNone
	if pos >= 0 && l[pos].policy != PolicyNone {
		need = o.DaysPerStep
	}
	if pos >= 0 && adv.Days < need {
		safe = false
		why = append(why, fmt.Sprintf("%d days of reports; %d needed at this stage", adv.Days, need))
	}
	gate, gateName := 0.0, ""
	switch next {
	case StageQuarantinePartial, StageQuarantine:
		gate, gateName = o.PassRateQuarantine, "quarantine"
	case StageRejectPartial, StageReject:
		gate, gateName = o.PassRateReject, "reject"
	}
	if gateName != "" && adv.PassRate < gate {
		safe = false
		why = append(why, fmt.Sprintf("legitimate pass rate %.2f%% is below the %.0f%% %s gate", 100*adv.PassRate, 100*gate, gateName))
	}
	for _, b := range adv.Blockers {
		if stageIndex(l, next) >= stageIndex(l, b.Blocks) {
			safe = false
			why = append(why, fmt.Sprintf("%s (%s) blocks %s: %s", b.IP, b.Class, b.Blocks, b.Fix))
		}
	}
	if fwdFail > 0 {
		why = append(why, fmt.Sprintf("%d forwarded messages fail DMARC; enforcement will hit them unless receivers trust ARC", fwdFail))
	}
	if safe {
		why = append([]string{fmt.Sprintf("safe: legitimate pass rate %.2f%% over %d days, no blocking source", 100*adv.PassRate, adv.Days)}, why...)
	}
	return safe, why
}

func stageIndex(l []rung, s Stage) int {
	for i, r := range l {
		if r.stage == s {
			return i
		}
	}
	return len(l)
}

func pct(a, b int64) float64 {
	if b == 0 {
		return 0
	}
	return 100 * float64(a) / float64(b)
}

func lastDay(sum DomainSummary) time.Time {
	if n := len(sum.Days); n > 0 {
		if t, err := time.Parse(time.DateOnly, sum.Days[n-1].Date); err == nil {
			return t
		}
	}
	return sum.End.UTC().Truncate(24 * time.Hour)
}

func who(s Source) string {
	switch {
	case s.Org != "" && s.PTR != "":
		return s.Org + " (" + s.PTR + ")"
	case s.Org != "":
		return s.Org
	case s.PTR != "":
		return s.PTR
	}
	return s.IP.String()
}

func fixUnknown(domain string, s Source) string {
	other := ""
	for _, k := range s.DKIM {
		if k.Result == "pass" && !k.Aligned {
			other = k.Domain
			break
		}
	}
	if other != "" {
		return fmt.Sprintf("%s signs as d=%s: if it sends for you, have it sign with d=%s (publish its DKIM key under %s), else it is not yours and enforcement should stop it", who(s), other, domain, domain)
	}
	return fmt.Sprintf("%s passes SPF for its own domain only: if it sends for you, set up DKIM for %s there or a return path under %s, else it is not yours", who(s), domain, domain)
}

func fixBrokenDKIM(domain string, s Source) string {
	for _, k := range s.DKIM {
		if k.Result == "pass" && !k.Aligned {
			return fmt.Sprintf("%s passes on SPF alone and signs as d=%s: sign with d=%s so that forwarded mail still passes", who(s), k.Domain, domain)
		}
	}
	for _, k := range s.DKIM {
		if k.Aligned && k.Result != "pass" {
			return fmt.Sprintf("%s passes on SPF alone; its d=%s signature gives %s: check the selector's key in DNS and the signing setup", who(s), k.Domain, k.Result)
		}
	}
	return fmt.Sprintf("%s passes on SPF alone and does not sign: turn on DKIM signing with d=%s", who(s), domain)
}
