package classify

import (
	"bytes"
	"strings"
)

// Provider families. A family groups the brands one operator runs (AT&T and
// Verizon consumer mail are hosted by Yahoo; La Poste uses Orange's stack).
// Filter vendors are providers too when they are the one answering.
const (
	ProviderApple      Provider = "apple"
	ProviderGoogle     Provider = "google"
	ProviderMicrosoft  Provider = "microsoft"
	ProviderYahoo      Provider = "yahoo"
	ProviderComcast    Provider = "comcast"
	ProviderCox        Provider = "cox"
	ProviderSpectrum   Provider = "spectrum"
	ProviderGoDaddy    Provider = "godaddy"
	ProviderOrange     Provider = "orange"
	ProviderTOnline    Provider = "t-online"
	ProviderGMX        Provider = "gmx" // United Internet: GMX, web.de, mail.com, IONOS
	ProviderFree       Provider = "free"
	ProviderMailRu     Provider = "mailru"
	ProviderYandex     Provider = "yandex"
	ProviderRambler    Provider = "rambler"
	ProviderQQ         Provider = "qq"
	ProviderNetEase    Provider = "netease"
	ProviderZoho       Provider = "zoho"
	ProviderFastmail   Provider = "fastmail"
	ProviderProton     Provider = "proton"
	ProviderRackspace  Provider = "rackspace"
	ProviderProofpoint Provider = "proofpoint"
	ProviderMimecast   Provider = "mimecast"
	ProviderBarracuda  Provider = "barracuda"
	ProviderCisco      Provider = "cisco"
	ProviderSymantec   Provider = "symantec"
	ProviderTrendMicro Provider = "trendmicro"
	ProviderJPMobile   Provider = "jp-mobile" // NTT docomo, au/KDDI (ezweb), SoftBank
)

// domainProviders maps recipient domains to the provider that hosts their
// mail. Keys are lower-case.
var domainProviders = map[string]Provider{
	"icloud.com": ProviderApple, "me.com": ProviderApple, "mac.com": ProviderApple,
	"privaterelay.appleid.com": ProviderApple,

	"gmail.com": ProviderGoogle, "googlemail.com": ProviderGoogle,

	"outlook.com": ProviderMicrosoft, "hotmail.com": ProviderMicrosoft, "live.com": ProviderMicrosoft,
	"msn.com": ProviderMicrosoft, "passport.com": ProviderMicrosoft, "windowslive.com": ProviderMicrosoft,

	"yahoo.com": ProviderYahoo, "ymail.com": ProviderYahoo, "rocketmail.com": ProviderYahoo,
	"aol.com": ProviderYahoo, "aim.com": ProviderYahoo, "verizon.net": ProviderYahoo,
	// AT&T consumer domains, MX at Yahoo since 2025 (provider-codes.md §5).
	"att.net": ProviderYahoo, "sbcglobal.net": ProviderYahoo, "bellsouth.net": ProviderYahoo,
	"pacbell.net": ProviderYahoo, "prodigy.net": ProviderYahoo, "swbell.net": ProviderYahoo,
	"ameritech.net": ProviderYahoo, "flash.net": ProviderYahoo, "nvbell.net": ProviderYahoo,
	"snet.net": ProviderYahoo, "wans.net": ProviderYahoo,

	"comcast.net": ProviderComcast, "xfinity.com": ProviderComcast,
	"cox.net":     ProviderCox,
	"charter.net": ProviderSpectrum, "spectrum.net": ProviderSpectrum, "rr.com": ProviderSpectrum,
	"twc.com": ProviderSpectrum, "roadrunner.com": ProviderSpectrum, "brighthouse.com": ProviderSpectrum,

	"orange.fr": ProviderOrange, "wanadoo.fr": ProviderOrange, "laposte.net": ProviderOrange,
	"t-online.de": ProviderTOnline, "magenta.de": ProviderTOnline,
	"gmx.de": ProviderGMX, "gmx.net": ProviderGMX, "gmx.com": ProviderGMX, "gmx.at": ProviderGMX,
	"gmx.ch": ProviderGMX, "web.de": ProviderGMX, "mail.com": ProviderGMX, "ionos.com": ProviderGMX,
	"free.fr": ProviderFree,

	"mail.ru": ProviderMailRu, "bk.ru": ProviderMailRu, "list.ru": ProviderMailRu, "inbox.ru": ProviderMailRu,
	"yandex.ru": ProviderYandex, "yandex.com": ProviderYandex, "ya.ru": ProviderYandex,
	"rambler.ru": ProviderRambler,
	"qq.com":     ProviderQQ, "foxmail.com": ProviderQQ,
	"163.com": ProviderNetEase, "126.com": ProviderNetEase, "yeah.net": ProviderNetEase,
	"zoho.com": ProviderZoho, "zohomail.com": ProviderZoho,
	"fastmail.com": ProviderFastmail, "fastmail.fm": ProviderFastmail,
	"docomo.ne.jp": ProviderJPMobile, "ezweb.ne.jp": ProviderJPMobile, "au.com": ProviderJPMobile,
	"softbank.ne.jp": ProviderJPMobile, "i.softbank.jp": ProviderJPMobile,
	"proton.me": ProviderProton, "protonmail.com": ProviderProton, "pm.me": ProviderProton,
}

