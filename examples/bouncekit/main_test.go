package main

import (
	"bytes"
	"context"
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

func TestUnknownCommandListsTheCommands(t *testing.T) {
	var out, errw bytes.Buffer
	if code := run(context.Background(), []string{"nope"}, strings.NewReader(""), &out, &errw); code != 2 {
		t.Fatalf("exit %d, want 2", code)
	}
	for _, c := range commands {
		if !strings.Contains(errw.String(), "bouncekit "+c.name) {
			t.Errorf("usage lacks %q", c.name)
		}
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
