// Command bouncekit is the example binary of the bouncekit library: it only
// composes the library's packages (flags, I/O and printing; every decision is
// a library call).
//
//	bouncekit                 full triage of the embedded sample deployment
//	bouncekit reply TEXT      what ParseReply reads from TEXT
//	bouncekit parse FILE...   one JSON record per bounced recipient
//	bouncekit classify        classify replies read from stdin, one per line
//	bouncekit report --events FILE
//	bouncekit auth --ip IP --helo NAME --mail-from ADDR --from DOMAIN
package main

import (
	"context"
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
	name, usage string
	run         func(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int
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
	}
	for _, c := range commands {
		if c.name == name {
			return c.run(ctx, args, stdin, stdout, stderr)
		}
	}
	fmt.Fprintf(stderr, "bouncekit: unknown command %q\n\nusage:\n", name)
	for _, c := range commands {
		fmt.Fprintf(stderr, "  bouncekit %s\n", c.usage)
	}
	return 2
}
