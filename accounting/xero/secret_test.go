package xero_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/patchbay-go/patchbay/accounting"
	"github.com/patchbay-go/patchbay/accounting/xero"
	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/connector/connectortest"
)

// A sentinel credential never reaches an error or a log line, even when
// Xero's answers echo it back.
func TestSecretNeverLeaks(t *testing.T) {
	const sentinel = "at-SENTINEL-7d2f9c41e8b3"
	srv := connectortest.NewServer(t,
		connectortest.Fault{Status: 401, Body: `{"Type":null,"Title":"Unauthorized","Status":401,"Detail":"token ` + sentinel + ` is not valid"}`},
		connectortest.Fault{Status: 400, Body: `{"ErrorNumber":10,"Type":"ValidationException","Message":"A validation exception occurred",` +
			`"Elements":[{"ValidationErrors":[{"Message":"Bearer ` + sentinel + ` refused"}]}]}`},
		connectortest.Fault{Status: 503, Header: http.Header{"Content-Type": {"text/plain"}}, Body: "Xero is down; your token was " + sentinel},
	)
	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	client, err := xero.New(xero.Config{BaseURL: srv.URL, Auth: connector.Bearer(sentinel), TenantID: "tenant-1"},
		connector.WithHTTPClient(srv.Client()), connector.WithLogger(logger),
		connector.WithRetryPolicy(connector.RetryPolicy{MaxAttempts: 1}))
	require.NoError(t, err)
	ctx := context.Background()

	_, err = client.Customers.Get(ctx, "c1")
	assert.ErrorIs(t, err, connector.ErrUnauthorized)
	connectortest.CheckNoSecret(t, err, sentinel)
	_, err = client.Customers.Create(ctx, accounting.Customer{Name: "Ada"})
	assert.ErrorIs(t, err, connector.ErrValidation)
	connectortest.CheckNoSecret(t, err, sentinel)
	_, err = client.Invoices.Get(ctx, "i1")
	assert.ErrorIs(t, err, connector.ErrUnavailable)
	connectortest.CheckNoSecret(t, err, sentinel)

	require.Equal(t, 3, srv.Hits())
	for _, r := range srv.Requests() {
		require.Equal(t, "Bearer "+sentinel, r.Header.Get("Authorization"), "the credential was not sent: the test proves nothing")
	}
	assert.NotContains(t, logs.String(), sentinel, "a log line carries the credential")
}
