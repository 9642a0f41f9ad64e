// Command bouncekit is the example binary of the bouncekit library: it only
// composes the library's packages (flags, I/O and printing; every decision is
// a library call).
//
//	bouncekit                 full triage of the embedded sample deployment
//	bouncekit help [CMD]      the commands, or one command with its flags
//	bouncekit reply TEXT      what ParseReply reads from TEXT
//	bouncekit parse FILE...   one JSON record per bounced recipient
//	bouncekit classify [REPLY...]  classify replies (arguments or stdin lines)
//	bouncekit report --events FILE [--format text|json|csv|html]
//	bouncekit auth --ip IP --helo NAME --mail-from ADDR --from DOMAIN
//
// Adding a command: write its file with a run function and register it from
// that file's init function, one line:
//
//	func init() { register(command{name: "dmarc", usage: "dmarc [--flags] FILE...   what it does", run: runDMARC}) }
//
// "bouncekit CMD --help" then works by itself: it runs the command with
// "--help", which a flag.FlagSet answers with its flags (see newFlags).
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
)

// command is one subcommand. Each lives in its own file and registers itself
// from an init function, so the files do not depend on each other.
type command struct {
	// name is the word on the command line; usage its synopsis, flags
	// first, then three or more spaces and a one-line summary.
	name, usage string
	run         func(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int
	// example, when set, is shown by "bouncekit help CMD" (one command
	// line per line).
	example string
}

var commands []command

func register(c command) {
	commands = append(commands, c)
	slices.SortFunc(commands, func(a, b command) int { return strings.Compare(a.name, b.name) })
}

// defaultCommand runs when bouncekit is started with no arguments.
var defaultCommand = "triage"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	name := defaultCommand
	if len(args) > 0 {
		name, args = args[0], args[1:]
	} else if isTerminal(stderr) {
		defer fmt.Fprintln(stderr, "\n(That was the triage of the embedded sample; 'bouncekit --help' lists every command.)")
	}
	switch name {
	case "help", "-h", "-help", "--help":
		if name == "help" && len(args) > 0 {
			if c, ok := lookup(args[0]); ok {
				writeCommandHelp(ctx, stdout, c)
				return 0
			}
			return unknownCommand(stderr, args[0])
		}
		writeHelp(stdout)
		return 0
	}
	c, ok := lookup(name)
	if !ok {
		return unknownCommand(stderr, name)
	}
	if wantsHelp(args) {
		writeCommandHelp(ctx, stdout, c)
		return 0
	}
	return c.run(ctx, args, stdin, stdout, stderr)
}

func lookup(name string) (command, bool) {
	for _, c := range commands {
		if c.name == name {
			return c, true
		}
	}
	return command{}, false
}

func unknownCommand(stderr io.Writer, name string) int {
	if strings.HasPrefix(name, "-") {
		fmt.Fprintf(stderr, "bouncekit: unknown flag %s before a command\n", name)
	} else {
		fmt.Fprintf(stderr, "bouncekit: unknown command %q\n", name)
	}
	names := make([]string, len(commands))
	for i, c := range commands {
		names[i] = c.name
	}
	fmt.Fprintf(stderr, "The commands are %s.\nRun 'bouncekit --help' for what they do.\n", strings.Join(names, ", "))
	return 2
}

// wantsHelp reports whether args ask for help: -h, -help or --help before
// any "--" (after which everything is an operand, such as a reply text
// starting with a dash).
func wantsHelp(args []string) bool {
	for _, a := range args {
		switch a {
		case "--":
			return false
		case "-h", "-help", "--help":
			return true
		}
	}
	return false
}

// synopsis and summary split a usage line at its first run of three spaces.
func synopsis(c command) string {
	s, _, _ := strings.Cut(c.usage, "   ")
	return strings.TrimSpace(s)
}

func summary(c command) string {
	_, s, _ := strings.Cut(c.usage, "   ")
	return strings.TrimSpace(s)
}

