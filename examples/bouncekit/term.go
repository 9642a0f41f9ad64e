package main

import (
	"io"
	"os"
)

// isTerminal reports whether v is an *os.File open on a character device (a
// terminal). Pipes, files and test buffers are not.
func isTerminal(v any) bool {
	f, ok := v.(*os.File)
	if !ok || f == nil {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// useColour reports whether text written to w may carry ANSI colour: only on
// a terminal, and never when NO_COLOR is set to anything non-empty
// (https://no-color.org) or TERM is "dumb".
func useColour(w io.Writer) bool {
	if os.Getenv("NO_COLOR") != "" || os.Getenv("TERM") == "dumb" {
		return false
	}
	return isTerminal(w)
}
