package dmarcreport

// Report builders for tests: documents in the shapes the big reporters
// send, written here from their published formats (no real report is
// copied), and the emails and archives they arrive in.

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"compress/zlib"
	"encoding/base64"
	"fmt"
	"strings"
)

type auth struct{ domain, result, selector string }

type row struct {
	ip                  string
	count               int
	disp, dkim, spf     string
	headerFrom, envFrom string
	envTo               string
	dkimAuth            []auth
	spfAuth             []auth // selector holds the scope
	reasons             [][2]string
}

type doc struct {
	decl      string // the XML declaration, "" for none
	open      string // the <feedback ...> tag
	version   string
	org, mail string
	extra     string
	id        string
	begin     int64
	end       int64
	generator string
	errors    []string
	policy    string // inner XML of policy_published
	rows      []row
	tail      string // extension elements before </feedback>
}

func (d doc) xml() []byte {
	var b strings.Builder
	if d.decl != "" {
		b.WriteString(d.decl + "\n")
	}
	open := d.open
	if open == "" {
		open = "<feedback>"
	}
	b.WriteString(open + "\n")
	if d.version != "" {
		fmt.Fprintf(&b, "  <version>%s</version>\n", d.version)
	}
	b.WriteString("  <report_metadata>\n")
	if d.org != "" {
		fmt.Fprintf(&b, "    <org_name>%s</org_name>\n", d.org)
	}
	fmt.Fprintf(&b, "    <email>%s</email>\n", d.mail)
	if d.extra != "" {
		fmt.Fprintf(&b, "    <extra_contact_info>%s</extra_contact_info>\n", d.extra)
	}
	fmt.Fprintf(&b, "    <report_id>%s</report_id>\n", d.id)
	fmt.Fprintf(&b, "    <date_range>\n      <begin>%d</begin>\n      <end>%d</end>\n    </date_range>\n", d.begin, d.end)
	if d.generator != "" {
		fmt.Fprintf(&b, "    <generator>%s</generator>\n", d.generator)
	}
	for _, e := range d.errors {
		fmt.Fprintf(&b, "    <error>%s</error>\n", e)
	}
	b.WriteString("  </report_metadata>\n")
	fmt.Fprintf(&b, "  <policy_published>%s</policy_published>\n", d.policy)
	for _, r := range d.rows {
		b.WriteString("  <record>\n    <row>\n")
		fmt.Fprintf(&b, "      <source_ip>%s</source_ip>\n      <count>%d</count>\n", r.ip, r.count)
		fmt.Fprintf(&b, "      <policy_evaluated>\n        <disposition>%s</disposition>\n        <dkim>%s</dkim>\n        <spf>%s</spf>\n", r.disp, r.dkim, r.spf)
		for _, rs := range r.reasons {
			fmt.Fprintf(&b, "        <reason>\n          <type>%s</type>\n          <comment>%s</comment>\n        </reason>\n", rs[0], rs[1])
		}
		b.WriteString("      </policy_evaluated>\n    </row>\n    <identifiers>\n")
		if r.envTo != "" {
			fmt.Fprintf(&b, "      <envelope_to>%s</envelope_to>\n", r.envTo)
		}
		if r.envFrom != "" {
			fmt.Fprintf(&b, "      <envelope_from>%s</envelope_from>\n", r.envFrom)
		}
		fmt.Fprintf(&b, "      <header_from>%s</header_from>\n    </identifiers>\n    <auth_results>\n", r.headerFrom)
		for _, a := range r.dkimAuth {
			fmt.Fprintf(&b, "      <dkim>\n        <domain>%s</domain>\n", a.domain)
			if a.selector != "" {
				fmt.Fprintf(&b, "        <selector>%s</selector>\n", a.selector)
			}
			fmt.Fprintf(&b, "        <result>%s</result>\n      </dkim>\n", a.result)
		}
		for _, a := range r.spfAuth {
			fmt.Fprintf(&b, "      <spf>\n        <domain>%s</domain>\n", a.domain)
			if a.selector != "" {
				fmt.Fprintf(&b, "        <scope>%s</scope>\n", a.selector)
			}
			fmt.Fprintf(&b, "        <result>%s</result>\n      </spf>\n", a.result)
		}
		b.WriteString("    </auth_results>\n  </record>\n")
	}
	b.WriteString(d.tail)
	b.WriteString("</feedback>\n")
	return []byte(b.String())
}

func (d doc) messages() (n, pass int64) {
	for _, r := range d.rows {
		n += int64(r.count)
		if strings.EqualFold(r.dkim, "pass") || strings.EqualFold(r.spf, "pass") {
			pass += int64(r.count)
		}
	}
	return
}

// The shapes. Window: 2025-11-30 UTC.
const (
	day0 = 1764460800
	day1 = day0 + 86400
)

