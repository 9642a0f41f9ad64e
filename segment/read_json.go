package segment

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// readJSONLines runs parse on every non-empty line; parse appends the events
// of one record to evs.
func (rd *Reader) readJSONLines(s *lineScanner, f Format, parse func(rd *Reader, line []byte, evs []Event) ([]Event, bool, error), yield func(Event, error) bool) {
	var evs []Event
	for b := range rd.lines(s, f, yield) {
		b = bytes.TrimSpace(b)
		if len(b) == 0 {
			continue
		}
		var relevant bool
		var err error
		evs, relevant, err = parse(rd, b, evs[:0])
		if err != nil {
			if !yield(Event{}, rd.rowErr(f, s.line, err)) {
				return
			}
			continue
		}
		if !relevant {
			rd.Stats.Ignored++
			continue
		}
		for i := range evs {
			rd.Stats.Events++
			if !yield(evs[i], nil) {
				return
			}
			evs[i] = Event{}
		}
	}
}

// parseJSONLEvent reads one object of the JSON-lines format. Known fields
// (the CSV column names) must be strings, except transactional (bool or
// string) and subscriber_age_days (number or string); others become
// attributes in the order given.
func parseJSONLEvent(rd *Reader, line []byte, evs []Event) ([]Event, bool, error) {
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.UseNumber()
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return evs, false, fmt.Errorf("%w: not a JSON object", ErrBadRecord)
	}
	var ev Event
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return evs, false, fmt.Errorf("%w: %v", ErrBadRecord, err)
		}
		key, _ := t.(string)
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return evs, false, fmt.Errorf("%w: field %q: %v", ErrBadRecord, key, err)
		}
		v, isString := jsonScalar(raw)
		role, known := csvColumns[strings.ToLower(key)]
		if !known {
			if v != "" && v != "null" {
				ev.Attrs = append(ev.Attrs, Attr{key, v})
			}
			continue
		}
		if !isString && role != colTransactional && role != colAgeDays && role != colTime && v != "null" {
			return evs, false, fmt.Errorf("%w: field %q must be a string", ErrBadValue, key)
		}
		if v == "null" {
			v = ""
		}
		if err := rd.setColumn(&ev, role, v); err != nil {
			return evs, false, fmt.Errorf("field %s: %w", key, err)
		}
	}
	if _, err := dec.Token(); err != nil {
		return evs, false, fmt.Errorf("%w: %v", ErrBadRecord, err)
	}
	if ev.Recipient == "" {
		return evs, false, ErrNoRecipient
	}
	if ev.Outcome == "" {
		return evs, false, fmt.Errorf("%w: missing", ErrBadOutcome)
	}
	return append(evs, ev), true, nil
}

// jsonScalar returns a string's value, or the JSON text of anything else.
func jsonScalar(raw json.RawMessage) (string, bool) {
	if len(raw) > 0 && raw[0] == '"' {
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return s, true
		}
	}
	return string(raw), false
}

// kumoRecord is the part of a KumoMTA log record we read
// (https://docs.kumomta.com/reference/log_record/).
type kumoRecord struct {
	Type      string `json:"type"`
	ID        string `json:"id"`
	Recipient string `json:"recipient"`
	Response  struct {
		Code         int `json:"code"`
		EnhancedCode *struct {
			Class   int `json:"class"`
			Subject int `json:"subject"`
			Detail  int `json:"detail"`
		} `json:"enhanced_code"`
		Content string `json:"content"`
	} `json:"response"`
	PeerAddress *struct {
		Name string `json:"name"`
		Addr string `json:"addr"`
	} `json:"peer_address"`
	Timestamp     json.RawMessage `json:"timestamp"`
	EgressSource  string          `json:"egress_source"`
	EgressPool    string          `json:"egress_pool"`
	SourceAddress *struct {
		Address string `json:"address"`
	} `json:"source_address"`
	Classification string         `json:"bounce_classification"`
	Meta           map[string]any `json:"meta"`
	Headers        map[string]any `json:"headers"`
}

// kumoType maps record types to outcomes; Reception, Rejection (inbound)
// and the rest are not outbound delivery outcomes.
func kumoType(t string) (Outcome, bool) {
	switch t {
	case "Delivery":
		return OutcomeDelivered, true
	case "Bounce", "Expiration", "AdminBounce", "OOB":
		return OutcomeBounced, true
	case "TransientFailure":
		return OutcomeDeferred, true
	case "Feedback":
		return OutcomeComplained, true
	}
	return "", false
}

