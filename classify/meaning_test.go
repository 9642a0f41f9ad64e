package classify_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/bouncekit/bouncekit/bounce"
	"github.com/bouncekit/bouncekit/classify"
)

// A table of everyday wordings per meaning, written from how MTAs and
// gateways phrase their reasons (Postfix, Exim, qmail, Sendmail, Exchange,
// Domino, IMail, GroupWise, MDaemon, hosted gateways) and from the shared
// data, as meanings rather than samples. Each wording is tried after
// several codes, including codes whose generic reading disagrees with it
// (x.7.1 policy, 5.3.0 system, 551 moved, 552 storage, 553 name not
// allowed): the text's meaning must win over a generic code.
type meaningGroup struct {
	name     string
	category classify.Category
	suppress bool
	codes    []string
	wordings []string
}

var recipientCodes = []string{"550", "550 5.1.1", "554 5.7.1", "550 5.3.0", "553", "551", "552", "550 5.0.0"}

var meaningGroups = []meaningGroup{
	{"recipient unknown", classify.CategoryRecipientUnknown, true, recipientCodes, []string{
		"Invalid user",
		"User (bob@example.com) unknown",
		"No account here by that name",
		"bob is not a member of the domain example.com",
		"The recipient cannot be verified",
		"Mailbox not found",
		"The user does not exist",
		"Recipient does not exist here",
		"That recipient doesn't exist",
		"Unknown recipient",
		"No such user here",
		"sorry, no mailbox here by that name",
		"The email address you entered couldn't be found",
		"Recipient address rejected: User unknown in virtual mailbox table",
		"Addressee unknown",
		"user not known at this site",
		"Username not found",
		"Unknown local user",
		"Unknown user account",
		"This account does not exist",
		"Account not found",
		"No such account",
		"The mailbox is not valid",
		"Invalid mailbox name",
		"Bad recipient",
		"Illegal recipient",
		"Recipient not recognized",
		"Recipient verification failed",
		"Unable to verify the recipient",
		"This user doesn't have an account here",
		"The mailbox no longer exists",
		"Non-existent user",
		"User does not exist in this domain",
		"User jdoe not listed in public Name & Address Book",
		"Recipient is not a valid user",
		"Unknown or invalid recipient",
		"No user by that name",
		"Destination mailbox not found",
		"Recipient mailbox does not exist",
		"The user you are trying to reach does not exist",
		"There is no such mailbox",
		"Recipient rejected: invalid user",
		"Invalid e-mail address",
		"Unknown email address",
		"The email account does not exist at this organization",
		"The recipient is unknown to this server",
		"Recipient not found in directory",
		"User not registered",
		"Unregistered recipient",
		"Mail user unknown",
		"Mailbox name not found on this server",
	}},
	{"recipient inactive", classify.CategoryRecipientInactive, true, recipientCodes, []string{
		"Mailbox disabled",
		"The user account is disabled",
		"User suspended",
		"Account suspended",
		"This mailbox has been deactivated",
		"Account not activated",
		"User not activated",
		"Mailbox inactivated",
		"The account has been closed",
		"The mailbox is closed",
		"Recipient account is locked",
		"This account is no longer in use",
		"The user's mailbox is no longer active",
		"Account terminated",
		"The recipient's account has expired",
		"The mailbox has been deleted",
		"User account cancelled",
		"The email account is dormant",
		"The recipient's mailbox is no longer available",
	}},
	{"mailbox full", classify.CategoryMailboxFull, false, []string{"550", "552", "554 5.7.1", "550 5.1.1", "452", "452 4.3.0", "550 5.0.0"}, []string{
		"Mailbox full",
		"User's mailbox is full",
		"The recipient's inbox is out of storage space",
		"Mailbox over quota",
		"User is over quota",
		"Quota exceeded",
		"The mailbox has reached its storage limit",
		"Not enough space in the mailbox",
		"The mailbox has no space left",
		"Insufficient storage for this user",
		"Disk quota exceeded",
		"The user has run out of storage",
		"Mailbox storage allocation exceeded",
		"Recipient mailbox is full and cannot accept new messages",
		"Mailbox exceeds allowed size",
		"The user's quota has been reached",
		"Mail box full",
	}},
	{"sending IP blocked, no list named", classify.CategoryReputationBlock, false, []string{"550", "554", "550 5.7.1", "553", "554 5.7.0", "550 5.0.0"}, []string{
		"Bad IP 192.0.2.1",
		"Your IP address is not allowed to connect",
		"You are not allowed to connect",
		"Your IP has been identified as a spammer",
		"The sending IP is blocked",
		"Client host blocked",
		"IP address banned",
		"Sending server is blacklisted",
		"Your server has a poor reputation",
		"Access denied: your IP is flagged as suspicious",
		"Rejected: the sending host is untrusted",
		"This IP is blocked due to abuse",
		"Your network is blocked",
		"Client IP denied",
		"Dynamic IP addresses are not accepted here",
		"Residential IP not allowed",
		"Connections from your IP are not accepted",
		"Mail from your IP address is refused",
		"Your IP 192.0.2.1 identified as spam source",
	}},
	{"mail loop", classify.CategoryNetwork, false, []string{"554", "550 5.7.1", "554 5.4.6", "550"}, []string{
		"Mail loop detected",
		"mail for example.com loops back to myself",
		"Too many hops",
		"Hop count exceeded - possible mail loop",
		"Routing loop detected",
		"This message is looping",
		"Message has looped",
		"Too many Received headers - suspected mail loop",
	}},
	{"authentication failure", classify.CategoryAuthFailure, false, []string{"535", "551", "552", "553", "554 5.7.1", "550 5.7.0"}, []string{
		"Authentication failure",
		"SMTP AUTH failed",
		"Invalid credentials",
		"Login failed",
		"Authentication required to send",
		"Password incorrect",
		"Bad authentication",
		"Sender authentication failed",
		"DKIM signature invalid",
	}},
	{"MIME or structure rejected", classify.CategoryContentPolicy, false, []string{"551", "552", "554", "550 5.7.1", "554 5.0.0"}, []string{
		"Invalid MIME structure",
		"Malformed message",
		"Message headers are malformed",
		"Broken MIME boundary",
		"Message is not RFC compliant",
		"Invalid header",
		"The message has a malformed From header",
		"Corrupt attachment",
		"Message not well formed",
		"MIME parts are not properly formatted",
	}},
}

