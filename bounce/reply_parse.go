package bounce

import "strings"

// ParseReply reads one SMTP reply. (Temporary minimal implementation while
// the full parser lands.)
func ParseReply(s string) (Reply, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Reply{}, &ParseError{What: "reply", Err: ErrEmptyReply}
	}
	r := Reply{Raw: s}
	if len(s) >= 3 && s[0] >= '2' && s[0] <= '5' && s[1] >= '0' && s[1] <= '9' && s[2] >= '0' && s[2] <= '9' {
		r.Code = int(s[0]-'0')*100 + int(s[1]-'0')*10 + int(s[2]-'0')
		s = strings.TrimLeft(s[3:], " -")
	}
	if st, n := scanStatus(s); n > 0 {
		r.Status = st
		s = strings.TrimSpace(s[n:])
	}
	r.Text = s
	return r, nil
}
