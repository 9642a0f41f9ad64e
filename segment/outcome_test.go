package segment

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/zstd"

	"github.com/bouncekit/bouncekit/bounce"
	"github.com/bouncekit/bouncekit/classify"
)

// outcomesOf reads data with rd, folds it with Dedup and returns
// "recipient:outcome" per outcome, sorted, with the reader and dedup stats.
func outcomesOf(t *testing.T, rd *Reader, data string) ([]string, []Event, *Dedup, []error) {
	t.Helper()
	dd := &Dedup{}
	var got []string
	var evs []Event
	var errs []error
	for ev, err := range dd.Events(rd.Events(strings.NewReader(data))) {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		got = append(got, ev.Recipient+":"+string(ev.Outcome))
		evs = append(evs, ev)
	}
	slices.Sort(got)
	return got, evs, dd, errs
}

func equal(t *testing.T, what string, got, want []string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s:\n got  %q\n want %q", what, got, want)
	}
}

var now2026 = time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)

const postfixRetries = `Nov 27 10:00:00 mx postfix/qmgr[10]: 4AAA: from=<news@shop.example>, size=2000, nrcpt=2 (queue active)
Nov 27 10:00:01 mx postfix/smtp[11]: 4AAA: to=<ann@gmail.com>, relay=gmail-smtp-in.l.google.com[142.250.1.26]:25, delay=1, delays=0/0/0.5/0.5, dsn=4.7.28, status=deferred (host gmail-smtp-in.l.google.com[142.250.1.26] said: 421 4.7.28 Our system has detected an unusual rate of unsolicited mail (in reply to end of DATA command))
Nov 27 10:00:01 mx postfix/smtp[11]: 4AAA: to=<bob@gmail.com>, relay=gmail-smtp-in.l.google.com[142.250.1.26]:25, delay=1, dsn=4.7.28, status=deferred (host gmail-smtp-in.l.google.com[142.250.1.26] said: 421 4.7.28 try later (in reply to end of DATA command))
Nov 27 10:30:01 mx postfix/smtp[12]: 4AAA: to=<ann@gmail.com>, relay=gmail-smtp-in.l.google.com[142.250.1.26]:25, delay=1801, dsn=2.0.0, status=sent (250 2.0.0 OK 1700000000 x1-2 - gsmtp)
Nov 27 11:00:01 mx postfix/smtp[13]: 4AAA: to=<bob@gmail.com>, relay=gmail-smtp-in.l.google.com[142.250.1.26]:25, delay=3601, dsn=4.7.28, status=deferred (host gmail-smtp-in.l.google.com[142.250.1.26] said: 421 4.7.28 try later (in reply to end of DATA command))
Nov 27 12:00:01 mx postfix/qmgr[10]: 4AAA: from=<news@shop.example>, status=expired, returned to sender
Nov 27 12:00:01 mx postfix/bounce[14]: 4AAA: sender non-delivery notification: 4BBB
Nov 27 12:00:01 mx postfix/qmgr[10]: 4BBB: from=<>, size=3000, nrcpt=1 (queue active)
Nov 27 12:00:02 mx postfix/local[15]: 4BBB: to=<news@shop.example>, relay=local, delay=0.1, dsn=2.0.0, status=sent (delivered to mailbox)
Nov 27 12:00:02 mx postfix/qmgr[10]: 4BBB: removed
Nov 27 12:00:03 mx postfix/smtp[16]: 4CCC: to=<cat@yahoo.com>, relay=mta5.am0.yahoodns.net[67.195.204.72]:25, delay=2, dsn=5.1.1, status=bounced (host mta5.am0.yahoodns.net[67.195.204.72] said: 554 delivery error: dd This user doesn't have a yahoo.com account (cat@yahoo.com) [0] - mta1.mail.bf1.yahoo.com (in reply to end of DATA command))
Nov 27 12:00:04 mx postfix/lmtp[17]: 4DDD: to=<ops@shop.example>, relay=mail.shop.example[private/dovecot-lmtp], delay=0.1, dsn=2.0.0, status=sent (250 2.0.0 <ops@shop.example> Saved)
Nov 27 12:00:05 mx postfix/pipe[18]: 4EEE: to=<ops2@shop.example>, relay=dovecot, delay=0.1, dsn=2.0.0, status=sent (delivered via dovecot service)
`

