package classify_test

import (
	"bufio"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/bouncekit/bouncekit/bounce"
	"github.com/bouncekit/bouncekit/classify"
)

// findShared walks up from the test's directory to ../shared/<rel>.
func findShared(rel string) (string, bool) {
	wd, err := os.Getwd()
	if err != nil {
		return "", false
	}
	for d := wd; ; d = filepath.Dir(d) {
		p := filepath.Join(d, "..", "shared", rel)
		if _, err := os.Stat(p); err == nil {
			return p, true
		}
		if filepath.Dir(d) == d {
			return "", false
		}
	}
}

// sectionContext gives the rows of each provider section of
// provider-codes.md the recipient domain or MX host they are answered
// for, so provider-scoped rules apply as they would in a queue.
var sectionContext = map[string]classify.Context{
	"2a": {Recipient: "x@icloud.com", RemoteMTA: "mx01.mail.icloud.com"},
	"2b": {Recipient: "x@privaterelay.appleid.com"},
	"3":  {Recipient: "x@gmail.com", RemoteMTA: "gmail-smtp-in.l.google.com"},
	"4a": {Recipient: "x@outlook.com", RemoteMTA: "outlook-com.olc.protection.outlook.com"},
	"4b": {Recipient: "x@contoso.example", RemoteMTA: "contoso-example.mail.protection.outlook.com"},
	"5":  {Recipient: "x@yahoo.com", RemoteMTA: "mta5.am0.yahoodns.net"},
	"6a": {Recipient: "x@comcast.net"}, "6b": {Recipient: "x@cox.net"}, "6c": {Recipient: "x@att.net"},
	"6d": {Recipient: "x@charter.net"}, "6e": {Recipient: "x@secureserver.net"},
	"7a": {Recipient: "x@orange.fr"}, "7b": {Recipient: "x@t-online.de"}, "7c": {Recipient: "x@gmx.de"},
	"7d": {Recipient: "x@free.fr"},
	"8a": {Recipient: "x@mail.ru"}, "8b": {Recipient: "x@yandex.ru"}, "8c": {Recipient: "x@rambler.ru"},
	"8d": {Recipient: "x@qq.com"}, "8e": {Recipient: "x@163.com"}, "8f": {Recipient: "x@zoho.com"},
	"8g": {Recipient: "x@fastmail.com"},
	"9a": {RemoteMTA: "mx0a-00123.pphosted.com"}, "9b": {RemoteMTA: "eu-smtp-inbound-1.mimecast.com"},
	"9c": {RemoteMTA: "d1.ess.barracudanetworks.com"}, "9d": {RemoteMTA: "mx1.iphmx.com"},
}

var (
	sectionRe = regexp.MustCompile(`^#{2,3} (\d+[a-z]?)\.`)
	spanRe    = regexp.MustCompile("`([^`]+)`")
	replyRe   = regexp.MustCompile(`^[245]\d\d[ -]`)
)

// TestProviderCodesDoNotSuppress reads every table row of
// ../shared/reference/provider-codes.md whose Supp column says NO (do not
// suppress: message-, content-, sender- or IP-level, §11) and checks that
// no example reply of the row (each backquoted span that starts with a
// reply code) suppresses the address.
func TestProviderCodesDoNotSuppress(t *testing.T) {
	path, ok := findShared("reference/provider-codes.md")
	if !ok {
		t.Skip("../shared/reference/provider-codes.md not available")
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	c := classify.Default()
	section, suppCol, replyCol := "", -1, -1
	rows, replies := 0, 0
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if m := sectionRe.FindStringSubmatch(line); m != nil {
			section, suppCol, replyCol = m[1], -1, -1
			continue
		}
		if !strings.HasPrefix(line, "|") {
			continue
		}
		cells := strings.Split(line, "|")
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		if len(cells) > 2 && cells[1] == "#" {
			for i, h := range cells {
				switch h {
				case "Supp":
					suppCol = i
				case "Reply":
					replyCol = i
				}
			}
			continue
		}
		if suppCol < 0 || replyCol < 0 || len(cells) <= suppCol || strings.HasPrefix(cells[1], "---") {
			continue
		}
		supp := strings.Trim(cells[suppCol], "* ")
		if !strings.HasPrefix(supp, "NO") && !strings.HasSuffix(supp, "/ NO") || strings.Contains(supp, "YES") {
			continue
		}
		rows++
		ctx := sectionContext[section]
		if ctx == (classify.Context{}) && len(section) > 1 {
			ctx = sectionContext[section[:len(section)-1]]
		}
		for _, m := range spanRe.FindAllStringSubmatch(cells[replyCol], -1) {
			text := strings.TrimSpace(strings.ReplaceAll(m[1], "…", ""))
			if !replyRe.MatchString(text) {
				continue
			}
			r, err := bounce.ParseReply(text)
			if err != nil {
				continue
			}
			replies++
			if v := c.Classify(&r, ctx); v.Suppress {
				t.Errorf("%s row %s: %q is marked do not suppress, got suppress (rule %s, %s)", section, cells[1], text, v.Rule, v.Category)
			}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d rows marked do not suppress, %d example replies, none suppressed", rows, replies)
	if rows < 100 || replies < 100 {
		t.Errorf("only %d rows and %d replies read: has the table format changed?", rows, replies)
	}
}
