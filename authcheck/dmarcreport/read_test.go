package dmarcreport

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

// readAll collects the results of reading b as the file name.
func readAll(t *testing.T, rd *Reader, name string, b []byte) []Result {
	t.Helper()
	var out []Result
	for r := range rd.ReadBytes(name, b) {
		out = append(out, r)
	}
	return out
}

func oneReport(t *testing.T, name string, b []byte) *Report {
	t.Helper()
	var rd Reader
	res := readAll(t, &rd, name, b)
	require.Len(t, res, 1, "results of %s", name)
	require.NoError(t, res[0].Err, name)
	require.NotNil(t, res[0].Report)
	return res[0].Report
}

func TestReporterShapesReadInTheirContainers(t *testing.T) {
	tests := []struct {
		name    string
		doc     doc
		wrap    func(doc) []byte
		org, id string
		p       Policy
		ns      string
	}{
		{"Google sends a zip attached as application/zip", googleDoc(), func(d doc) []byte {
			return reportEmail("noreply-dmarc-support@google.com", "application/zip", "google.com!example.com!1764460800!1764547199.zip",
				zipOf("google.com!example.com!1764460800!1764547199.xml", d.xml()))
		}, "google.com", "4455667788990011223", PolicyQuarantine[:0] + "none", ""},
		{"Microsoft sends gzip as application/gzip", microsoftDoc(), func(d doc) []byte {
			return reportEmail("dmarcreport@microsoft.com", "application/gzip", "enterprise.protection.outlook.com!example.com!1764460800!1764547200.xml.gz", gz(d.xml()))
		}, "Outlook.com", "9b2f3c4d5e6f47a8b9c0d1e2f3a4b5c6", PolicyQuarantine, ""},
		{"Yahoo sends gzip as application/octet-stream", yahooDoc(), func(d doc) []byte {
			return reportEmail("Yahoo DMARC <dmarchelp@yahooinc.com>", "application/octet-stream", "yahoo.com!example.com!1764460800!1764547199.xml.gz", gz(d.xml()))
		}, "Yahoo", "1764460800.712345", PolicyNone, ""},
		{"Mail.ru's missing org_name comes from the email's domain", mailruDoc(), func(d doc) []byte {
			return reportEmail("dmarc_support@corp.mail.ru", "application/zip", "mail.ru!example.com!1764460800!1764547200.zip", zipOf("report.xml", d.xml()))
		}, "corp.mail.ru", "88112233445566", PolicyNone, ""},
		{"WEB.DE sends RFC 9990 gzip", gmxDoc(), func(d doc) []byte {
			return reportEmail("noreply-dmarc@web.de", "application/x-gzip", "web.de!example.com!1764460800!1764547200!a1b2.xml.gz", gz(d.xml()))
		}, "WEB.DE", "a1b2c3d4.20261130@web.de", PolicyQuarantine, Namespace2},
		{"Mimecast zip labelled octet-stream, id in <>", mimecastDoc(), func(d doc) []byte {
			return reportEmail("dmarc-reports@mimecast.org", "application/octet-stream", "mimecast.org!example.com!1764460800!1764547200.zip", zipOf("mimecast.org!example.com!1764460800!1764547200.xml", d.xml()))
		}, "Mimecast", "7c1e2d3f-aaaa-bbbb-cccc-0123456789ab", PolicyNone, ""},
		{"Amazon SES sends gzip as application/gzip", sesDoc(), func(d doc) []byte {
			return reportEmail("postmaster@amazonses.com", "application/gzip", "amazonses.com!example.com!1764460800!1764547200.xml.gz", gz(d.xml()))
		}, "AMAZON-SES", "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0", PolicyNone, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, in := range []struct {
				name string
				b    []byte
			}{{"email", tc.wrap(tc.doc)}, {"bare xml", tc.doc.xml()}, {"xml.gz", gz(tc.doc.xml())}} {
				rep := oneReport(t, in.name, in.b)
				n, pass := tc.doc.messages()
				want := tc.org
				if in.name != "email" && tc.doc.org == "" {
					want = "" // no email to take it from
				}
				assert.Equal(t, want, rep.Metadata.OrgName, in.name)
				assert.Equal(t, tc.id, rep.Metadata.ReportID, in.name)
				assert.Equal(t, "example.com", rep.Policy.Domain, in.name)
				assert.Equal(t, tc.p, rep.Policy.P, in.name)
				assert.Equal(t, tc.ns, rep.Namespace, in.name)
				assert.Equal(t, time.Unix(tc.doc.begin, 0).UTC(), rep.Metadata.Begin, in.name)
				assert.Equal(t, time.Unix(tc.doc.end, 0).UTC(), rep.Metadata.End, in.name)
				assert.Len(t, rep.Records, len(tc.doc.rows), in.name)
				c := rep.Counts()
				assert.Equal(t, n, c.Messages, in.name)
				assert.Equal(t, pass, c.DMARCPass, in.name)
				assert.Equal(t, n-pass, c.DMARCFail, in.name)
			}
		})
	}
}

