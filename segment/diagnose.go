package segment

import (
	"cmp"
	"fmt"
	"log/slog"
	"slices"
	"strings"

	"github.com/bouncekit/bouncekit/classify"
)

// Pattern names what a provider's failures look like. Values are the wire
// tokens of the report.
type Pattern string

// Patterns, in the order Diagnose considers them.
const (
	// PatternReputationOrAuth: the provider rejects broadly, across
	// campaigns, templates and recipients: look at the sender, not the
	// message.
	PatternReputationOrAuth Pattern = "reputation_or_auth"
	// PatternRelayForwarding: failures gather on relay addresses (Apple's
	// Private Relay); the refusal may come from the mailbox behind it.
	PatternRelayForwarding Pattern = "relay_forwarding"
	// PatternNewTemplate: failures gather on one template.
	PatternNewTemplate Pattern = "new_template"
	// PatternLinkHost: failures gather on one link, redirect or image host.
	PatternLinkHost Pattern = "link_host"
	// PatternContentOrRecipient: a small slice fails; what the failed rows
	// share (a personalised field, a subject...) or, when nothing stands
	// out, a row-by-row comparison is the way in.
	PatternContentOrRecipient Pattern = "content_or_recipient"
)

// DiagnoseOptions configure Diagnose. The zero value works.
type DiagnoseOptions struct {
	Policy Policy
	// Alpha and MinFailed are passed to Compare.
	Alpha     float64
	MinFailed int64
	// BroadRate is the failure rate of the compared kind from which a
	// provider that fails across every campaign and template is taken to
	// reject broadly; 0 means 0.2.
	BroadRate float64
	// RelayDomains are recipient domain segments that forward mail; nil
	// means {"privaterelay.appleid.com"}.
	RelayDomains []string
	// IsLinkAttr reports whether a free attribute names a host the message
	// links to or loads from; nil means names containing "link", "url",
	// "redirect", "click", "tracking" or "image".
	IsLinkAttr func(attr string) bool
	Trend      TrendOptions
	Brake      BrakeOptions
	// All diagnoses every provider with failures, not only those at the
	// investigate level or above (or with a rising trend or brake).
	All bool
}

// Diagnosis is what Diagnose concludes for one provider.
type Diagnosis struct {
	Provider classify.Provider `json:"provider"`
	Pattern  Pattern           `json:"pattern"`
	// Focus says which failures were compared: "tag CS01", "category
	// recipient_unknown" or "all bounces".
	Focus string `json:"focus"`
	// Rate is the focus failures over the provider's denominator, Level
	// its level.
	Rate  Rate  `json:"rate"`
	Level Level `json:"level"`
	// Evidence are the facts behind the pattern, one sentence each.
	Evidence []string `json:"evidence"`
	// NextStep is what to do next, in plain words.
	NextStep string `json:"next_step"`
	// Escalate is set when one of the signals that call for urgency is
	// present; Escalations name them.
	Escalate    bool     `json:"escalate"`
	Escalations []string `json:"escalations,omitempty"`
	// HoldSuppression: see SuppressionBrake.
	HoldSuppression bool `json:"hold_suppression"`
	// Cause is the attribute value the pattern points at, when there is one.
	Cause *Finding `json:"cause,omitempty"`
	// Comparison is the failed-versus-delivered comparison it rests on.
	Comparison Comparison `json:"-"`
}

func defaultLinkAttr(attr string) bool {
	a := strings.ToLower(attr)
	for _, w := range []string{"link", "url", "redirect", "click", "tracking", "image"} {
		if strings.Contains(a, w) {
			return true
		}
	}
	return false
}

