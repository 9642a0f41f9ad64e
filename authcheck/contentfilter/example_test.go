package contentfilter_test

import (
	"fmt"

	"github.com/bouncekit/bouncekit/authcheck/contentfilter"
)

// ExampleParseSpamdReply reads the answer spamd gives to SYMBOLS.
func ExampleParseSpamdReply() {
	rep, err := contentfilter.ParseSpamdReply([]byte("SPAMD/1.1 0 EX_OK\r\nContent-length: 33\r\nSpam: True ; 7.3 / 5.0\r\n\r\nHTML_IMAGE_ONLY_08,URIBL_BLACK,X"))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(rep.Spam, rep.Score, rep.Threshold, rep.Symbols())
	// Output:
	// true 7.3 5 [HTML_IMAGE_ONLY_08 URIBL_BLACK X]
}