func TestRFC9990ElementsAreRead(t *testing.T) {
	rep := oneReport(t, "x.xml", gmxDoc().xml())
	assert.Equal(t, "1.0", rep.Version)
	assert.Equal(t, "1&1 DMARC reporter 2.1", rep.Metadata.Generator)
	assert.Equal(t, PolicyReject, rep.Policy.NP)
	assert.Equal(t, "y", rep.Policy.Testing)
	assert.Equal(t, "treewalk", rep.Policy.DiscoveryMethod)
	assert.False(t, rep.Policy.HasPct, "RFC 9990 has no pct")
	assert.Equal(t, AlignStrict, rep.Policy.ADKIM)
	assert.Equal(t, DispositionPass, rep.Records[0].Disposition)
	assert.Equal(t, "2001:db8::25", rep.Records[0].SourceIP.String())
	assert.Equal(t, []Reason{{Type: OverridePolicyTestMode, Comment: "t=y"}}, rep.Records[1].Reasons)
	assert.Equal(t, []string{"extension"}, rep.Extensions)
	assert.Contains(t, repairKinds(rep), RepairReportID)
}

func repairKinds(rep *Report) []RepairKind {
	var out []RepairKind
	for _, r := range rep.Repairs {
		out = append(out, r.Kind)
	}
	return out
}

func TestLenientReadingsAreListed(t *testing.T) {
	var rd Reader
	res := readAll(t, &rd, "", reportEmail("dmarc_support@corp.mail.ru", "application/zip", "r.zip", zipOf("r.xml", mailruDoc().xml())))
	require.Len(t, res, 1)
	rep := res[0].Report
	require.NotNil(t, rep)
	var texts []string
	for _, r := range rep.Repairs {
		texts = append(texts, r.String())
	}
	all := strings.Join(texts, "\n")
	assert.Contains(t, all, `case: policy_evaluated dkim "Pass" read as "pass"`)
	assert.Contains(t, all, `alias: spf result "hardfail" read as "fail"`)
	assert.Contains(t, all, "empty: empty reason dropped")
	assert.Contains(t, all, "org_name: org_name missing; taken from the report email's domain")
	assert.Equal(t, SPFFail, rep.Records[1].SPFResults[0].Result)
	assert.Equal(t, DispositionNone, rep.Records[0].Disposition)
	assert.Empty(t, rep.Records[1].Reasons)
}

func TestOrgNameFallsBackToTheFileName(t *testing.T) {
	d := googleDoc()
	d.org = ""
	rep := oneReport(t, "reports/google.com!example.com!1764460800!1764547199.xml", d.xml())
	assert.Equal(t, "google.com", rep.Metadata.OrgName)
	assert.Contains(t, repairKinds(rep), RepairOrgName)
}