func classifyText(t *testing.T, c *classify.Classifier, reply string) classify.Verdict {
	t.Helper()
	r, err := bounce.ParseReply(reply)
	if err != nil {
		t.Fatalf("ParseReply(%q): %v", reply, err)
	}
	return c.Classify(&r, classify.Context{})
}

func TestMeaningWordings(t *testing.T) {
	c := classify.Default()
	for _, g := range meaningGroups {
		t.Run(g.name, func(t *testing.T) {
			bad := 0
			for _, w := range g.wordings {
				for _, code := range g.codes {
					reply := code + " " + w
					v := classifyText(t, c, reply)
					if v.Category != g.category || v.Suppress != g.suppress && v.Severity == classify.SeverityHard {
						bad++
						t.Errorf("%q: got %s suppress=%v (rule %s), want %s suppress=%v", reply, v.Category, v.Suppress, v.Rule, g.category, g.suppress)
					}
					if strings.HasPrefix(code, "5") && (v.Retry || v.Severity != classify.SeverityHard) {
						t.Errorf("%q: a 5xx must not be retried blindly: got %s retry=%v", reply, v.Severity, v.Retry)
					}
					if strings.HasPrefix(code, "4") && (v.Suppress || v.Severity != classify.SeveritySoft) {
						t.Errorf("%q: a 4xx is soft and never suppressed: got %s suppress=%v", reply, v.Severity, v.Suppress)
					}
				}
			}
			t.Logf("%s: %d wordings x %d codes, %d wrong", g.name, len(g.wordings), len(g.codes), bad)
		})
	}
}

