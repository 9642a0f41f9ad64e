package segment

// This file is the one place segment calls the classify package. While
// classify.Default and classify.ProviderForDomain are being written, it
// carries a small stand-in; it switches over when they land.

import (
	"strings"

	"github.com/bouncekit/bouncekit/bounce"
	"github.com/bouncekit/bouncekit/classify"
)

func classifyReply(r *bounce.Reply, recipient string) classify.Verdict {
	v := classify.Verdict{Severity: classify.SeveritySoft, Category: classify.CategoryUnknown}
	st := r.Status
	if r.Permanent() {
		v.Severity = classify.SeverityHard
	}
	low := strings.ToLower(r.Raw)
	switch {
	case st.Subject() == 1 && (st.Detail() == 1 || st.Detail() == 10) || strings.Contains(low, "user unknown") || strings.Contains(low, "does not exist"):
		v.Category = classify.CategoryRecipientUnknown
	case st.Subject() == 2 && st.Detail() == 2 || strings.Contains(low, "mailbox full") || strings.Contains(low, "over quota"):
		v.Category = classify.CategoryMailboxFull
	case st.Subject() == 2 && st.Detail() == 1:
		v.Category = classify.CategoryRecipientInactive
	case strings.Contains(r.Raw, "[CS01]"):
		v.Category = classify.CategoryContentPolicy
	case st.Subject() == 7 && st.Detail() >= 23 && st.Detail() <= 27, strings.Contains(low, "dmarc"), strings.Contains(low, "unauthenticated"):
		v.Category = classify.CategoryAuthFailure
	case strings.Contains(low, "blocked") || strings.Contains(low, "blacklist") || strings.Contains(low, "spamhaus") || strings.Contains(low, "reputation"):
		v.Category = classify.CategoryReputationBlock
	case r.Code == 421 || r.Code == 451 && strings.Contains(low, "rate") || strings.Contains(low, "deferred") || strings.Contains(low, "try again later"):
		v.Category = classify.CategoryRateLimited
	case st.Subject() == 7 || strings.Contains(low, "policy"):
		v.Category = classify.CategoryPolicy
	case strings.Contains(low, "spam"):
		v.Category = classify.CategorySpamContent
	}
	return v
}

// providerForDomain maps a recipient or MX domain to its mailbox provider.
func providerForDomain(domain string) classify.Provider {
	switch domain {
	case "icloud.com", "me.com", "mac.com", "privaterelay.appleid.com":
		return "apple"
	case "gmail.com", "googlemail.com", "google.com":
		return "google"
	case "outlook.com", "hotmail.com", "live.com", "msn.com", "hotmail.co.uk", "outlook.fr", "hotmail.fr", "live.co.uk":
		return "microsoft"
	case "yahoo.com", "yahoo.co.uk", "yahoo.fr", "ymail.com", "rocketmail.com", "aol.com", "verizon.net", "att.net", "sbcglobal.net", "bellsouth.net":
		return "yahoo"
	case "comcast.net":
		return "comcast"
	case "gmx.de", "gmx.net", "gmx.com", "web.de", "mail.com":
		return "united_internet"
	case "orange.fr", "wanadoo.fr":
		return "orange"
	case "t-online.de":
		return "t-online"
	case "proton.me", "protonmail.com":
		return "proton"
	case "fastmail.com":
		return "fastmail"
	case "qq.com", "foxmail.com":
		return "tencent"
	case "mail.ru", "bk.ru", "list.ru", "inbox.ru":
		return "mailru"
	case "yandex.ru", "yandex.com", "ya.ru":
		return "yandex"
	case "cox.net":
		return "cox"
	}
	return ""
}
