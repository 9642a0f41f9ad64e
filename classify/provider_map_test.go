package classify_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/bouncekit/bouncekit/classify"
	"github.com/bouncekit/bouncekit/classify/classifytest"
)

// acmeOptions teach the classifier a regional provider the built-ins do not
// know, with one rule scoped to it.
func acmeOptions() classify.Options {
	return classify.Options{
		Providers: []classify.ProviderMap{{Provider: "acme-mail", Hosts: []string{"mx.acme-mail.example"}, Domains: []string{"Acme-Mail.example", "acme.example"}}},
		Before: []classify.Rule{{ID: "acme-unknown", Provider: "acme-mail", Code: "550", Any: []string{"adresa neexistuje"},
			Category: classify.CategoryRecipientUnknown, Suppress: true, Explanation: "Acme Mail: no such address"}},
	}
}

func TestProviderMapsPlaceHostsAndDomains(t *testing.T) {
	c, err := classify.New(acmeOptions())
	if err != nil {
		t.Fatal(err)
	}
	const reply = "550 Adresa neexistuje"
	classifytest.Run(t, c, []classifytest.Case{
		{Name: "recipient domain", Reply: reply, Recipient: "ann@acme-mail.example", Provider: "acme-mail", Rule: "acme-unknown", Suppress: classifytest.Bool(true)},
		{Name: "second domain", Reply: reply, Recipient: "ann@ACME.example", Provider: "acme-mail", Rule: "acme-unknown"},
		{Name: "MX host suffix", Reply: reply, Recipient: "ann@customer.example", RemoteMTA: "in1.mx.acme-mail.example.", Provider: "acme-mail", Rule: "acme-unknown"},
		{Name: "host in the wrapper", Reply: "host mx.acme-mail.example[192.0.2.7] said: 550 Adresa neexistuje (in reply to RCPT TO command)", Recipient: "ann@customer.example", Provider: "acme-mail", Rule: "acme-unknown"},
		{Name: "the scoped rule stays off elsewhere", Reply: reply, Recipient: "ann@other.example", Rule: "rfc5321-550"},
		{Name: "built-in providers still known", Reply: cs01, Recipient: "a@icloud.com", Provider: "apple", Rule: "apple-cs01"},
	})
	if p := c.ProviderForDomain("x@acme.example"); p != "acme-mail" {
		t.Errorf("ProviderForDomain = %q", p)
	}
	if p := c.ProviderForHost("dns; mx.acme-mail.example"); p != "acme-mail" {
		t.Errorf("ProviderForHost = %q", p)
	}
	if p := c.ProviderForHost("notacme-mail.example"); p != "" {
		t.Errorf("a host that only shares a suffix string matched %q", p)
	}
	if p := c.ProviderForDomain("gmail.com"); p != classify.ProviderGoogle {
		t.Errorf("built-in domain lost: %q", p)
	}
	// A user map outranks the built-in table (an in-house gateway in
	// front of Microsoft 365, say).
	c2, err := classify.New(classify.Options{Providers: []classify.ProviderMap{{Provider: "corp-gateway", Hosts: []string{"corp.mail.protection.outlook.com"}}}})
	if err != nil {
		t.Fatal(err)
	}
	if p := c2.ProviderForHost("corp.mail.protection.outlook.com"); p != "corp-gateway" {
		t.Errorf("user host map did not outrank the built-in: %q", p)
	}
	if p := c2.ProviderForHost("other.mail.protection.outlook.com"); p != classify.ProviderMicrosoft {
		t.Errorf("other Microsoft hosts: %q", p)
	}
	r := mustParse(t, reply)
	in := classify.Context{Recipient: "ann@customer.example", RemoteMTA: "in1.mx.acme-mail.example"}
	var v classify.Verdict
	allocs := testing.AllocsPerRun(100, func() {
		_ = c.ProviderForDomain("Ann@Acme.example")
		_ = c.ProviderForHost("in1.MX.acme-mail.example.")
		_ = c.ProviderForHost("mx01.mail.icloud.com")
		v = c.Classify(&r, in)
	})
	if allocs != 0 || v.Provider != "acme-mail" {
		t.Errorf("provider map lookups and Classify allocated %.1f times (provider %q)", allocs, v.Provider)
	}
}

func TestProviderMapErrorsAreTyped(t *testing.T) {
	for name, pm := range map[string]classify.ProviderMap{
		"no provider": {Hosts: []string{"mx.example"}},
		"empty host":  {Provider: "x", Hosts: []string{" "}},
		"long domain": {Provider: "x", Domains: []string{strings.Repeat("a", 300) + ".example"}},
	} {
		_, err := classify.New(classify.Options{Providers: []classify.ProviderMap{pm}})
		var re *classify.RuleError
		if !errors.Is(err, classify.ErrBadProviderMap) || !errors.As(err, &re) || !strings.HasPrefix(re.Field, "providers.") {
			t.Errorf("%s: error %v", name, err)
		}
	}
}
