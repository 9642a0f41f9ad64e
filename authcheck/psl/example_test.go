package psl_test

import (
	"fmt"

	"github.com/bouncekit/bouncekit/authcheck/psl"
)

func ExampleOrgDomain() {
	for _, d := range []string{"mail.example.co.uk", "news.example.com", "co.uk"} {
		org, err := psl.OrgDomain(d)
		fmt.Println(d, "->", org, err != nil)
	}
	// Output:
	// mail.example.co.uk -> example.co.uk false
	// news.example.com -> example.com false
	// co.uk ->  true
}
