package shipengine_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/connector/connectortest"
	"github.com/patchbay-go/patchbay/shipping"
	"github.com/patchbay-go/patchbay/shipping/shipengine"
	"github.com/patchbay-go/patchbay/shipping/shippingtest"
)

// A sentinel API key never reaches an error or a log line, even when the
// answers echo it back.
func TestSecretNeverLeaks(t *testing.T) {
	const sentinel = "TEST_SENTINEL_5c1e9a7b3d"
	errs := func(code, msg string) string {
		return `{"request_id":"aa3d8e8e-462b-4476-9618-72db7f7b7009","errors":[{"error_source":"shipengine","error_type":"security",` +
			`"error_code":"` + code + `","message":"` + msg + `"}]}`
	}
	srv := connectortest.NewServer(t,
		connectortest.Fault{Status: 401, Body: errs("unauthorized", "API key "+sentinel+" is invalid")},
		connectortest.Fault{Status: 400, Body: errs("invalid_field_value", "API-Key: "+sentinel+" refused")},
		connectortest.Fault{Status: 503, Header: http.Header{"Content-Type": {"text/plain"}}, Body: "down; your key was " + sentinel},
		connectortest.Fault{Status: 400, Body: errs("invalid_field_value", "shipment refused for "+sentinel)},
	)
	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	client, err := shipengine.New(shipengine.Config{BaseURL: srv.URL, Auth: shipengine.APIKey(sentinel), CarrierIDs: []string{"se-1"}},
		connector.WithHTTPClient(srv.Client()), connector.WithLogger(logger), connector.WithRetryPolicy(connector.RetryPolicy{MaxAttempts: 1}))
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

	_, err = client.Labels.BuyForShipment(ctx, shipengine.Shipment{CarrierID: "se-1", ServiceCode: "usps_priority_mail",
		From: shippingtest.From, To: shippingtest.To, Parcels: []shipping.Parcel{shippingtest.Box}})
	assert.ErrorIs(t, err, connector.ErrValidation)
	connectortest.CheckNoSecret(t, err, sentinel)

	require.Equal(t, 4, srv.Hits())
	for _, r := range srv.Requests() {
		require.Equal(t, sentinel, r.Header.Get("API-Key"), "the credential was not sent: the test proves nothing")
	}
	require.NotEmpty(t, logs.String(), "nothing was logged: the test proves nothing")
	assert.NotContains(t, logs.String(), sentinel, "a log line carries the credential")
}