func TestMeaningTableIsLargeEnough(t *testing.T) {
	min := map[string]int{"recipient unknown": 40, "recipient inactive": 15, "mailbox full": 15, "sending IP blocked, no list named": 15}
	for _, g := range meaningGroups {
		if n, ok := min[g.name]; ok && len(g.wordings) < n {
			t.Errorf("%s: %d wordings, want at least %d", g.name, len(g.wordings), n)
		}
	}
}

// Near misses: the same words about someone else, negated or hedged. None
// may suppress, and none may read as the meaning it resembles.
func TestMeaningNearMisses(t *testing.T) {
	c := classify.Default()
	for _, tc := range []struct {
		reply string
		not   classify.Category // the category the wording resembles
	}{
		// The sender's side (RFC 3463 x.1.7, x.1.8, x.7.13).
		{"550 Sender address does not exist", classify.CategoryRecipientUnknown},
		{"550 5.1.1 Sender address rejected: Domain not found", classify.CategoryBadDomain},
		{"550 Sender mailbox unknown", classify.CategoryRecipientUnknown},
		{"550 The sending domain is invalid", classify.CategoryBadDomain},
		{"553 Your email address is invalid", classify.CategoryRecipientUnknown},
		{"550 Sender account is suspended", classify.CategoryRecipientInactive},
		{"550 5.7.1 Your account has been disabled", classify.CategoryRecipientInactive},
		{"550 Sender verification failed", classify.CategoryRecipientUnknown},
		{"550 Sender identity could not be verified", classify.CategoryRecipientUnknown},
		{"554 Unverified sender identity", classify.CategoryRecipientUnknown},
		{"550 The from address does not exist", classify.CategoryRecipientUnknown},
		{"550 Return-Path domain not found", classify.CategoryBadDomain},
		// The recipient refusing this sender is a policy, not a closed
		// mailbox or a dead domain; an unverified identity is the
		// sender's (a sending service's identity check).
		{"550 5.7.1 Recipient is not accepting mail from this sender", classify.CategoryRecipientInactive},
		{"550 5.7.1 Unable to deliver: the user does not accept mail from this domain", classify.CategoryBadDomain},
		{"554 Message rejected: Email address is not verified", classify.CategoryRecipientUnknown},
		// Negated.
		{"550 User is not blocked; message refused by policy", classify.CategoryRecipientInactive},
		{"550 The mailbox is not full; message refused", classify.CategoryMailboxFull},
		{"550 Your IP is not blacklisted; rejected for other reasons", classify.CategoryReputationBlock},
		{"550 The account is not disabled, delivery refused", classify.CategoryRecipientInactive},
		{"554 The sending IP is not blocked here", classify.CategoryReputationBlock},
		// Hedged or temporary: not a ground to suppress.
		{"550 The mailbox is temporarily disabled", ""},
		{"550 The address may not exist", ""},
		{"550 If the user does not exist, please contact the postmaster", ""},
		{"550 Account temporarily suspended", ""},
	} {
		v := classifyText(t, c, tc.reply)
		if v.Suppress {
			t.Errorf("%q: suppressed (rule %s, %s)", tc.reply, v.Rule, v.Category)
		}
		if tc.not != "" && v.Category == tc.not {
			t.Errorf("%q: read as %s (rule %s)", tc.reply, v.Category, v.Rule)
		}
	}
}

