package bounce_test

import (
	"encoding/json"
	"fmt"
	"net/textproto"

	"github.com/bouncekit/bouncekit/bounce"
)

func ExampleParseReply() {
	r, err := bounce.ParseReply("host mx01.mail.icloud.com[17.57.154.6] said: 554 5.7.1 [CS01] Message rejected due to local policy (in reply to end of DATA command)")
	if err != nil {
		panic(err)
	}
	fmt.Println(r.Code, r.Status, r.Tag(), r.Stage, r.RemoteHost, r.RemoteIP)
	fmt.Println(r.Text)
	// Output:
	// 554 5.7.1 CS01 DATA-END mx01.mail.icloud.com 17.57.154.6
	// [CS01] Message rejected due to local policy
}

func ExampleParseReply_multiline() {
	r, _ := bounce.ParseReply("550-5.7.26 This mail has been blocked because the sender is\r\n550 5.7.26 unauthenticated. - gsmtp")
	fmt.Println(r.Code, r.Status, r.Text)
	// Output:
	// 550 5.7.26 This mail has been blocked because the sender is unauthenticated. - gsmtp
}

func ExampleParseStatus() {
	st, err := bounce.ParseStatus("5.7.26")
	if err != nil {
		panic(err)
	}
	fmt.Println(st.Permanent(), st.Describe())
	// Output:
	// true Permanent Failure: Multiple authentication checks failed
}

func ExampleFromError() {
	// net/smtp returns *textproto.Error; go-smtp's *smtp.SMTPError works the same way.
	err := fmt.Errorf("rcpt: %w", &textproto.Error{Code: 452, Msg: "4.2.2 The recipient's inbox is out of storage space"})
	r, ok := bounce.FromError(err)
	fmt.Println(ok, r.Code, r.Status, r.Transient())
	// Output:
	// true 452 4.2.2 true
}

// A Reply is a value: it prints in its RFC 5321 one-line form, marshals to
// JSON with snake_case names, and logs as a group with log/slog.
func ExampleReply_String() {
	r, _ := bounce.ParseReply("host mx01.mail.icloud.com[17.57.154.6] said: 554 5.7.1 [CS01] Message rejected due to local policy (in reply to end of DATA command)")
	fmt.Println(r)
	b, _ := json.Marshal(r)
	fmt.Println(string(b))
	// Output:
	// 554 5.7.1 [CS01] Message rejected due to local policy
	// {"code":554,"status":"5.7.1","status_name":"Permanent Failure: Delivery not authorized, message refused","text":"[CS01] Message rejected due to local policy","tags":["CS01"],"stage":"DATA-END","remote_host":"mx01.mail.icloud.com","remote_ip":"17.57.154.6","raw":"host mx01.mail.icloud.com[17.57.154.6] said: 554 5.7.1 [CS01] Message rejected due to local policy (in reply to end of DATA command)"}
}
