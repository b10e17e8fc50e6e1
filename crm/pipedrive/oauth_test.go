package pipedrive_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/connector/connectortest"
	"github.com/patchbay-go/patchbay/connector/oauth"
	"github.com/patchbay-go/patchbay/crm"
	"github.com/patchbay-go/patchbay/crm/pipedrive"
	"github.com/patchbay-go/patchbay/crm/pipedrive/pipedrivetest"
)

// oauthApp is a Pipedrive OAuth app on the sandbox: the provider plays
// oauth.pipedrive.com (client credentials in HTTP Basic, as
// pipedrive.OAuthEndpoint says), the sandbox accepts only its live access
// tokens, and the store starts with seed.
func oauthApp(t *testing.T, seed *oauth2.Token, provider *connectortest.OAuthServer, logs *bytes.Buffer) (*pipedrivetest.Server, *oauth.Source, *pipedrive.Client) {
	t.Helper()
	srv := pipedrivetest.NewServer(pipedrivetest.WithTokenValidator(provider.Valid))
	t.Cleanup(srv.Close)
	httpClient := connectortest.TestClient(t, nil)
	cfg := provider.Config(pipedrive.OAuthEndpoint.AuthStyle)
	tokenClient := connectortest.TestClient(t, func(next http.RoundTripper) http.RoundTripper {
		return roundTripFunc(func(r *http.Request) (*http.Response, error) {
			// Pipedrive's /oauth/token takes the app's credentials as HTTP
			// Basic only (the spec's basic_authentication).
			user, pass, ok := r.BasicAuth()
			assert.True(t, ok && user == provider.ClientID && pass == provider.ClientSecret, "client credentials not in HTTP Basic")
			if r.Body != nil {
				body, _ := io.ReadAll(r.Body)
				assert.NotContains(t, string(body), "client_secret", "the client secret travelled in the form")
				r.Body = io.NopCloser(bytes.NewReader(body))
			}
			return next.RoundTrip(r)
		})
	})
	src, err := oauth.NewSource(oauth.Config{OAuth2: cfg, Store: oauth.NewMemoryStore(seed), HTTPClient: tokenClient})
	require.NoError(t, err)
	logger := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	client, err := pipedrive.New(pipedrive.Config{BaseURL: srv.URL(), Auth: connector.OAuth2(src)},
		connector.WithHTTPClient(httpClient), connector.WithRetryPolicy(fastRetry), connector.WithLogger(logger))
	require.NoError(t, err)
	return srv, src, client
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// An OAuth app: the stored access token has expired, so the first call
// refreshes it once and later calls reuse it; the sandbox takes only the
// live access token (not the expired one, not the API token's header);
// a token revoked mid-way gets one forced refresh on its 401 and the call
// goes through.
func TestOAuth2Refresh(t *testing.T) {
	provider := connectortest.NewOAuthServer(t)
	seed := provider.IssueToken(-time.Minute)
	var logs bytes.Buffer
	srv, src, client := oauthApp(t, seed, provider, &logs)
	ctx := context.Background()

	c, err := client.Contacts.Create(ctx, crm.Contact{Email: "oauth@example.com", FirstName: "O", LastName: "Auth"})
	require.NoError(t, err)
	assert.Equal(t, 1, provider.TokenRequests("refresh_token"), "the expired access token is refreshed once")
	_, err = client.Contacts.Get(ctx, c.ID)
	require.NoError(t, err)
	assert.Equal(t, 1, provider.TokenRequests("refresh_token"), "a live access token is reused")

	tok, err := src.Token()
	require.NoError(t, err)
	require.NotEqual(t, seed.AccessToken, tok.AccessToken)
	for _, bearer := range []string{seed.AccessToken, "at-forged"} {
		req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL()+"/api/v2/persons", nil)
		req.Header.Set("Authorization", "Bearer "+bearer)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusUnauthorized, resp.StatusCode, "the sandbox accepted a token that is not live")
	}

	provider.Revoke(tok.AccessToken)
	before := srv.Requests()
	got, err := client.Contacts.Get(ctx, c.ID)
	require.NoError(t, err, "a revoked access token is replaced after its 401")
	assert.Equal(t, c.ID, got.ID)
	assert.Equal(t, 2, provider.TokenRequests("refresh_token"), "one forced refresh on the 401")
	assert.Equal(t, 1, srv.Requests()-before, "the sandbox counts only the replay it accepted")

	provider.Revoke(tok.AccessToken) // already gone: no effect
	_, err = client.Contacts.Get(ctx, c.ID)
	require.NoError(t, err)
	assert.Equal(t, 2, provider.TokenRequests("refresh_token"))
}

// APIDomain reads the company's base URL from a token answer's
// api_domain, and refuses one that is not an https *.pipedrive.com host.
func TestAPIDomain(t *testing.T) {
	tok := func(domain any) *oauth2.Token {
		return (&oauth2.Token{AccessToken: "x"}).WithExtra(map[string]any{"api_domain": domain})
	}
	got, ok := pipedrive.APIDomain(tok("https://acme.pipedrive.com"))
	assert.True(t, ok)
	assert.Equal(t, "https://acme.pipedrive.com", got)
	got, ok = pipedrive.APIDomain(tok("https://acme.pipedrive.com/"))
	assert.True(t, ok)
	assert.Equal(t, "https://acme.pipedrive.com", got)
	for _, bad := range []any{nil, "", 42, "http://acme.pipedrive.com", "https://acme.pipedrive.com.evil.example",
		"https://evilpipedrive.com", "https://user:pw@acme.pipedrive.com", "https://acme.pipedrive.com:8443",
		"https://acme.pipedrive.com/api/v1", "https://acme.pipedrive.com?x=1", "https://pipedrive.com"} {
		_, ok := pipedrive.APIDomain(tok(bad))
		assert.False(t, ok, "api_domain %v", bad)
	}
	_, ok = pipedrive.APIDomain(nil)
	assert.False(t, ok)
	_, ok = pipedrive.APIDomain(&oauth2.Token{AccessToken: "x"})
	assert.False(t, ok)
}
