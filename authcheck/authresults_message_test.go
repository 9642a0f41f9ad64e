package authcheck

import (
	"errors"
	"net/netip"
	"strings"
	"testing"
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
	expectNoErr(t, err)
	expectEq(t, ma.FromDomain, "example.com")
	expectEq(t, ma.ReturnPath, "bounces+123@bounce.example.com")
	expectEq(t, len(ma.AuthResults), 2) // the broken one comes back partial, with an error
	expectEq(t, len(ma.AuthResults[0].Results), 4)
	dmarc, _ := ma.AuthResults[0].Find("dmarc")
	expectEq(t, dmarc.Result, "pass")
	expectEq(t, len(ma.DKIMSignatures), 2)
	expectEq(t, len(ma.Errors), 2)
	var se *DKIMSignatureError
	if !errors.As(ma.Errors[1], &se) {
		t.Fatalf("errors %v", ma.Errors)
	}

	in := ma.SenderInput()
	expectEq(t, in.FromDomain, "example.com")
	expectEq(t, in.MailFrom, "bounces+123@bounce.example.com")
	expectEq(t, in.DKIMSelectors, []string{"s1:example.com", "esp2024:esp.example.net"})
	expectEq(t, in.IP, netip.MustParseAddr("192.0.2.10"))
	expectEq(t, in.HELO, "mail.example.com")
}

func TestReadMessageAuthLimits(t *testing.T) {
	_, err := ReadMessageAuth(strings.NewReader(strings.Repeat("X-Filler: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n", MaxMessageHeaderBytes/40)))
	expectErrIs(t, err, ErrMessageTooLarge)
	ma, err := ReadMessageAuth(strings.NewReader("From: broken address without at sign\n"))
	expectNoErr(t, err)
	expectEq(t, ma.FromDomain, "")
	ma, err = ReadMessageAuth(strings.NewReader("From: Weird <<user@Odd.Example>>\n\n"))
	expectNoErr(t, err)
	expectEq(t, ma.FromDomain, "odd.example")
}
