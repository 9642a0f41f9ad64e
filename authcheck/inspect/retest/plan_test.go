package retest_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bouncekit/bouncekit/authcheck/inspect"
	"github.com/bouncekit/bouncekit/authcheck/inspect/retest"
)

const campaign = "Return-Path: <b@mail.shop.example>\r\nReceived: from x by y; Wed, 25 Nov 2026 14:05:08 +0000\r\n" +
	"DKIM-Signature: v=1; a=rsa-sha256; d=shop.example; s=s1; h=from:to:subject:message-id; bh=x; b=y\r\n" +
	"ARC-Seal: i=1; a=rsa-sha256; cv=none; d=fwd.example; s=a; b=z\r\n" +
	"From: Shop <news@shop.example>\r\nTo: Kate Miller <kate@icloud.com>\r\nSubject: Kate, 40% off\r\n" +
	"Date: Wed, 25 Nov 2026 14:05:00 +0000\r\nMessage-ID: <bf.1@mail.shop.example>\r\nMIME-Version: 1.0\r\n" +
	"Content-Type: multipart/alternative; boundary=\"b\"\r\n\r\n" +
	"--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHi Kate, {{coupon}}\r\nShop: https://u1.ct.sendgrid.net/ls/click?upn=1&url=https%3A%2F%2Fwww.shop.example%2Fsale\r\n" +
	"--b\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>Hi Kate, {{coupon}}</p>" +
	"<a href=\"https://u1.ct.sendgrid.net/ls/click?upn=1&amp;url=https%3A%2F%2Fwww.shop.example%2Fsale\">sale</a>" +
	"<a href=\"https://bit.ly/abc\">more</a><img src=\"https://cdn.pics.example/a.jpg\" alt=\"a\">" +
	"<a href=\"https://www.shop.example/deals\">deals</a>\r\n--b--\r\n"