func TestBrokenDocuments(t *testing.T) {
	full := googleDoc().xml()
	cut := full[:bytes.LastIndex(full, []byte("<record>"))+40] // inside the last record
	betweenRecords := full[:bytes.LastIndex(full, []byte("</record>"))+len("</record>")]
	latin := bytes.Replace(full, []byte("UTF-8"), []byte("ISO-8859-1"), 1)
	latin = bytes.Replace(latin, []byte("<org_name>google.com"), []byte("<org_name>Gr\xfcn GmbH"), 1)
	badUTF8 := bytes.Replace(full, []byte("<org_name>google.com"), []byte("<org_name>g\xff\x00oogle.com"), 1)
	amp := bytes.Replace(full, []byte("https://support.google.com/a/answer/2466580"), []byte("https://x.example/?a=1&b=2"), 1)
	junk := append(append([]byte("garbage\n"), full...), "trailing <junk"...)

	t.Run("a document cut inside a record keeps the records before it", func(t *testing.T) {
		rep, err := Parse(cut)
		var se *SyntaxError
		require.ErrorAs(t, err, &se)
		assert.True(t, se.Partial)
		assert.ErrorIs(t, err, ErrMalformed)
		require.NotNil(t, rep)
		assert.Len(t, rep.Records, 2)
		assert.Equal(t, "4455667788990011223", rep.Metadata.ReportID)
	})
	t.Run("a document cut between records is recovered", func(t *testing.T) {
		rep, err := Parse(betweenRecords)
		require.NoError(t, err)
		assert.Len(t, rep.Records, 3)
		assert.Contains(t, repairKinds(rep), RepairTruncated)
	})
	t.Run("Latin-1 is converted", func(t *testing.T) {
		rep, err := Parse(latin)
		require.NoError(t, err)
		assert.Equal(t, "Grün GmbH", rep.Metadata.OrgName)
		assert.Contains(t, repairKinds(rep), RepairEncoding)
	})
	t.Run("invalid UTF-8 and NUL are repaired", func(t *testing.T) {
		rep, err := Parse(badUTF8)
		require.NoError(t, err)
		assert.Equal(t, "g\uFFFDoogle.com", rep.Metadata.OrgName)
		assert.Contains(t, repairKinds(rep), RepairEncoding)
	})
	t.Run("a bare ampersand is text", func(t *testing.T) {
		rep, err := Parse(amp)
		require.NoError(t, err)
		assert.Equal(t, "https://x.example/?a=1&b=2", rep.Metadata.ExtraContactInfo)
	})
	t.Run("junk around the document is ignored", func(t *testing.T) {
		rep, err := Parse(junk)
		require.NoError(t, err)
		assert.Len(t, rep.Records, 3)
		assert.Contains(t, repairKinds(rep), RepairMixedDocument)
	})
	t.Run("milliseconds and a swapped window are repaired", func(t *testing.T) {
		d := googleDoc()
		d.begin, d.end = int64(day1)*1000, int64(day0)*1000
		rep, err := Parse(d.xml())
		require.NoError(t, err)
		assert.Equal(t, int64(day0), rep.Metadata.Begin.Unix())
		assert.Equal(t, int64(day1), rep.Metadata.End.Unix())
	})
	t.Run("UTF-16 is converted", func(t *testing.T) {
		u := []byte{0xFF, 0xFE}
		for _, r := range string(full) {
			u = append(u, byte(r), byte(r>>8))
		}
		rep, err := Parse(u)
		require.NoError(t, err)
		assert.Len(t, rep.Records, 3)
	})
}