func googleDoc() doc {
	return doc{
		decl: `<?xml version="1.0" encoding="UTF-8" ?>`, org: "google.com", mail: "noreply-dmarc-support@google.com",
		extra: "https://support.google.com/a/answer/2466580", id: "4455667788990011223", begin: day0, end: day1 - 1,
		policy: "<domain>example.com</domain><adkim>r</adkim><aspf>r</aspf><p>none</p><sp>none</sp><pct>100</pct><np>none</np>",
		rows: []row{
			{ip: "192.0.2.10", count: 940, disp: "none", dkim: "pass", spf: "pass", headerFrom: "example.com",
				dkimAuth: []auth{{"example.com", "pass", "s1"}}, spfAuth: []auth{{"bounce.example.com", "pass", ""}}},
			{ip: "198.51.100.7", count: 41, disp: "none", dkim: "fail", spf: "pass", headerFrom: "example.com",
				dkimAuth: []auth{{"sendgrid.net", "pass", "smtpapi"}}, spfAuth: []auth{{"example.com", "pass", ""}}},
			{ip: "203.0.113.50", count: 6, disp: "none", dkim: "fail", spf: "fail", headerFrom: "example.com",
				spfAuth: []auth{{"example.com", "fail", ""}}},
		},
	}
}

func microsoftDoc() doc {
	return doc{
		decl: `<?xml version="1.0"?>`, open: `<feedback xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">`,
		version: "1.0", org: "Outlook.com", mail: "dmarcreport@microsoft.com", id: "9b2f3c4d5e6f47a8b9c0d1e2f3a4b5c6", begin: day0, end: day1,
		policy: "<domain>example.com</domain><adkim>r</adkim><aspf>r</aspf><p>quarantine</p><sp>quarantine</sp><pct>100</pct><fo>0</fo>",
		rows: []row{
			{ip: "192.0.2.10", count: 310, disp: "none", dkim: "pass", spf: "pass", headerFrom: "example.com", envFrom: "bounce.example.com", envTo: "outlook.com",
				dkimAuth: []auth{{"example.com", "pass", "s1"}}, spfAuth: []auth{{"bounce.example.com", "pass", "mfrom"}}},
			{ip: "40.107.22.55", count: 12, disp: "none", dkim: "pass", spf: "fail", headerFrom: "example.com", envFrom: "example.com", envTo: "hotmail.com",
				dkimAuth: []auth{{"example.com", "pass", "s1"}}, spfAuth: []auth{{"example.com", "fail", "mfrom"}},
				reasons: [][2]string{{"local_policy", "arc=pass as.1.forwarder.example"}}},
			{ip: "203.0.113.51", count: 4, disp: "quarantine", dkim: "fail", spf: "fail", headerFrom: "example.com", envFrom: "example.com", envTo: "outlook.com",
				spfAuth: []auth{{"example.com", "softfail", "mfrom"}}},
		},
	}
}

func yahooDoc() doc {
	return doc{
		decl: `<?xml version="1.0"?>`, org: "Yahoo", mail: "dmarchelp@yahooinc.com", id: "1764460800.712345", begin: day0, end: day1 - 1,
		policy: "<domain>example.com</domain><adkim>r</adkim><aspf>r</aspf><p>none</p><pct>100</pct>",
		rows: []row{
			{ip: "192.0.2.10", count: 220, disp: "none", dkim: "pass", spf: "pass", headerFrom: "example.com",
				dkimAuth: []auth{{"example.com", "pass", "s1"}}, spfAuth: []auth{{"bounce.example.com", "pass", ""}}},
			{ip: "209.85.220.69", count: 9, disp: "none", dkim: "fail", spf: "fail", headerFrom: "example.com",
				dkimAuth: []auth{{"example.com", "fail", "s1"}}, spfAuth: []auth{{"lists.example.org", "pass", ""}},
				reasons: [][2]string{{"mailing_list", ""}}},
		},
	}
}

// mailruDoc has the deviations Mail.ru-like generators make: mixed-case
// tokens, "hardfail", an empty reason type and a missing org_name.
func mailruDoc() doc {
	return doc{
		decl: `<?xml version="1.0" encoding="UTF-8" ?>`, org: "", mail: "dmarc_support@corp.mail.ru", id: "88112233445566", begin: day0, end: day1,
		policy: "<domain>example.com</domain><adkim>r</adkim><aspf>r</aspf><p>none</p><sp>none</sp><pct>100</pct>",
		rows: []row{
			{ip: "192.0.2.10", count: 75, disp: "None", dkim: "Pass", spf: "Pass", headerFrom: "example.com",
				dkimAuth: []auth{{"example.com", "Pass", "s1"}}, spfAuth: []auth{{"example.com", "Pass", ""}}},
			{ip: "203.0.113.52", count: 3, disp: "none", dkim: "fail", spf: "fail", headerFrom: "example.com",
				spfAuth: []auth{{"example.com", "hardfail", ""}}, reasons: [][2]string{{"", ""}}},
		},
	}
}

