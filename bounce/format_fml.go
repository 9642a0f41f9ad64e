package bounce

// This file reads the error notices of fml, the mailing-list manager
// (X-MLServer: fml): "You are not a member of this mailing list <list>",
// "Duplicated Message-ID in <list>" (its loop alert), and the like. They
// are not delivery reports: the list refused the post, and the one record
// is the list address the notice names.

import "strings"

// readFMLNotice reads an fml error notice and reports whether the message
// was one. A notice carries X-MLServer: fml and comes from the list's
// -admin address or with fml's own Message-ID (".FML"); ordinary posts that
// the list distributes carry X-MLServer too, but neither of the others.
func readFMLNotice(rep *Report, notice string) bool {
	if !hasPrefixFold(strings.TrimSpace(rep.Header.Get("X-MLServer")), "fml") {
		return false
	}
	from := strings.ToLower(rep.Header.Get("From"))
	if !strings.Contains(from, "-admin@") && !strings.Contains(rep.Header.Get("Message-ID"), ".FML") {
		return false
	}
	// The first paragraph states the error and names the list.
	para := strings.TrimSpace(notice)
	if i := strings.Index(para, "\n\n"); i >= 0 {
		para = para[:i]
	}
	addr, _, _ := findAddress(para, 0)
	if addr == "" {
		return false
	}
	rep.Kind = KindBounce
	rep.Format = "fml"
	diag := collapseSpace(strings.TrimSpace(rep.Header.Get("Subject")) + ": " + para)
	rec := Record{Recipient: addr, Action: ActionFailed, Diagnostic: diag}
	rec.Reply = parseDiagnostic(diag, diag)
	rep.Records = append(rep.Records, rec)
	return true
}
