package segment

// This file reads PowerMTA accounting CSV files by their header names.

import (
	"fmt"
	"strings"

	"github.com/bouncekit/bouncekit/classify"
)

// pmtaType maps PowerMTA accounting record types to outcomes: d delivered,
// b bounced, rb remote (asynchronous) bounce, t transient failure, f
// feedback-loop complaint. Other types (tq, r, rs...) are not delivery
// outcomes and are ignored.
func pmtaType(t string) (Outcome, bool) {
	switch strings.ToLower(strings.TrimSpace(t)) {
	case "d":
		return OutcomeDelivered, true
	case "b", "rb":
		return OutcomeBounced, true
	case "t":
		return OutcomeDeferred, true
	case "f":
		return OutcomeComplained, true
	}
	return "", false
}

// PowerMTA column roles beyond the plain ones.
const (
	pmtaTypeCol = 100 + iota
	pmtaDiag
	pmtaStatus
	pmtaMTA
	pmtaHeader
)

func (rd *Reader) readPMTA(s *lineScanner, yield func(Event, error) bool) {
	c := &csvRecords{s: s}
	var roles []int
	var names []string
	for fields, line := range rd.records(c, FormatPMTA, yield) {
		if roles == nil {
			roles = make([]int, len(fields))
			names = make([]string, len(fields))
			var haveType, haveRcpt bool
			for i, h := range fields {
				h = strings.TrimSpace(h)
				roles[i] = colIgnore
				switch strings.ToLower(h) {
				case "type":
					roles[i], haveType = pmtaTypeCol, true
				case "timelogged":
					roles[i] = colTime
				case "rcpt":
					roles[i], haveRcpt = colRecipient, true
				case "dsnstatus":
					roles[i] = pmtaStatus
				case "dsndiag":
					roles[i] = pmtaDiag
				case "dsnmta":
					roles[i], h = pmtaMTA, "remote_mta"
				case "jobid":
					roles[i] = colCampaign
				case "envid":
					roles[i] = colMessageID
				case "dlvsourceip":
					roles[i] = colSendingIP
				case "vmta", "vmtapool", "bouncecat":
					roles[i], h = colAttr, strings.ToLower(h)
				default:
					if name, ok := strings.CutPrefix(h, "header_"); ok {
						roles[i], h = pmtaHeader, strings.ToLower(name)
					}
				}
				names[i] = h
			}
			if !haveType || !haveRcpt {
				rd.Stats.Skipped++
				yield(Event{}, &RowError{Format: FormatPMTA, Line: line, Err: fmt.Errorf("%w: need type and rcpt", ErrMissingColumn)})
				return
			}
			continue
		}
		if len(fields) != len(roles) {
			if !yield(Event{}, rd.rowErr(FormatPMTA, line, fmt.Errorf("%w: %d fields, header has %d", ErrBadRecord, len(fields), len(roles)))) {
				return
			}
			continue
		}
		var ev Event
		var rowErr error
		var diag, status string
		typed := false
		for i, v := range fields {
			switch r := roles[i]; r {
			case colIgnore:
			case pmtaTypeCol:
				ev.Outcome, typed = pmtaType(v)
			case pmtaDiag:
				diag = v
			case pmtaStatus:
				status = v
			case pmtaMTA, colAttr:
				if v != "" {
					ev.Attrs = append(ev.Attrs, Attr{names[i], v})
				}
			case pmtaHeader:
				if v == "" {
					continue
				}
				switch names[i] {
				case "x-campaign", "x-campaign-id", "campaign":
					ev.Campaign = v
				case "x-template", "x-template-id", "template":
					ev.Template = v
				case "message-id":
					ev.MessageID = v
				case "x-transactional":
					ev.Transactional, _ = parseBool(v)
				default:
					ev.Attrs = append(ev.Attrs, Attr{names[i], v})
				}
			default:
				if err := rd.setColumn(&ev, r, v); err != nil && rowErr == nil {
					rowErr = fmt.Errorf("column %s: %w", names[i], err)
				}
			}
		}
		if !typed {
			rd.Stats.Ignored++
			continue
		}
		// dsnDiag carries the remote reply as an RFC 3464 diagnostic-code
		// ("smtp;554 5.7.1 ..."); dsnStatus alone is the fallback.
		if diag != "" {
			ev.ReplyText = diag
			// An ASCII-only comparison: lower-casing invalid UTF-8 would change
			// the length and misplace the cut.
			if len(diag) >= 5 && strings.EqualFold(diag[:5], "smtp;") {
				ev.ReplyText = strings.TrimSpace(diag[5:])
			}
		} else if ev.Outcome != OutcomeDelivered {
			ev.ReplyText = status
			// No diagnostic: PowerMTA's own bounce category says what it
			// made of the failure.
			if v, ok := pmtaCategory(ev.Attr("bouncecat")); ok {
				ev.Verdict = v
			}
		}
		if rowErr == nil && ev.Recipient == "" {
			rowErr = ErrNoRecipient
		}
		if rowErr != nil {
			if !yield(Event{}, rd.rowErr(FormatPMTA, line, rowErr)) {
				return
			}
			continue
		}
		rd.Stats.Events++
		if !yield(ev, nil) {
			return
		}
	}
}

// pmtaCategory maps PowerMTA's bounce categories (bounceCat, from its
// bounce-category-patterns; PowerMTA User's Guide, "Bounce categories") to a
// verdict, for records without a diagnostic to classify.
func pmtaCategory(cat string) (classify.Verdict, bool) {
	hard := func(c classify.Category, suppress bool) classify.Verdict {
		return classify.Verdict{Severity: classify.SeverityHard, Category: c, Suppress: suppress, Rule: "pmta.bounceCat." + cat}
	}
	soft := func(c classify.Category) classify.Verdict {
		return classify.Verdict{Severity: classify.SeveritySoft, Category: c, Retry: true, Rule: "pmta.bounceCat." + cat}
	}
	switch strings.ToLower(cat) {
	case "bad-mailbox":
		return hard(classify.CategoryRecipientUnknown, true), true
	case "inactive-mailbox":
		return hard(classify.CategoryRecipientInactive, true), true
	case "bad-domain":
		return hard(classify.CategoryBadDomain, true), true
	case "quota-issues":
		return soft(classify.CategoryMailboxFull), true
	case "spam-related":
		return hard(classify.CategorySpamContent, false), true
	case "content-related":
		return hard(classify.CategoryContentPolicy, false), true
	case "virus-related":
		return hard(classify.CategoryVirus, false), true
	case "policy-related":
		return hard(classify.CategoryPolicy, false), true
	case "relaying-issues":
		return hard(classify.CategoryRelayDenied, false), true
	case "invalid-sender":
		return hard(classify.CategorySenderRejected, false), true
	case "message-expired":
		return hard(classify.CategoryExpired, false), true
	case "no-answer-from-host", "bad-connection", "routing-errors":
		return soft(classify.CategoryNetwork), true
	case "protocol-errors":
		return soft(classify.CategoryProtocol), true
	case "bad-configuration":
		return soft(classify.CategorySystem), true
	}
	return classify.Verdict{}, false
}
