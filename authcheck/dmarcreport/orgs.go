package dmarcreport

// This file names the organisation behind a source: the big senders by a
// small built-in table of the suffixes their PTR names and signing or
// return-path domains end in (from each provider's published sending
// hosts and default DKIM domains), else the registrable domain of the PTR
// name by the Public Suffix List.

import "strings"

// knownSender is one suffix of the built-in table.
type knownSender struct {
	suffix string
	org    string
}

// knownSenders is ordered longest suffix first within a provider; OrgOf
// takes the longest match overall.
var knownSenders = []knownSender{
	// Google: mail-*.google.com PTRs; gappssmtp.com is Workspace's default
	// DKIM domain; googlegroups.com is Google Groups.
	{"google.com", "Google"},
	{"googlemail.com", "Google"},
	{"gappssmtp.com", "Google"},
	{"googlegroups.com", "Google Groups"},
	// Microsoft: Exchange Online hosts and the onmicrosoft.com default DKIM domain.
	{"outbound.protection.outlook.com", "Microsoft 365"},
	{"protection.outlook.com", "Microsoft 365"},
	{"onmicrosoft.com", "Microsoft 365"},
	{"outlook.com", "Microsoft"},
	{"hotmail.com", "Microsoft"},
	// Amazon SES: smtp-out.amazonses.com hosts, amazonses.com DKIM and return path.
	{"amazonses.com", "Amazon SES"},
	// SendGrid (Twilio).
	{"sendgrid.net", "SendGrid"},
	// Mailchimp and Mandrill.
	{"mcsv.net", "Mailchimp"},
	{"mcdlv.net", "Mailchimp"},
	{"rsgsv.net", "Mailchimp"},
	{"mailchimpapp.net", "Mailchimp"},
	{"mandrillapp.com", "Mailchimp Transactional"},
	// Salesforce Marketing Cloud (ExactTarget) and Salesforce.
	{"exacttarget.com", "Salesforce Marketing Cloud"},
	{"salesforce.com", "Salesforce"},
	// Others a sender commonly forgets in SPF.
	{"mailgun.net", "Mailgun"},
	{"mailgun.org", "Mailgun"},
	{"sparkpostmail.com", "SparkPost"},
	{"mtasv.net", "Postmark"},
	{"postmarkapp.com", "Postmark"},
	{"hubspotemail.net", "HubSpot"},
	{"zoho.com", "Zoho"},
	{"zohomail.com", "Zoho"},
	{"yahoo.com", "Yahoo"},
	{"yahoodns.net", "Yahoo"},
	{"mimecast.com", "Mimecast"},
	{"pphosted.com", "Proofpoint"},
	{"ppe-hosted.com", "Proofpoint"},
	{"messagelabs.com", "Broadcom Email Security"},
	{"mail.ru", "Mail.ru"},
	{"gmx.net", "GMX"},
	{"web.de", "WEB.DE"},
}

// OrgOf names the organisation behind a host or domain name: the provider
// of the built-in table whose suffix name ends in (known true), else the
// name's registrable domain (known false), "" for an empty name.
func OrgOf(name string) (org string, known bool) {
	name = lowerDomain(name)
	if name == "" {
		return "", false
	}
	best := -1
	for i, k := range knownSenders {
		if (name == k.suffix || strings.HasSuffix(name, "."+k.suffix)) && (best < 0 || len(k.suffix) > len(knownSenders[best].suffix)) {
			best = i
		}
	}
	if best >= 0 {
		return knownSenders[best].org, true
	}
	return orgDomain(name), false
}
