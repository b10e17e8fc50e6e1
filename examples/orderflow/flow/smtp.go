package flow

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/smtp"
	"net/url"
	"strings"
	"sync"
	"time"
)

// SMTPMailer sends messages through an SMTP server, such as your provider's
// relay or a local MailHog.
//
// SMTP has no idempotency: a process killed after the server accepted a
// message and before the flow recorded it sends it again on the re-run.
// Each message's Message-ID is derived from its key, so the copies are
// recognisably one message (many mail systems drop the second), and within
// one process a key is sent once.
type SMTPMailer struct {
	addr, host string
	auth       smtp.Auth
	from       string
	implicit   bool // smtps://: TLS from the first byte

	mu   sync.Mutex
	sent map[string]bool
}

// NewSMTPMailer parses an SMTP URL: smtp://[user:password@]host[:port]
// (STARTTLS when the server offers it; port 587 if none is given) or
// smtps://... (TLS, port 465). The query's from= sets the sender.
func NewSMTPMailer(raw string) (*SMTPMailer, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "smtp" && u.Scheme != "smtps") {
		return nil, fmt.Errorf("orderflow: an SMTP URL looks like smtp://user:password@host:587?from=shop@example.com")
	}
	m := &SMTPMailer{host: u.Hostname(), implicit: u.Scheme == "smtps", from: u.Query().Get("from"), sent: map[string]bool{}}
	port := u.Port()
	if port == "" {
		port = map[bool]string{false: "587", true: "465"}[m.implicit]
	}
	m.addr = net.JoinHostPort(m.host, port)
	if m.from == "" {
		m.from = "orders@" + m.host
	}
	if u.User != nil {
		pass, _ := u.User.Password()
		m.auth = smtp.PlainAuth("", u.User.Username(), pass, m.host)
	}
	return m, nil
}

// Send delivers m once per key in this process.
func (s *SMTPMailer) Send(ctx context.Context, key string, m Message) (bool, error) {
	s.mu.Lock()
	if s.sent[key] {
		s.mu.Unlock()
		return true, nil
	}
	s.mu.Unlock()
	if err := s.deliver(ctx, key, m); err != nil {
		return false, err
	}
	s.mu.Lock()
	s.sent[key] = true
	s.mu.Unlock()
	return false, nil
}

func (s *SMTPMailer) deliver(ctx context.Context, key string, m Message) error {
	d := net.Dialer{Timeout: 10 * time.Second}
	var conn net.Conn
	var err error
	if s.implicit {
		conn, err = (&tls.Dialer{NetDialer: &d, Config: &tls.Config{ServerName: s.host}}).DialContext(ctx, "tcp", s.addr)
	} else {
		conn, err = d.DialContext(ctx, "tcp", s.addr)
	}
	if err != nil {
		return fmt.Errorf("smtp: %w", err)
	}
	defer conn.Close()
	deadline := time.Now().Add(30 * time.Second)
	if dl, ok := ctx.Deadline(); ok && dl.Before(deadline) {
		deadline = dl
	}
	_ = conn.SetDeadline(deadline)
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()

	c, err := smtp.NewClient(conn, s.host)
	if err != nil {
		return fmt.Errorf("smtp: %w", err)
	}
	defer c.Close()
	if ok, _ := c.Extension("STARTTLS"); ok && !s.implicit {
		if err := c.StartTLS(&tls.Config{ServerName: s.host}); err != nil {
			return fmt.Errorf("smtp: STARTTLS: %w", err)
		}
	}
	if s.auth != nil {
		if err := c.Auth(s.auth); err != nil {
			return fmt.Errorf("smtp: %w", err) // net/smtp never echoes the password
		}
	}
	if err := c.Mail(s.from); err != nil {
		return fmt.Errorf("smtp: MAIL FROM: %w", err)
	}
	if err := c.Rcpt(m.To); err != nil {
		return fmt.Errorf("smtp: RCPT TO: %w", err)
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("smtp: DATA: %w", err)
	}
	if _, err := w.Write(s.format(key, m)); err != nil {
		return fmt.Errorf("smtp: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("smtp: %w", err)
	}
	return c.Quit()
}

// format writes the message with headers; the Message-ID comes from the key.
func (s *SMTPMailer) format(key string, m Message) []byte {
	clean := func(v string) string { return strings.NewReplacer("\r", " ", "\n", " ").Replace(v) }
	var b strings.Builder
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\nSubject: %s\r\n", clean(s.from), clean(m.To), clean(m.Subject))
	fmt.Fprintf(&b, "Message-ID: <%s@patchbay>\r\nDate: %s\r\n", clean(key), time.Now().UTC().Format(time.RFC1123Z))
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n")
	b.WriteString(strings.ReplaceAll(strings.ReplaceAll(m.Body, "\r\n", "\n"), "\n", "\r\n"))
	return []byte(b.String())
}
