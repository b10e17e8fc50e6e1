package flowtest

import (
	"bufio"
	"encoding/base64"
	"net"
	"net/textproto"
	"strings"
	"sync"
	"time"
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
	received []Received
	wg       sync.WaitGroup
}

// Received is a message's headers that say which it is, and when it came.
type Received struct {
	MessageID, To, Subject string
	At                     time.Time
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

// Received lists every delivery's Message-ID, recipient, subject and
// time, in order.
func (s *SMTPServer) Received() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Received(nil), s.received...)
}

// Distinct counts the messages by Message-ID: a message delivered twice
// (a sender that died after the server took it, and sent it again) counts
// once, as a mail client that threads on Message-ID shows it.
func (s *SMTPServer) Distinct() int {
	ids := map[string]bool{}
	n := 0
	for _, r := range s.Received() {
		if r.MessageID == "" {
			n++ // nothing says it is another's copy
		} else {
			ids[r.MessageID] = true
		}
	}
	return n + len(ids)
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
			h, _ := textproto.NewReader(bufio.NewReader(strings.NewReader(msg.String()))).ReadMIMEHeader()
			s.mu.Lock()
			s.messages = append(s.messages, msg.String())
			s.received = append(s.received, Received{MessageID: h.Get("Message-Id"), To: h.Get("To"), Subject: h.Get("Subject"), At: time.Now()})
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
