package square_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/connector/connectortest"
	"github.com/patchbay-go/patchbay/inventory/square"
	"github.com/patchbay-go/patchbay/inventory/square/squaretest"
)

// An OAuth token goes as a Bearer token; a token the sandbox does not know
// is Square's 401, typed.
func TestOAuth(t *testing.T) {
	const token = "EAAAEoauth_access_token_0001"
	srv := squaretest.NewServer(squaretest.WithAccessToken(token))
	defer srv.Close()
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	client, err := square.New(square.Config{BaseURL: srv.URL(), Auth: square.OAuth(oauth2.StaticTokenSource(&oauth2.Token{AccessToken: token}))},
		connector.WithHTTPClient(&http.Client{Transport: tr}))
	require.NoError(t, err)
	srv.AddItem("P", "OAUTH-1", 1)
	_, err = client.Items.GetBySKU(context.Background(), "OAUTH-1")
	require.NoError(t, err)

	other, err := square.New(square.Config{BaseURL: srv.URL(), Auth: square.AccessToken("EAAAnot_the_token")},
		connector.WithHTTPClient(&http.Client{Transport: tr}))
	require.NoError(t, err)
	_, err = other.Items.GetBySKU(context.Background(), "OAUTH-1")
	require.ErrorIs(t, err, connector.ErrUnauthorized)
	assert.Contains(t, err.Error(), "could not be authorized")
}

// Config: Auth is required, BaseURL defaults to Square's, at most 10
// locations; every request carries Square-Version.
func TestConfig(t *testing.T) {
	_, err := square.New(square.Config{})
	assert.ErrorContains(t, err, "Auth")
	_, err = square.New(square.Config{Auth: square.AccessToken("t"), LocationIDs: make([]string, 11)})
	assert.ErrorContains(t, err, "10")

	srv := connectortest.NewServer(t, connectortest.Fault{Status: 200, Body: `{"locations":[{"id":"L1","name":"Main","status":"ACTIVE"}]}`})
	client, err := square.New(square.Config{BaseURL: srv.URL, Auth: square.AccessToken("tok")}, connector.WithHTTPClient(srv.Client()))
	require.NoError(t, err)
	for l, err := range client.Locations.List(context.Background()) {
		require.NoError(t, err)
		assert.Equal(t, "L1", l.ID)
		assert.True(t, l.Active)
	}
	require.Equal(t, 1, srv.Hits())
	r := srv.Requests()[0]
	assert.Equal(t, square.APIVersion, r.Header.Get("Square-Version"))
	assert.Equal(t, "Bearer tok", r.Header.Get("Authorization"))
	assert.Equal(t, "/v2/locations", r.Path)

	c, err := square.New(square.Config{Auth: square.AccessToken("t")})
	require.NoError(t, err)
	u, err := c.URL("/v2/locations")
	require.NoError(t, err)
	assert.Equal(t, square.DefaultBaseURL+"/v2/locations", u.String())
}
