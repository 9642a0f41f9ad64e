package bounce

// This file names the SMTP stage a reply answered, from the words MTAs and
// queues use for it (RFC 5321 §3.3 commands; Postfix's "in reply to RCPT TO
// command", Exim's "after RCPT TO:<x>").

import (
	"strings"
)

// stageFromInReplyTo reads Postfix's "(in reply to X command)". It looks at
// the first letter before comparing, as it runs on most Postfix replies.
func stageFromInReplyTo(s string) Stage {
	if s == "" {
		return StageUnknown
	}
	switch s[0] | 0x20 {
	case 'e':
		if strings.HasPrefix(s, "end of DATA") || hasPrefixFold(s, "end of DATA") {
			return StageEndOfData
		}
	case 'i', 't':
		if hasPrefixFold(s, "initial") || hasPrefixFold(s, "the initial") {
			return StageConnect
		}
	}
	return stageFromCommand(s)
}

// stageFromExim reads what follows Exim's "... after ".
func stageFromExim(s string) Stage {
	s = strings.TrimPrefix(s, "pipelined ")
	switch {
	case hasPrefixFold(s, "end of data"):
		return StageEndOfData
	case hasPrefixFold(s, "initial connection"), hasPrefixFold(s, "connection"):
		return StageConnect
	}
	return stageFromCommand(s)
}

// stageFromCommand reads an SMTP command name at the start of s.
func stageFromCommand(s string) Stage {
	s = trimSpace(s)
	if s == "." {
		return StageEndOfData
	}
	if len(s) < 4 {
		return StageUnknown
	}
	var st Stage
	switch s[0] | 0x20 {
	case 'r':
		st = StageRCPT
	case 'm':
		st = StageMAIL
	case 'd':
		st = StageDATA
	case 'e', 'h', 'l':
		if hasPrefixFold(s[1:], "HLO") || hasPrefixFold(s[1:], "ELO") {
			return StageHELO
		}
		return StageUnknown
	case 's':
		if hasPrefixFold(s, "STARTTLS") {
			return StageSTARTTLS
		}
		return StageUnknown
	case 'a':
		st = StageAUTH
	case 'b':
		st = StageBDAT
	case 'q':
		st = StageQUIT
	default:
		return StageUnknown
	}
	if hasPrefixFold(s, string(st)) {
		return st
	}
	return StageUnknown
}

// stageFromPrefix looks for a stage named in free wrapper text before the code.
func stageFromPrefix(p string) Stage {
	for _, kv := range [...]struct {
		kw string
		st Stage
	}{
		{"end of data", StageEndOfData}, {"RCPT TO", StageRCPT}, {"MAIL FROM", StageMAIL},
		{"after DATA", StageDATA}, {"greeting", StageConnect}, {"EHLO", StageHELO}, {"HELO", StageHELO},
	} {
		if indexFold(p, kv.kw) >= 0 {
			return kv.st
		}
	}
	return StageUnknown
}