func TestPostfixRetriesFoldIntoOneOutcomeAndNoticesAreNotSends(t *testing.T) {
	rd := &Reader{Now: now2026}
	got, evs, dd, errs := outcomesOf(t, rd, postfixRetries)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if rd.Stats.Format != FormatPostfix {
		t.Fatalf("detected %s", rd.Stats.Format)
	}
	// ann: deferred then delivered counts once as delivered; bob: deferred
	// twice, then qmgr expired the message: bounced; cat: bounced. The
	// notice 4BBB and the local deliveries are not sends.
	equal(t, "outcomes", got, []string{"ann@gmail.com:delivered", "bob@gmail.com:bounced", "cat@yahoo.com:bounced"})
	if want := []NotSendCount{{NotSendLocal, 2}, {NotSendNullSender, 1}}; !slices.Equal(rd.Stats.NotSends, want) {
		t.Errorf("not sends %v, want %v", rd.Stats.NotSends, want)
	}
	for _, ev := range evs {
		switch ev.Recipient {
		case "ann@gmail.com":
			if ev.Attempts != 2 || ev.Delay < 30*time.Minute || ev.Time.Year() != 2026 {
				t.Errorf("ann: attempts %d delay %v time %v", ev.Attempts, ev.Delay, ev.Time)
			}
		case "bob@gmail.com":
			if ev.Attempts != 3 {
				t.Errorf("bob: attempts %d", ev.Attempts)
			}
		}
	}
	if dd.Stats.Folded != 3 || dd.Stats.Keys != 3 {
		t.Errorf("dedup stats %+v", dd.Stats)
	}

	keep := &Reader{Now: now2026, KeepNotSends: true}
	got, _, _, _ = outcomesOf(t, keep, postfixRetries)
	equal(t, "with KeepNotSends", got, []string{"ann@gmail.com:delivered", "bob@gmail.com:bounced", "cat@yahoo.com:bounced",
		"news@shop.example:delivered", "ops2@shop.example:delivered", "ops@shop.example:delivered"})
}

func TestPostfixTimesAndYears(t *testing.T) {
	line := func(ts, qid, rcpt string) string {
		return ts + " mx postfix/smtp[1]: " + qid + ": to=<" + rcpt + ">, relay=mx.example.net[192.0.2.1]:25, delay=1, dsn=2.0.0, status=sent (250 ok)\n"
	}
	tests := []struct {
		name string
		rd   Reader
		log  string
		want []time.Time
	}{
		{"a one-digit day with one or two spaces", Reader{Now: now2026},
			line("Jan  1 10:00:00", "A1", "a@example.net") + line("Jan 2 10:00:00", "A2", "b@example.net"),
			[]time.Time{time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC), time.Date(2026, 1, 2, 10, 0, 0, 0, time.UTC)}},
		{"a log read in January that starts in December is last year's and rolls over", Reader{Now: time.Date(2027, 1, 1, 6, 0, 0, 0, time.UTC)},
			line("Dec 31 23:59:00", "B1", "a@example.net") + line("Jan  1 00:01:00", "B2", "b@example.net"),
			[]time.Time{time.Date(2026, 12, 31, 23, 59, 0, 0, time.UTC), time.Date(2027, 1, 1, 0, 1, 0, 0, time.UTC)}},
		{"no line lies in the future", Reader{Now: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)},
			line("Nov 27 12:00:00", "C1", "a@example.net"),
			[]time.Time{time.Date(2025, 11, 27, 12, 0, 0, 0, time.UTC)}},
		{"Year is the first line's year", Reader{Year: 2020},
			line("Nov 27 12:00:00", "D1", "a@example.net"),
			[]time.Time{time.Date(2020, 11, 27, 12, 0, 0, 0, time.UTC)}},
		{"Location is the zone of times without one", Reader{Year: 2026, Location: time.FixedZone("X", 3600)},
			line("Nov 27 12:00:00", "E1", "a@example.net"),
			[]time.Time{time.Date(2026, 11, 27, 11, 0, 0, 0, time.UTC)}},
		{"RFC 3339 and RFC 5424", Reader{},
			line("2026-06-15T10:00:01.123456+02:00", "F1", "a@example.net") +
				"<22>1 2026-06-15T10:00:02Z mx postfix/smtp 123 - - F2: to=<b@example.net>, relay=mx.example.net[192.0.2.1]:25, delay=1, dsn=2.0.0, status=sent (250 ok)\n",
			[]time.Time{time.Date(2026, 6, 15, 8, 0, 1, 123456000, time.UTC), time.Date(2026, 6, 15, 10, 0, 2, 0, time.UTC)}},
		{"YYYY-MM-DD HH:MM:SS keeps its time of day", Reader{},
			line("2026-06-15 10:00:01", "G1", "a@example.net"),
			[]time.Time{time.Date(2026, 6, 15, 10, 0, 1, 0, time.UTC)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rd := tt.rd
			rd.Format = FormatPostfix
			var got []time.Time
			for ev, err := range rd.Events(strings.NewReader(tt.log)) {
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, ev.Time.UTC())
			}
			if !slices.EqualFunc(got, tt.want, time.Time.Equal) {
				t.Errorf("times %v, want %v", got, tt.want)
			}
		})
	}
	var re *RowError
	for _, err := range (&Reader{Format: FormatPostfix}).Events(strings.NewReader("mx postfix/smtp[1]: H1: to=<a@example.net>, relay=x[192.0.2.1]:25, dsn=2.0.0, status=sent (250 ok)\n")) {
		if !errors.As(err, &re) || !errors.Is(err, ErrBadTime) {
			t.Errorf("a line without a time: %v, want a row error with ErrBadTime", err)
		}
	}
	if re == nil {
		t.Error("a line without a time gave an event")
	}
}

