package authcheck

import (
	"errors"
	"net/netip"
	"strings"
	"testing"

	"github.com/bouncekit/bouncekit/authcheck/dkim"
	"github.com/bouncekit/bouncekit/authcheck/internal/authtest"
)

const returnedMessage = `Return-Path: <bounces+123@bounce.example.com>
Received-SPF: pass (mx.example.org: domain of bounces+123@bounce.example.com designates 192.0.2.10 as permitted sender) client-ip=192.0.2.10; envelope-from="bounces+123@bounce.example.com"; helo=mail.example.com;
Authentication-Results: mx.example.org;
	dkim=pass header.i=@example.com header.s=s1;
	dkim=fail (body hash mismatch) header.d=esp.example.net header.s=esp2024;
	spf=pass smtp.mailfrom=bounce.example.com;
	dmarc=pass (p=REJECT) header.from=example.com
Authentication-Results: broken (
DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.com; s=s1;
	h=from:to:subject; bh=AAAA; b=AAAA
DKIM-Signature: v=1; a=rsa-sha256; d=esp.example.net; s=esp2024; h=from; bh=AAAA; b=AAAA
DKIM-Signature: v=1; a=rsa-sha256; d=example.com
From: "Example News" <news@Example.COM>
To: someone@example.org
Subject: hello

This body is not read.
`

func TestReadMessageAuth(t *testing.T) {
	ma, err := ReadMessageAuth(strings.NewReader(returnedMessage))
	authtest.NoErr(t, err)
	authtest.Eq(t, ma.FromDomain, "example.com")
	authtest.Eq(t, ma.ReturnPath, "bounces+123@bounce.example.com")
	authtest.Eq(t, len(ma.AuthResults), 2) // the broken one comes back partial, with an error
	authtest.Eq(t, len(ma.AuthResults[0].Results), 4)
	dmarc, _ := ma.AuthResults[0].Find("dmarc")
	authtest.Eq(t, dmarc.Result, "pass")
	authtest.Eq(t, len(ma.DKIMSignatures), 2)
	authtest.Eq(t, len(ma.Errors), 2)
	var se *dkim.SignatureError
	if !errors.As(ma.Errors[1], &se) {
		t.Fatalf("errors %v", ma.Errors)
	}

	in := ma.SenderInput()
	authtest.Eq(t, in.FromDomain, "example.com")
	authtest.Eq(t, in.MailFrom, "bounces+123@bounce.example.com")
	authtest.Eq(t, in.DKIMSelectors, []string{"s1:example.com", "esp2024:esp.example.net"})
	authtest.Eq(t, in.IP, netip.MustParseAddr("192.0.2.10"))
	authtest.Eq(t, in.HELO, "mail.example.com")
}

func TestReadMessageAuthLimits(t *testing.T) {
	_, err := ReadMessageAuth(strings.NewReader(strings.Repeat("X-Filler: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n", MaxMessageHeaderBytes/40)))
	authtest.ErrIs(t, err, dkim.ErrMessageTooLarge)
	ma, err := ReadMessageAuth(strings.NewReader("From: broken address without at sign\n"))
	authtest.NoErr(t, err)
	authtest.Eq(t, ma.FromDomain, "")
	ma, err = ReadMessageAuth(strings.NewReader("From: Weird <<user@Odd.Example>>\n\n"))
	authtest.NoErr(t, err)
	authtest.Eq(t, ma.FromDomain, "odd.example")
}
