// Package webhooktest is the contract suite every vendor's webhooks pass,
// as crmtest is for CRMs: one set of checks, whatever the vendor's
// signature scheme, so that a developer who trusts one vendor's handler can
// trust them all. An outside connector runs it on its own webhooks too.
//
//	func TestWebhookContract(t *testing.T) {
//		webhooktest.Run(t, webhooktest.Vendor[hubspot.Payload]{
//			NewHandler: hubspot.NewWebhookHandler,
//			Sign:       hubspot.SignWebhook,
//			Body:       []byte(`[{"eventId":1,"subscriptionType":"contact.creation","objectId":7}]`),
//			SignsBody:  true,
//			SignsTime:  true,
//		})
//	}
package webhooktest

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/patchbay-go/patchbay/connector/webhook"
)

// Vendor is what the suite needs of a vendor's webhooks.
type Vendor[P any] struct {
	// NewHandler is the vendor package's NewWebhookHandler.
	NewHandler func(cfg webhook.Config, handle func(ctx context.Context, e webhook.Event[P]) error) (http.Handler, error)
	// Sign is the vendor package's SignWebhook.
	Sign func(r *http.Request, body []byte, secret string, now time.Time)
	// Body is one delivery the vendor could send, with at least one event.
	Body []byte
	// URL is where deliveries are posted; default
	// "https://hooks.example.com/webhooks".
	URL string
	// Header is sent with every delivery, besides what Sign sets: the
	// headers the vendor sends unsigned (Shopify's X-Shopify-Topic), and
	// the delivery's id where Sign would make a fresh one for each request
	// (X-Shopify-Webhook-Id): a redelivery carries the same.
	Header http.Header
	// SignsBody says the signature covers the body, so that a changed byte
	// is refused (not so for a shared token in the URL: Shippo).
	SignsBody bool
	// SignsTime says a timestamp is signed, so that a stale or future one
	// is refused.
	SignsTime bool
}

// secret and rotated are the suite's secrets, long enough for every vendor.
const (
	secret  = "whsec-webhooktest-SENTINEL-0123456789"
	rotated = "whsec-webhooktest-SENTINEL-rotated-9876"
)