// Diagnose is Aggregate.Diagnose on the view.
func (a *view) Diagnose(opt DiagnoseOptions) []Diagnosis {
	if opt.BroadRate <= 0 {
		opt.BroadRate = 0.2
	}
	if opt.RelayDomains == nil {
		opt.RelayDomains = []string{"privaterelay.appleid.com"}
	}
	if opt.IsLinkAttr == nil {
		opt.IsLinkAttr = defaultLinkAttr
	}
	trends := map[classify.Provider]Trend{}
	for _, t := range a.Trend(opt.Trend) {
		trends[t.Provider] = t
	}
	brakes := map[classify.Provider]Brake{}
	for _, b := range a.SuppressionBrake(opt.Brake) {
		brakes[b.Provider] = b
	}
	total := NewRate(a.total.Bounced, a.total.Sent())
	var out []Diagnosis
	for _, ps := range a.Providers(opt.Policy) {
		if ps.Bounced == 0 {
			continue
		}
		tr, br := trends[ps.Provider], brakes[ps.Provider]
		d := Diagnosis{Provider: ps.Provider, Focus: "all bounces", Rate: ps.Rate, Level: ps.Level, HoldSuppression: br.Hold}
		q := Query{Provider: ps.Provider, Alpha: opt.Alpha, MinFailed: opt.MinFailed}
		var focusTag *SegmentStats
		for i := range ps.Tags {
			t := &ps.Tags[i]
			if t.Bounced > 0 && t.Level.rank() >= LevelInvestigate.rank() {
				focusTag = t
				break
			}
		}
		var focusCat *SegmentStats
		for i := range ps.Categories {
			if c := &ps.Categories[i]; c.Bounced > 0 && (focusCat == nil || c.Bounced > focusCat.Bounced) {
				focusCat = c
			}
		}
		switch {
		case focusTag != nil:
			q.Tag = focusTag.Key
			d.Focus, d.Rate, d.Level = "tag "+focusTag.Key, focusTag.Rate, focusTag.Level
		case focusCat != nil:
			q.Category = classify.Category(focusCat.Key)
			d.Focus, d.Rate = "category "+focusCat.Key, focusCat.Rate
		}
		attention := ps.Level.rank() >= LevelInvestigate.rank() || d.Level.rank() >= LevelInvestigate.rank() || tr.Rising || br.Hold
		if !attention && !opt.All {
			continue
		}
		cmpRes := a.Compare(q)
		d.Comparison = cmpRes
		name := string(ps.Provider)
		d.Evidence = append(d.Evidence, fmt.Sprintf("%s: %s of %s messages failed (%s): %s, level %s.",
			name, num(d.Rate.Failed), num(d.Rate.Sent), d.Focus, d.Rate, d.Level))
		if tl := opt.Policy.For("", "").Level(total); tl != d.Level && d.Level != LevelInsufficient {
			verb := "hides" // the whole send looks better than the provider
			if total.Rate > d.Rate.Rate {
				verb = "overstates" // the whole send looks worse
			}
			d.Evidence = append(d.Evidence, fmt.Sprintf("The whole send failed at %.2f%% (%s level), which %s %s's %.2f%%: judge %s on its own denominator.",
				100*total.Rate, tl, verb, name, 100*d.Rate.Rate, name))
		}
		sig := cmpRes.Significant()
		spread := a.campaignSpread(ps.Provider, q, opt.Policy)

		// Broad rejection: a high rate of the compared failures in every
		// campaign and template with enough mail, and no single value that
		// sets the failures apart.
		broad := d.Rate.Rate >= opt.BroadRate && spread.allCampaignsHit && spread.allTemplatesHit
		if !broad && len(sig) == 0 && d.Level == LevelPause && (q.Category == classify.CategoryReputationBlock || q.Category == classify.CategoryAuthFailure) {
			broad = true
		}
		var cause *Finding
		for i := range sig {
			if sig[i].Attribute != AttrCampaign {
				cause = &sig[i]
				break
			}
		}
		switch {
		case broad:
			d.Pattern = PatternReputationOrAuth
			d.Evidence = append(d.Evidence, fmt.Sprintf("Failures are broad: %.1f%% of %s's messages, in %d of %d campaigns and %d of %d templates.",
				100*d.Rate.Rate, name, spread.campaignsHit, spread.campaigns, spread.templatesHit, spread.templates))
			d.NextStep = fmt.Sprintf("Hold volume to %s. Check the sending IPs and every domain in the message against blocklists, confirm SPF, DKIM and DMARC pass and align, that rDNS and HELO match, and review complaint trends; change infrastructure only once these point at it.", name)
		case cause != nil && isAuthAttr(cause.Attribute) && strings.Contains(strings.ToLower(cause.Value), "fail"):
			// The failures are the messages that failed authentication.
			d.Pattern = PatternReputationOrAuth
			d.NextStep = fmt.Sprintf("Find the stream that sends with %s=%s (a sending IP, a third-party sender, a forwarded path) and fix its SPF, DKIM and DMARC alignment before sending to %s again; check rDNS and HELO on the same IPs.", cause.Attribute, cause.Value, name)
		case cause != nil && cause.Attribute == AttrDomain && slices.Contains(opt.RelayDomains, cause.Value):
			d.Pattern = PatternRelayForwarding
			d.NextStep = fmt.Sprintf("Segment %s addresses on their own. Check that the sending and Return-Path domains are registered for the relay and that SPF and DKIM pass; the refusal can come from the mailbox the relay forwards to. Do not suppress these addresses for this.", cause.Value)
		case cause != nil && cause.Attribute == AttrTemplate:
			d.Pattern = PatternNewTemplate
			d.NextStep = fmt.Sprintf("Send template %s and the previous template side by side to a small %s segment, changing one element at a time (links, images, dynamic blocks), and keep the previous template for %s meanwhile.", cause.Value, name, name)
		case cause != nil && opt.IsLinkAttr(cause.Attribute):
			d.Pattern = PatternLinkHost
			d.NextStep = fmt.Sprintf("Check %s and its redirect chain against domain blocklists and URL reputation; send a variant without it (or on another host) to a small %s segment before the next large send.", cause.Value, name)
		case q.Category == classify.CategoryRecipientUnknown || q.Category == classify.CategoryRecipientInactive || q.Category == classify.CategoryBadDomain:
			// Address failures: the list, not the message.
			d.Pattern = PatternContentOrRecipient
			where := "where these addresses came from (signup source, import, age)"
			if cause != nil {
				where = fmt.Sprintf("where the %s=%s addresses came from", cause.Attribute, cause.Value)
			}
			d.NextStep = fmt.Sprintf("These are address failures (%s): suppress the addresses and look at %s; the message is not the problem.", q.Category, where)
		default:
			d.Pattern = PatternContentOrRecipient
			if cause != nil {
				d.NextStep = fmt.Sprintf("Look at what rows with %s=%s render: clone the campaign without it and send to a small %s segment, then add it back; keep the rendered body and headers of a failed message to reproduce it.", cause.Attribute, cause.Value, name)
			} else {
				d.NextStep = fmt.Sprintf("Compare failed and delivered %s messages of the same campaign field by field (subject, links, personalised fields, attachments). Send a plain version to a small %s segment, then add links and merge fields back one at a time.", name, name)
			}
		}
		if cause != nil {
			c := *cause
			d.Cause = &c
			d.Evidence = append(d.Evidence, describeFinding(c, cmpRes))
			for _, f := range sig {
				if f != c && len(d.Evidence) < 6 {
					d.Evidence = append(d.Evidence, "Also: "+describeFinding(f, cmpRes))
				}
			}
		} else if d.Pattern != PatternReputationOrAuth {
			d.Evidence = append(d.Evidence, fmt.Sprintf("No attribute value sets the %d failed rows apart from the %d delivered ones (%d values tested, false discovery rate %.0f%%).",
				cmpRes.Failed, cmpRes.Delivered, cmpRes.Tested, 100*orDefault(opt.Alpha, 0.01)))
		}
		a.escalations(&d, cmpRes, spread, tr, opt)
		if br.Hold {
			d.Evidence = append(d.Evidence, "Suppression brake: "+br.Reason+".")
			d.NextStep += fmt.Sprintf(" Hold suppression of %s's unknown-user failures until %s's behaviour is understood.", name, name)
		}
		if d.Escalate {
			d.NextStep = "Escalate: " + strings.Join(d.Escalations, "; ") + ". " + d.NextStep
		}
		out = append(out, d)
	}
	return out
}

