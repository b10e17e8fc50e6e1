package connector

import (
	"net/url"
	"strings"
	"sync"
)

// Redacted replaces every secret in log lines and errors.
const Redacted = "[REDACTED]"

// minSecretLen keeps short values (an empty password, "1") from being
// registered: replacing them everywhere would shred messages, and they are
// not secrets worth the name.
const minSecretLen = 6

// maxSecrets bounds the set: OAuth2 access tokens rotate every hour or so,
// and only the recent ones can still appear in a body or an error.
const maxSecrets = 64

// sensitiveParams are query parameters whose values are always redacted,
// whatever the client knows of its secrets.
var sensitiveParams = map[string]bool{
	"access_token": true, "refresh_token": true, "id_token": true, "token": true,
	"api_key": true, "apikey": true, "key": true, "secret": true, "client_secret": true,
	"password": true, "signature": true, "sig": true, "code": true, "code_verifier": true,
	"auth": true, "authorization": true, "hapikey": true, "state": true,
}

// Redactor removes secrets from text. Each client owns one: its auth
// registers the credentials it applies, and everything the client logs or
// returns goes through it. It is safe for concurrent use.
type Redactor struct {
	mu      sync.RWMutex
	secrets map[string]struct{}
	order   []string // insertion order, for evicting the oldest
}

// NewRedactor returns an empty Redactor.
func NewRedactor() *Redactor {
	return &Redactor{secrets: make(map[string]struct{})}
}

// Add registers a secret value. Values shorter than six bytes are ignored.
func (r *Redactor) Add(secret string) {
	if len(secret) < minSecretLen {
		return
	}
	r.mu.RLock()
	_, known := r.secrets[secret]
	r.mu.RUnlock()
	if known {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, known := r.secrets[secret]; known {
		return
	}
	if len(r.order) >= maxSecrets {
		delete(r.secrets, r.order[0])
		r.order = r.order[1:]
	}
	r.secrets[secret] = struct{}{}
	r.order = append(r.order, secret)
}

// String returns s with every registered secret replaced by [REDACTED].
func (r *Redactor) String(s string) string {
	if r == nil || s == "" {
		return s
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	for secret := range r.secrets {
		if strings.Contains(s, secret) {
			s = strings.ReplaceAll(s, secret, Redacted)
		}
		// Secrets also travel URL-encoded (query strings, form bodies).
		if esc := url.QueryEscape(secret); esc != secret && strings.Contains(s, esc) {
			s = strings.ReplaceAll(s, esc, Redacted)
		}
	}
	return s
}

// Bytes is String for a body.
func (r *Redactor) Bytes(b []byte) []byte {
	if len(b) == 0 {
		return b
	}
	return []byte(r.String(string(b)))
}

// AddQuery registers the values of u's sensitive query parameters (api_key,
// access_token, ...), so that a vendor echoing them back in an error body
// cannot put them into an error.
func (r *Redactor) AddQuery(u *url.URL) {
	if u == nil || u.RawQuery == "" {
		return
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return
	}
	for name, values := range q {
		if sensitiveParams[strings.ToLower(name)] {
			for _, v := range values {
				r.Add(v)
			}
		}
	}
}

// URL returns u as text with sensitive query values and user info removed.
func (r *Redactor) URL(u *url.URL) string {
	if u == nil {
		return ""
	}
	if u.User == nil && u.RawQuery == "" {
		return r.String(u.String())
	}
	c := *u
	c.User = nil
	if c.RawQuery != "" {
		q, err := url.ParseQuery(c.RawQuery)
		if err != nil {
			c.RawQuery = Redacted
		} else {
			for name := range q {
				if sensitiveParams[strings.ToLower(name)] {
					q[name] = []string{Redacted}
				}
			}
			c.RawQuery = q.Encode()
		}
	}
	return r.String(c.String())
}