const eximLog = `2026-11-27 12:00:00 1vABCD-000123-AB <= news@shop.example H=app1 [192.0.2.7] P=esmtp S=1234 id=x@shop.example
2026-11-27 12:00:01 1vABCD-000123-AB => bob@example.org R=dnslookup T=remote_smtp H=mx.example.org [192.0.2.3] X=TLS1.3 C="250 2.0.0 OK id=1"
2026-11-27 12:00:01 1vABCD-000123-AB == ann@example.net R=dnslookup T=remote_smtp defer (-44) H=mx.example.net [192.0.2.4]: SMTP error from remote mail server after RCPT TO:<ann@example.net>: 451 4.7.1 Greylisted, try again later
2026-11-27 12:00:01 1vABCD-000123-AB ** cat@example.com R=dnslookup T=remote_smtp H=mx.example.com [192.0.2.5]: SMTP error from remote mail server after RCPT TO:<cat@example.com>: 550 5.1.1 User unknown
2026-11-27 12:10:01 1vABCD-000123-AB => ann@example.net R=dnslookup T=remote_smtp H=mx.example.net [192.0.2.4] C="250 OK"
2026-11-27 12:10:02 1vABCD-000123-AB Completed
2026-11-27 12:10:03 1vBOUN-000124-CD <= <> R=1vABCD-000123-AB U=Debian-exim P=local S=2000
2026-11-27 12:10:03 1vBOUN-000124-CD => news <news@shop.example> R=local_user T=mail_spool
2026-11-27 12:10:04 1vLOCA-000125-EF => ops <ops@shop.example> R=local_user T=local_delivery
2026-11-27 12:10:05 [4321] 1vPIDD-000126-GH => eve@example.com R=dnslookup T=remote_smtp H=mx.example.com [192.0.2.5] C="250 OK"
`

func TestEximMainLogIsDetectedAndFolded(t *testing.T) {
	rd := &Reader{}
	got, evs, _, errs := outcomesOf(t, rd, eximLog)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if rd.Stats.Format != FormatExim {
		t.Fatalf("detected %s", rd.Stats.Format)
	}
	equal(t, "outcomes", got, []string{"ann@example.net:delivered", "bob@example.org:delivered", "cat@example.com:bounced", "eve@example.com:delivered"})
	if want := []NotSendCount{{NotSendLocal, 1}, {NotSendNullSender, 1}}; !slices.Equal(rd.Stats.NotSends, want) {
		t.Errorf("not sends %v, want %v", rd.Stats.NotSends, want)
	}
	for _, ev := range evs {
		if ev.Recipient == "cat@example.com" && !strings.Contains(ev.ReplyText, ": 550 5.1.1 User unknown") {
			t.Errorf("cat's reply %q", ev.ReplyText)
		}
		if ev.Recipient == "ann@example.net" && ev.Attempts != 2 {
			t.Errorf("ann's attempts %d", ev.Attempts)
		}
	}
}

