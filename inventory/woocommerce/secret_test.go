package woocommerce_test

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
	"github.com/patchbay-go/patchbay/inventory"
	"github.com/patchbay-go/patchbay/inventory/woocommerce"
)

// The consumer key and secret never reach an error or a log line, even
// when the shop echoes them back: in WooCommerce's error bodies, the
// Basic pair as sent, a host's HTML page.
func TestSecretNeverLeaks(t *testing.T) {
	const key = "ck_SENTINELa1b2c3d4e5f60718293a4b5c6d7e8f90"
	const secret = "cs_SENTINEL0f9e8d7c6b5a49382716f5e4d3c2b1a0"
	pair := base64.StdEncoding.EncodeToString([]byte(key + ":" + secret))
	srv := connectortest.NewServer(t,
		connectortest.Fault{Status: 401, Body: `{"code":"woocommerce_rest_authentication_error","message":"Consumer secret is invalid: ` + secret + `","data":{"status":401}}`},
		connectortest.Fault{Status: 404, Body: `{"code":"woocommerce_rest_product_invalid_id","message":"Invalid ID for key ` + key + `.","data":{"status":404}}`},
		connectortest.Fault{Status: 400, Body: `{"code":"rest_invalid_param","message":"Invalid parameter(s): Authorization Basic ` + pair + `","data":{"status":400}}`},
		connectortest.Fault{Status: 503, Header: http.Header{"Content-Type": {"text/html"}}, Body: "<h1>Service unavailable</h1> " + key + " " + secret},
	)
	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	client, err := woocommerce.New(woocommerce.Config{BaseURL: srv.URL, Auth: woocommerce.ConsumerKey(key, secret)},
		connector.WithHTTPClient(srv.Client()), connector.WithLogger(logger),
		connector.WithRetryPolicy(connector.RetryPolicy{MaxAttempts: 1}))
	require.NoError(t, err)
	ctx := context.Background()

	_, err = client.Items.GetBySKU(ctx, "MUG")
	assert.ErrorIs(t, err, connector.ErrUnauthorized)
	assert.ErrorContains(t, err, "Consumer secret is invalid", "WooCommerce's message is kept")
	check := func(err error) {
		t.Helper()
		connectortest.CheckNoSecret(t, err, secret)
		connectortest.CheckNoSecret(t, err, key)
		connectortest.CheckNoSecret(t, err, pair)
	}
	check(err)
	_, err = client.Orders.Get(ctx, "727")
	assert.ErrorIs(t, err, connector.ErrNotFound)
	check(err)
	err = client.Stock.Set(ctx, []inventory.Quantity{{ItemID: "93", Quantity: 1}})
	assert.ErrorIs(t, err, connector.ErrValidation)
	check(err)
	_, err = client.Orders.Get(ctx, "728")
	check(err)

	require.Equal(t, 4, srv.Hits())
	for _, r := range srv.Requests() {
		require.Equal(t, "Basic "+pair, r.Header.Get("Authorization"), "the credential was not sent: the test proves nothing")
		require.NotContains(t, r.Query, "consumer", "the credential went into the URL")
	}
	require.NotEmpty(t, logs.String(), "nothing was logged: the test proves nothing")
	for _, s := range []string{key, secret, pair} {
		assert.NotContains(t, logs.String(), s, "a log line carries the credential")
	}
}

// New refuses a shop over plain http, but on this machine: Basic auth
// would send the secret in the clear.
func TestNewRefusesPlainHTTP(t *testing.T) {
	auth := woocommerce.ConsumerKey("ck_x", "cs_y")
	_, err := woocommerce.New(woocommerce.Config{BaseURL: "http://shop.example.com", Auth: auth})
	assert.ErrorContains(t, err, "https")
	for _, ok := range []string{"https://shop.example.com", "shop.example.com", "http://127.0.0.1:8080", "http://localhost"} {
		_, err := woocommerce.New(woocommerce.Config{BaseURL: ok, Auth: auth})
		assert.NoError(t, err, ok)
	}
	_, err = woocommerce.New(woocommerce.Config{BaseURL: "https://shop.example.com"})
	assert.Error(t, err)
}
