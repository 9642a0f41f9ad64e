package inspect

// This file is the check framework: a check's identity (id, group, the
// reference it follows), its outcome, and the ordered list Inspect runs.

import (
	"context"
	"fmt"
)

// Result is the outcome of one check. The values are the tokens of the
// report's JSON.
type Result string

// Results, from best to worst; Skip says the check could not run (the
// finding's Detail says why).
const (
	Pass Result = "pass"
	Info Result = "info"
	Skip Result = "skip"
	Warn Result = "warn"
	Fail Result = "fail"
)

// Group is the family a check belongs to.
type Group string

// Groups. The DNS-backed checks added through Options.Extra use
// GroupAuthentication and GroupInfrastructure.
const (
	GroupAuthentication Group = "authentication"
	GroupInfrastructure Group = "infrastructure"
	GroupHeaders        Group = "headers"
	GroupMIME           Group = "mime"
	GroupContent        Group = "content"
	GroupLinks          Group = "links"
	GroupDomains        Group = "domains"
	// GroupBulkSender is the Google and Yahoo 2024 bulk-sender
	// requirements (https://support.google.com/a/answer/81126,
	// https://senders.yahooinc.com/best-practices/).
	GroupBulkSender Group = "bulk-sender"
	GroupFilter     Group = "filter"
)

// Finding is the result of one check on one message.
type Finding struct {
	ID     string `json:"id"`
	Group  Group  `json:"group"`
	Result Result `json:"result"`
	// Detail is the evidence (what was seen), or the reason of a skip.
	Detail string `json:"detail"`
	// Fix says what to change; empty on pass, info and skip.
	Fix string `json:"fix"`
}

// Check is one named check. Run returns the finding's result, detail and
// fix; Inspect fills in the ID and Group. Run must not keep the Input.
type Check struct {
	// ID is stable ("header.message-id"): users pin and filter on it.
	ID    string
	Group Group
	// Title says in a few words what passes.
	Title string
	// Ref is the RFC section or provider page the check follows.
	Ref string
	Run func(ctx context.Context, in *Input) Finding
}

// Checks returns the offline checks of this package, in the order Inspect
// runs them. The slice is new on each call; callers may reorder or filter it
// and pass it as Options.Checks.
func Checks() []Check {
	var cs []Check
	cs = append(cs, headerChecks()...)
	cs = append(cs, mimeChecks()...)
	cs = append(cs, contentChecks()...)
	cs = append(cs, linkChecks()...)
	cs = append(cs, domainChecks()...)
	cs = append(cs, bulkChecks()...)
	cs = append(cs, filterChecks()...)
	return cs
}

// finding helpers keep the checks short.
func pass(format string, a ...any) Finding {
	return Finding{Result: Pass, Detail: fmt.Sprintf(format, a...)}
}

func info(format string, a ...any) Finding {
	return Finding{Result: Info, Detail: fmt.Sprintf(format, a...)}
}

func skip(format string, a ...any) Finding {
	return Finding{Result: Skip, Detail: fmt.Sprintf(format, a...)}
}

func warn(fix, format string, a ...any) Finding {
	return Finding{Result: Warn, Detail: fmt.Sprintf(format, a...), Fix: fix}
}

func fail(fix, format string, a ...any) Finding {
	return Finding{Result: Fail, Detail: fmt.Sprintf(format, a...), Fix: fix}
}
