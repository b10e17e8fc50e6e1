package flowtest

import (
	"bufio"
	"encoding/base64"
	"net"
	"net/textproto"
	"strings"
	"sync"
)

// SMTPServer is a minimal SMTP server on 127.0.0.1 that keeps the messages
// it is sent: the mailbox of the shared sandboxes, where the flow's
// shipping confirmations land through PATCHBAY_SMTP_URL. With a password
// it refuses any other login (AUTH PLAIN); without one it takes mail with
// no login.
type SMTPServer struct {
	ln       net.Listener
	password string
	mu       sync.Mutex
	messages []string
	wg       sync.WaitGroup
}

// StartSMTP starts an SMTP server on 127.0.0.1 on a free port.
func StartSMTP(password string) (*SMTPServer, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &SMTPServer{ln: ln, password: password}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s.wg.Add(1)
			go func() { defer s.wg.Done(); s.serve(c) }()
		}
	}()
	return s, nil
}

// Addr is the server's host:port.
func (s *SMTPServer) Addr() string { return s.ln.Addr().String() }

// URL is the PATCHBAY_SMTP_URL that sends mail here, from "from".
func (s *SMTPServer) URL(from string) string {
	user := ""
	if s.password != "" {
		user = "shop:" + s.password + "@"
	}
	return "smtp://" + user + s.Addr() + "?from=" + from
}

// Close stops the server and waits for its connections to end.
func (s *SMTPServer) Close() {
	s.ln.Close()
	s.wg.Wait()
}

// Messages returns every message delivered, headers and body, in order.
func (s *SMTPServer) Messages() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.messages...)
}

// Distinct counts the messages by Message-ID: a message delivered twice
// (a sender that died after the server took it, and sent it again) counts
// once, as a mail client that threads on Message-ID shows it.
func (s *SMTPServer) Distinct() int {
	ids := map[string]bool{}
	for _, m := range s.Messages() {
		h, _ := textproto.NewReader(bufio.NewReader(strings.NewReader(m))).ReadMIMEHeader()
		id := h.Get("Message-Id")
		if id == "" {
			id = m
		}
		ids[id] = true
	}
	return len(ids)
}

func (s *SMTPServer) serve(c net.Conn) {
	defer c.Close()
	r := bufio.NewReader(c)
	say := func(line string) { c.Write([]byte(line + "\r\n")) }
	say("220 localhost ESMTP patchbay sandbox")
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		cmd := strings.ToUpper(strings.TrimSpace(line))
		switch {
		case strings.HasPrefix(cmd, "EHLO"):
			say("250-localhost")
			say("250 AUTH PLAIN")
		case strings.HasPrefix(cmd, "HELO"):
			say("250 localhost")
		case strings.HasPrefix(cmd, "AUTH PLAIN"):
			creds, _ := base64.StdEncoding.DecodeString(strings.TrimSpace(strings.TrimSpace(line)[len("AUTH PLAIN"):]))
			if parts := strings.Split(string(creds), "\x00"); len(parts) == 3 && parts[2] == s.password {
				say("235 2.7.0 Authentication successful")
			} else {
				say("535 5.7.8 Authentication credentials invalid")
			}
		case strings.HasPrefix(cmd, "MAIL"), strings.HasPrefix(cmd, "RCPT"), strings.HasPrefix(cmd, "RSET"), cmd == "NOOP":
			say("250 OK")
		case cmd == "DATA":
			say("354 go ahead")
			var msg strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				msg.WriteString(strings.TrimPrefix(l, ".")) // dot-stuffing
			}
			s.mu.Lock()
			s.messages = append(s.messages, msg.String())
			s.mu.Unlock()
			say("250 OK queued")
		case cmd == "QUIT":
			say("221 bye")
			return
		default:
			say("502 not implemented")
		}
	}
}
