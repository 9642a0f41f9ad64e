package main

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
)

func TestNoArgumentsRunsTheTriageOfTheSample(t *testing.T) {
	var out, errw bytes.Buffer
	if code := run(context.Background(), nil, strings.NewReader(""), &out, &errw); code != 0 {
		t.Fatalf("exit %d, stderr %s", code, errw.String())
	}
	for _, want := range []string{"apple", "CS01", "Diagnosis", "Next step"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("triage output lacks %q", want)
		}
	}
}

func TestUnknownCommandNamesItselfAndPointsAtHelp(t *testing.T) {
	for _, args := range [][]string{{"nope"}, {"--nope"}, {"help", "nope"}} {
		var out, errw bytes.Buffer
		if code := run(context.Background(), args, strings.NewReader(""), &out, &errw); code != 2 {
			t.Fatalf("%q: exit %d, want 2", args, code)
		}
		name := args[len(args)-1]
		if !strings.Contains(errw.String(), name) || !strings.Contains(errw.String(), "bouncekit --help") {
			t.Errorf("%q: stderr %q does not name %s and point at --help", args, errw.String(), name)
		}
		for _, c := range commands {
			if !strings.Contains(errw.String(), c.name) {
				t.Errorf("%q: stderr lacks the command %q", args, c.name)
			}
		}
	}
}

func TestHelpEverywhereExitsZeroWithFlagsAndExample(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"-h"}, {"help"}} {
		out, stderr, code := runCmd(t, args...)
		if code != 0 || stderr != "" {
			t.Fatalf("%q: exit %d, stderr %q", args, code, stderr)
		}
		for _, c := range commands {
			if !strings.Contains(out, "bouncekit "+synopsis(c)[:len(c.name)]) {
				t.Errorf("%q: overview lacks %q", args, c.name)
			}
		}
		if !strings.Contains(out, "Examples:") || !strings.Contains(out, "--suppressions FILE") {
			t.Errorf("%q: overview lacks the examples or report's flags:\n%s", args, out)
		}
	}
	for _, c := range commands {
		for _, args := range [][]string{{"help", c.name}, {c.name, "--help"}, {c.name, "-h"}} {
			out, stderr, code := runCmd(t, args...)
			if code != 0 || stderr != "" {
				t.Errorf("%q: exit %d, stderr %q", args, code, stderr)
			}
			if !strings.HasPrefix(out, "Usage: bouncekit "+c.name) {
				t.Errorf("%q: help starts %q", args, out[:min(len(out), 60)])
			}
			for _, l := range strings.Split(out, "\n") {
				if c.name != "auth" && len([]rune(l)) > 100 {
					t.Errorf("%q: help line wider than 100: %q", args, l)
				}
			}
		}
	}
	out, _, _ := runCmd(t, "report", "--help")
	for _, flag := range []string{"--events", "--format", "--input", "--rules", "--suppressions", "--fail-on", "--quiet", "Example:"} {
		if !strings.Contains(out, flag) {
			t.Errorf("report --help lacks %s:\n%s", flag, out)
		}
	}
}

func TestUnknownFlagNamesItself(t *testing.T) {
	for _, name := range []string{"parse", "report", "triage", "classify", "reply"} {
		_, stderr, code := runCmd(t, name, "--frobnicate")
		if code != 2 || !strings.Contains(stderr, "--frobnicate") || !strings.Contains(stderr, "bouncekit "+name+" --help") {
			t.Errorf("%s --frobnicate: exit %d, stderr %q", name, code, stderr)
		}
	}
}

// "--" ends the flags, so a reply text may start with a dash and "--help"
// may be classified as text.
func TestDoubleDashEndsFlags(t *testing.T) {
	out, _, code := runCmd(t, "classify", "--", "--help")
	if code != 0 || !strings.Contains(out, `"input":"--help"`) {
		t.Errorf("exit %d, out %s", code, out)
	}
}

func TestClassifyAndReplyTakeArgumentsOrStdin(t *testing.T) {
	out, _, code := runCmd(t, "classify", "550 5.1.1 user unknown", "554 5.7.1 [CS01] Message rejected due to local policy")
	if code != 0 || strings.Count(out, "\n") != 2 || !strings.Contains(out, `"category":"recipient_unknown"`) || !strings.Contains(out, `"tag":"CS01"`) {
		t.Errorf("classify ARGS: exit %d\n%s", code, out)
	}
	var o, e bytes.Buffer
	code = run(context.Background(), []string{"reply"}, strings.NewReader("550 5.1.1 user unknown\n\n421 4.7.0 try later\n"), &o, &e)
	if code != 0 || strings.Count(o.String(), "\n") != 2 || !strings.Contains(o.String(), `"code":421`) {
		t.Errorf("reply from stdin: exit %d, %s %s", code, o.String(), e.String())
	}
	if _, stderr, code := runCmd(t, "reply"); code != 2 || !strings.Contains(stderr, "no reply given") {
		t.Errorf("reply with nothing: exit %d, %q", code, stderr)
	}
}

func TestReplyCommandPrintsTheParsedReply(t *testing.T) {
	var out, errw bytes.Buffer
	code := run(context.Background(), []string{"reply", sampleReplies[0]}, strings.NewReader(""), &out, &errw)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errw.String())
	}
	for _, want := range []string{`"code":554`, `"status":"5.7.1"`, `"tags":["CS01"]`, `"stage":"DATA-END"`, `"remote_host":"mx01.mail.icloud.com"`} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("reply output %s lacks %s", out.String(), want)
		}
	}
	out.Reset()
	if code := run(context.Background(), []string{"reply", "   "}, strings.NewReader(""), &out, &errw); code != 1 {
		t.Errorf("an empty reply should exit 1, got %d", code)
	}
}

func TestColourOnlyOnATerminalAndNeverWithNoColor(t *testing.T) {
	var b bytes.Buffer
	if useColour(&b) {
		t.Error("colour for a buffer")
	}
	f, err := os.CreateTemp(t.TempDir(), "out")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if useColour(f) || isTerminal(f) {
		t.Error("a regular file taken for a terminal")
	}
	out, _, _ := runCmd(t, "triage")
	if strings.Contains(out, "\x1b[") {
		t.Error("escape codes in piped output")
	}
	if tty, err := os.OpenFile("/dev/tty", os.O_WRONLY, 0); err == nil {
		defer tty.Close()
		t.Setenv("NO_COLOR", "1")
		if useColour(tty) {
			t.Error("colour on a terminal with NO_COLOR=1")
		}
	}
}
