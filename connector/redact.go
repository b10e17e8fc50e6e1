package connector

import (
	"net/url"
	"strings"
	"sync"
)

// redacted replaces every secret in log lines and errors.
const redacted = "[REDACTED]"

// minSecretLen keeps short values (an empty password, "1") from being
// registered: replacing them everywhere would shred messages, and they are
// not secrets worth the name.
const minSecretLen = 6

// maxSecrets bounds the set: OAuth2 access tokens rotate every hour or so,
// and only the recent ones can still appear in a body or an error.
const maxSecrets = 64

// sensitiveParams are query parameters that carry credentials, whose
// values are always redacted, whatever the client knows of its secrets:
// OAuth2's tokens and client secret, and the names vendors give their API
// keys in query strings (HubSpot's legacy hapikey, Pipedrive's api_token,
// WooCommerce's consumer_key and consumer_secret). Names as common as
// "code", "state" or "key" are a vendor's ordinary filters in most
// requests; their values are masked only when they are registered secrets.
var sensitiveParams = map[string]bool{
	"access_token": true, "refresh_token": true, "id_token": true, "client_secret": true,
	"code_verifier": true, "api_key": true, "apikey": true, "api_token": true, "hapikey": true,
	"consumer_key": true, "consumer_secret": true, "password": true, "secret": true,
	"signature": true, "sig": true, "token": true, "auth": true, "authorization": true,
}

// Redactor removes a client's secrets from everything it logs or returns;
// its auth registers them.
type Redactor struct {
	mu      sync.RWMutex
	secrets map[string]struct{}
	order   []string // insertion order, for evicting the oldest
}

// newRedactor returns an empty Redactor.
func newRedactor() *Redactor {
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
			s = strings.ReplaceAll(s, secret, redacted)
		}
		// Secrets also travel URL-encoded (query strings, form bodies).
		if esc := url.QueryEscape(secret); esc != secret && strings.Contains(s, esc) {
			s = strings.ReplaceAll(s, esc, redacted)
		}
	}
	return s
}

// bytes is String for a body.
func (r *Redactor) bytes(b []byte) []byte {
	if len(b) == 0 {
		return b
	}
	return []byte(r.String(string(b)))
}

// addQuery registers the values of u's sensitive query parameters (api_key,
// access_token, ...), so that a vendor echoing them back in an error body
// cannot put them into an error.
func (r *Redactor) addQuery(u *url.URL) {
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

// url returns u as text with sensitive query values and user info removed.
func (r *Redactor) url(u *url.URL) string {
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
			c.RawQuery = redacted
		} else {
			for name := range q {
				if sensitiveParams[strings.ToLower(name)] {
					q[name] = []string{redacted}
				}
			}
			c.RawQuery = q.Encode()
		}
	}
	return r.String(c.String())
}
