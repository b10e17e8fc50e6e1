package easypost_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"log/slog"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/connector/connectortest"
	"github.com/patchbay-go/patchbay/shipping"
	"github.com/patchbay-go/patchbay/shipping/easypost"
	"github.com/patchbay-go/patchbay/shipping/shippingtest"
)

// A sentinel API key never reaches an error or a log line, even when
// EasyPost's answers echo it back, as the key or as the Basic token.
func TestSecretNeverLeaks(t *testing.T) {
	const sentinel = "EZTKSENTINEL5c1e9a7b3d0f"
	token := base64.StdEncoding.EncodeToString([]byte(sentinel + ":"))
	srv := connectortest.NewServer(t,
		connectortest.Fault{Status: 401, Body: `{"error":{"code":"APIKEY.INACTIVE","message":"API key ` + sentinel + ` is not active","errors":[]}}`},
		connectortest.Fault{Status: 422, Body: `{"error":{"code":"SHIPMENT.INVALID_PARAMS","message":"Basic ` + token + ` refused","errors":[{"field":"` + sentinel + `","message":"bad"}]}}`},
		connectortest.Fault{Status: 503, Header: http.Header{"Content-Type": {"text/plain"}}, Body: "EasyPost is down; your key was " + sentinel},
	)
	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	client, err := easypost.New(easypost.Config{BaseURL: srv.URL, Auth: easypost.APIKey(sentinel)},
		connector.WithHTTPClient(srv.Client()), connector.WithLogger(logger),
		connector.WithRetryPolicy(connector.RetryPolicy{MaxAttempts: 1}))
	require.NoError(t, err)
	ctx := context.Background()

	_, err = client.Tracking.Track(ctx, "usps", "9400")
	assert.ErrorIs(t, err, connector.ErrUnauthorized)
	connectortest.CheckNoSecret(t, err, sentinel)
	connectortest.CheckNoSecret(t, err, token)
	_, err = client.Rates.Quote(ctx, shippingtest.From, shippingtest.To, []shipping.Parcel{shippingtest.Box})
	assert.ErrorIs(t, err, connector.ErrValidation)
	connectortest.CheckNoSecret(t, err, sentinel)
	connectortest.CheckNoSecret(t, err, token)
	_, err = client.Tracking.Track(ctx, "ups", "1Z")
	assert.ErrorIs(t, err, connector.ErrUnavailable)
	connectortest.CheckNoSecret(t, err, sentinel)

	require.Equal(t, 3, srv.Hits())
	for _, r := range srv.Requests() {
		require.Equal(t, "Basic "+token, r.Header.Get("Authorization"), "the credential was not sent: the test proves nothing")
	}
	require.NotEmpty(t, logs.String(), "nothing was logged: the test proves nothing")
	assert.NotContains(t, logs.String(), sentinel, "a log line carries the key")
	assert.NotContains(t, logs.String(), token, "a log line carries the Basic token")
}