// Reasons in plain words, without codes or with a generic 5.0.0 / 4.0.0,
// as older servers and MTAs write them (issue 12 item 4).
func TestPlainWordReasons(t *testing.T) {
	c := classify.Default()
	for _, tc := range []struct {
		reply    string
		category classify.Category
		suppress bool
	}{
		// Unknown recipient: Lotus Notes / Domino, IMail, GroupWise, MDaemon, Sendmail.
		{"550 5.0.0 User jdoe not listed in public Name & Address Book", classify.CategoryRecipientUnknown, true},
		{"550 5.0.0 Recipient not listed in Domino Directory", classify.CategoryRecipientUnknown, true},
		{"550 Unknown user: jdoe", classify.CategoryRecipientUnknown, true},
		{"550 5.0.0 User not found", classify.CategoryRecipientUnknown, true},
		{"550 5.0.0 The user does not have a mailbox on this server", classify.CategoryRecipientUnknown, true},
		{"550 5.0.0 <jdoe@example.com>... User unknown", classify.CategoryRecipientUnknown, true},
		// Relay denied: Sendmail, Exchange, MDaemon, gateways.
		{"550 5.0.0 Relaying denied", classify.CategoryRelayDenied, false},
		{"550 5.0.0 This server does not relay for your domain", classify.CategoryRelayDenied, false},
		{"550 Relaying to <jdoe@example.com> prohibited by administrator", classify.CategoryRelayDenied, false},
		{"554 5.0.0 Relay attempt blocked", classify.CategoryRelayDenied, false},
		// Virus, not spam: hosted gateways and MailScanner.
		{"550 5.0.0 Message contains a virus and was rejected by the spam and virus filter", classify.CategoryVirus, false},
		{"554 Virus found in message", classify.CategoryVirus, false},
		{"550 This message is infected with a worm", classify.CategoryVirus, false},
		// Bad domain: Sendmail, Exim, Notes.
		{"550 5.0.0 Unknown domain", classify.CategoryBadDomain, true},
		{"550 5.0.0 all relevant MX records point to non-existent hosts", classify.CategoryBadDomain, true},
		{"550 The recipient domain could not be found", classify.CategoryBadDomain, true},
		{"550 5.0.0 No route found to domain example.com from server mail01", classify.CategoryBadDomain, false},
		// Protocol errors.
		{"554 5.0.0 Remote protocol error", classify.CategoryProtocol, false},
		{"501 Syntax error in parameters", classify.CategoryProtocol, false},
		{"554 5.0.0 Invalid SMTP command", classify.CategoryProtocol, false},
		// Local system or mailer errors: Sendmail mailers, Exim transports, GroupWise.
		{"554 5.0.0 unknown mailer error 1", classify.CategorySystem, false},
		{"554 5.0.0 Local configuration error", classify.CategorySystem, false},
		{"550 5.0.0 Child process of address_pipe transport returned 69", classify.CategorySystem, false},
		{"550 5.0.0 local delivery failed", classify.CategorySystem, false},
		{"451 4.0.0 I/O error", classify.CategorySystem, false},
		// Account locked or suspended.
		{"550 5.0.0 Account locked", classify.CategoryRecipientInactive, true},
		{"550 5.0.0 The recipient's account is suspended", classify.CategoryRecipientInactive, true},
		// An unverified sender identity.
		{"550 5.0.0 Sender identity could not be verified", classify.CategorySenderRejected, false},
		{"550 5.0.0 Unverified sender identity", classify.CategorySenderRejected, false},
	} {
		v := classifyText(t, c, tc.reply)
		if v.Category != tc.category || v.Suppress != tc.suppress {
			t.Errorf("%q: got %s suppress=%v (rule %s), want %s suppress=%v", tc.reply, v.Category, v.Suppress, v.Rule, tc.category, tc.suppress)
		}
	}
}

