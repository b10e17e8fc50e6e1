package square_test

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
	"github.com/patchbay-go/patchbay/inventory"
	"github.com/patchbay-go/patchbay/inventory/square"
)

// A sentinel access token never reaches an error or a log line, even when
// Square's answers echo it back: in a 401's detail, in a 400's field, in
// a 404, in a gateway's page.
func TestSecretNeverLeaks(t *testing.T) {
	const sentinel = "EAAAlSENTINEL5e0c2b7a91d4f00d3c8e"
	srv := connectortest.NewServer(t,
		connectortest.Fault{Status: 401, Body: `{"errors":[{"category":"AUTHENTICATION_ERROR","code":"UNAUTHORIZED","detail":"token ` + sentinel + ` is not valid"}]}`},
		connectortest.Fault{Status: 400, Body: `{"errors":[{"category":"INVALID_REQUEST_ERROR","code":"INVALID_VALUE","detail":"bad","field":"` + sentinel + `"}]}`},
		connectortest.Fault{Status: 404, Body: `{"errors":[{"category":"INVALID_REQUEST_ERROR","code":"NOT_FOUND","detail":"Order not found for ` + sentinel + `"}]}`},
		connectortest.Fault{Status: 502, Header: http.Header{"Content-Type": {"text/html"}}, Body: "<h1>Bad gateway</h1> " + sentinel},
	)
	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	client, err := square.New(square.Config{BaseURL: srv.URL, Auth: square.AccessToken(sentinel), LocationIDs: []string{"L1"}},
		connector.WithHTTPClient(srv.Client()), connector.WithLogger(logger),
		connector.WithRetryPolicy(connector.RetryPolicy{MaxAttempts: 1}))
	require.NoError(t, err)
	ctx := context.Background()

	_, err = client.Items.GetBySKU(ctx, "MUG-1")
	assert.ErrorIs(t, err, connector.ErrUnauthorized)
	assert.ErrorContains(t, err, "is not valid", "Square's detail is kept")
	connectortest.CheckNoSecret(t, err, sentinel)
	_, err = client.Stock.Adjust(ctx, []inventory.Change{{ItemID: "V1", LocationID: "L1", Delta: -1}})
	assert.ErrorIs(t, err, connector.ErrValidation)
	connectortest.CheckNoSecret(t, err, sentinel)
	_, err = client.Orders.Get(ctx, "O1")
	assert.ErrorIs(t, err, connector.ErrNotFound)
	connectortest.CheckNoSecret(t, err, sentinel)
	_, err = client.Orders.Get(ctx, "O1")
	connectortest.CheckNoSecret(t, err, sentinel)

	require.Equal(t, 4, srv.Hits())
	for _, r := range srv.Requests() {
		require.Equal(t, "Bearer "+sentinel, r.Header.Get("Authorization"), "the credential was not sent: the test proves nothing")
		require.Equal(t, square.APIVersion, r.Header.Get("Square-Version"))
	}
	require.NotEmpty(t, logs.String(), "nothing was logged: the test proves nothing")
	assert.NotContains(t, logs.String(), sentinel, "a log line carries the credential")
}
