package segment

// This file reads KumoMTA JSON log records
// (https://docs.kumomta.com/reference/log_record/).

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

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
