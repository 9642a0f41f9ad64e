package bouncebox_test

import (
	"fmt"
	"os"

	"github.com/bouncekit/bouncekit/bounce"
	"github.com/bouncekit/bouncekit/classify"
	"github.com/bouncekit/bouncekit/examples/bouncebox"
)

// Example reads a small bounce mailbox: an Apple CS01 rejection, a Gmail
// unknown user, an Exim mailbox-full bounce, a Yahoo complaint, an
// out-of-office reply, a message over the size limit and an Outlook.com
// deferral.
func Example() {
	f, err := os.Open("testdata/bounces.mbox")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer f.Close()

	// Small limits for the example; the defaults are far larger.
	p := &bounce.Parser{Limits: bounce.Limits{MaxMessageBytes: 8 << 10}}
	res, err := bouncebox.Process(f, p, classify.Default())
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%d messages, %d records\n", res.Messages, res.Records)
	fmt.Println("suppress:", res.Suppress)
	fmt.Println("complaints:", res.Complaints)
	fmt.Println("skipped:", res.Skipped)
	for _, pc := range res.ByProvider {
		prov := string(pc.Provider)
		if prov == "" {
			prov = "(other)"
		}
		fmt.Printf("  %-10s %-18s %d\n", prov, pc.Category, pc.Count)
	}
	// Output:
	// 7 messages, 6 records
	// suppress: [nobody.here@gmail.com]
	// complaints: [complainer@yahoo.com]
	// skipped: [message 5: over MaxMessageBytes]
	//   (other)    auto_reply         1
	//   (other)    mailbox_full       1
	//   apple      content_policy     1
	//   google     recipient_unknown  1
	//   microsoft  reputation_block   1
	//   yahoo      complaint          1
}
