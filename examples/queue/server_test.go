package queue_test

import (
	"net"
	"net/textproto"
	"strings"
)

// scriptedServer is a minimal SMTP server (RFC 5321 §4.1) on 127.0.0.1 that
// answers RCPT TO or the end of DATA with a scripted reply per recipient. It
// is test scaffolding standing in for a receiving MX; a few lines over
// net/textproto are enough.
type scriptedServer struct {
	ln      net.Listener
	atRCPT  map[string]string // recipient -> reply to RCPT TO
	atData  map[string]string // recipient -> reply to the end of DATA
	greeted string
}

func startServer(atRCPT, atData map[string]string) (*scriptedServer, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &scriptedServer{ln: ln, atRCPT: atRCPT, atData: atData, greeted: "220 mx.example.test ESMTP"}
	go s.serve()
	return s, nil
}

// closedAddr returns a 127.0.0.1 address nothing listens on.
func closedAddr() string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "127.0.0.1:1"
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func (s *scriptedServer) Addr() string { return s.ln.Addr().String() }
func (s *scriptedServer) Close()       { s.ln.Close() }

func (s *scriptedServer) serve() {
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		go s.session(textproto.NewConn(c))
	}
}

func (s *scriptedServer) session(c *textproto.Conn) {
	defer c.Close()
	reply := func(line string) bool {
		// Multi-line scripted replies are written as given, one line each.
		for _, l := range strings.Split(line, "\n") {
			if err := c.PrintfLine("%s", l); err != nil {
				return false
			}
		}
		return true
	}
	if !reply(s.greeted) {
		return
	}
	var rcpt string
	for {
		line, err := c.ReadLine()
		if err != nil {
			return
		}
		verb := strings.ToUpper(strings.Fields(line + " x")[0])
		switch verb {
		case "EHLO", "HELO":
			reply("250 mx.example.test")
		case "MAIL":
			reply("250 2.1.0 OK")
		case "RCPT":
			rcpt = strings.Trim(strings.TrimPrefix(strings.ToLower(line[len("RCPT TO:"):]), " "), "<>")
			if r, ok := s.atRCPT[rcpt]; ok {
				reply(r)
				if strings.HasPrefix(r, "421") {
					return // 421 closes the channel (RFC 5321 §3.8)
				}
				continue
			}
			reply("250 2.1.5 OK")
		case "DATA":
			reply("354 go ahead")
			if _, err := c.ReadDotLines(); err != nil {
				return
			}
			if r, ok := s.atData[rcpt]; ok {
				reply(r)
				continue
			}
			reply("250 2.0.0 OK queued")
		case "RSET":
			rcpt = ""
			reply("250 2.0.0 OK")
		case "QUIT":
			reply("221 2.0.0 bye")
			return
		default:
			reply("502 5.5.2 command not recognized")
		}
	}
}