func sesRecord(kind, body string) string {
	form := "notificationType"
	if strings.Contains(body, `"eventType"`) {
		form = ""
	}
	head := `{"` + form + `":"` + kind + `",`
	if form == "" {
		head = "{"
	}
	return head + `"mail":{"timestamp":"2026-11-27T12:00:00.000Z","messageId":"0100-abc","source":"news@shop.example","commonHeaders":{"subject":"Sale"}},` + body + "}"
}

func TestSESEveryShapeAndBounceType(t *testing.T) {
	bounce := func(typ, sub, rcpt string) string {
		return sesRecord("Bounce", `"bounce":{"bounceType":"`+typ+`","bounceSubType":"`+sub+`","timestamp":"2026-11-27T12:00:01.000Z","bouncedRecipients":[{"emailAddress":"`+rcpt+`","status":"5.1.1","diagnosticCode":"smtp; 550 5.1.1 user unknown"}]}`)
	}
	lines := strings.Join([]string{
		bounce("Permanent", "General", "gen@example.com"),
		bounce("Permanent", "NoEmail", "noemail@example.com"),
		bounce("Permanent", "Suppressed", "supp@example.com"),
		bounce("Permanent", "OnAccountSuppressionList", "acct@example.com"),
		bounce("Transient", "MailboxFull", "full@example.com"),
		bounce("Transient", "General", "tgen@example.com"),
		bounce("Transient", "MessageTooLarge", "large@example.com"),
		bounce("Transient", "ContentRejected", "content@example.com"),
		bounce("Transient", "AttachmentRejected", "attach@example.com"),
		bounce("Undetermined", "Undetermined", "undet@example.com"),
		sesRecord("Complaint", `"complaint":{"complaintFeedbackType":"abuse","timestamp":"2026-11-28T12:00:00.000Z","complainedRecipients":[{"emailAddress":"dan@example.com"}]}`),
		sesRecord("Delivery", `"eventType":"DeliveryDelay","deliveryDelay":{"delayType":"TransientCommunicationFailure","timestamp":"2026-11-27T12:00:01.000Z","delayedRecipients":[{"emailAddress":"eve@example.com","status":"4.4.7","diagnosticCode":"smtp; 421 4.4.7 timeout"}]}`),
		sesRecord("Delivery", `"eventType":"Delivery","delivery":{"timestamp":"2026-11-27T12:30:00.000Z","recipients":["eve@example.com","dan@example.com"],"smtpResponse":"250 ok"}`),
		sesRecord("Send", `"eventType":"Send","send":{}`),
		sesRecord("Open", `"eventType":"Open","open":{}`),
	}, "\n")
	want := []string{"acct@example.com:bounced", "attach@example.com:deferred", "content@example.com:deferred", "dan@example.com:complained",
		"dan@example.com:delivered", "eve@example.com:delivered", "full@example.com:deferred", "gen@example.com:bounced",
		"large@example.com:deferred", "noemail@example.com:bounced", "supp@example.com:bounced", "tgen@example.com:deferred", "undet@example.com:bounced"}
	pretty := strings.ReplaceAll(strings.ReplaceAll(lines, `{"`, "{\n  \""), `","`, "\",\n    \"")
	// An SNS envelope carries the record as a JSON string in Message.
	var sns []string
	for _, l := range strings.Split(lines, "\n") {
		sns = append(sns, `{"Type":"Notification","MessageId":"m1","Message":`+jsonString(l)+`}`)
	}
	shapes := map[string]string{
		"one per line":    lines,
		"pretty-printed":  pretty,
		"a JSON array":    "[\n" + strings.ReplaceAll(lines, "\n", ",\n") + "\n]\n",
		"an SNS envelope": strings.Join(sns, "\n"),
	}
	for _, name := range []string{"one per line", "pretty-printed", "a JSON array", "an SNS envelope"} {
		t.Run(name, func(t *testing.T) {
			rd := &Reader{}
			got, evs, _, errs := outcomesOf(t, rd, shapes[name])
			if len(errs) > 0 {
				t.Fatal(errs)
			}
			if rd.Stats.Format != FormatSES {
				t.Fatalf("detected %s", rd.Stats.Format)
			}
			equal(t, "outcomes", got, want)
			for _, ev := range evs {
				switch ev.Recipient {
				case "supp@example.com", "acct@example.com", "noemail@example.com":
					if !ev.Verdict.Suppress || ev.Verdict.Severity != classify.SeverityHard {
						t.Errorf("%s: verdict %+v, want a hard suppress", ev.Recipient, ev.Verdict)
					}
				case "dan@example.com":
					if ev.Outcome == OutcomeComplained && ev.Attr("feedback_type") != "abuse" {
						t.Errorf("complaint attrs %v", ev.Attrs)
					}
				}
			}
		})
	}
}

