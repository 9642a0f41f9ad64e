package dmarcreport

// This file holds the published policy the advice starts from, as a small
// value of its own so the package needs no DNS code: callers map a record
// they looked up, parse its text, or take it from the reports.

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// CurrentPolicy is a domain's DMARC record as far as staged enforcement is
// concerned (RFC 7489 §6.3, RFC 9989's t= and np=). The zero value is no
// record (P empty). It is a plain value.
type CurrentPolicy struct {
	P, SP, NP Policy
	// Pct is the pct tag, 100 when absent (HasPct false).
	Pct    int
	HasPct bool
	// Testing is RFC 9989's t=y.
	Testing bool
	ADKIM   Alignment
	ASPF    Alignment
	FO      string
	RUA     []string
}

// ErrPolicySyntax is returned by ParsePolicy for text that is not a DMARC
// record.
var ErrPolicySyntax = errors.New("dmarcreport: not a DMARC record")

// ParsePolicy reads the tags of a DMARC TXT record ("v=DMARC1; p=none;
// ..."; RFC 7489 §6.4). Unknown tags are ignored, as §6.3 says.
func ParsePolicy(txt string) (CurrentPolicy, error) {
	c := CurrentPolicy{Pct: 100}
	tags := strings.Split(txt, ";")
	if len(tags) == 0 || !strings.EqualFold(strings.ReplaceAll(strings.TrimSpace(tags[0]), " ", ""), "v=DMARC1") {
		return c, fmt.Errorf("%w: %q does not start with v=DMARC1", ErrPolicySyntax, trunc(txt))
	}
	for _, t := range tags[1:] {
		k, v, ok := strings.Cut(t, "=")
		if !ok {
			continue
		}
		k, v = strings.ToLower(strings.TrimSpace(k)), strings.TrimSpace(v)
		lv := strings.ToLower(v)
		switch k {
		case "p":
			c.P = Policy(lv)
		case "sp":
			c.SP = Policy(lv)
		case "np":
			c.NP = Policy(lv)
		case "pct":
			if n, err := strconv.Atoi(v); err == nil && n >= 0 && n <= 100 {
				c.Pct, c.HasPct = n, true
			}
		case "t":
			c.Testing = lv == "y"
		case "adkim":
			c.ADKIM = Alignment(lv)
		case "aspf":
			c.ASPF = Alignment(lv)
		case "fo":
			c.FO = v
		case "rua":
			for _, u := range strings.Split(v, ",") {
				if u = strings.TrimSpace(u); u != "" {
					c.RUA = append(c.RUA, u)
				}
			}
		}
	}
	switch c.P {
	case PolicyNone, PolicyQuarantine, PolicyReject:
	default:
		return c, fmt.Errorf("%w: p=%q", ErrPolicySyntax, c.P)
	}
	return c, nil
}

// PolicyFromReport takes the policy a report saw published, for when the
// record is not looked up.
func PolicyFromReport(p PolicyPublished) CurrentPolicy {
	c := CurrentPolicy{P: p.P, SP: p.SP, NP: p.NP, Pct: 100, Testing: p.Testing == "y", ADKIM: p.ADKIM, ASPF: p.ASPF, FO: p.FO}
	if p.HasPct {
		c.Pct, c.HasPct = p.Pct, true
	}
	return c
}

// String gives the record's text, tags in the order RFC 7489 §6.4 lists.
func (c CurrentPolicy) String() string {
	var b strings.Builder
	b.WriteString("v=DMARC1; p=" + string(c.P))
	if c.SP != "" {
		b.WriteString("; sp=" + string(c.SP))
	}
	if c.NP != "" {
		b.WriteString("; np=" + string(c.NP))
	}
	if c.HasPct && c.Pct != 100 {
		b.WriteString("; pct=" + strconv.Itoa(c.Pct))
	}
	if c.Testing {
		b.WriteString("; t=y")
	}
	if len(c.RUA) > 0 {
		b.WriteString("; rua=" + strings.Join(c.RUA, ","))
	}
	if c.ADKIM != "" && c.ADKIM != AlignRelaxed {
		b.WriteString("; adkim=" + string(c.ADKIM))
	}
	if c.ASPF != "" && c.ASPF != AlignRelaxed {
		b.WriteString("; aspf=" + string(c.ASPF))
	}
	if c.FO != "" {
		b.WriteString("; fo=" + c.FO)
	}
	return b.String()
}

// MarshalText implements encoding.TextMarshaler.
func (c CurrentPolicy) MarshalText() ([]byte, error) { return []byte(c.String()), nil }

// Stage is a step of staged enforcement.
type Stage string

// Stages, in order. The test stages publish the stricter policy with t=y
// and pct=0 together: RFC 9989 receivers ignore pct and apply one policy
// lower under t=y, RFC 7489 receivers ignore t and apply the next-lower
// policy to the messages pct leaves out (RFC 7489 §6.6.4), so both see
// the same thing.
const (
	StageNoRecord          Stage = "no_record"
	StageNone              Stage = "none"
	StageQuarantineTest    Stage = "quarantine_test"
	StageQuarantinePartial Stage = "quarantine_partial"
	StageQuarantine        Stage = "quarantine"
	StageRejectTest        Stage = "reject_test"
	StageRejectPartial     Stage = "reject_partial"
	StageReject            Stage = "reject"
)

// Stage places the policy on the ladder.
func (c CurrentPolicy) Stage() Stage {
	pct := c.Pct
	if !c.HasPct {
		pct = 100
	}
	switch c.P {
	case PolicyNone:
		return StageNone
	case PolicyQuarantine:
		switch {
		case c.Testing || pct == 0:
			return StageQuarantineTest
		case pct < 100:
			return StageQuarantinePartial
		}
		return StageQuarantine
	case PolicyReject:
		switch {
		case c.Testing || pct == 0:
			return StageRejectTest
		case pct < 100:
			return StageRejectPartial
		}
		return StageReject
	}
	return StageNoRecord
}

// with returns c with another p, pct and t, the other tags kept.
func (c CurrentPolicy) with(p Policy, pct int, testing bool) CurrentPolicy {
	c.P, c.Testing = p, testing
	c.Pct, c.HasPct = pct, pct != 100
	return c
}
