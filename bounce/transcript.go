package bounce

// This file reads the SMTP session transcript a bounce notice may hold
// (Sendmail and Courier's ">>> CMD" / "<<< 550 ..." lines, m-FILTER's
// "-------SMTP command" block) once per message, and answers for each
// recipient the stage of the reply that names it. Reading it once keeps a
// notice with many recipients linear: the transcript is not rescanned per
// recipient.

import (
	"strings"

	"github.com/bouncekit/bouncekit/internal/ascii"
)

// maxTranscriptScan bounds the text a transcript is read from.
const maxTranscriptScan = 64 << 10

// transcript is what readTranscript learnt from a notice: the stage each
// address named in a reply line was given, and the m-FILTER command, if any.
type transcript struct {
	// named maps a lower-cased address to the stage of the first batch
	// whose replies state it, and the position of that batch among the
	// transcript's events.
	named map[string]namedStage
	// mfilter is the stage of the first m-FILTER "SMTP command" block that
	// names a known command, at event mfilterAt (-1: none); it applies to
	// any address the text names (m-FILTER reports a single recipient).
	mfilter   Stage
	mfilterAt int
	// inText holds every address the scanned text names, lower case.
	inText map[string]bool
}

type namedStage struct {
	st Stage
	at int
}

// stageFromTranscript reads the SMTP stage of the reply naming addr from a
// session transcript in text; see readTranscript.
func stageFromTranscript(text, addr string) Stage {
	return readTranscript(text).stage(addr)
}

// readTranscript reads the session transcript in the first
// maxTranscriptScan bytes of text, where the bounce states the stage:
//   - Sendmail and Courier write the commands they sent as ">>> CMD" and the
//     replies as "<<< 550 ...". With PIPELINING several replies follow one
//     ">>> DATA": the last answers DATA, the ones before answer the RCPT
//     commands sent in the same batch, so a reply naming an address is a
//     DATA reply only when it is the last of its batch.
//   - m-FILTER writes "-------SMTP command" with the command on the next
//     line, for its single recipient.
//
// A reply line names the addresses written in it (a word holding '@',
// without its brackets and quotes, compared ignoring ASCII case). The work
// is one pass over the text whatever the number of recipients looked up.
func readTranscript(text string) *transcript {
	tr := &transcript{mfilterAt: -1}
	text = text[:min(len(text), maxTranscriptScan)]
	if !strings.Contains(text, "<<< ") && !containsFold(text, "-------smtp command") {
		return tr
	}
	var (
		cmd     Stage
		inBatch bool
		n       int            // replies completed in this batch
		named   map[string]int // address -> last reply of this batch naming it
		order   []string       // the keys of named, in the order first named
		event   int            // batches and m-FILTER blocks seen so far
		mfilter bool
	)
	done := func() {
		if inBatch {
			for _, a := range order {
				if _, ok := tr.named[a]; ok {
					continue
				}
				k, st := named[a], StageUnknown
				switch {
				case cmd == StageDATA && k < n-1:
					st = StageRCPT
				case k == n-1:
					st = cmd
				}
				if st != StageUnknown {
					if tr.named == nil {
						tr.named = map[string]namedStage{}
					}
					tr.named[a] = namedStage{st, event}
				}
			}
		}
		event++
		clear(named)
		order = order[:0]
	}
	for rest := text; rest != ""; {
		line := rest
		if i := strings.IndexByte(rest, '\n'); i >= 0 {
			line, rest = rest[:i], rest[i+1:]
		} else {
			rest = ""
		}
		line = unquoteLine(strings.TrimRight(line, "\r "))
		switch {
		case mfilter:
			if t := strings.TrimSpace(line); t != "" {
				if st := stageFromCommand(t); st != StageUnknown && tr.mfilterAt < 0 {
					tr.mfilter, tr.mfilterAt = st, event
					event++
				}
				mfilter = false
			}
		case strings.HasPrefix(line, ">>> "):
			done()
			cmd, inBatch, n = stageFromCommand(line[4:]), true, 0
			if cmd == StageUnknown {
				inBatch = false
			}
		case strings.HasPrefix(line, "<<< "):
			if !inBatch {
				continue
			}
			r := line[4:]
			eachAddress(r, func(a string) {
				if named == nil {
					named = map[string]int{}
				}
				if _, ok := named[a]; !ok {
					order = append(order, a)
				}
				named[a] = n
			})
			// A reply ends on a line whose code is followed by a space
			// (or nothing); "550-" lines continue it (RFC 5321 §4.2.1).
			if len(r) < 4 || r[3] != '-' {
				n++
			}
		case strings.HasPrefix(line, "-------") && strings.EqualFold(strings.Trim(line, "- "), "smtp command"):
			mfilter = true
		case strings.TrimSpace(line) == "":
			done()
			inBatch = false
		}
	}
	done()
	if tr.mfilterAt >= 0 {
		tr.inText = map[string]bool{}
		eachAddress(text, func(a string) { tr.inText[a] = true })
	}
	return tr
}

// stage returns the stage the transcript gives the reply naming addr, or
// StageUnknown: the stage is never guessed.
func (tr *transcript) stage(addr string) Stage {
	if addr == "" {
		return StageUnknown
	}
	key := ascii.Lower(addr)
	if ns, ok := tr.named[key]; ok && (tr.mfilterAt < 0 || ns.at < tr.mfilterAt) {
		return ns.st
	}
	if tr.mfilterAt >= 0 && tr.inText[key] {
		return tr.mfilter
	}
	return StageUnknown
}