func jsonString(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
	return `"` + r.Replace(s) + `"`
}

func TestKumoPrettyAndMinimalRecords(t *testing.T) {
	log := `{
  "type": "TransientFailure",
  "id": "k1",
  "recipient": "ann@gmail.com",
  "timestamp": 1795780800,
  "response": {"code": 421, "enhanced_code": {"class": 4, "subject": 7, "detail": 0}, "content": "try later"}
}
{
  "type": "Delivery",
  "id": "k1",
  "recipient": "ann@gmail.com",
  "timestamp": 1795781400,
  "response": {"code": 250, "content": "ok"}
}
{"type":"Bounce","recipient":"bob@icloud.com","response":{"code":554,"content":"5.7.1 [CS01] Message rejected"}}
{"type":"Reception","id":"k3","recipient":"x@shop.example","timestamp":1795781400}
{"type":"Feedback","id":"k4","recipient":"cat@yahoo.com","timestamp":1795781400}
{"type":"Expiration","id":"k5","recipient":"dan@example.com","timestamp":1795781400,"response":{"code":551,"content":"Next delivery time would be at SOME TIME which exceeds the expiry time"}}
{"type":"AdminBounce","id":"k6","recipient":"eve@example.com","timestamp":1795781400,"response":{"code":551,"content":"Administratively bounced"}}
{"type":"OOB","id":"k7","recipient":"fay@example.com","timestamp":1795781400,"response":{"code":550,"content":"5.1.1 user unknown"}}
{"type":"Delayed","id":"k8","recipient":"gus@example.com","timestamp":1795781400}
`
	rd := &Reader{}
	got, evs, _, errs := outcomesOf(t, rd, log)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if rd.Stats.Format != FormatKumo {
		t.Fatalf("detected %s", rd.Stats.Format)
	}
	equal(t, "outcomes", got, []string{"ann@gmail.com:delivered", "bob@icloud.com:bounced", "cat@yahoo.com:complained",
		"dan@example.com:bounced", "eve@example.com:bounced", "fay@example.com:bounced"})
	for _, ev := range evs {
		if ev.Recipient == "ann@gmail.com" && (ev.Attempts != 2 || ev.Delay != 10*time.Minute) {
			t.Errorf("ann: attempts %d delay %v", ev.Attempts, ev.Delay)
		}
	}
}

func TestPMTABounceCategoryWhenNoDiagnostic(t *testing.T) {
	log := "type,timeLogged,rcpt,dsnStatus,dsnDiag,bounceCat,envId\n" +
		"b,2026-11-27 12:00:00-0000,ann@example.com,,,bad-mailbox,e1\n" +
		"f,2026-11-27 12:00:00-0000,bob@example.com,,,,e2\n" +
		"rb,2026-11-27 12:00:00-0000,cat@example.com,5.1.1,smtp;550 5.1.1 unknown,bad-mailbox,e3\n"
	got, evs, _, errs := outcomesOf(t, &Reader{}, log)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	equal(t, "outcomes", got, []string{"ann@example.com:bounced", "bob@example.com:complained", "cat@example.com:bounced"})
	for _, ev := range evs {
		if v := ev.Verdict; ev.Recipient == "ann@example.com" && (v.Category != classify.CategoryRecipientUnknown || !v.Suppress) {
			t.Errorf("ann: %+v", ev.Verdict)
		}
	}
}

