package main

import (
	"compress/gzip"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Several files, a glob and gzip in one report, one outcome per message and
// recipient, the Postfix notice left out, and a provider filter.
func TestReportReadsSeveralFilesGlobsAndGzip(t *testing.T) {
	dir := t.TempDir()
	postfix := "Nov 27 10:00:01 mx postfix/smtp[11]: 4AAA: to=<ann@gmail.com>, relay=gmail-smtp-in.l.google.com[142.250.1.26]:25, delay=1, dsn=4.7.28, status=deferred (host gmail-smtp-in.l.google.com[142.250.1.26] said: 421 4.7.28 try later (in reply to end of DATA command))\n" +
		"Nov 27 10:30:01 mx postfix/smtp[12]: 4AAA: to=<ann@gmail.com>, relay=gmail-smtp-in.l.google.com[142.250.1.26]:25, delay=1801, dsn=2.0.0, status=sent (250 2.0.0 OK)\n" +
		"Nov 27 12:00:01 mx postfix/bounce[14]: 4AAA: sender non-delivery notification: 4BBB\n" +
		"Nov 27 12:00:02 mx postfix/local[15]: 4BBB: to=<news@shop.example>, relay=local, delay=0.1, dsn=2.0.0, status=sent (delivered to mailbox)\n"
	f, err := os.Create(filepath.Join(dir, "mail.log.1.gz"))
	if err != nil {
		t.Fatal(err)
	}
	zw := gzip.NewWriter(f)
	zw.Write([]byte(postfix))
	zw.Close()
	f.Close()
	csv := "recipient,outcome,reply\nbob@icloud.com,bounced,554 5.7.1 [CS01] Message rejected\ncat@gmail.com,delivered,250 ok\n"
	if err := os.WriteFile(filepath.Join(dir, "events.csv"), []byte(csv), 0o644); err != nil {
		t.Fatal(err)
	}
	out, stderr, code := runCmd(t, "report", "--format", "json", "--now", "2026-12-01T00:00:00Z", filepath.Join(dir, "*.gz"), filepath.Join(dir, "events.csv"))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var rep struct {
		Total    struct{ Sent, Delivered, Bounced, Deferred int64 }
		NotSends []struct {
			Reason string
			Lines  int64
		} `json:"not_sends"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Total.Sent != 3 || rep.Total.Delivered != 2 || rep.Total.Bounced != 1 || rep.Total.Deferred != 0 {
		t.Errorf("total %+v, want 3 sent (ann once, bob, cat; no notice)", rep.Total)
	}
	if len(rep.NotSends) != 1 || rep.NotSends[0].Reason != "null_sender" || rep.NotSends[0].Lines != 1 {
		t.Errorf("not_sends %+v, want the one notice line", rep.NotSends)
	}
	if !strings.Contains(stderr, "are not sends (local_delivery)") && !strings.Contains(stderr, "are not sends (null_sender)") {
		t.Errorf("stderr does not name the not-sends: %q", stderr)
	}
	out, _, code = runCmd(t, "report", "--format", "json", "--provider", "apple", filepath.Join(dir, "events.csv"))
	if err := json.Unmarshal([]byte(out), &rep); err != nil || code != 0 || rep.Total.Sent != 1 {
		t.Errorf("--provider apple: exit %d, total %+v", code, rep.Total)
	}
}
