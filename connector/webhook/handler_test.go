package webhook_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/patchbay-go/patchbay/connector/webhook"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// A batch scheme: the body is event ids separated by commas, signed with
// a hex HMAC in the Signature header.
var batch = webhook.Scheme[string]{
	Vendor:     "batch",
	Redelivery: time.Hour,
	Verify: func(r *http.Request, body []byte, cfg webhook.Config) error {
		return webhook.VerifyHMAC(body, r.Header.Get("Signature"), webhook.Hex, cfg.Keys()...)
	},
	Parse: func(r *http.Request, body []byte) ([]webhook.Event[string], error) {
		if len(body) == 0 || body[0] == '!' {
			return nil, errors.New("not a batch")
		}
		var events []webhook.Event[string]
		for _, id := range strings.Split(string(body), ",") {
			events = append(events, webhook.Event[string]{ID: id, Kind: webhook.KindOther, Payload: id})
		}
		return events, nil
	},
}

func deliver(h http.Handler, secret, body string) int {
	r := httptest.NewRequest(http.MethodPost, "/hooks", strings.NewReader(body))
	r.Header.Set("Signature", webhook.SignHMAC([]byte(secret), []byte(body), webhook.Hex))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w.Code
}

// Of a batch whose third event fails, the first two stay handled and the
// redelivery hands on the third and the rest, each exactly once.
func TestBatchFailureRedeliversTheRest(t *testing.T) {
	var handled []string
	failOnce := true
	h, err := webhook.NewHandler(batch, webhook.Config{Secrets: []string{"secret-123456"}}, func(_ context.Context, e webhook.Event[string]) error {
		if e.ID == "c" && failOnce {
			failOnce = false
			return errors.New("database down")
		}
		handled = append(handled, e.ID)
		return nil
	})
	require.NoError(t, err)
	assert.Equal(t, 500, deliver(h, "secret-123456", "a,b,c,d"))
	assert.Equal(t, 200, deliver(h, "secret-123456", "a,b,c,d"))
	assert.Equal(t, 200, deliver(h, "secret-123456", "a,b,c,d"))
	assert.Equal(t, []string{"a", "b", "c", "d"}, handled)
}

// A signed body that is no event is refused with 400, not redelivered
// forever; a bad signature is 401 before anything is parsed.
func TestUnparseableAndUnsigned(t *testing.T) {
	h, err := webhook.NewHandler(batch, webhook.Config{Secrets: []string{"secret-123456"}}, func(context.Context, webhook.Event[string]) error { return nil })
	require.NoError(t, err)
	assert.Equal(t, 400, deliver(h, "secret-123456", "!garbage"))
	assert.Equal(t, 401, deliver(h, "wrong-secret", "a"))
	r := httptest.NewRequest(http.MethodGet, "/hooks", nil)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	assert.Equal(t, http.StatusMethodNotAllowed, w.Code)
}

// No secret, or only empty ones, is a configuration error: an empty key
// must never verify anything.
func TestSecretsRequired(t *testing.T) {
	for _, secrets := range [][]string{nil, {""}, {"", ""}} {
		_, err := webhook.NewHandler(batch, webhook.Config{Secrets: secrets}, func(context.Context, webhook.Event[string]) error { return nil })
		assert.Error(t, err, "secrets %q", secrets)
	}
}

// A verification that could not run (the vendor's key endpoint is down)
// is no verdict on the delivery: 500, so the vendor delivers it again.
func TestVerifyFailureIsRetried(t *testing.T) {
	down := batch
	down.Verify = func(*http.Request, []byte, webhook.Config) error { return errors.New("key endpoint unreachable") }
	h, err := webhook.NewHandler(down, webhook.Config{Secrets: []string{"secret-123456"}}, func(context.Context, webhook.Event[string]) error { return nil })
	require.NoError(t, err)
	assert.Equal(t, http.StatusInternalServerError, deliver(h, "secret-123456", "a"))
}