// writeHelp writes the overview: every command with its synopsis (which
// names all its flags) and summary, and examples.
func writeHelp(w io.Writer) {
	var b strings.Builder
	b.WriteString("bouncekit tells an email sender what a bounce means and what to do about it.\n\n")
	b.WriteString("Usage: bouncekit [COMMAND] [FLAGS] [ARGS]\n")
	b.WriteString("With no command it runs the triage of the sample deployment embedded in the binary.\n\nCommands:\n")
	for _, c := range commands {
		b.WriteString("  " + c.name + "\n")
		b.WriteString(wrap("bouncekit "+synopsis(c), 100, "    ", "        "))
		if s := summary(c); s != "" {
			b.WriteString(wrap(s, 100, "      ", "      "))
		}
	}
	b.WriteString(`
Examples:
  bouncekit                                        the triage of the embedded sample
  bouncekit reply '554 5.7.1 [CS01] Message rejected due to local policy'
  bouncekit classify '550 5.1.1 user unknown'      or one reply per line on stdin
  bouncekit parse --summary bounces/*.eml          one JSON line per bounced recipient
  bouncekit report --events events.csv --format html > report.html

'bouncekit help CMD' or 'bouncekit CMD --help' lists a command's flags.
Colour is used on a terminal only; NO_COLOR=1 turns it off.
`)
	io.WriteString(w, b.String())
}

// writeCommandHelp writes one command's synopsis, summary, flags and
// example. The flags come from the command itself: run with --help, a
// command built on newFlags (or any flag.FlagSet) writes them to its
// stderr and returns without doing anything.
func writeCommandHelp(ctx context.Context, w io.Writer, c command) {
	var flags bytes.Buffer
	c.run(ctx, []string{"--help"}, strings.NewReader(""), io.Discard, &flags)
	var b strings.Builder
	b.WriteString(wrap("Usage: bouncekit "+synopsis(c), 100, "", "         "))
	if s := summary(c); s != "" {
		b.WriteString("\n" + wrap(s, 100, "", ""))
	}
	if f := strings.TrimRight(flags.String(), "\n"); f != "" {
		b.WriteString("\nFlags:\n" + f + "\n")
	}
	if c.example != "" {
		b.WriteString("\nExample:\n")
		for _, l := range strings.Split(strings.TrimSpace(c.example), "\n") {
			b.WriteString("  " + strings.TrimSpace(l) + "\n")
		}
	}
	io.WriteString(w, b.String())
}

// newFlags returns the flag set of a command, silent: parseFlags writes
// its errors and, for --help, its flags in the --name form.
func newFlags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs
}

// parseFlags parses args into fs. It returns ok false with the exit code
// when the command must stop: 0 after --help (the flags written to
// stderr, where writeCommandHelp picks them up), 2 after a bad flag (named,
// with a pointer to --help).
func parseFlags(fs *flag.FlagSet, args []string, stderr io.Writer) (code int, ok bool) {
	err := fs.Parse(args)
	if err == nil {
		return 0, true
	}
	if errors.Is(err, flag.ErrHelp) {
		io.WriteString(stderr, flagDefaults(fs))
		return 0, false
	}
	msg := err.Error()
	if name, ok := strings.CutPrefix(msg, "flag provided but not defined: "); ok {
		msg = "unknown flag -" + name
	}
	fmt.Fprintf(stderr, "bouncekit %s: %s\nRun 'bouncekit %s --help' for its flags.\n", fs.Name(), msg, fs.Name())
	return 2, false
}

// flagDefaults lists fs's flags as "  --name VALUE   usage (default x)",
// wrapped to 100 columns.
func flagDefaults(fs *flag.FlagSet) string {
	var b strings.Builder
	fs.VisitAll(func(f *flag.Flag) {
		arg, usage := flag.UnquoteUsage(f)
		head := "  --" + f.Name
		if arg != "" {
			head += " " + arg
		}
		b.WriteString(head + "\n")
		if d := f.DefValue; d != "" && d != "false" && d != "0" {
			usage += fmt.Sprintf(" (default %s)", d)
		}
		b.WriteString(wrap(usage, 100, "      ", "      "))
	})
	return b.String()
}

// wrap breaks s into lines of at most width columns (counting runes), the
// first prefixed by first, the others by rest. A word longer than a line
// stands on its own line.
func wrap(s string, width int, first, rest string) string {
	var b strings.Builder
	line := first
	empty := true
	for _, word := range strings.Fields(s) {
		if !empty && runeLen(line)+1+runeLen(word) > width {
			b.WriteString(line + "\n")
			line, empty = rest, true
		}
		if !empty {
			line += " "
		}
		line += word
		empty = false
	}
	b.WriteString(line + "\n")
	return b.String()
}

func runeLen(s string) int { return len([]rune(s)) }
