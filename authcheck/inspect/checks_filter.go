package inspect

// This file folds the content filters' verdicts into checks: a message a
// real SpamAssassin or Rspamd calls spam fails, one close to the line warns.

import (
	"context"
	"fmt"
	"strings"
)

func filterChecks() []Check {
	return []Check{
		{ID: "filter.spamd", Group: GroupFilter, Title: "SpamAssassin scores it below its threshold",
			Ref: "https://spamassassin.apache.org/full/4.0.x/doc/spamd.html", Run: filterCheck("spamd")},
		{ID: "filter.rspamd", Group: GroupFilter, Title: "Rspamd takes no action",
			Ref: "https://rspamd.com/doc/developers/protocol.html", Run: filterCheck("rspamd")},
	}
}

func filterCheck(name string) func(context.Context, *Input) Finding {
	return func(_ context.Context, in *Input) Finding {
		if err, ok := in.FilterErrors[name]; ok {
			return skip("%s did not answer: %v", name, err)
		}
		r, ok := in.Filter[name]
		if !ok {
			return skip("%s not configured (give its address to run it)", name)
		}
		var top []string
		for _, s := range r.Symbols {
			if s.Score > 0 && len(top) < 5 {
				top = append(top, fmt.Sprintf("%s %+.1f", s.Name, s.Score))
			}
		}
		if len(top) == 0 {
			// Rules that decide without points (Rspamd's GTUBE) still
			// say why.
			for _, s := range r.Symbols {
				if len(top) < 5 {
					top = append(top, fmt.Sprintf("%s %+.1f", s.Name, s.Score))
				}
			}
		}
		hits := strings.Join(top, ", ")
		if hits == "" {
			hits = "no rule fired"
		}
		const fix = "Fix what the top rules point at, then scan again."
		switch {
		case r.Spam:
			return fail(fix, "%s score %.1f of %.1f, action %q: %s", name, r.Score, r.Required, r.Action, hits)
		case r.Required > 0 && r.Score >= r.Required/2 || r.Action != "" && r.Action != "no action":
			return warn(fix, "%s score %.1f of %.1f, action %q: %s", name, r.Score, r.Required, r.Action, hits)
		}
		return pass("%s score %.1f of %.1f: %s", name, r.Score, r.Required, hits)
	}
}
