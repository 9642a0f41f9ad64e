package bounce

// This file names the SMTP stage a reply answered, from the words MTAs and
// queues use for it (RFC 5321 §3.3 commands; Postfix's "in reply to RCPT TO
// command", Exim's "after RCPT TO:<x>").

import (
	"strings"
)

// ParseStage names the SMTP stage s speaks of, in the words MTAs, queues and
// logs use for it: the command names of RFC 5321 §4.1.1 at the start of s
// ("RCPT TO:<x>", "rcpt", "MAIL FROM", "EHLO", "LHLO", "STARTTLS", "AUTH",
// "BDAT", "QUIT", "DATA"), the end of the message data (".", "end of DATA",
// "DATA-END", "EOD"; RFC 5321 §4.1.1.4), and the greeting ("connect",
// "connection", "initial connection", "greeting", "banner"; RFC 5321 §3.1).
// Every Stage value parses as itself. It returns StageUnknown when s names
// none of them. ParseStage ignores ASCII case and allocates nothing.
func ParseStage(s string) Stage {
	s = trimSpace(s)
	if s == "" {
		return StageUnknown
	}
	switch s[0] | 0x20 {
	case 'e':
		if hasPrefixFold(s, "end of data") || equalFold(s, "EOD") {
			return StageEndOfData
		}
	case 'd':
		if hasPrefixFold(s, "DATA-END") || hasPrefixFold(s, "DATA END") {
			return StageEndOfData
		}
	case 't':
		// Postfix: "in reply to the initial greeting"; "to end of DATA".
		if hasPrefixFold(s, "the initial") {
			return StageConnect
		}
		if hasPrefixFold(s, "the end of data") {
			return StageEndOfData
		}
	case 'i':
		if hasPrefixFold(s, "initial") {
			return StageConnect
		}
	case 'c':
		if hasPrefixFold(s, "connect") {
			return StageConnect
		}
	case 'g':
		if hasPrefixFold(s, "greeting") {
			return StageConnect
		}
	case 'b':
		if hasPrefixFold(s, "banner") {
			return StageConnect
		}
	}
	return stageFromCommand(s)
}

func equalFold(a, b string) bool { return len(a) == len(b) && strings.EqualFold(a, b) }

// stageFromExim reads what follows Exim's "... after ".
func stageFromExim(s string) Stage {
	return ParseStage(strings.TrimPrefix(s, "pipelined "))
}

// stageFromCommand reads an SMTP command name at the start of s; transcripts
// (">>> RCPT TO:<x>") use it directly, other callers through ParseStage.
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