// brandProviders maps the first label of country variants (yahoo.co.uk,
// hotmail.fr, gmx.ch) to their provider.
var brandProviders = map[string]Provider{
	"yahoo": ProviderYahoo, "hotmail": ProviderMicrosoft, "outlook": ProviderMicrosoft,
	"live": ProviderMicrosoft, "gmx": ProviderGMX, "aol": ProviderYahoo, "yandex": ProviderYandex,
}

// hostProviders maps MX host suffixes to the provider or filter vendor that
// runs them. A host matches when it equals a key or ends in "."+key.
var hostProviders = map[string]Provider{
	"mail.icloud.com": ProviderApple, "icloud.com": ProviderApple, "me.com": ProviderApple,
	"privaterelay.appleid.com": ProviderApple, "apple.com": ProviderApple,

	"google.com": ProviderGoogle, "googlemail.com": ProviderGoogle, "gmail-smtp-in.l.google.com": ProviderGoogle,

	"protection.outlook.com": ProviderMicrosoft, "outlook.com": ProviderMicrosoft, "hotmail.com": ProviderMicrosoft,
	"office365.com": ProviderMicrosoft, "messaging.microsoft.com": ProviderMicrosoft,

	"yahoodns.net": ProviderYahoo, "yahoo.com": ProviderYahoo, "aol.com": ProviderYahoo, "yahoo.net": ProviderYahoo,

	"comcast.net": ProviderComcast, "cox.net": ProviderCox, "charter.net": ProviderSpectrum, "rr.com": ProviderSpectrum,
	"secureserver.net": ProviderGoDaddy,
	"orange.fr":        ProviderOrange, "laposte.net": ProviderOrange, "t-online.de": ProviderTOnline,
	"gmx.net": ProviderGMX, "web.de": ProviderGMX, "mail.com": ProviderGMX, "ionos.com": ProviderGMX, "kundenserver.de": ProviderGMX,
	"free.fr": ProviderFree,
	"mail.ru": ProviderMailRu, "yandex.net": ProviderYandex, "yandex.ru": ProviderYandex, "rambler.ru": ProviderRambler,
	"qq.com": ProviderQQ, "163.com": ProviderNetEase, "126.com": ProviderNetEase, "netease.com": ProviderNetEase,
	"zoho.com": ProviderZoho, "zohomail.com": ProviderZoho, "zoho.eu": ProviderZoho,
	"messagingengine.com": ProviderFastmail, "protonmail.ch": ProviderProton, "emailsrvr.com": ProviderRackspace,

	"pphosted.com": ProviderProofpoint, "ppe-hosted.com": ProviderProofpoint, "proofpoint.com": ProviderProofpoint,
	"mimecast.com": ProviderMimecast, "mimecast-offshore.com": ProviderMimecast,
	"barracudanetworks.com": ProviderBarracuda, "cudamail.com": ProviderBarracuda,
	"iphmx.com":    ProviderCisco,
	"docomo.ne.jp": ProviderJPMobile, "ezweb.ne.jp": ProviderJPMobile, "softbank.ne.jp": ProviderJPMobile,
	"messagelabs.com": ProviderSymantec, "symanteccloud.com": ProviderSymantec,
	"trendmicro.com": ProviderTrendMicro, "trendmicro.eu": ProviderTrendMicro,
}

// textClue is a substring of reply text that names who answered, tried in
// order after the remote host and the recipient domain gave nothing.
type textClue struct {
	pattern  string
	provider Provider
}