// randomEvents draws events of a few keys with every outcome.
func randomEvents(rng *rand.Rand, n int) []Event {
	outs := []Outcome{OutcomeDeferred, OutcomeDeferred, OutcomeDelivered, OutcomeBounced, OutcomeComplained}
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var evs []Event
	for range n {
		evs = append(evs, Event{
			MessageID: "m" + itoa(rng.IntN(8)), Recipient: []string{"a@x.com", "A@X.com", "b@y.com"}[rng.IntN(3)],
			Outcome: outs[rng.IntN(len(outs))], Time: base.Add(time.Duration(rng.IntN(5)) * time.Minute), ReplyText: "r" + itoa(rng.IntN(3)),
		})
	}
	return evs
}

func TestFoldIsOrderFreeAndMergesLikeOnePass(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := range 200 {
		evs := randomEvents(rng, 1+rng.IntN(30))
		one := map[Key]*KeyState{}
		for i := range evs {
			k, _ := KeyOf(&evs[i])
			if one[k] == nil {
				one[k] = &KeyState{}
			}
			one[k].Add(&evs[i])
		}
		// Shuffle, split into shards, fold each, merge.
		sh := slices.Clone(evs)
		rng.Shuffle(len(sh), func(i, j int) { sh[i], sh[j] = sh[j], sh[i] })
		shards := []map[Key]*KeyState{{}, {}, {}}
		for i := range sh {
			k, _ := KeyOf(&sh[i])
			m := shards[rng.IntN(3)]
			if m[k] == nil {
				m[k] = &KeyState{}
			}
			m[k].Add(&sh[i])
		}
		merged := map[Key]*KeyState{}
		for _, m := range shards {
			for k, s := range m {
				if merged[k] == nil {
					merged[k] = &KeyState{}
				}
				merged[k].Merge(s)
			}
		}
		for k, s := range one {
			a, b := s.Outcomes(), merged[k].Outcomes()
			if !slices.EqualFunc(a, b, eventsEqual) {
				t.Fatalf("trial %d key %v: one pass %+v, merged %+v", trial, k, a, b)
			}
		}
		// Dedup without a cap gives Fold's outcomes.
		var dd []Event
		for ev, err := range (&Dedup{}).Events(seqOf(evs)) {
			if err != nil {
				t.Fatal(err)
			}
			dd = append(dd, ev)
		}
		fold := Fold(evs)
		if len(dd) != len(fold) {
			t.Fatalf("trial %d: dedup %d outcomes, fold %d", trial, len(dd), len(fold))
		}
	}
}

func eventsEqual(a, b Event) bool {
	return a.Outcome == b.Outcome && a.Time.Equal(b.Time) && a.ReplyText == b.ReplyText && a.Attempts == b.Attempts && a.Delay == b.Delay
}

func TestDedupHandsOnFinalKeysFirstAtItsCapAndDropsLateRetries(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	evs := []Event{
		{MessageID: "1", Recipient: "a@x.com", Outcome: OutcomeDeferred, Time: t0},
		{MessageID: "2", Recipient: "b@x.com", Outcome: OutcomeDelivered, Time: t0},
		{MessageID: "3", Recipient: "c@x.com", Outcome: OutcomeDelivered, Time: t0}, // hands on key 2
		{MessageID: "2", Recipient: "b@x.com", Outcome: OutcomeDeferred, Time: t0},  // late: dropped
		{MessageID: "2", Recipient: "b@x.com", Outcome: OutcomeComplained, Time: t0.Add(time.Hour)},
		{MessageID: "1", Recipient: "a@x.com", Outcome: OutcomeDelivered, Time: t0.Add(time.Minute)},
	}
	dd := &Dedup{MaxOpenKeys: 2}
	var got []string
	for ev, err := range dd.Events(seqOf(evs)) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, ev.MessageID+":"+string(ev.Outcome))
	}
	equal(t, "outcomes in order", got, []string{"2:delivered", "2:complained", "3:delivered", "1:delivered"})
	if dd.Stats.Early != 1 || dd.Stats.EarlyDeferred != 0 || dd.Stats.Late != 1 {
		t.Errorf("stats %+v", dd.Stats)
	}
}