func TestTextAgainstCodeIsFlaggedAndExplained(t *testing.T) {
	c := classify.Default()
	v := classifyText(t, c, "551 5.6.0 Invalid MIME structure")
	if v.Category != classify.CategoryContentPolicy || v.CodeDisagrees {
		// x.6.0 is content too: no disagreement with the enhanced code.
		t.Errorf("551 5.6.0 MIME: got %+v", v)
	}
	v = classifyText(t, c, "551 Invalid MIME structure")
	if v.Category != classify.CategoryContentPolicy || !v.CodeDisagrees || v.CodeRule != "rfc5321-551" ||
		!strings.Contains(v.Explanation, "rfc5321-551") || !strings.Contains(v.Explanation, "malformed") {
		t.Errorf("551 MIME: got %+v, want content_policy flagged against rfc5321-551, both in the explanation", v)
	}
	if v.Meaning != (classify.Meaning{Subject: classify.SubjectMessage, State: classify.StateInvalid}) {
		t.Errorf("551 MIME: meaning %v", v.Meaning)
	}
	// A generic code (x.7.1) is not contradicted, only made specific.
	v = classifyText(t, c, "553 sorry, that recipient doesn't exist (#5.7.1)")
	if v.Category != classify.CategoryRecipientUnknown || !v.Suppress || v.CodeDisagrees {
		t.Errorf("qmail doesn't exist (#5.7.1): got %+v", v)
	}
	// A phrase rule against a specific code is flagged too.
	v = classifyText(t, c, "452 4.1.1 <bob@comcast.net> user over quota")
	if v.Category != classify.CategoryMailboxFull || !v.CodeDisagrees || v.CodeRule != "rfc3463-x.1.1" {
		t.Errorf("452 4.1.1 over quota: got %+v", v)
	}
	// Agreement is not flagged.
	v = classifyText(t, c, "550 5.1.1 User unknown")
	if v.CodeDisagrees || v.CodeRule != "" {
		t.Errorf("550 5.1.1 user unknown: got %+v", v)
	}
	// A specific sender-side code is never turned into a suppression by
	// recipient-sounding words (RFC 5248 x.7.13 is the sender's account).
	v = classifyText(t, c, "525 5.7.13 User Account Disabled")
	if v.Suppress || v.Category != classify.CategorySenderRejected {
		t.Errorf("525 5.7.13: got %+v", v)
	}
}

func TestReadMeaning(t *testing.T) {
	for text, want := range map[string]string{
		"User unknown": "recipient/unknown",
		"unknown user": "recipient/unknown",
		"The email account that you tried to reach does not exist": "recipient/unknown",
		"Sender address rejected: Domain not found":                "sender/refused",
		"Your IP is blocked":                                       "sending_host/blocked",
		"user is not blocked":                                      "",
		"the mailbox may not exist":                                "recipient/unknown",
		"MAIL FROM parameters not recognized":                      "command/unknown",
		"Mail loop detected":                                       "looping",
		"sender account is disabled":                               "sender/disabled",
		"Mailbox full":                                             "recipient/full",
		"hello world":                                              "",
		"":                                                         "",
	} {
		if got := classify.ReadMeaning(text).String(); got != want {
			t.Errorf("ReadMeaning(%q) = %q, want %q", text, got, want)
		}
	}
}

func TestMeaningTextRoundTrip(t *testing.T) {
	for _, s := range []string{"recipient/unknown", "sending_host/blocked", "looping", ""} {
		m, err := classify.ParseMeaning(s)
		if err != nil {
			t.Fatalf("ParseMeaning(%q): %v", s, err)
		}
		b, _ := m.MarshalText()
		if string(b) != s || m.String() != s {
			t.Errorf("%q -> %q / %q", s, b, m.String())
		}
		var back classify.Meaning
		if err := back.UnmarshalText(b); err != nil || back != m {
			t.Errorf("UnmarshalText(%q) = %v, %v", b, back, err)
		}
	}
	for _, s := range []string{"recipient/", "nobody/unknown", "recipient/happy", "x"} {
		if _, err := classify.ParseMeaning(s); !errors.Is(err, classify.ErrBadMeaning) {
			t.Errorf("ParseMeaning(%q): err %v, want ErrBadMeaning", s, err)
		}
	}
	v := classifyText(t, classify.Default(), "551 Invalid MIME structure")
	b, err := json.Marshal(v)
	if err != nil || !strings.Contains(string(b), `"meaning":"message/invalid"`) || !strings.Contains(string(b), `"code_disagrees":true`) {
		t.Errorf("JSON: %s %v", b, err)
	}
}