var textClues = []textClue{
	{"gsmtp", ProviderGoogle}, {"support.google.com", ProviderGoogle}, {"gcdp", ProviderGoogle},
	{"protection.outlook.com", ProviderMicrosoft}, {"outlook.com", ProviderMicrosoft},
	{"postmaster.live.com", ProviderMicrosoft}, {"mail.live.com", ProviderMicrosoft}, {"hotmail", ProviderMicrosoft},
	{"sender.office.com", ProviderMicrosoft}, {"(s3150)", ProviderMicrosoft}, {"(s3140)", ProviderMicrosoft}, {"(as3140)", ProviderMicrosoft}, {"resolver.adr.", ProviderMicrosoft},
	{"privaterelay.appleid.com", ProviderApple}, {"icloud", ProviderApple}, {"support.apple.com", ProviderApple},
	{"[cs01]", ProviderApple}, {"[hm07]", ProviderApple}, {"[hm08]", ProviderApple}, {"[hme1]", ProviderApple},
	{"yahoo", ProviderYahoo}, {"[tss0", ProviderYahoo}, {"aol.com", ProviderYahoo},
	{"comcast", ProviderComcast}, {"aup#cx", ProviderCox}, {"cox.net", ProviderCox},
	{"aup#i", ProviderSpectrum}, {"rr.com", ProviderSpectrum}, {"secureserver", ProviderGoDaddy},
	{"mwinf", ProviderOrange}, {"ofr0", ProviderOrange}, {"ofr_", ProviderOrange}, {"lpn0", ProviderOrange},
	{"lpnaaa", ProviderOrange}, {"t-online.de", ProviderTOnline},
	{"postmaster.gmx", ProviderGMX}, {"postmaster.web.de", ProviderGMX}, {"ionos.com", ProviderGMX},
	{"mail.ru", ProviderMailRu}, {"yandex", ProviderYandex}, {"ya.cc/", ProviderYandex},
	{"qq.com", ProviderQQ}, {"163.com", ProviderNetEase}, {"zoho", ProviderZoho},
	{"messagingengine", ProviderFastmail}, {"protonmail", ProviderProton},
	{"mimecast", ProviderMimecast}, {"pphosted", ProviderProofpoint}, {"proofpoint", ProviderProofpoint},
	{"barracuda", ProviderBarracuda}, {"cuda_nsu", ProviderBarracuda},
	{"messagelabs", ProviderSymantec}, {"symanteccloud", ProviderSymantec},
}

// foldBuf lower-cases s (ASCII only) into buf and returns the filled part;
// ok is false when s does not fit.
func foldBuf(buf []byte, s string) (out []byte, ok bool) {
	if len(s) > len(buf) {
		return nil, false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[i] = c
	}
	return buf[:len(s)], true
}

// cleanName strips what queues and DSNs put around a host or domain name:
// "dns;" (RFC 3464 §2.1.2 MTA-name-type), brackets, a trailing dot,
// surrounding spaces.
func cleanName(s string) string {
	if i := strings.IndexByte(s, ';'); i >= 0 {
		s = s[i+1:]
	}
	if i := strings.IndexByte(s, '['); i > 0 {
		s = s[:i] // "mx.example.com[192.0.2.1]"
	}
	for len(s) > 0 && (s[0] == ' ' || s[0] == '\t' || s[0] == '[' || s[0] == '<') {
		s = s[1:]
	}
	for len(s) > 0 {
		switch s[len(s)-1] {
		case ' ', '\t', ']', '>', '.', '\r', '\n':
			s = s[:len(s)-1]
			continue
		}
		break
	}
	return s
}

// ProviderForDomain returns the provider hosting mail for a recipient
// domain ("icloud.com" -> "apple", "sbcglobal.net" -> "yahoo"), or "" when
// not known. A full address is accepted too (the part after the last "@").
// Country variants of the big brands are recognised (yahoo.co.uk,
// hotmail.fr). Safe for concurrent use; does not allocate.
func ProviderForDomain(domain string) Provider {
	if i := strings.LastIndexByte(domain, '@'); i >= 0 {
		domain = domain[i+1:]
	}
	domain = cleanName(domain)
	var buf [256]byte
	d, ok := foldBuf(buf[:], domain)
	if !ok || len(d) == 0 {
		return ""
	}
	if p, ok := domainProviders[string(d)]; ok {
		return p
	}
	// brand.tld or brand.co.tld
	if i := bytes.IndexByte(d, '.'); i > 0 {
		rest := d[i+1:]
		if len(rest) <= 6 {
			if p, ok := brandProviders[string(d[:i])]; ok {
				return p
			}
		}
	}
	return ""
}

// ProviderForHost returns the provider or filter vendor that runs an MX or
// remote MTA host ("mx01.mail.icloud.com" -> "apple",
// "example-com.mail.protection.outlook.com" -> "microsoft",
// "mx0a-001.pphosted.com" -> "proofpoint"), or "" when not known. It
// accepts the RFC 3464 form "dns; host" and "host[ip]". Safe for concurrent
// use; does not allocate.
func ProviderForHost(host string) Provider {
	host = cleanName(host)
	var buf [256]byte
	h, ok := foldBuf(buf[:], host)
	if !ok {
		return ""
	}
	// Try suffixes from the shortest (two labels) up: no key of
	// hostProviders is a suffix of another key mapping elsewhere, so the
	// first hit is the answer, usually at the first lookup.
	dots := 0
	for i := len(h) - 1; i >= 0; i-- {
		if h[i] != '.' {
			continue
		}
		dots++
		if dots >= 2 {
			if p, ok := hostProviders[string(h[i+1:])]; ok {
				return p
			}
		}
	}
	if p, ok := hostProviders[string(h)]; ok {
		return p
	}
	return ""
}
