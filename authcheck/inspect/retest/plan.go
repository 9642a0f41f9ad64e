package retest

// This file builds the plan: which variants, in which order, how many sends
// each, and how to read each outcome.

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/bouncekit/bouncekit/authcheck/inspect"
)

// Stage is the step of the retest a variant belongs to.
type Stage string

// Stages, in the order they are sent.
const (
	StagePlain        Stage = "plain"
	StageHost         Stage = "host"
	StagePersonalised Stage = "personalised"
	StageProduction   Stage = "production"
)

// Facts are what the triage already knows, passed as plain values (for
// example from segment's comparison of failed and delivered rows). The zero
// value works.
type Facts struct {
	// Observed is the provider's failure rate for the campaign (0.03 for
	// 3 %); zero means the pause level, 2 %.
	Observed float64
	// Watch is the rate under which failures are normal; zero means 0.5 %.
	Watch float64
	// Confidence (one-sided, default 0.95) and Power (default 0.8) of the
	// test each stage is sized for.
	Confidence, Power float64
	// Suspects are the values only the failed rows share; a link host
	// among them is retested first.
	Suspects []Suspect
	// Personal are recipient-specific values to make static beside the
	// recipient's name and address read from To.
	Personal []string

	observedAssumed bool
}

// Suspect is one value the failed rows share more than the delivered ones.
type Suspect struct {
	Field, Value                string
	FailedShare, DeliveredShare float64
}

// Variant is one message of the retest.
type Variant struct {
	Name  string `json:"name"`
	Stage Stage  `json:"stage"`
	// Host is the host added back, for StageHost.
	Host string `json:"host,omitempty"`
	// File is the variant's file name in the plan's directory.
	File string `json:"file"`
	// Changes says what differs from the original.
	Changes []string `json:"changes"`
	// Breaks lists the signatures of the original the variant breaks.
	Breaks []string `json:"breaks"`
	// Sends is the size of the segment to send it to; Critical the failure
	// count at or above which its rate is above the watch level.
	Sends    int    `json:"sends"`
	Critical int    `json:"critical"`
	Read     string `json:"read"`
	Message  []byte `json:"-"`
}

// Plan is the retest of one message: plain data, safe to read from several
// goroutines. New is safe for concurrent use.
type Plan struct {
	Variants []Variant `json:"variants"`
	// The figures each stage is sized with.
	Watch      float64 `json:"watch"`
	Observed   float64 `json:"observed"`
	Confidence float64 `json:"confidence"`
	Power      float64 `json:"power"`
	// ObservedAssumed is true when Facts gave no observed rate.
	ObservedAssumed bool     `json:"observed_assumed"`
	Notes           []string `json:"notes"`
}

// MaxHostVariants bounds the host variants of a plan: each is a full copy of
// the message, and a plan of more stages than this would not be sent anyway.
const MaxHostVariants = 20

// ErrNoBody is returned for a message without a text or HTML part to rewrite.
var ErrNoBody = errors.New("retest: message has no text or HTML body")