func parseKumoEvent(rd *Reader, line []byte, evs []Event) ([]Event, bool, error) {
	var rec kumoRecord
	if err := json.Unmarshal(line, &rec); err != nil {
		return evs, false, fmt.Errorf("%w: %v", ErrBadRecord, err)
	}
	out, ok := kumoType(rec.Type)
	if !ok {
		return evs, false, nil
	}
	if rec.Recipient == "" {
		return evs, false, ErrNoRecipient
	}
	ev := Event{Recipient: rec.Recipient, Outcome: out, MessageID: rec.ID}
	// Unix seconds in KumoMTA's records; an RFC 3339 string is read too.
	if ts, _ := jsonScalar(rec.Timestamp); ts != "" && ts != "null" {
		t, err := parseTime(ts, rd.loc())
		if err != nil {
			return evs, false, err
		}
		ev.Time = t
	}
	// Rebuild the reply as the server sent it: "554 5.7.1 text".
	var b strings.Builder
	if rec.Response.Code != 0 {
		b.WriteString(strconv.Itoa(rec.Response.Code))
		b.WriteByte(' ')
	}
	if ec := rec.Response.EnhancedCode; ec != nil && ec.Class != 0 {
		fmt.Fprintf(&b, "%d.%d.%d ", ec.Class, ec.Subject, ec.Detail)
	}
	b.WriteString(rec.Response.Content)
	ev.ReplyText = strings.TrimSpace(b.String())
	if rec.SourceAddress != nil && rec.SourceAddress.Address != "" {
		ev.SendingIP = hostOnly(rec.SourceAddress.Address)
	} else {
		ev.SendingIP = rec.EgressSource
	}
	if rec.EgressPool != "" {
		ev.Attrs = append(ev.Attrs, Attr{"egress_pool", rec.EgressPool})
	}
	if rec.PeerAddress != nil && rec.PeerAddress.Name != "" {
		ev.Attrs = append(ev.Attrs, Attr{"remote_mta", rec.PeerAddress.Name})
	}
	metaToEvent(&ev, rec.Meta)
	return append(evs, ev), true, nil
}

// metaToEvent maps message metadata or tags (sorted by key, so the
// attribute order is stable) onto the event.
func metaToEvent(ev *Event, meta map[string]any) {
	keys := make([]string, 0, len(meta))
	for k := range meta {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		var v string
		switch x := meta[k].(type) {
		case string:
			v = x
		case []any:
			if len(x) > 0 {
				v, _ = x[0].(string)
			}
		case bool:
			v = strconv.FormatBool(x)
		case float64:
			v = strconv.FormatFloat(x, 'f', -1, 64)
		case nil:
		default:
			b, _ := json.Marshal(x)
			v = string(b)
		}
		if v == "" {
			continue
		}
		switch strings.ToLower(k) {
		case "campaign", "campaign_id", "campaignid", "x-campaign":
			ev.Campaign = v
		case "template", "template_id", "templateid", "x-template":
			ev.Template = v
		case "transactional", "x-transactional":
			ev.Transactional, _ = parseBool(v)
		case "signup_date":
			ev.SignupDate, _ = parseTime(v, time.UTC)
		case "subscriber_age_days":
			ev.SubscriberAge, _ = parseAgeDays(v)
		default:
			ev.Attrs = append(ev.Attrs, Attr{k, v})
		}
	}
}

func hostOnly(hostport string) string {
	if strings.HasPrefix(hostport, "[") {
		if i := strings.IndexByte(hostport, ']'); i > 0 {
			return hostport[1:i]
		}
	}
	if strings.Count(hostport, ":") == 1 {
		return hostport[:strings.IndexByte(hostport, ':')]
	}
	return hostport
}

// sesRecord is the part of an Amazon SES event we read. Event publishing
// uses "eventType", SNS notifications "notificationType"; the payloads are
// the same (https://docs.aws.amazon.com/ses/latest/dg/event-publishing-retrieving-sns-contents.html).
type sesRecord struct {
	EventType        string `json:"eventType"`
	NotificationType string `json:"notificationType"`
	// SNS envelope: the record is a JSON string in Message.
	Type    string `json:"Type"`
	Message string `json:"Message"`

	Mail struct {
		Timestamp     string              `json:"timestamp"`
		MessageID     string              `json:"messageId"`
		SourceIP      string              `json:"sourceIp"`
		Tags          map[string][]string `json:"tags"`
		CommonHeaders struct {
			Subject string   `json:"subject"`
			From    []string `json:"from"`
		} `json:"commonHeaders"`
	} `json:"mail"`
	Bounce *struct {
		BounceType        string         `json:"bounceType"`
		BounceSubType     string         `json:"bounceSubType"`
		BouncedRecipients []sesRecipient `json:"bouncedRecipients"`
		Timestamp         string         `json:"timestamp"`
	} `json:"bounce"`
	Delivery *struct {
		Timestamp    string   `json:"timestamp"`
		Recipients   []string `json:"recipients"`
		SMTPResponse string   `json:"smtpResponse"`
		RemoteMTAIP  string   `json:"remoteMtaIp"`
	} `json:"delivery"`
	Complaint *struct {
		ComplainedRecipients []sesRecipient `json:"complainedRecipients"`
		Timestamp            string         `json:"timestamp"`
		FeedbackType         string         `json:"complaintFeedbackType"`
	} `json:"complaint"`
	DeliveryDelay *struct {
		DelayType         string         `json:"delayType"`
		DelayedRecipients []sesRecipient `json:"delayedRecipients"`
		Timestamp         string         `json:"timestamp"`
	} `json:"deliveryDelay"`
}

