package dkim

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/bouncekit/bouncekit/authcheck/internal/authtest"
)

// rfc8463Message is the ed25519-signed example of RFC 8463 Appendix A.3
// (the RFC's code components are under the Simplified BSD License, IETF
// Trust Legal Provisions §4). Signed by an independent implementation, it
// checks our canonicalisation and header selection (repeated and
// oversigned names, spaces around the colons of h=) against the RFC's own.
const rfc8463Message = "DKIM-Signature: v=1; a=ed25519-sha256; c=relaxed/relaxed;\r\n" +
	" d=football.example.com; i=@football.example.com;\r\n" +
	" q=dns/txt; s=brisbane; t=1528637909; h=from : to :\r\n" +
	" subject : date : message-id : from : subject : date;\r\n" +
	" bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=;\r\n" +
	" b=/gCrinpcQOoIfuHNQIbq4pgh9kyIK3AQUdt9OdqQehSwhEIug4D11Bus\r\n" +
	" Fa3bT3FY5OsU7ZbnKELq+eXdp1Q1Dw==\r\n" +
	"From: Joe SixPack <joe@football.example.com>\r\n" +
	"To: Suzie Q <suzie@shopping.example.net>\r\n" +
	"Subject: Is dinner ready?\r\n" +
	"Date: Fri, 11 Jul 2003 21:00:37 -0700 (PDT)\r\n" +
	"Message-ID: <20030712040037.46341.5F8J@football.example.com>\r\n" +
	"\r\n" +
	"Hi.\r\n" +
	"\r\n" +
	"We lost the game.  Are you hungry yet?\r\n" +
	"\r\n" +
	"Joe.\r\n"

func TestDKIMRFC8463Example(t *testing.T) {
	m := SplitMessage([]byte(rfc8463Message))
	sum := sha256.Sum256(canonBody(m.Body, CanonRelaxed))
	authtest.Eq(t, base64.StdEncoding.EncodeToString(sum[:]), "2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=")

	z := authtest.NewFakeZone()
	z.TXT["brisbane._domainkey.football.example.com"] = []string{"v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="}
	v := &Verifier{Resolver: z, Now: func() time.Time { return time.Unix(1528637909, 0) }}
	res, err := v.Verify(context.Background(), strings.NewReader(rfc8463Message))
	authtest.NoErr(t, err)
	authtest.Eq(t, res[0].Result, Pass, res[0].Reason)

	res, err = v.Verify(context.Background(), strings.NewReader(strings.Replace(rfc8463Message, "Is dinner ready?", "Is dinner ready??", 1)))
	authtest.NoErr(t, err)
	authtest.Eq(t, res[0].Result, Fail, res[0].Reason)
}

func ExampleVerify() {
	// A Resolver serving the RFC 8463 example key; use resolve.NewClient in
	// production.
	r := authtest.NewFakeZone()
	r.TXT["brisbane._domainkey.football.example.com"] = []string{"v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="}

	results, err := Verify(context.Background(), r, strings.NewReader(rfc8463Message))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, v := range results {
		fmt.Println(v.Result, v.Signature.Algorithm, "d="+v.Domain, "s="+v.Selector)
	}
	fmt.Println("summary:", Summary(results))
	// Output:
	// pass ed25519-sha256 d=football.example.com s=brisbane
	// summary: pass
}