func TestNonReportsGetAnError(t *testing.T) {
	tlsrpt := []byte(`{"organization-name":"Google Inc.","policies":[]}`)
	tests := []struct {
		name string
		b    []byte
	}{
		{"empty file", nil},
		{"TLS-RPT JSON", tlsrpt},
		{"TLS-RPT JSON gzip", gz(tlsrpt)},
		{"other XML", []byte(`<?xml version="1.0"?><rss><channel/></rss>`)},
		{"a plain email", []byte("From: a@example.com\r\nSubject: hi\r\n\r\nhello\r\n")},
		{"an email with a PDF", reportEmail("a@example.com", "application/pdf", "x.pdf", []byte("%PDF-1.4"))},
		{"octet-stream that is not a report", reportEmail("a@example.com", "application/octet-stream", "x.bin", []byte{1, 2, 3, 4})},
		{"binary junk", []byte{0x00, 0x01, 0x02, 0xff}},
		{"a zip of a text file", zipOf("readme.txt", []byte("hello"))},
		{"an empty zip", zipOf()},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var rd Reader
			res := readAll(t, &rd, tc.name, tc.b)
			require.NotEmpty(t, res)
			for _, r := range res {
				assert.Nil(t, r.Report)
				assert.ErrorIs(t, r.Err, ErrNotReport)
			}
		})
	}
}

func TestBrokenContainers(t *testing.T) {
	x := googleDoc().xml()
	z := gz(x)
	tests := []struct {
		name    string
		b       []byte
		records int
		repair  RepairKind
		err     error
	}{
		{"gzip followed by junk", append(slices.Clone(z), "\r\n--boundary--\r\n"...), 3, RepairTrailing, nil},
		{"gzip followed by zero padding", append(slices.Clone(z), make([]byte, 512)...), 3, RepairTrailing, nil},
		{"gzip inside gzip", gz(z), 3, "", nil},
		{"two gzip members", append(gz(x[:200]), gz(x[200:])...), 3, "", nil},
		{"zlib", zl(x), 3, "", nil},
		{"gzip cut short", z[:len(z)-8], 3, RepairContainer, nil},
		{"gzip cut in the middle", z[:len(z)/2], 0, RepairContainer, ErrMalformed},
		{"zip of a gzip", zipOf("a.xml.gz", z), 3, "", nil},
		{"broken zip", zipOf("a.xml", x)[:60], 0, "", ErrMalformed},
		{"zip cut before its directory", zipOf("a.xml", x)[:len(zipOf("a.xml", x))-60], 3, RepairContainer, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var rd Reader
			res := readAll(t, &rd, "", tc.b)
			require.Len(t, res, 1)
			r := res[0]
			if tc.err != nil {
				assert.ErrorIs(t, r.Err, tc.err)
			} else {
				require.NoError(t, r.Err)
			}
			if tc.records > 0 {
				require.NotNil(t, r.Report)
				assert.Len(t, r.Report.Records, tc.records)
			}
			if tc.repair != "" && r.Report != nil {
				assert.Contains(t, repairKinds(r.Report), tc.repair)
			}
		})
	}
}

func TestBombsStopAtTheLimits(t *testing.T) {
	huge := bytes.Repeat([]byte(" "), 4<<20)
	rd := Reader{Limits: Limits{MaxXMLBytes: 1 << 20, MaxTotalBytes: 2 << 20}}
	for name, b := range map[string][]byte{
		"gzip bomb":         gz(huge),
		"zip bomb":          zipOf("a.xml", huge),
		"zip of many parts": zipOf("a.xml", huge[:900<<10], "b.xml", huge[:900<<10], "c.xml", huge[:900<<10]),
		"zlib bomb":         zl(huge),
		"nested gzip bomb":  gz(gz(huge)),
	} {
		t.Run(name, func(t *testing.T) {
			res := readAll(t, &rd, "", b)
			require.NotEmpty(t, res)
			var lim *LimitError
			assert.ErrorAs(t, res[len(res)-1].Err, &lim)
			assert.ErrorIs(t, res[len(res)-1].Err, ErrLimit)
		})
	}
	t.Run("records past MaxRecords are dropped", func(t *testing.T) {
		rd := Reader{Limits: Limits{MaxRecords: 2}}
		res := readAll(t, &rd, "", googleDoc().xml())
		require.Len(t, res, 1)
		assert.ErrorIs(t, res[0].Err, ErrLimit)
		require.NotNil(t, res[0].Report)
		assert.Len(t, res[0].Report.Records, 2)
	})
}