type sesRecipient struct {
	EmailAddress   string `json:"emailAddress"`
	Status         string `json:"status"`
	DiagnosticCode string `json:"diagnosticCode"`
}

// MaxSESRecipients limits the recipients read from one SES record; SES
// itself sends to at most 50 per message.
const MaxSESRecipients = 1000

func parseSESEvents(rd *Reader, line []byte, evs []Event) ([]Event, bool, error) {
	var rec sesRecord
	if err := json.Unmarshal(line, &rec); err != nil {
		return evs, false, fmt.Errorf("%w: %v", ErrBadRecord, err)
	}
	if rec.Type == "Notification" && rec.Message != "" && rec.EventType == "" && rec.NotificationType == "" {
		var inner sesRecord
		if err := json.Unmarshal([]byte(rec.Message), &inner); err != nil {
			return evs, false, fmt.Errorf("%w: SNS Message: %v", ErrBadRecord, err)
		}
		rec = inner
	}
	kind := rec.EventType
	if kind == "" {
		kind = rec.NotificationType
	}
	base := Event{MessageID: rec.Mail.MessageID}
	if s := rec.Mail.CommonHeaders.Subject; s != "" {
		base.Attrs = append(base.Attrs, Attr{"subject", s})
	}
	if len(rec.Mail.CommonHeaders.From) > 0 {
		if d := (&Event{Recipient: rec.Mail.CommonHeaders.From[0]}).Domain(); d != "" {
			base.Attrs = append(base.Attrs, Attr{"from_domain", d})
		}
	}
	if len(rec.Mail.Tags) > 0 {
		meta := make(map[string]any, len(rec.Mail.Tags))
		for k, v := range rec.Mail.Tags {
			// SES adds its own ses:* tags (source IP of the API call,
			// configuration set...); they describe the caller, not the mail.
			if strings.HasPrefix(k, "ses:") || len(v) == 0 {
				continue
			}
			meta[k] = v[0]
		}
		metaToEvent(&base, meta)
	}
	add := func(out Outcome, rcpt, reply, ts string) error {
		if len(evs) >= MaxSESRecipients {
			return nil
		}
		if strings.TrimSpace(rcpt) == "" {
			return ErrNoRecipient
		}
		ev := base
		ev.Attrs = append([]Attr(nil), base.Attrs...)
		ev.Recipient, ev.Outcome, ev.ReplyText = rcpt, out, reply
		if ts == "" {
			ts = rec.Mail.Timestamp
		}
		t, err := parseTime(ts, rd.loc())
		if err != nil {
			return err
		}
		ev.Time = t
		evs = append(evs, ev)
		return nil
	}
	var err error
	switch kind {
	case "Bounce":
		if rec.Bounce == nil {
			return evs, false, fmt.Errorf("%w: Bounce without bounce object", ErrBadRecord)
		}
		// A Transient bounce is SES giving up after retries or a soft
		// failure it reports once; it is still a failed delivery.
		for _, r := range rec.Bounce.BouncedRecipients {
			reply := strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(r.DiagnosticCode, "smtp;"), "smtp; "))
			if reply == "" {
				reply = r.Status
			}
			if err = add(OutcomeBounced, r.EmailAddress, reply, rec.Bounce.Timestamp); err != nil {
				break
			}
		}
	case "Delivery":
		if rec.Delivery == nil {
			return evs, false, fmt.Errorf("%w: Delivery without delivery object", ErrBadRecord)
		}
		for _, r := range rec.Delivery.Recipients {
			if err = add(OutcomeDelivered, r, rec.Delivery.SMTPResponse, rec.Delivery.Timestamp); err != nil {
				break
			}
		}
	case "Complaint":
		if rec.Complaint == nil {
			return evs, false, fmt.Errorf("%w: Complaint without complaint object", ErrBadRecord)
		}
		for _, r := range rec.Complaint.ComplainedRecipients {
			if err = add(OutcomeComplained, r.EmailAddress, "", rec.Complaint.Timestamp); err != nil {
				break
			}
		}
	case "DeliveryDelay":
		if rec.DeliveryDelay == nil {
			return evs, false, fmt.Errorf("%w: DeliveryDelay without deliveryDelay object", ErrBadRecord)
		}
		for _, r := range rec.DeliveryDelay.DelayedRecipients {
			reply := strings.TrimSpace(strings.TrimPrefix(r.DiagnosticCode, "smtp;"))
			if reply == "" {
				reply = r.Status
			}
			if err = add(OutcomeDeferred, r.EmailAddress, reply, rec.DeliveryDelay.Timestamp); err != nil {
				break
			}
		}
	case "":
		return evs, false, fmt.Errorf("%w: no eventType or notificationType", ErrBadRecord)
	default:
		// Send, Reject, Open, Click, Rendering Failure, Subscription: not
		// delivery outcomes.
		return evs, false, nil
	}
	if err != nil {
		return evs[:0], false, err
	}
	return evs, len(evs) > 0, nil
}