// Run checks the vendor's webhooks: a signed delivery is handled, each
// event once and with an ID and a kind; a redelivery is dropped; a wrong
// secret, a changed body and a stale or future timestamp are refused with
// 401; during a rotation both secrets verify; a failed handle answers 500
// and its redelivery is handled; a missing secret is a configuration
// error; no secret reaches a log line.
func Run[P any](t *testing.T, v Vendor[P]) {
	t.Helper()
	if v.URL == "" {
		v.URL = "https://hooks.example.com/webhooks"
	}
	now := time.Now()
	deliver := func(h http.Handler, body []byte, signWith string, at time.Time) int {
		r := httptest.NewRequest(http.MethodPost, v.URL, bytes.NewReader(v.Body))
		for k, vs := range v.Header {
			r.Header[http.CanonicalHeaderKey(k)] = vs
		}
		v.Sign(r, v.Body, signWith, at)
		r.Body = readCloser{bytes.NewReader(body)}
		r.ContentLength = int64(len(body))
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w.Code
	}

	var logs lockedBuffer
	newHandler := func(t *testing.T, secrets []string, rec *Recorder[P]) http.Handler {
		h, err := v.NewHandler(webhook.Config{Secrets: secrets, Logger: slog.New(slog.NewTextHandler(&logs, nil))}, rec.Handle)
		require.NoError(t, err)
		return h
	}

	t.Run("Delivered", func(t *testing.T) {
		rec := &Recorder[P]{}
		h := newHandler(t, []string{secret}, rec)
		require.Equal(t, http.StatusOK, deliver(h, v.Body, secret, now))
		events := rec.Events()
		require.NotEmpty(t, events, "a signed delivery handed on no event")
		for _, e := range events {
			assert.NotEmpty(t, e.ID, "an event has no ID to de-duplicate by")
			assert.NotEmpty(t, e.Kind, "an event has no vendor-neutral kind")
			assert.NotEmpty(t, e.Type, "an event has no vendor type")
		}
		require.Equal(t, http.StatusOK, deliver(h, v.Body, secret, now), "a redelivery is acknowledged")
		assert.Len(t, rec.Events(), len(events), "a redelivery was handled again")
	})

	t.Run("Refused", func(t *testing.T) {
		rec := &Recorder[P]{}
		h := newHandler(t, []string{secret}, rec)
		// A wrong secret, presented in a signature or as a token, must not
		// reach a log line either.
		assert.Equal(t, http.StatusUnauthorized, deliver(h, v.Body, "whsec-webhooktest-SENTINEL-wrong-0000", now), "wrong secret")
		if v.SignsBody {
			changed := append(bytes.Clone(v.Body), ' ') // one byte more, the JSON the same
			assert.Equal(t, http.StatusUnauthorized, deliver(h, changed, secret, now), "changed body")
		}
		if v.SignsTime {
			assert.Equal(t, http.StatusUnauthorized, deliver(h, v.Body, secret, now.Add(-time.Hour)), "stale timestamp")
			assert.Equal(t, http.StatusUnauthorized, deliver(h, v.Body, secret, now.Add(time.Hour)), "future timestamp")
		}
		assert.Empty(t, rec.Events(), "a refused delivery was handled")
		r := httptest.NewRequest(http.MethodGet, v.URL, nil)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		assert.Equal(t, http.StatusMethodNotAllowed, w.Code)
	})

	t.Run("Rotation", func(t *testing.T) {
		rec := &Recorder[P]{}
		h := newHandler(t, []string{rotated, secret}, rec)
		assert.Equal(t, http.StatusOK, deliver(h, v.Body, rotated, now), "signed with the new secret")
		n := len(rec.Events())
		require.NotZero(t, n)
		old := &Recorder[P]{}
		h = newHandler(t, []string{rotated, secret}, old)
		assert.Equal(t, http.StatusOK, deliver(h, v.Body, secret, now), "signed with the old secret")
		assert.Len(t, old.Events(), n, "the delivery signed with the old secret was not handled")
	})

	t.Run("FailureRedelivered", func(t *testing.T) {
		rec := &Recorder[P]{Fail: 1}
		h := newHandler(t, []string{secret}, rec)
		assert.Equal(t, http.StatusInternalServerError, deliver(h, v.Body, secret, now), "a failed handle asks for a redelivery")
		assert.Equal(t, http.StatusOK, deliver(h, v.Body, secret, now))
		assert.NotEmpty(t, rec.Events(), "the redelivery of a failed event was dropped")
	})

	t.Run("SecretRequired", func(t *testing.T) {
		for _, secrets := range [][]string{nil, {""}} {
			_, err := v.NewHandler(webhook.Config{Secrets: secrets}, (&Recorder[P]{}).Handle)
			assert.Error(t, err, "secrets %q accepted", secrets)
		}
	})

	require.NotEmpty(t, logs.String(), "nothing was logged: the secret check proves nothing")
	assert.NotContains(t, logs.String(), "SENTINEL", "a secret reached a log line")
}

// Recorder is a handle function for tests: it keeps the events it is
// given, after failing the first Fail calls. Safe for concurrent use.
type Recorder[P any] struct {
	Fail int

	mu     sync.Mutex
	events []webhook.Event[P]
}

// Handle is the handle function to give NewWebhookHandler.
func (r *Recorder[P]) Handle(_ context.Context, e webhook.Event[P]) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.Fail > 0 {
		r.Fail--
		return errors.New("queue down")
	}
	r.events = append(r.events, e)
	return nil
}

// Events returns the events handled so far.
func (r *Recorder[P]) Events() []webhook.Event[P] {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]webhook.Event[P](nil), r.events...)
}

type readCloser struct{ *bytes.Reader }

func (readCloser) Close() error { return nil }

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// Receiver is a vendor's webhook handler served on 127.0.0.1, with a
// Recorder as its handle function.
type Receiver[P any] struct {
	*httptest.Server
	*Recorder[P]
}

// Serve starts newHandler (a vendor package's NewWebhookHandler) over cfg
// on 127.0.0.1, recording what it handles; it is closed when t ends.
func Serve[P any](t testing.TB, newHandler func(webhook.Config, func(context.Context, webhook.Event[P]) error) (http.Handler, error),
	cfg webhook.Config) *Receiver[P] {
	t.Helper()
	rc := &Receiver[P]{Recorder: &Recorder[P]{}}
	h, err := newHandler(cfg, rc.Handle)
	if err != nil {
		t.Fatal(err)
	}
	rc.Server = httptest.NewServer(h)
	t.Cleanup(rc.Close)
	return rc
}