func TestEmailStructures(t *testing.T) {
	x := googleDoc().xml()
	inner := reportEmail("noreply-dmarc-support@google.com", "application/zip", "g.zip", zipOf("g.xml", x))
	forwarded := []byte("From: postmaster@example.com\r\nSubject: Fwd: report\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: multipart/mixed; boundary=outer\r\n\r\n--outer\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n" +
		"--outer\r\nContent-Type: message/rfc822\r\n\r\n" + string(inner) + "\r\n--outer--\r\n")
	inline := []byte("From: dmarc@reporter.example\r\nSubject: Report\r\nMIME-Version: 1.0\r\nContent-Type: text/xml\r\n" +
		"Content-Transfer-Encoding: quoted-printable\r\n\r\n" + strings.ReplaceAll(string(x), "=", "=3D") + "\r\n")
	singlePart := []byte("From: dmarc@reporter.example\r\nSubject: Report\r\nMIME-Version: 1.0\r\nContent-Type: application/gzip; name=r.xml.gz\r\n" +
		"Content-Transfer-Encoding: base64\r\n\r\n" + b64(gz(x)))
	alternative := []byte("From: dmarc@reporter.example\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=a\r\n\r\n" +
		"--a\r\nContent-Type: multipart/alternative; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nhi\r\n--b\r\nContent-Type: text/html\r\n\r\n<p>hi</p>\r\n--b--\r\n" +
		"--a\r\nContent-Type: application/gzip\r\nContent-Disposition: inline\r\nContent-Transfer-Encoding: base64\r\n\r\n" + b64(gz(x)) + "--a--\r\n")
	noClose := bytes.TrimSuffix(reportEmail("a@reporter.example", "application/zip", "z.zip", zipOf("z.xml", x)), []byte("--b1--\r\n"))
	two := []byte("From: a@reporter.example\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=z\r\n\r\n" +
		"--z\r\nContent-Type: application/gzip\r\nContent-Transfer-Encoding: base64\r\n\r\n" + b64(gz(x)) +
		"--z\r\nContent-Type: application/gzip\r\nContent-Transfer-Encoding: base64\r\n\r\n" + b64(gz(yahooDoc().xml())) + "--z--\r\n")
	oddHeaders := []byte("Received: from mx.reporter.example\r\n  by mx.example.com\r\nFrom: dmarc@reporter.example\r\nX-Odd Header : yes\r\nthis line has no colon\r\n" +
		"MIME-Version: 1.0\r\nContent-Type: multipart/mixed;\r\n\tboundary=\"q q\"\r\n\r\npreamble\r\n--q q\r\nContent-Type: application/zip\r\nbroken part header line\r\n" +
		"Content-Transfer-Encoding: base64\r\n\r\n" + b64(zipOf("x.xml", x)) + "--q q--\r\nepilogue\r\n")
	for name, tc := range map[string]struct {
		b       []byte
		reports int
		org     string
	}{
		"a nested message/rfc822":            {forwarded, 1, "google.com"},
		"an inline quoted-printable XML":     {inline, 1, "google.com"},
		"a single-part gzip":                 {singlePart, 1, "google.com"},
		"an inline part beside alternatives": {alternative, 1, "google.com"},
		"a missing closing boundary":         {noClose, 1, "google.com"},
		"two reports in one email":           {two, 2, "google.com"},
		"odd headers, folded boundary":       {oddHeaders, 1, "google.com"},
	} {
		t.Run(name, func(t *testing.T) {
			var rd Reader
			res := readAll(t, &rd, "", tc.b)
			require.Len(t, res, tc.reports)
			for _, r := range res {
				require.NoError(t, r.Err)
				require.NotNil(t, r.Report)
				assert.NotEmpty(t, r.Part)
			}
			assert.Equal(t, tc.org, res[0].Report.Metadata.OrgName)
		})
	}
}