func TestAnEventWithOnlyAParsedReplyIsClassified(t *testing.T) {
	a := NewAggregate(Options{})
	r := mustReply(t, "550 5.1.1 <bob@gmail.com>: Recipient address rejected: User unknown")
	a.Add(&Event{Recipient: "bob@gmail.com", Outcome: OutcomeBounced, Reply: r})
	ps := a.Provider("google", Policy{})
	if len(ps.Categories) != 1 || ps.Categories[0].Key != string(classify.CategoryRecipientUnknown) {
		t.Errorf("categories %+v, want recipient_unknown", ps.Categories)
	}
}

func TestCompressedInputIsReadTransparently(t *testing.T) {
	plain := []byte("time,recipient,outcome\n2026-01-01T00:00:00Z,a@gmail.com,delivered\n")
	var gz, zs bytes.Buffer
	w := gzip.NewWriter(&gz)
	w.Write(plain)
	w.Close()
	zw, _ := zstd.NewWriter(&zs)
	zw.Write(plain)
	zw.Close()
	bz := []byte{0x42, 0x5a, 0x68, 0x39, 0x31, 0x41, 0x59, 0x26, 0x53, 0x59, 0x3d, 0xdb, 0xa8, 0x8d, 0x00, 0x00, 0x1f, 0xdf, 0x80, 0x00, 0x10, 0x00, 0x07, 0x71, 0x10, 0x40, 0x00, 0x04, 0x10, 0x2e, 0xa7, 0xd7, 0x00, 0x20, 0x00, 0x48, 0x6a, 0x99, 0x3d, 0x40, 0x3c, 0xa7, 0xea, 0x23, 0xd4, 0x3d, 0x26, 0x28, 0x7a, 0x80, 0x00, 0x00, 0x09, 0x6e, 0xe1, 0x17, 0x87, 0xa1, 0x0a, 0x09, 0xc0, 0x34, 0xa7, 0x21, 0x5d, 0x66, 0x59, 0x69, 0xcc, 0xd1, 0x04, 0x0a, 0xf9, 0xfb, 0xd9, 0xb7, 0xf5, 0xf4, 0x5b, 0x41, 0x80, 0x49, 0x24, 0x0c, 0x3b, 0xec, 0xad, 0x5f, 0x17, 0x72, 0x45, 0x38, 0x50, 0x90, 0x3d, 0xdb, 0xa8, 0x8d}
	for _, c := range []struct {
		comp Compression
		data []byte
	}{{CompressionGzip, gz.Bytes()}, {CompressionZstd, zs.Bytes()}, {CompressionBzip2, bz}} {
		rd := &Reader{}
		n := 0
		for _, err := range rd.Events(bytes.NewReader(c.data)) {
			if err != nil {
				t.Fatalf("%s: %v", c.comp, err)
			}
			n++
		}
		if n != 1 || rd.Stats.Compression != c.comp || rd.Stats.Format != FormatCSV {
			t.Errorf("%s: %d events, stats %+v", c.comp, n, rd.Stats)
		}
	}
}

