package hubspot_test

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
	"github.com/patchbay-go/patchbay/crm"
	"github.com/patchbay-go/patchbay/crm/hubspot"
)

// A sentinel access token never reaches an error or a log line, even when
// HubSpot's answers echo it back.
func TestSecretNeverLeaks(t *testing.T) {
	const sentinel = "pat-na1-SENTINEL-5e0c7a91d2"
	srv := connectortest.NewServer(t,
		connectortest.Fault{Status: 401, Body: `{"status":"error","message":"Authentication credentials not found: Bearer ` + sentinel + ` is not valid",` +
			`"correlationId":"c-1","category":"INVALID_AUTHENTICATION"}`},
		connectortest.Fault{Status: 400, Body: `{"status":"error","message":"Property values were not valid","correlationId":"c-2","category":"VALIDATION_ERROR",` +
			`"errors":[{"message":"token ` + sentinel + ` refused","code":"INVALID_EMAIL"}]}`},
		connectortest.Fault{Status: 429, Body: `{"status":"error","message":"You have reached your daily limit (` + sentinel + `).","errorType":"RATE_LIMIT",` +
			`"correlationId":"c-3","policyName":"DAILY"}`},
		connectortest.Fault{Status: 503, Header: http.Header{"Content-Type": {"text/plain"}}, Body: "HubSpot is down; your token was " + sentinel},
	)
	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	client, err := hubspot.New(hubspot.Config{BaseURL: srv.URL, Auth: connector.Bearer(sentinel)},
		connector.WithHTTPClient(srv.Client()), connector.WithLogger(logger),
		connector.WithRetryPolicy(connector.RetryPolicy{MaxAttempts: 1}))
	require.NoError(t, err)
	ctx := context.Background()

	_, err = client.Contacts.Get(ctx, "1")
	assert.ErrorIs(t, err, connector.ErrUnauthorized)
	connectortest.CheckNoSecret(t, err, sentinel)
	_, err = client.Contacts.Create(ctx, crm.Contact{Email: "ada@example.com"})
	assert.ErrorIs(t, err, connector.ErrValidation)
	connectortest.CheckNoSecret(t, err, sentinel)
	_, err = client.Companies.Get(ctx, "2")
	assert.ErrorIs(t, err, connector.ErrRateLimited)
	connectortest.CheckNoSecret(t, err, sentinel)
	_, err = client.Deals.Get(ctx, "3")
	assert.ErrorIs(t, err, connector.ErrUnavailable)
	connectortest.CheckNoSecret(t, err, sentinel)

	require.Equal(t, 4, srv.Hits())
	for _, r := range srv.Requests() {
		require.Equal(t, "Bearer "+sentinel, r.Header.Get("Authorization"), "the token was not sent: the test proves nothing")
	}
	require.NotEmpty(t, logs.String(), "nothing was logged: the test proves nothing")
	assert.NotContains(t, logs.String(), sentinel, "a log line carries the token")
}
