package shippo_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/connector/connectortest"
	"github.com/patchbay-go/patchbay/connector/webhook"
	"github.com/patchbay-go/patchbay/shipping"
	"github.com/patchbay-go/patchbay/shipping/shippingtest"
	"github.com/patchbay-go/patchbay/shipping/shippo"
)

// A sentinel API token never reaches an error or a log line, even when
// Shippo's answers echo it back.
func TestSecretNeverLeaks(t *testing.T) {
	const sentinel = "shippo_test_SENTINEL_5c1e9a7b3d"
	srv := connectortest.NewServer(t,
		connectortest.Fault{Status: 401, Body: `{"detail":"Token ` + sentinel + ` does not exist"}`},
		connectortest.Fault{Status: 400, Body: `{"address_to":{"zip":["ShippoToken ` + sentinel + ` refused"]}}`},
		connectortest.Fault{Status: 503, Header: http.Header{"Content-Type": {"text/plain"}}, Body: "Shippo is down; your token was " + sentinel},
	)
	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	client, err := shippo.New(shippo.Config{BaseURL: srv.URL, Auth: shippo.APIToken(sentinel)},
		connector.WithHTTPClient(srv.Client()), connector.WithLogger(logger),
		connector.WithRetryPolicy(connector.RetryPolicy{MaxAttempts: 1}))
	require.NoError(t, err)
	ctx := context.Background()

	_, err = client.Tracking.Track(ctx, "usps", "9400")
	assert.ErrorIs(t, err, connector.ErrUnauthorized)
	connectortest.CheckNoSecret(t, err, sentinel)
	_, err = client.Rates.Quote(ctx, shippingtest.From, shippingtest.To, []shipping.Parcel{shippingtest.Box})
	assert.ErrorIs(t, err, connector.ErrValidation)
	connectortest.CheckNoSecret(t, err, sentinel)
	_, err = client.Tracking.Track(ctx, "ups", "1Z")
	assert.ErrorIs(t, err, connector.ErrUnavailable)
	connectortest.CheckNoSecret(t, err, sentinel)

	require.Equal(t, 3, srv.Hits())
	for _, r := range srv.Requests() {
		require.Equal(t, "ShippoToken "+sentinel, r.Header.Get("Authorization"), "the credential was not sent: the test proves nothing")
	}
	require.NotEmpty(t, logs.String(), "nothing was logged: the test proves nothing")
	assert.NotContains(t, logs.String(), sentinel, "a log line carries the credential")
}

// The webhook token rides in the URL: a token presented with a refused
// delivery never reaches the handler's log lines, nor does the query it
// came in. (The configured token: TestWebhookContract.)
func TestWebhookTokenNeverLogged(t *testing.T) {
	const token = "whtok-SENTINEL-0b9e4f1a2c3d"
	var logs bytes.Buffer
	h, err := shippo.NewWebhookHandler(webhook.Config{Secrets: []string{token}, Logger: slog.New(slog.NewJSONHandler(&logs, nil))},
		func(context.Context, shippo.Event) error { return nil })
	require.NoError(t, err)
	r := httptest.NewRequest(http.MethodPost, "/hooks/shippo", strings.NewReader(trackBody))
	shippo.SignWebhook(r, []byte(trackBody), "wrong-token-0000000000", time.Now())
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	require.Equal(t, http.StatusUnauthorized, w.Code)
	require.NotEmpty(t, logs.String(), "nothing was logged: the test proves nothing")
	assert.NotContains(t, logs.String(), "wrong-token", "a log line carries a presented token")
}