func TestMeaningRulesCanBeDisabled(t *testing.T) {
	c, err := classify.New(classify.Options{Disable: []string{"meaning-message-malformed"}})
	if err != nil {
		t.Fatal(err)
	}
	if v := classifyText(t, c, "551 Invalid MIME structure"); v.Rule == "meaning-message-malformed" {
		t.Errorf("disabled meaning rule fired: %+v", v)
	}
	c, err = classify.New(classify.Options{NoBuiltins: true, After: []classify.Rule{{ID: "x", Code: "5xx", Category: classify.CategoryPolicy}}})
	if err != nil {
		t.Fatal(err)
	}
	if v := classifyText(t, c, "550 User unknown"); v.Rule != "x" {
		t.Errorf("NoBuiltins still reads meanings: %+v", v)
	}
}

// Every meaning rule is proven by at least one wording of the tables.
func TestNoDeadMeaningRules(t *testing.T) {
	c := classify.Default()
	fired := map[string]bool{}
	var all []string
	for _, g := range meaningGroups {
		for _, w := range g.wordings {
			for _, code := range g.codes {
				all = append(all, code+" "+w)
			}
		}
	}
	all = append(all, "550 <x@y>: invalid address", "550 The mailbox is temporarily disabled", "550 Your account is blocked",
		"550 Recipient account blocked", "550 Invalid domain", "550 The domain is banned", "553 Recipient address improperly formatted",
		"550 5.0.0 Local configuration error", "550 5.0.0 Invalid SMTP command", "550 Non-existent domain", "554 The message is oversized", "550 Relaying to example.com is not permitted")
	for _, reply := range all {
		fired[classifyText(t, c, reply).Rule] = true
	}
	for _, r := range classify.MeaningRules() {
		if !fired[r.ID] {
			t.Errorf("meaning rule %s is fired by no wording", r.ID)
		}
	}
}

// The meaning layer keeps the hot path allocation-free, including the
// text-versus-code explanations (cached once per pair).
func TestMeaningPathAllocatesNothing(t *testing.T) {
	c := classify.Default()
	var rs []bounce.Reply
	for _, g := range meaningGroups {
		for _, w := range g.wordings {
			for _, code := range g.codes {
				r, err := bounce.ParseReply(code + " " + w)
				if err != nil {
					t.Fatal(err)
				}
				rs = append(rs, r)
			}
		}
	}
	var sink classify.Verdict
	allocs := testing.AllocsPerRun(5, func() {
		for i := range rs {
			sink = c.Classify(&rs[i], classify.Context{})
		}
	})
	_ = sink
	if allocs != 0 {
		t.Errorf("Classify allocated %.1f times per %d meaning-path replies, want 0", allocs, len(rs))
	}
	if n := testing.AllocsPerRun(20, func() { _ = classify.ReadMeaning("The email account that you tried to reach does not exist") }); n != 0 {
		t.Errorf("ReadMeaning allocated %.1f times", n)
	}
}

// FuzzReadMeaning: any text reads without panic, the same twice, as a
// meaning that round-trips through its text form.
func FuzzReadMeaning(f *testing.F) {
	for _, s := range []string{"User unknown", "Sender address rejected: Domain not found", "user is not blocked",
		"no mailbox here by that name", "(((", ". : ; ", "not not not blocked", "\xff\xfe user"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m := classify.ReadMeaning(s)
		if m2 := classify.ReadMeaning(s); m2 != m {
			t.Fatalf("%q read as %v then %v", s, m, m2)
		}
		back, err := classify.ParseMeaning(m.String())
		if err != nil || back != m {
			t.Fatalf("%q: %v does not round-trip: %v, %v", s, m, back, err)
		}
	})
}