func orDefault(v, def float64) float64 {
	if v <= 0 {
		return def
	}
	return v
}

func describeFinding(f Finding, c Comparison) string {
	return fmt.Sprintf("%s=%s is on %s of %s failures and %s of %s deliveries (failure rate %.1f%% with it, %.2f%% without; Fisher p=%.2g, adjusted q=%.2g).",
		f.Attribute, f.Value, num(f.Failed), num(c.Failed), num(f.Delivered), num(c.Delivered), 100*f.FailRate, 100*f.RestRate, f.P, f.Q)
}

// spreadInfo says how the compared failures spread over campaigns and
// templates.
type spreadInfo struct {
	campaigns, campaignsHit int
	templates, templatesHit int
	allCampaignsHit         bool
	allTemplatesHit         bool
	// hot are the campaigns whose own rate of the compared failures is at
	// the investigate level or above, in first-seen order.
	hot []campaignRate
}

type campaignRate struct {
	name      string
	first     int64
	rate      Rate
	templates []string
}

func (a *view) campaignSpread(p classify.Provider, q Query, pol Policy) spreadInfo {
	var s spreadInfo
	th := pol.For(string(p), q.Tag)
	tmplSent := map[uint32]int64{}
	tmplHit := map[uint32]int64{}
	var crs []campaignRate
	for _, g := range a.groupsOf(p) {
		var failed int64
		var f *focusCells
		switch {
		case q.Tag != "":
			f = g.focus[uint32(attrTag)<<24|a.attrs[attrTag].ids[q.Tag]]
		case q.Category != "":
			f = g.focus[uint32(attrCategory)<<24|a.attrs[attrCategory].ids[string(q.Category)]]
		}
		if f != nil {
			failed = f.n
		} else if q.Tag == "" && q.Category == "" {
			failed = g.c.Bounced
		}
		cr := campaignRate{name: a.camps[g.camp], first: g.first, rate: NewRate(failed, g.c.Sent())}
		if int(attrTemplate) < len(g.dims) {
			for v, c := range g.dims[attrTemplate] {
				if c.Sent() > 0 {
					cr.templates = append(cr.templates, a.attrs[attrTemplate].values[v])
					tmplSent[uint32(v)] += c.Sent()
				}
			}
		}
		if f != nil && int(attrTemplate) < len(f.dims) {
			for v, n := range f.dims[attrTemplate] {
				tmplHit[uint32(v)] += n
			}
		}
		if g.c.Sent() >= th.MinSample {
			s.campaigns++
			if failed > 0 {
				s.campaignsHit++
			}
			if th.Level(cr.rate).rank() >= LevelInvestigate.rank() {
				crs = append(crs, cr)
			}
		}
	}
	for v, n := range tmplSent {
		if n >= th.MinSample {
			s.templates++
			if tmplHit[v] > 0 {
				s.templatesHit++
			}
		}
	}
	s.allCampaignsHit = s.campaigns > 0 && s.campaignsHit == s.campaigns
	s.allTemplatesHit = s.templatesHit == s.templates
	slices.SortStableFunc(crs, func(x, y campaignRate) int {
		return cmp.Or(cmp.Compare(x.first, y.first), strings.Compare(x.name, y.name))
	})
	s.hot = crs
	return s
}

