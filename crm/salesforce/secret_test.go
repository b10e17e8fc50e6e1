package salesforce_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/connector/connectortest"
	"github.com/patchbay-go/patchbay/connector/oauth"
	"github.com/patchbay-go/patchbay/crm"
	"github.com/patchbay-go/patchbay/crm/salesforce"
)

// The access token, the refresh token and the client secret never reach
// an error or a log line, even when Salesforce's answers (and its token
// endpoint's) echo them back, the Composite API's sub-answers included.
func TestSecretNeverLeaks(t *testing.T) {
	const (
		access  = "00DSENTINEL!AccessToken9f3c2a"
		refresh = "5AepSENTINEL-RefreshToken-77d1"
		secret  = "SENTINEL-ClientSecret-0b5e44"
	)
	secrets := []string{access, refresh, secret}
	echo := access + " " + refresh + " " + secret
	login := connectortest.NewServer(t, connectortest.Fault{Status: 400,
		Body: `{"error":"invalid_grant","error_description":"refresh token ` + refresh + ` for client secret ` + secret + ` is ` + access + `"}`})
	api := connectortest.NewServer(t,
		connectortest.Fault{Status: 400, Body: `[{"message":"bad ` + echo + `","errorCode":"INVALID_FIELD","fields":["` + access + `"]}]`},
		connectortest.Fault{Status: 403, Body: `[{"message":"TotalRequests Limit exceeded for ` + echo + `","errorCode":"REQUEST_LIMIT_EXCEEDED"}]`},
		connectortest.Fault{Status: 503, Header: http.Header{"Content-Type": {"text/html"}}, Body: "<html>down; your session " + echo + "</html>"},
		connectortest.Fault{Status: 200, Body: `{"compositeResponse":[{"body":[{"message":"` + echo + `","errorCode":"` + access + `"}],"httpHeaders":{},"httpStatusCode":400,"referenceId":"contact"}]}`},
		connectortest.Fault{Status: 401, Body: `[{"message":"Session expired or invalid: ` + echo + `","errorCode":"INVALID_SESSION_ID"}]`},
	)
	cfg := &oauth2.Config{ClientID: "3MVG9client", ClientSecret: secret,
		Endpoint: oauth2.Endpoint{TokenURL: login.URL + "/services/oauth2/token", AuthStyle: oauth2.AuthStyleInParams}}
	src, err := oauth.NewSource(oauth.Config{OAuth2: cfg, Store: oauth.NewMemoryStore(&oauth2.Token{AccessToken: access, RefreshToken: refresh, TokenType: "Bearer"}),
		HTTPClient: login.Client(), RefreshAttempts: 1})
	require.NoError(t, err)
	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	client, err := salesforce.New(salesforce.Config{BaseURL: api.URL, Auth: salesforce.OAuth2(src, cfg)},
		connector.WithHTTPClient(api.Client()), connector.WithLogger(logger), connector.WithRetryPolicy(connector.RetryPolicy{MaxAttempts: 1}))
	require.NoError(t, err)
	ctx := context.Background()

	check := func(err error, kind error) {
		t.Helper()
		require.ErrorIs(t, err, kind)
		for _, s := range secrets {
			connectortest.CheckNoSecret(t, err, s)
		}
	}
	_, err = client.Contacts.Create(ctx, crm.Contact{Email: "ada@example.com"})
	check(err, connector.ErrValidation)
	_, err = client.Contacts.Get(ctx, "003000000000001")
	check(err, connector.ErrRateLimited)
	_, err = client.Deals.Get(ctx, "006000000000001")
	check(err, connector.ErrUnavailable)
	_, err = client.RecordSale(ctx, sale("9"), connector.WithIdempotencyKey("k-9"))
	check(err, connector.ErrValidation)
	_, err = client.Companies.Get(ctx, "001000000000001") // 401: one forced refresh, refused by the login host
	check(err, connector.ErrReauthRequired)

	require.Equal(t, 5, api.Hits())
	require.Equal(t, 1, login.Hits(), "the refresh was not tried: the test proves less")
	for _, r := range api.Requests() {
		require.Equal(t, "Bearer "+access, r.Header.Get("Authorization"), "the token was not sent: the test proves nothing")
	}
	require.NotEmpty(t, logs.String(), "nothing was logged: the test proves nothing")
	for _, s := range secrets {
		assert.NotContains(t, logs.String(), s, "a log line carries a secret")
	}
}
