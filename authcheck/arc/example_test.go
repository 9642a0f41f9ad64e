package arc_test

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"fmt"
	"time"

	"github.com/bouncekit/bouncekit/authcheck/arc"
	"github.com/bouncekit/bouncekit/authcheck/resolve"
)

// A forwarder seals the message it passes on; the next receiver validates
// the chain with the forwarder's key, here served from a static zone.
func Example() {
	pub, priv, _ := ed25519.GenerateKey(nil)
	zone, _ := resolve.NewStatic(`arc._domainkey.lists.example. IN TXT "v=DKIM1; k=ed25519; p=` +
		base64.StdEncoding.EncodeToString(pub) + `"`)

	msg := []byte("From: Alice <alice@author.example>\r\nTo: list@lists.example\r\nSubject: hello\r\n" +
		"Authentication-Results: lists.example; dkim=pass header.d=author.example\r\n\r\nHi.\r\n")
	s := &arc.Sealer{Domain: "lists.example", Selector: "arc", Key: priv, AuthServID: "lists.example", Time: time.Unix(1700000000, 0)}
	sealed, err := s.Seal(msg, arc.None, "")
	if err != nil {
		fmt.Println(err)
		return
	}
	v := arc.Validate(context.Background(), zone, sealed)
	fmt.Println("cv:", v.Result, "instances:", v.Instances)
	fmt.Println("hop 1 saw:", v.Sets[0].AuthResults.Payload)

	// A footer added after sealing breaks the newest AMS.
	v = arc.Validate(context.Background(), zone, append(sealed, "-- \r\nfooter\r\n"...))
	fmt.Println("cv:", v.Result, "at i =", v.FailedInstance)
	// Output:
	// cv: pass instances: 1
	// hop 1 saw: lists.example; dkim=pass header.d=author.example
	// cv: fail at i = 1
}