// escalations adds the signals that make a provider's failures urgent.
func (a *view) escalations(d *Diagnosis, c Comparison, s spreadInfo, tr Trend, opt DiagnoseOptions) {
	add := func(short, evidence string) {
		d.Escalate = true
		if !slices.Contains(d.Escalations, short) {
			d.Escalations = append(d.Escalations, short)
		}
		d.Evidence = append(d.Evidence, evidence)
	}
	// The same failure in campaigns that share no template.
	if len(s.hot) >= 2 {
		unrelated := false
		for i := 1; i < len(s.hot) && !unrelated; i++ {
			for j := range i {
				if !overlap(s.hot[i].templates, s.hot[j].templates) {
					unrelated = true
				}
			}
		}
		if unrelated {
			var parts []string
			for _, h := range s.hot {
				parts = append(parts, fmt.Sprintf("%s %.2f%%", h.name, 100*h.rate.Rate))
			}
			verb := "spreads"
			if last, first := s.hot[len(s.hot)-1].rate.Rate, s.hot[0].rate.Rate; last > first {
				verb = "rises"
			}
			add(fmt.Sprintf("%s %s across unrelated campaigns", d.Focus, verb),
				fmt.Sprintf("The %s rate %s across campaigns with different templates: %s.", d.Focus, verb, strings.Join(parts, ", ")))
		}
	}
	var newF, oldF *Finding
	for i := range c.Findings {
		f := &c.Findings[i]
		switch {
		case f.Attribute == AttrTransactional && f.Value == "true":
			add("it reaches transactional mail",
				fmt.Sprintf("%d of the failures are transactional messages (receipts, resets, codes): keep their message IDs, rendered bodies and headers, and do not retry them unchanged.", f.Failed))
		case f.Attribute == AttrSubscriberAge && f.Value == "new":
			newF = f
		case f.Attribute == AttrSubscriberAge && f.Value == "old":
			oldF = f
		case isAuthAttr(f.Attribute) && strings.Contains(strings.ToLower(f.Value), "fail"):
			add("authentication failures come with it",
				fmt.Sprintf("%d failures carry %s=%s.", f.Failed, f.Attribute, f.Value))
		}
	}
	// Age-blind failures only alarm when nothing local explains them: a bad
	// link host hits every list age alike too.
	if d.Cause == nil && newF != nil && oldF != nil && newF.Failed >= 3 && oldF.Failed >= 3 {
		p := FisherExact(newF.Failed, newF.Delivered, oldF.Failed, oldF.Delivered)
		if p > 0.05 {
			add("new and old subscribers are hit alike",
				fmt.Sprintf("New subscribers fail at %.2f%% and old ones at %.2f%% (no significant difference, p=%.2g): the cause is not list age.", 100*newF.FailRate, 100*oldF.FailRate, p))
		}
	}
	for _, cat := range []classify.Category{classify.CategoryAuthFailure} {
		if d.Focus == "category "+string(cat) {
			continue
		}
		for _, cs := range a.outcomeBreakdown(d.Provider, attrCategory, 1, opt.Policy) {
			if cs.Key == string(cat) && cs.Bounced > 0 {
				add("authentication failures come with it",
					fmt.Sprintf("%s also returned %d authentication failures (SPF, DKIM or DMARC).", d.Provider, cs.Bounced))
			}
		}
	}
	if tr.Rising {
		add("the rate is rising", "Trend: "+tr.Reason+".")
	}
}

func isAuthAttr(a string) bool {
	a = strings.ToLower(a)
	for _, w := range []string{"spf", "dkim", "dmarc", "auth"} {
		if strings.Contains(a, w) {
			return true
		}
	}
	return false
}

func overlap(x, y []string) bool {
	for _, v := range x {
		if slices.Contains(y, v) {
			return true
		}
	}
	return false
}

// LogValue implements slog.LogValuer.
func (d Diagnosis) LogValue() slog.Value {
	attrs := []slog.Attr{
		slog.String("provider", string(d.Provider)),
		slog.String("pattern", string(d.Pattern)),
		slog.String("focus", d.Focus),
		slog.Float64("rate", d.Rate.Rate),
		slog.String("level", string(d.Level)),
		slog.Bool("escalate", d.Escalate),
	}
	if d.Cause != nil {
		attrs = append(attrs, slog.String("cause", d.Cause.Attribute+"="+d.Cause.Value))
	}
	if d.HoldSuppression {
		attrs = append(attrs, slog.Bool("hold_suppression", true))
	}
	return slog.GroupValue(attrs...)
}
