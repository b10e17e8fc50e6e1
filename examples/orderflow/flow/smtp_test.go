package flow_test

import (
	"bufio"
	"context"
	"encoding/base64"
	"net"
	"strings"
	"sync"
	"testing"

	"github.com/patchbay-go/patchbay/examples/orderflow/flow"
)

// smtpServer is a minimal SMTP server on 127.0.0.1 that keeps what it is
// sent, or refuses the login when password is not the one given.
type smtpServer struct {
	ln       net.Listener
	password string
	mu       sync.Mutex
	messages []string
	wg       sync.WaitGroup
}

func startSMTP(t *testing.T, password string) *smtpServer {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &smtpServer{ln: ln, password: password}
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
	t.Cleanup(func() { ln.Close(); s.wg.Wait() })
	return s
}

func (s *smtpServer) serve(c net.Conn) {
	defer c.Close()
	r := bufio.NewReader(c)
	say := func(line string) { c.Write([]byte(line + "\r\n")) }
	say("220 localhost ESMTP test")
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
		case strings.HasPrefix(cmd, "AUTH PLAIN"):
			creds, _ := base64.StdEncoding.DecodeString(strings.TrimSpace(line)[len("AUTH PLAIN "):])
			if parts := strings.Split(string(creds), "\x00"); len(parts) == 3 && parts[2] == s.password {
				say("235 2.7.0 Authentication successful")
			} else {
				say("535 5.7.8 Authentication credentials invalid")
			}
		case strings.HasPrefix(cmd, "MAIL"), strings.HasPrefix(cmd, "RCPT"), strings.HasPrefix(cmd, "RSET"):
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
				msg.WriteString(l)
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

func (s *smtpServer) got() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.messages...)
}

func TestSMTPMailerSendsOncePerKey(t *testing.T) {
	srv := startSMTP(t, "pw-SENTINEL-8f3a")
	m, err := flow.NewSMTPMailer("smtp://shop:pw-SENTINEL-8f3a@" + srv.ln.Addr().String() + "?from=orders@example.com")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	msg := flow.Message{To: "ada@example.com", Subject: "Your order 1001 has shipped", Body: "Hello Ada,\nit is on its way.\n"}
	for i, wantAgain := range []bool{false, true} {
		again, err := m.Send(ctx, "pb-key-1001", msg)
		if err != nil || again != wantAgain {
			t.Fatalf("send %d: again=%v err=%v", i, again, err)
		}
	}
	got := srv.got()
	if len(got) != 1 {
		t.Fatalf("%d messages, want 1", len(got))
	}
	for _, want := range []string{"From: orders@example.com\r\n", "To: ada@example.com\r\n", "Subject: Your order 1001 has shipped\r\n",
		"Message-ID: <pb-key-1001@patchbay>\r\n", "\r\n\r\nHello Ada,\r\nit is on its way.\r\n"} {
		if !strings.Contains(got[0], want) {
			t.Errorf("message lacks %q:\n%s", want, got[0])
		}
	}
}

// A refused login is an error that names the problem and never the password.
func TestSMTPMailerKeepsThePasswordOut(t *testing.T) {
	srv := startSMTP(t, "the-right-one")
	m, err := flow.NewSMTPMailer("smtp://shop:pw-SENTINEL-8f3a@" + srv.ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	_, err = m.Send(context.Background(), "k", flow.Message{To: "ada@example.com", Subject: "s", Body: "b"})
	if err == nil || !strings.Contains(err.Error(), "535") {
		t.Fatalf("err = %v, want the server's refusal", err)
	}
	if strings.Contains(err.Error(), "SENTINEL") {
		t.Fatalf("the password leaked into the error: %v", err)
	}
	if len(srv.got()) != 0 {
		t.Fatal("a message went through a refused login")
	}
}

func TestSMTPMailerRefusesBadURLs(t *testing.T) {
	for _, raw := range []string{"", "mailto:ada@example.com", "smtp://", "http://host:25"} {
		if _, err := flow.NewSMTPMailer(raw); err == nil || !strings.Contains(err.Error(), "smtp://") {
			t.Errorf("%q: err = %v", raw, err)
		}
	}
}
