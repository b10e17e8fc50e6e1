package webhook

import (
	"errors"
	"log/slog"
	"time"
)

// Config is the configuration of every vendor's webhook handler.
type Config struct {
	// Secrets verify deliveries: the signing secret (or, for a vendor that
	// does not sign, the shared token it is sent with). Several during a
	// rotation; any of them verifies. Required.
	Secrets []string
	// Tolerance bounds how far a signed timestamp may be from now, for
	// vendors that sign one. Zero is the vendor's documented default.
	Tolerance time.Duration
	// Seen drops redeliveries by event id. Nil keeps a bounded in-memory
	// store that remembers ids for longer than the vendor redelivers.
	Seen SeenStore
	// PublicURL is the URL the vendor posts to, exactly as registered, for
	// schemes that sign the URL (HubSpot). Empty: rebuilt from the request
	// (Host, X-Forwarded-Proto).
	PublicURL string
	// MaxBody caps a delivery's body. Default 1 MiB.
	MaxBody int64
	// Now is the clock; nil is time.Now.
	Now func() time.Time
	// Logger gets one line per rejected or failed delivery; nil discards.
	Logger *slog.Logger
}

// Keys returns the secrets as HMAC keys, skipping empty ones, so that a
// missing secret can never verify anything.
func (c Config) Keys() [][]byte {
	keys := make([][]byte, 0, len(c.Secrets))
	for _, s := range c.Secrets {
		if s != "" {
			keys = append(keys, []byte(s))
		}
	}
	return keys
}

// TimeNow reads the configured clock.
func (c Config) TimeNow() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

// ToleranceOr returns the configured tolerance, or def when none is set.
func (c Config) ToleranceOr(def time.Duration) time.Duration {
	if c.Tolerance > 0 {
		return c.Tolerance
	}
	return def
}

func (c Config) check(vendor string) error {
	if len(c.Keys()) == 0 {
		return errors.New(vendor + ": webhook.Config.Secrets is required")
	}
	return nil
}
