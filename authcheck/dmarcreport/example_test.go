package dmarcreport_test

import (
	"fmt"
	"strings"

	"github.com/bouncekit/bouncekit/authcheck/dmarcreport"
)

const exampleReport = `<?xml version="1.0" encoding="UTF-8" ?>
<feedback>
  <report_metadata>
    <org_name>google.com</org_name>
    <email>noreply-dmarc-support@google.com</email>
    <report_id>&lt;5551212&gt;</report_id>
    <date_range><begin>1764460800</begin><end>1764547199</end></date_range>
  </report_metadata>
  <policy_published><domain>example.com</domain><p>none</p><pct>100</pct></policy_published>
  <record>
    <row><source_ip>192.0.2.10</source_ip><count>120</count>
      <policy_evaluated><disposition>none</disposition><dkim>pass</dkim><spf>Pass</spf></policy_evaluated></row>
    <identifiers><header_from>example.com</header_from></identifiers>
    <auth_results><dkim><domain>example.com</domain><result>pass</result></dkim>
      <spf><domain>example.com</domain><result>pass</result></spf></auth_results>
  </record>
  <record>
    <row><source_ip>203.0.113.9</source_ip><count>4</count>
      <policy_evaluated><disposition>none</disposition><dkim>fail</dkim><spf>fail</spf></policy_evaluated></row>
    <identifiers><header_from>example.com</header_from></identifiers>
    <auth_results><spf><domain>example.com</domain><result>hardfail</result></spf></auth_results>
  </record>
</feedback>`

func ExampleParse() {
	rep, err := dmarcreport.Parse([]byte(exampleReport))
	if err != nil {
		fmt.Println(err)
		return
	}
	c := rep.Counts()
	fmt.Println(rep.Metadata.OrgName, rep.Metadata.ReportID, rep.Policy.Domain, rep.Policy.P)
	fmt.Println(c.Messages, "messages,", c.DMARCPass, "pass DMARC")
	for _, r := range rep.Repairs {
		fmt.Println("repaired:", r)
	}
	// Output:
	// google.com 5551212 example.com none
	// 124 messages, 120 pass DMARC
	// repaired: case: policy_evaluated spf "Pass" read as "pass"
	// repaired: alias: spf result "hardfail" read as "fail"
	// repaired: report_id: report id unwrapped from <>
}

func ExampleReader_Read() {
	var rd dmarcreport.Reader
	for r := range rd.Read("notes.txt", strings.NewReader("not a report")) {
		fmt.Println(r.Err)
	}
	// Output:
	// not a DMARC aggregate report: content is not XML, gzip, zip, zlib or an email
}

func ExampleAdvise() {
	rep, _ := dmarcreport.Parse([]byte(exampleReport))
	agg := dmarcreport.NewAggregate(dmarcreport.AggregateOptions{})
	agg.Add(rep)
	sum, _ := agg.Summary("example.com")
	for _, s := range sum.Sources {
		fmt.Println(s.IP, s.Class)
	}
	adv := dmarcreport.Advise(dmarcreport.PolicyFromReport(sum.Policy), sum, dmarcreport.AdviceOptions{MinDaysAtNone: 1})
	fmt.Println(adv.Stage, "->", adv.Next.Stage, adv.Safe, adv.Next.Record)
	// Output:
	// 192.0.2.10 authorized
	// 203.0.113.9 spoofing
	// none -> quarantine_test true v=DMARC1; p=quarantine; pct=0; t=y
}
