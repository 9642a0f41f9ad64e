// Package rules shows how to teach the classifier replies the built-in rules
// do not know: collect the unknown ones, write rules for them in Go or in a
// JSON file, and pin them with classify/classifytest so they stay right.
package rules

import (
	"io"

	"github.com/bouncekit/bouncekit/classify"
)

// acmeRules are in-house rules written in Go, for Acme Mail, a regional
// provider the built-ins do not know. The JSON file places Acme's hosts and
// domains with the provider "acme-mail" (classify.Options.Providers), so
// rules scoped to it with Rule.Provider fire only on Acme's replies: the
// same Czech words from another server are left to the built-ins.
var acmeRules = []classify.Rule{{
	ID:          "acme-mail-mailbox-full",
	Provider:    "acme-mail",
	Code:        "452",
	Any:         []string{"schranka je plna"},
	Category:    classify.CategoryMailboxFull,
	Explanation: "Acme Mail: the mailbox is full; retry, suppress only if it repeats for weeks",
}}

// NewClassifier builds a classifier from the built-in rules, the Go rules
// above and the rules of a JSON file (see classify.ReadOptions for its
// shape), ahead of the built-ins.
func NewClassifier(jsonRules io.Reader) (*classify.Classifier, error) {
	opts, err := classify.ReadOptions(jsonRules)
	if err != nil {
		return nil, err // names the file problem; New names a bad rule by ID
	}
	opts.Before = append(opts.Before, acmeRules...)
	return classify.New(opts)
}