// gmxDoc is an RFC 9990 report, as GMX and WEB.DE send them.
func gmxDoc() doc {
	return doc{
		decl: `<?xml version="1.0" encoding="UTF-8"?>`, open: `<feedback xmlns="urn:ietf:params:xml:ns:dmarc-2.0">`,
		version: "1.0", org: "WEB.DE", mail: "noreply-dmarc@web.de", id: "<a1b2c3d4.20261130@web.de>", begin: day0, end: day1,
		generator: "1&amp;1 DMARC reporter 2.1",
		policy:    "<domain>example.com</domain><p>quarantine</p><sp>quarantine</sp><np>reject</np><adkim>s</adkim><aspf>r</aspf><discovery_method>treewalk</discovery_method><testing>y</testing>",
		rows: []row{
			{ip: "2001:db8::25", count: 58, disp: "pass", dkim: "pass", spf: "pass", headerFrom: "example.com", envFrom: "example.com",
				dkimAuth: []auth{{"example.com", "pass", "s2"}}, spfAuth: []auth{{"example.com", "pass", ""}}},
			{ip: "203.0.113.53", count: 2, disp: "none", dkim: "fail", spf: "fail", headerFrom: "example.com", envFrom: "spoof.example.net",
				spfAuth: []auth{{"spoof.example.net", "none", ""}}, reasons: [][2]string{{"policy_test_mode", "t=y"}}},
		},
		tail: "  <extension><gmx:note xmlns:gmx=\"urn:example:gmx\">x</gmx:note></extension>\n",
	}
}

func mimecastDoc() doc {
	return doc{
		decl: `<?xml version="1.0" encoding="UTF-8"?>`, org: "Mimecast", mail: "dmarc-reports@mimecast.org", extra: "https://www.mimecast.com",
		id: "&lt;7c1e2d3f-aaaa-bbbb-cccc-0123456789ab&gt;", begin: day0, end: day1, errors: []string{"report truncated at 1000 rows"},
		policy: "<domain>example.com</domain><adkim>r</adkim><aspf>r</aspf><p>none</p><sp>none</sp><pct>100</pct>",
		rows: []row{
			{ip: "192.0.2.10", count: 17, disp: "none", dkim: "pass", spf: "pass", headerFrom: "example.com",
				dkimAuth: []auth{{"example.com", "pass", "s1"}}, spfAuth: []auth{{"example.com", "pass", "mfrom"}}},
		},
	}
}

func sesDoc() doc {
	return doc{
		decl: `<?xml version="1.0" encoding="UTF-8"?>`, org: "AMAZON-SES", mail: "postmaster@amazonses.com", id: "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0",
		begin: day0, end: day1,
		policy: "<domain>example.com</domain><adkim>r</adkim><aspf>r</aspf><p>none</p><pct>100</pct>",
		rows: []row{
			{ip: "54.240.8.20", count: 130, disp: "none", dkim: "pass", spf: "fail", headerFrom: "example.com", envFrom: "amazonses.com",
				dkimAuth: []auth{{"example.com", "pass", "ses1"}, {"amazonses.com", "pass", "224i4yxa5dv7c2xz3womw6peuasteono"}},
				spfAuth:  []auth{{"eu-west-1.amazonses.com", "pass", "mfrom"}}},
		},
	}
}

// Containers.

func gz(b []byte) []byte {
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

func zl(b []byte) []byte {
	var buf bytes.Buffer
	w := zlib.NewWriter(&buf)
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

func zipOf(files ...any) []byte { // name, content, name, content...
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for i := 0; i+1 < len(files); i += 2 {
		f, _ := w.Create(files[i].(string))
		f.Write(files[i+1].([]byte))
	}
	w.Close()
	return buf.Bytes()
}

func b64(b []byte) string {
	s := base64.StdEncoding.EncodeToString(b)
	var out strings.Builder
	for len(s) > 76 {
		out.WriteString(s[:76] + "\r\n")
		s = s[76:]
	}
	out.WriteString(s + "\r\n")
	return out.String()
}

// reportEmail is a multipart/mixed report email with a text part and one
// base64 attachment.
func reportEmail(from, ctype, name string, payload []byte) []byte {
	return []byte("From: " + from + "\r\n" +
		"To: dmarc@example.com\r\n" +
		"Subject: Report Domain: example.com Submitter: x Report-ID: <1>\r\n" +
		"MIME-Version: 1.0\r\n" +
		"Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n" +
		"--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nThis is an aggregate report.\r\n" +
		"--b1\r\nContent-Type: " + ctype + "; name=\"" + name + "\"\r\n" +
		"Content-Disposition: attachment; filename=\"" + name + "\"\r\n" +
		"Content-Transfer-Encoding: base64\r\n\r\n" + b64(payload) +
		"--b1--\r\n")
}
