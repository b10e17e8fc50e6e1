package pipedrive_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/connector/connectortest"
	"github.com/patchbay-go/patchbay/crm"
	"github.com/patchbay-go/patchbay/crm/pipedrive"
)

func nowTime() time.Time { return time.Now() }

// A sentinel API token never reaches an error or a log line, even when
// Pipedrive's answers echo it back.
func TestSecretNeverLeaks(t *testing.T) {
	const sentinel = "SENTINEL0a1b2c3d4e5f60718293a4b5c6d7e8f9"
	srv := connectortest.NewServer(t,
		connectortest.Fault{Status: 401, Body: `{"success":false,"error":"unauthorized access: ` + sentinel + `","errorCode":401,"error_info":"Please check developers.pipedrive.com"}`},
		connectortest.Fault{Status: 400, Body: `{"success":false,"error":"token ` + sentinel + ` refused","code":"ERR_SCHEMA_VALIDATION_FAILED","data":null}`},
		connectortest.Fault{Status: 429, Header: http.Header{"X-Daily-Requests-Left": {"0"}}, Body: `{"success":false,"error":"Request over limit (` + sentinel + `)","errorCode":429}`},
		connectortest.Fault{Status: 503, Header: http.Header{"Content-Type": {"text/plain"}}, Body: "Pipedrive is down; your token was " + sentinel},
	)
	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	client, err := pipedrive.New(pipedrive.Config{BaseURL: srv.URL, Auth: pipedrive.APIToken(sentinel)},
		connector.WithHTTPClient(srv.Client()), connector.WithLogger(logger),
		connector.WithRetryPolicy(connector.RetryPolicy{MaxAttempts: 1}))
	require.NoError(t, err)
	ctx := context.Background()

	_, err = client.Contacts.Get(ctx, "1")
	assert.ErrorIs(t, err, connector.ErrUnauthorized)
	connectortest.CheckNoSecret(t, err, sentinel)
	_, err = client.Deals.Update(ctx, "2", crm.Deal{Name: "x"})
	assert.ErrorIs(t, err, connector.ErrValidation)
	connectortest.CheckNoSecret(t, err, sentinel)
	_, err = client.Companies.Get(ctx, "3")
	assert.ErrorIs(t, err, connector.ErrRateLimited)
	var apiErr *connector.APIError
	if assert.ErrorAs(t, err, &apiErr) {
		assert.Greater(t, apiErr.RetryAfter, time.Duration(0), "a spent daily budget says when it resets")
	}
	connectortest.CheckNoSecret(t, err, sentinel)
	_, err = client.Deals.Get(ctx, "4")
	assert.ErrorIs(t, err, connector.ErrUnavailable)
	connectortest.CheckNoSecret(t, err, sentinel)

	require.Equal(t, 4, srv.Hits())
	for _, r := range srv.Requests() {
		require.Equal(t, sentinel, r.Header.Get("X-Api-Token"), "the token was not sent: the test proves nothing")
		require.NotContains(t, r.Query, sentinel, "the token travelled in the URL")
	}
	require.NotEmpty(t, logs.String(), "nothing was logged: the test proves nothing")
	assert.NotContains(t, logs.String(), sentinel, "a log line carries the token")
}

// A request built by hand with the token in the query string, as
// Pipedrive also accepts (?api_token=), is masked in log lines and errors
// by the connector's redaction of api_token.
func TestAPITokenQueryRedacted(t *testing.T) {
	const sentinel = "SENTINELffeeddccbbaa99887766554433221100"
	srv := connectortest.NewServer(t,
		connectortest.Fault{Status: 404, Body: `{"success":false,"error":"Person not found"}`})
	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	client, err := pipedrive.New(pipedrive.Config{BaseURL: srv.URL, Auth: connector.APIKey("X-Unused", "unused-credential")},
		connector.WithHTTPClient(srv.Client()), connector.WithLogger(logger), connector.WithRetryPolicy(connector.RetryPolicy{MaxAttempts: 1}))
	require.NoError(t, err)
	err = client.JSON(context.Background(), "GET", "/v1/persons/1?api_token="+sentinel, nil, nil)
	require.ErrorIs(t, err, connector.ErrNotFound)
	connectortest.CheckNoSecret(t, err, sentinel)
	require.Len(t, srv.Requests(), 1)
	require.Contains(t, srv.Requests()[0].Query, sentinel, "the token was not sent: the test proves nothing")
	require.NotEmpty(t, logs.String())
	assert.NotContains(t, logs.String(), sentinel, "a log line carries the api_token")
}

// The refresh token and the client secret never reach an error or a log
// line: not when the refresh works, not when the provider refuses it and
// echoes the refresh token in its error body, not when the API refuses
// the access token twice.
func TestOAuth2SecretsNeverLeak(t *testing.T) {
	provider := connectortest.NewOAuthServer(t)
	seed := provider.IssueToken(-time.Minute)
	var logs bytes.Buffer
	_, src, client := oauthApp(t, seed, provider, &logs)
	ctx := context.Background()

	_, err := client.Contacts.Create(ctx, crm.Contact{Email: "leak@example.com"})
	require.NoError(t, err)
	tok, err := src.Token()
	require.NoError(t, err)
	secrets := []string{seed.RefreshToken, tok.RefreshToken, tok.AccessToken, provider.ClientSecret}

	// The user disconnects the app: the access token is refused, the
	// forced refresh is refused (invalid_grant, the token echoed back).
	provider.RevokeAll()
	_, err = client.Contacts.Get(ctx, "1")
	require.Error(t, err)
	assert.ErrorIs(t, err, connector.ErrReauthRequired)
	for _, s := range secrets {
		connectortest.CheckNoSecret(t, err, s)
	}
	require.GreaterOrEqual(t, provider.TokenRequests("refresh_token"), 2, "the refresh was not refused: the test proves nothing")
	require.NotEmpty(t, logs.String(), "nothing was logged: the test proves nothing")
	for _, s := range secrets {
		assert.NotContains(t, logs.String(), s, "a log line carries a secret")
	}
}
