package flow

import (
	"context"
	"sync"
)

// Message is an email to a customer.
type Message struct {
	To, Subject, Body string
}

// Mailer sends a message once per key: sending it again with the same key
// does nothing and says so.
type Mailer interface {
	Send(ctx context.Context, key string, m Message) (alreadySent bool, err error)
}

// Mailbox is a Mailer that keeps messages in memory, for demos and tests.
type Mailbox struct {
	mu   sync.Mutex
	keys map[string]bool
	msgs []Message
}

// NewMailbox returns an empty mailbox.
func NewMailbox() *Mailbox { return &Mailbox{keys: map[string]bool{}} }

func (m *Mailbox) Send(_ context.Context, key string, msg Message) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.keys[key] {
		return true, nil
	}
	m.keys[key] = true
	m.msgs = append(m.msgs, msg)
	return false, nil
}

// Messages returns what was sent.
func (m *Mailbox) Messages() []Message {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]Message(nil), m.msgs...)
}
