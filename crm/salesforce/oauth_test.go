package salesforce_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/connector/oauth"
	"github.com/patchbay-go/patchbay/crm"
	"github.com/patchbay-go/patchbay/crm/salesforce"
	"github.com/patchbay-go/patchbay/crm/salesforce/salesforcetest"
)

// The web-server flow: the code is exchanged at the login host, the token
// answer's instance_url (another host) is the client's base URL; an
// expired session is 401 INVALID_SESSION_ID, refreshed once and replayed.
func TestOAuthWebServerFlow(t *testing.T) {
	srv := salesforcetest.NewServer()
	t.Cleanup(srv.Close)
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	src, err := oauth.NewSource(oauth.Config{OAuth2: srv.OAuthConfig(), Store: oauth.NewMemoryStore(nil), HTTPClient: &http.Client{Transport: tr}})
	require.NoError(t, err)
	ctx := context.Background()
	tok, err := src.Exchange(ctx, srv.AuthorizationCode(), "")
	require.NoError(t, err)
	instance, err := salesforce.InstanceURL(tok)
	require.NoError(t, err)
	assert.Equal(t, srv.URL(), instance)
	assert.NotEqual(t, srv.LoginURL(), instance, "the login host is not the instance")

	client, err := salesforce.New(salesforce.Config{BaseURL: instance, Auth: salesforce.OAuth2(src, srv.OAuthConfig())},
		connector.WithHTTPClient(&http.Client{Transport: tr}), connector.WithRetryPolicy(fastRetry))
	require.NoError(t, err)
	c, err := client.Contacts.Create(ctx, crm.Contact{Email: "oauth@example.com"})
	require.NoError(t, err)
	assert.Equal(t, 0, srv.TokenRequests("refresh_token"))

	srv.ExpireSessions()
	_, err = client.Contacts.Get(ctx, c.ID)
	require.NoError(t, err, "after the session expired")
	assert.Equal(t, 1, srv.TokenRequests("refresh_token"), "one forced refresh")
	fresh, err := src.Token()
	require.NoError(t, err)
	assert.NotEqual(t, tok.AccessToken, fresh.AccessToken)
	assert.Equal(t, tok.RefreshToken, fresh.RefreshToken, "Salesforce does not rotate refresh tokens")

	_, err = salesforce.InstanceURL(nil)
	assert.Error(t, err)
}

// A static session id that expires: 401 INVALID_SESSION_ID, unauthorized.
func TestSessionExpired(t *testing.T) {
	srv, client := sandbox(t, nil, salesforce.Config{})
	srv.ExpireSessions()
	_, err := client.Contacts.FindByEmail(context.Background(), "x@example.com")
	require.ErrorIs(t, err, connector.ErrUnauthorized)
	var apiErr *connector.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "INVALID_SESSION_ID", apiErr.Code)
	assert.Equal(t, "Session expired or invalid", apiErr.Message)
}