func TestDetectionReadsPast64KiBAndExplainsWhenItCannotTell(t *testing.T) {
	var b strings.Builder
	for b.Len() < 100<<10 {
		b.WriteString("Nov 27 10:00:00 mx postfix/smtpd[1]: connect from unknown[192.0.2.9]\n")
	}
	b.WriteString("Nov 27 10:00:01 mx postfix/smtp[2]: 4AAA: to=<a@gmail.com>, relay=x[192.0.2.1]:25, delay=1, dsn=2.0.0, status=sent (250 ok)\n")
	rd := &Reader{Now: now2026}
	n := 0
	for _, err := range rd.Events(strings.NewReader(b.String())) {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != 1 || rd.Stats.Format != FormatPostfix {
		t.Errorf("%d events, format %s", n, rd.Stats.Format)
	}
	for _, err := range (&Reader{}).Events(strings.NewReader("hello world\nsecond line\n")) {
		var fe *FormatError
		if !errors.As(err, &fe) || !errors.Is(err, ErrUnknownFormat) || !strings.Contains(err.Error(), `"hello world"`) || !strings.Contains(err.Error(), "exim") {
			t.Errorf("undetectable input: %v", err)
		}
	}
}

func TestComplaintRatesAndLevels(t *testing.T) {
	tests := []struct {
		c    Counts
		want Level
	}{
		{Counts{Delivered: 10000, Complained: 5}, LevelWatch},
		{Counts{Delivered: 10000, Complained: 10}, LevelInvestigate},
		{Counts{Delivered: 10000, Complained: 30}, LevelPause},
		{Counts{Delivered: 500, Complained: 30}, LevelInsufficient},
	}
	for _, tt := range tests {
		if got := ComplaintLevel(tt.c); got != tt.want {
			t.Errorf("%+v: %s, want %s", tt.c, got, tt.want)
		}
	}
	if r := (Counts{Delivered: 1000, Complained: 3, Deferred: 1000}).ComplaintRate(); r != 0.003 {
		t.Errorf("complaint rate %v", r)
	}
	if r := (Counts{Delivered: 900, Deferred: 100}).DeferralRate(); r != 0.1 {
		t.Errorf("deferral rate %v", r)
	}
}

func TestReportFiltersOutcomes(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	evs := []Event{
		{Recipient: "a@gmail.com", Outcome: OutcomeDelivered, Time: t0, Campaign: "c1", SendingIP: "192.0.2.1"},
		{Recipient: "b@icloud.com", Outcome: OutcomeDelivered, Time: t0.Add(time.Hour), Campaign: "c1", SendingIP: "192.0.2.2"},
		{Recipient: "c@gmail.com", Outcome: OutcomeBounced, Time: t0.Add(2 * time.Hour), Campaign: "c2", SendingIP: "192.0.2.1"},
	}
	tests := []struct {
		f    Filter
		want int64
	}{
		{Filter{Since: t0.Add(time.Hour)}, 2},
		{Filter{Until: t0.Add(time.Hour)}, 1},
		{Filter{Campaigns: []string{"c1"}}, 2},
		{Filter{Providers: []classify.Provider{"google"}}, 2},
		{Filter{SendingIPs: []string{"192.0.2.2"}}, 1},
	}
	for _, tt := range tests {
		r, err := BuildReport(context.Background(), seqOf(evs), ReportOptions{Filter: tt.f})
		if err != nil {
			t.Fatal(err)
		}
		if r.Total.Sent() != tt.want || r.Filtered != 3-tt.want {
			t.Errorf("%+v: sent %d filtered %d, want %d", tt.f, r.Total.Sent(), r.Filtered, tt.want)
		}
		for _, p := range r.Providers {
			if p.Sent() == 0 {
				t.Errorf("%+v: provider %s listed with nothing sent", tt.f, p.Provider)
			}
		}
	}
}

func mustReply(t *testing.T, s string) bounce.Reply {
	t.Helper()
	r, err := bounce.ParseReply(s)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestJSONRecordsOnOneLongLineAndABrokenLine(t *testing.T) {
	rec := func(i int) string {
		return sesRecord("Delivery", `"eventType":"Delivery","delivery":{"timestamp":"2026-11-27T12:30:00.000Z","recipients":["u`+itoa(i)+`@example.com"],"smtpResponse":"250 ok"}`)
	}
	// Kinesis Firehose writes records one after the other with no line
	// break: one line far longer than MaxLineBytes.
	var b strings.Builder
	for i := range 4000 {
		b.WriteString(rec(i))
	}
	rd := &Reader{Format: FormatSES}
	n := 0
	for _, err := range rd.Events(strings.NewReader(b.String())) {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != 4000 || rd.Stats.Lines != 1 {
		t.Errorf("%d events over %d lines, want 4000 over 1 (input %d bytes)", n, rd.Stats.Lines, b.Len())
	}
	// A record cut short costs that record only; the error names its line.
	broken := rec(1) + "\n" + rec(2)[:50] + "\n" + rec(3) + "\n"
	rd = &Reader{Format: FormatSES}
	var got []string
	var lines []int
	for ev, err := range rd.Events(strings.NewReader(broken)) {
		var re *RowError
		if errors.As(err, &re) {
			lines = append(lines, re.Line)
			continue
		}
		got = append(got, ev.Recipient)
	}
	equal(t, "recipients", got, []string{"u1@example.com", "u3@example.com"})
	if !slices.Equal(lines, []int{2}) || rd.Stats.Lines != 3 {
		t.Errorf("error lines %v, lines %d", lines, rd.Stats.Lines)
	}
}