func plan(t *testing.T, f retest.Facts) *retest.Plan {
	t.Helper()
	p, err := retest.New([]byte(campaign), f)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func variant(t *testing.T, p *retest.Plan, name string) retest.Variant {
	t.Helper()
	for _, v := range p.Variants {
		if v.Name == name {
			return v
		}
	}
	t.Fatalf("no variant %s", name)
	return retest.Variant{}
}

func TestThePlainVariantRemovesEveryVariable(t *testing.T) {
	v := variant(t, plan(t, retest.Facts{}), "plain")
	s := string(v.Message)
	for _, gone := range []string{"<img", "sendgrid", "bit.ly", "Kate", "kate@icloud.com", "{{coupon}}", "DKIM-Signature", "ARC-Seal", "Received:", "Return-Path"} {
		if strings.Contains(s, gone) {
			t.Errorf("plain variant still has %q", gone)
		}
	}
	for _, kept := range []string{"https://www.shop.example/sale", "https://www.shop.example/deals", "Hi there", "X-Retest-Variant: plain", "Message-ID: <retest-plain.bf.1@mail.shop.example>"} {
		if !strings.Contains(decodeQP(s), kept) {
			t.Errorf("plain variant lacks %q", kept)
		}
	}
}

func decodeQP(s string) string {
	return strings.NewReplacer("=\r\n", "", "=3D", "=", "=20", " ").Replace(s)
}

func TestEachHostVariantRestoresOneHost(t *testing.T) {
	p := plan(t, retest.Facts{})
	var hosts []string
	for _, v := range p.Variants {
		if v.Stage == retest.StageHost {
			hosts = append(hosts, v.Host)
		}
	}
	if strings.Join(hosts, ",") != "u1.ct.sendgrid.net,bit.ly,cdn.pics.example" {
		t.Fatalf("host variants %v", hosts)
	}
	img := decodeQP(string(variant(t, p, "host-cdn.pics.example").Message))
	if !strings.Contains(img, "https://cdn.pics.example/a.jpg") || strings.Contains(img, "sendgrid") || strings.Contains(img, "bit.ly") {
		t.Errorf("image host variant:\n%s", img)
	}
	sg := decodeQP(string(variant(t, p, "host-u1.ct.sendgrid.net").Message))
	if !strings.Contains(sg, "u1.ct.sendgrid.net/ls/click") || strings.Contains(sg, "<img") {
		t.Errorf("sendgrid host variant:\n%s", sg)
	}
}

func TestASuspectHostIsRetestedFirst(t *testing.T) {
	p := plan(t, retest.Facts{Suspects: []retest.Suspect{{Field: "link_host", Value: "pics.example"}}})
	if p.Variants[1].Host != "cdn.pics.example" {
		t.Fatalf("second variant is %s, want the suspect's host", p.Variants[1].Name)
	}
}

func TestPersonalisedAndProduction(t *testing.T) {
	p := plan(t, retest.Facts{})
	pers := decodeQP(string(variant(t, p, "personalised").Message))
	if !strings.Contains(pers, "Hi Kate") || strings.Contains(pers, "<img") || strings.Contains(pers, "bit.ly") {
		t.Errorf("personalised variant:\n%s", pers)
	}
	prod := variant(t, p, "production")
	_, body, _ := bytes.Cut([]byte(campaign), []byte("\r\n\r\n"))
	if !bytes.HasSuffix(prod.Message, body) {
		t.Error("production body differs from the original")
	}
	if len(prod.Breaks) == 0 || !strings.Contains(prod.Breaks[0], "Message-ID") || strings.Contains(prod.Breaks[0], "bh=") {
		t.Errorf("production breaks %v", prod.Breaks)
	}
	plain := variant(t, p, "plain")
	if !strings.Contains(plain.Breaks[0], "bh=") || !strings.Contains(plain.Breaks[0], "Subject") || !strings.Contains(strings.Join(plain.Breaks, " "), "ARC") {
		t.Errorf("plain breaks %v", plain.Breaks)
	}
}

func TestEveryVariantIsAWellFormedMessage(t *testing.T) {
	now := time.Date(2026, 11, 25, 15, 0, 0, 0, time.UTC)
	for _, v := range plan(t, retest.Facts{}).Variants {
		r := inspect.Inspect(context.Background(), v.Message, inspect.Options{Now: now})
		for _, id := range []string{"mime.bare-lf", "mime.boundary", "mime.content-type", "mime.charset", "mime.transfer-encoding", "header.message-id", "header.from", "mime.line-length"} {
			if f, _ := r.Finding(id); f.Result == inspect.Fail || f.Result == inspect.Warn {
				t.Errorf("%s: %s %s %s", v.Name, id, f.Result, f.Detail)
			}
		}
	}
}

func TestSizesAndReading(t *testing.T) {
	p := plan(t, retest.Facts{Observed: 0.05})
	q := plan(t, retest.Facts{Observed: 0.01})
	if p.Variants[0].Sends >= q.Variants[0].Sends {
		t.Errorf("a higher observed rate needs fewer sends: %d vs %d", p.Variants[0].Sends, q.Variants[0].Sends)
	}
	if !plan(t, retest.Facts{}).ObservedAssumed || p.ObservedAssumed {
		t.Error("ObservedAssumed wrong")
	}
	for _, v := range p.Variants {
		if v.Critical < 1 || v.Critical > v.Sends || !strings.Contains(v.Read, "or more failures") {
			t.Errorf("%s: critical %d of %d, read %q", v.Name, v.Critical, v.Sends, v.Read)
		}
	}
}

func TestWrite(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	p := plan(t, retest.Facts{})
	if err := p.Write(dir); err != nil {
		t.Fatal(err)
	}
	txt, err := os.ReadFile(filepath.Join(dir, "plan.txt"))
	if err != nil || !strings.Contains(string(txt), "Re-sign every variant") {
		t.Fatalf("plan.txt: %v %s", err, txt)
	}
	for _, v := range p.Variants {
		b, err := os.ReadFile(filepath.Join(dir, v.File))
		if err != nil || !bytes.Equal(b, v.Message) {
			t.Errorf("%s: %v", v.File, err)
		}
	}
}

func TestAMessageWithoutABodyHasNoPlan(t *testing.T) {
	_, err := retest.New([]byte("From: a@b.example\r\nContent-Type: image/png\r\n\r\nxx"), retest.Facts{})
	if !errors.Is(err, retest.ErrNoBody) {
		t.Fatalf("got %v", err)
	}
}

func FuzzNew(f *testing.F) {
	f.Add([]byte(campaign))
	f.Add([]byte("To: =?utf-8?q?K=C3=A4te?= <k@x.example>\r\n\r\nHi Käte https://a.example/?url=https://b.example\r\n"))
	f.Fuzz(func(t *testing.T, msg []byte) {
		p, err := retest.New(msg, retest.Facts{})
		if err != nil {
			return
		}
		q, _ := retest.New(msg, retest.Facts{})
		if len(p.Variants) < 3 || len(p.Variants) != len(q.Variants) {
			t.Fatalf("%d variants", len(p.Variants))
		}
		for i, v := range p.Variants {
			if !bytes.Equal(v.Message, q.Variants[i].Message) {
				t.Fatal("not deterministic")
			}
			if inspect.ParseMessage(v.Message, inspect.Limits{}).Header.Count("DKIM-Signature") > 0 {
				t.Fatal("a variant kept a DKIM-Signature")
			}
		}
	})
}

func TestHostVariantsAreBounded(t *testing.T) {
	var b strings.Builder
	b.WriteString("From: a@shop.example\r\nTo: b@example.org\r\nContent-Type: text/html\r\n\r\n")
	for i := range 100 {
		fmt.Fprintf(&b, "<img src=\"https://i%d.example/a.png\" alt=\"\">", i)
	}
	p, err := retest.New([]byte(b.String()), retest.Facts{})
	if err != nil {
		t.Fatal(err)
	}
	hosts := 0
	for _, v := range p.Variants {
		if v.Stage == retest.StageHost {
			hosts++
		}
	}
	if hosts != retest.MaxHostVariants || !strings.Contains(strings.Join(p.Notes, " "), "80 more hosts") {
		t.Fatalf("%d host variants, notes %v", hosts, p.Notes)
	}
}