func TestMboxOfReportEmails(t *testing.T) {
	var mbox bytes.Buffer
	for _, m := range [][]byte{
		reportEmail("noreply-dmarc-support@google.com", "application/zip", "g.zip", zipOf("g.xml", googleDoc().xml())),
		[]byte("From: someone@example.com\r\nSubject: not a report\r\n\r\nhello\r\n"),
		reportEmail("dmarchelp@yahooinc.com", "application/gzip", "y.xml.gz", gz(yahooDoc().xml())),
	} {
		mbox.WriteString("From MAILER-DAEMON Mon Nov 30 10:00:00 2026\n")
		mbox.Write(bytes.ReplaceAll(m, []byte("\r\n"), []byte("\n")))
		mbox.WriteString("\n")
	}
	var rd Reader
	var got []string
	for r := range rd.Read("inbox.mbox", &mbox) {
		if r.Err != nil {
			assert.ErrorIs(t, r.Err, ErrNotReport)
			got = append(got, r.Part+" error")
			continue
		}
		got = append(got, strings.SplitN(r.Part, "/", 2)[0]+" "+r.Report.Metadata.OrgName)
	}
	assert.Equal(t, []string{"message 1 google.com", "message 2 error", "message 3 Yahoo"}, got)
}

// A Maildir is read through an fs.FS: each message file, its attachments,
// and an error line for a message that holds no report.
func TestMaildirOfReportEmails(t *testing.T) {
	fsys := fstest.MapFS{
		"new/1.eml": {Data: reportEmail("noreply-dmarc-support@google.com", "application/zip", "g.zip", zipOf("g.xml", googleDoc().xml()))},
		"cur/2.eml": {Data: []byte("From: someone@example.com\r\nSubject: not a report\r\n\r\nhello\r\n")},
		"tmp/3.eml": {Data: reportEmail("dmarchelp@yahooinc.com", "application/gzip", "y.xml.gz", gz(yahooDoc().xml()))},
	}
	var rd Reader
	var got []string
	for r := range rd.ReadMaildir(fsys) {
		if r.Err != nil {
			assert.ErrorIs(t, r.Err, ErrNotReport)
			got = append(got, strings.SplitN(r.Part, "/", 3)[1]+" error")
			continue
		}
		got = append(got, r.Part+" "+r.Report.Metadata.OrgName)
	}
	assert.Equal(t, 2, len(got), "%v", got)
	assert.True(t, strings.HasPrefix(got[0], "new/1.eml") && strings.HasSuffix(got[0], " google.com"), "%v", got)
	assert.Equal(t, "2.eml error", got[1])
}

func TestErrorsAreTyped(t *testing.T) {
	_, err := Parse([]byte("<feedback><report_metadata><org_name>x"))
	var se *SyntaxError
	assert.True(t, errors.As(err, &se) || errors.Is(err, ErrNotReport), "%v", err)
	_, err = Parse([]byte("<html></html>"))
	assert.ErrorIs(t, err, ErrNotReport)
}

func TestMissingIDAndDomainComeFromTheSubject(t *testing.T) {
	d := googleDoc()
	d.id = ""
	d.policy = "<p>none</p>"
	for i := range d.rows {
		d.rows[i].headerFrom = ""
	}
	msg := reportEmail("noreply-dmarc-support@google.com", "application/zip", "r.zip", zipOf("r.xml", d.xml()))
	msg = bytes.Replace(msg, []byte("Report Domain: example.com Submitter: x Report-ID: <1>"), []byte("Report Domain: example.com Submitter: google.com Report-ID: <98765>"), 1)
	var rd Reader
	res := readAll(t, &rd, "", msg)
	require.Len(t, res, 1)
	rep := res[0].Report
	require.NotNil(t, rep)
	assert.Equal(t, "98765", rep.Metadata.ReportID)
	assert.Equal(t, "example.com", rep.Policy.Domain)
	assert.Equal(t, "example.com", rep.Records[0].HeaderFrom)
}
