package bounce

import (
	"errors"
	"reflect"
	"strconv"
	"strings"
)

// FromError extracts the SMTP reply from an error returned by a Go SMTP
// client, and reports whether there was one. It walks the error chain
// (errors.Unwrap, including joined errors) and reads:
//
//   - *net/textproto.Error (what net/smtp returns): Code and Msg;
//   - *github.com/emersion/go-smtp.SMTPError: Code, EnhancedCode and Message.
//     Its Error() string drops the enhanced code, so FromError reads the
//     fields, not the string;
//   - any other error value (or pointer to one) of an SMTP package (its
//     package path or type name says "smtp" or "textproto") that is a struct
//     with an int field Code and a string field Msg or Message, and
//     optionally an EnhancedCode field of type [3]int: the same shape, from
//     other SMTP clients. An error of that shape from anything else (an HTTP
//     API's {Code: 500, Message: ...}) is not an SMTP reply and is passed
//     over, so that it cannot stop a queue's retries.
//
// The fields are read by reflection on their names and types, so bouncekit
// does not depend on go-smtp; the adapter keeps working as long as go-smtp
// keeps those field names. Errors without a reply (a dial timeout, a reset
// connection) give false: the caller should treat them as network failures.
func FromError(err error) (Reply, bool) {
	for _, e := range errorChain(err, 0) {
		if r, ok := replyFromValue(e); ok {
			return r, true
		}
	}
	return Reply{}, false
}

// errorChain flattens err's Unwrap tree, depth first, bounded.
func errorChain(err error, depth int) []error {
	if err == nil || depth > 32 {
		return nil
	}
	out := []error{err}
	switch u := err.(type) {
	case interface{ Unwrap() error }:
		out = append(out, errorChain(u.Unwrap(), depth+1)...)
	case interface{ Unwrap() []error }:
		for _, e := range u.Unwrap() {
			out = append(out, errorChain(e, depth+1)...)
		}
	}
	return out
}

func replyFromValue(err error) (Reply, bool) {
	v := reflect.ValueOf(err)
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return Reply{}, false
		}
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct || !isSMTPType(v.Type()) {
		return Reply{}, false
	}
	codeF := v.FieldByName("Code")
	if !codeF.IsValid() || codeF.Kind() != reflect.Int {
		return Reply{}, false
	}
	msgF := v.FieldByName("Message")
	if !msgF.IsValid() {
		msgF = v.FieldByName("Msg")
	}
	if !msgF.IsValid() || msgF.Kind() != reflect.String {
		return Reply{}, false
	}
	code := int(codeF.Int())
	if code < 200 || code > 599 {
		return Reply{}, false
	}
	var enh Status
	if f := v.FieldByName("EnhancedCode"); f.IsValid() && f.Kind() == reflect.Array && f.Len() == 3 && f.Type().Elem().Kind() == reflect.Int {
		enh = NewStatus(int(f.Index(0).Int()), int(f.Index(1).Int()), int(f.Index(2).Int()))
	}
	msg := msgF.String()
	var b strings.Builder
	b.WriteString(strconv.Itoa(code))
	b.WriteByte(' ')
	if enh.IsValid() && !strings.HasPrefix(strings.TrimSpace(msg), enh.String()) {
		b.WriteString(enh.String())
		b.WriteByte(' ')
	}
	// net/textproto joins the lines of a multi-line reply with "\n" after
	// removing their code prefixes.
	b.WriteString(msg)
	r, perr := ParseReply(b.String())
	if perr != nil && !errors.Is(perr, ErrReplyTooLong) {
		return Reply{}, false
	}
	r.Code = code
	if enh.IsValid() {
		r.Status = enh
		r.Flags &^= FlagClassMismatch
		if enh.Class() != code/100 {
			r.Flags |= FlagClassMismatch
		}
	}
	return r, true
}

// isSMTPType reports whether t comes from an SMTP client package: its
// package path or name mentions smtp (net/smtp's errors are
// net/textproto's).
func isSMTPType(t reflect.Type) bool {
	n := strings.ToLower(t.PkgPath() + "." + t.Name())
	return strings.Contains(n, "smtp") || strings.Contains(n, "textproto")
}