// New builds the plan for msg, the message as sent.
func New(msg []byte, f Facts) (*Plan, error) {
	f = f.withDefaults()
	in := inspect.NewInput(msg, inspect.Options{})
	m := in.Message
	src := readSource(in, f)
	if src.html == nil && src.text == nil {
		return nil, ErrNoBody
	}
	p := &Plan{Watch: f.Watch, Observed: f.Observed, Confidence: f.Confidence, Power: f.Power, ObservedAssumed: f.observedAssumed}
	n := sampleSize(f.Watch, f.Observed, f.Confidence, f.Power)
	c := criticalCount(n, f.Watch, f.Confidence)
	breaks := signatureBreaks(m)

	add := func(v Variant, opt rewrite) {
		v.File = fmt.Sprintf("%02d-%s.eml", len(p.Variants)+1, v.Name)
		v.Sends, v.Critical = n, c
		v.Breaks = breaks(opt, src)
		v.Message = src.build(opt, v.Name)
		p.Variants = append(p.Variants, v)
	}
	hosts := src.restorable(f.Suspects)
	var skipped []string
	if len(hosts) > MaxHostVariants {
		hosts, skipped = hosts[:MaxHostVariants], hosts[MaxHostVariants:]
	}
	plainChanges := src.plainChanges()
	add(Variant{Name: "plain", Stage: StagePlain, Changes: plainChanges,
		Read: fmt.Sprintf("%d or more failures of %d: the cause is not in images, tracking links or personal fields; look at the sending path (IP, HELO, SPF/DKIM/DMARC, the Private Relay forwarding path) and the remaining words, and skip the host variants. Fewer: the cause is in what was removed; send the host variants.", c, n)},
		rewrite{static: true})
	for _, h := range hosts {
		add(Variant{Name: "host-" + safeName(h), Stage: StageHost, Host: h,
			Changes: append(slices.Clone(plainChanges), "links and images on "+h+" restored as in the original"),
			Read:    fmt.Sprintf("%d or more failures of %d: %s carries it; check it against domain blocklists and replace it (your own tracking domain, or a direct link). Fewer: %s is clear.", c, n, h, h)},
			rewrite{static: true, keep: []string{h}})
	}
	add(Variant{Name: "personalised", Stage: StagePersonalised,
		Changes: append(slices.DeleteFunc(slices.Clone(plainChanges), func(s string) bool { return strings.HasPrefix(s, "personal") || strings.HasPrefix(s, "merge") }), "personal fields as in the original"),
		Read:    fmt.Sprintf("%d or more failures of %d: the personalised fields trigger it (a value, the name in the subject, an unrendered tag); send them static or fix the merge. Fewer: they are clear.", c, n)},
		rewrite{static: false})
	add(Variant{Name: "production", Stage: StageProduction, Changes: []string{"none: the message as sent, with a new Message-ID and without the old signatures and trace fields"},
		Read: fmt.Sprintf("%d or more failures of %d with every earlier variant clear: the combination is the cause (or volume and sending rate); resend production in small batches and compare. Fewer: the problem is gone; resume the provider's stream at a reduced rate and watch its failure rate.", c, n)},
		rewrite{production: true})

	p.Notes = append(p.Notes,
		"Send each variant to a fresh small segment of the failing provider's recipients (for Apple: icloud.com, me.com, mac.com and privaterelay.appleid.com), one variant at a time, from the same IP and domain as production.",
		"Re-sign every variant with the production DKIM key before sending: the rewrites break the original signatures (listed under each variant), and the files carry none.")
	if f.observedAssumed {
		p.Notes = append(p.Notes, fmt.Sprintf("No observed failure rate was given: each stage is sized to tell %.1f%% (the pause level) from the watch level.", 100*f.Observed))
	}
	if len(skipped) > 0 {
		p.Notes = append(p.Notes, fmt.Sprintf("%d more hosts have no variant of their own (the first: %s): a message with more than %d tracking and image hosts needs fewer before it can be retested one host at a time.", len(skipped), skipped[0], MaxHostVariants))
	}
	if len(hosts) == 0 {
		p.Notes = append(p.Notes, "The message has no tracking, redirect or image host to add back: the plain variant differs from production only in its personal fields.")
	}
	return p, nil
}

func (f Facts) withDefaults() Facts {
	if f.Watch <= 0 || f.Watch >= 1 {
		f.Watch = 0.005
	}
	if f.Observed <= f.Watch || f.Observed >= 1 {
		f.Observed, f.observedAssumed = 0.02, true
		if f.Observed <= f.Watch {
			f.Observed = f.Watch * 4
		}
	}
	if f.Confidence <= 0.5 || f.Confidence >= 1 {
		f.Confidence = 0.95
	}
	if f.Power <= 0.5 || f.Power >= 1 {
		f.Power = 0.8
	}
	return f
}

func safeName(h string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '.' || r == '-' {
			return r
		}
		return '_'
	}, strings.ToLower(h))
}

// Write writes every variant and plan.txt into dir, which is created.
func (p *Plan) Write(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, v := range p.Variants {
		if err := os.WriteFile(filepath.Join(dir, v.File), v.Message, 0o644); err != nil {
			return err
		}
	}
	f, err := os.Create(filepath.Join(dir, "plan.txt"))
	if err != nil {
		return err
	}
	if err := p.WriteText(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// WriteText writes the plan for a reader.
func (p *Plan) WriteText(w io.Writer) error {
	var b strings.Builder
	assumed := ""
	if p.ObservedAssumed {
		assumed = " (assumed)"
	}
	fmt.Fprintf(&b, "Retest plan: %d variants, one variable at a time.\n", len(p.Variants))
	fmt.Fprintf(&b, "Each stage: sends that tell a %.1f%% failure rate%s from the %.1f%% watch level, one-sided, %.0f%% confidence, %.0f%% power.\n\n",
		100*p.Observed, assumed, 100*p.Watch, 100*p.Confidence, 100*p.Power)
	for i, v := range p.Variants {
		fmt.Fprintf(&b, "%d. %s (%s): %s\n", i+1, v.Name, v.Stage, v.File)
		fmt.Fprintf(&b, "   send to %d recipients; %d or more failures is above the watch level\n", v.Sends, v.Critical)
		for _, c := range v.Changes {
			fmt.Fprintf(&b, "   change: %s\n", c)
		}
		for _, s := range v.Breaks {
			fmt.Fprintf(&b, "   breaks: %s\n", s)
		}
		fmt.Fprintf(&b, "   read: %s\n\n", v.Read)
	}
	for _, n := range p.Notes {
		fmt.Fprintf(&b, "Note: %s\n", n)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
