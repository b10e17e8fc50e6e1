package shopify_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/inventory"
	"github.com/patchbay-go/patchbay/inventory/shopify"
	"github.com/patchbay-go/patchbay/inventory/shopify/shopifytest"
)

// With the shop's bucket nearly empty, the client learns the throttle
// status and waits for the refill instead of being throttled again and
// again; the list still completes.
func TestPacesByQueryCost(t *testing.T) {
	srv, client := sandbox(t, nil)
	for i := range 120 {
		srv.AddProduct("P", "COST-"+string(rune('A'+i/26))+string(rune('a'+i%26)), 1)
	}
	srv.Drain(2000)
	n := 0
	for _, err := range client.Items.List(context.Background()) {
		require.NoError(t, err)
		n++
	}
	assert.Equal(t, 120, n)
	assert.LessOrEqual(t, srv.Throttled(), 1, "after the first THROTTLED answer, the client should wait for the bucket")
}

// A public app's OAuth token goes alone in X-Shopify-Access-Token.
func TestOAuth(t *testing.T) {
	const token = "shpua_oauth_access_token_0001"
	srv := shopifytest.NewServer(shopifytest.WithAccessToken(token))
	defer srv.Close()
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	client, err := shopify.New(shopify.Config{BaseURL: srv.URL(), Auth: shopify.OAuth(oauth2.StaticTokenSource(&oauth2.Token{AccessToken: token}))},
		connector.WithHTTPClient(&http.Client{Transport: tr}))
	require.NoError(t, err)
	srv.AddProduct("P", "OAUTH-1", 1)
	_, err = client.Items.GetBySKU(context.Background(), "OAUTH-1")
	require.NoError(t, err)

	// The sandbox accepts only its token: another one is refused, with
	// Shopify's message.
	other, err := shopify.New(shopify.Config{BaseURL: srv.URL(), Auth: shopify.AccessToken("shpat_not_the_token")},
		connector.WithHTTPClient(&http.Client{Transport: tr}))
	require.NoError(t, err)
	_, err = other.Items.GetBySKU(context.Background(), "OAUTH-1")
	require.ErrorIs(t, err, connector.ErrUnauthorized)
	assert.Contains(t, err.Error(), "Invalid API key or access token")
}

// Config: BaseURL and Auth are required; a bare shop domain gets https://,
// and every call goes to the pinned version's GraphQL endpoint with the
// token in X-Shopify-Access-Token.
func TestConfig(t *testing.T) {
	_, err := shopify.New(shopify.Config{Auth: shopify.AccessToken("shpat_x")})
	assert.ErrorContains(t, err, "BaseURL")
	_, err = shopify.New(shopify.Config{BaseURL: "example.myshopify.com"})
	assert.ErrorContains(t, err, "Auth")

	var got *http.Request
	rt := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		got = r
		body := `{"data":{"locations":{"nodes":[{"id":"gid://shopify/Location/1","name":"Main","isActive":true}],"pageInfo":{"hasNextPage":false}}}}`
		return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}},
			Body: io.NopCloser(strings.NewReader(body)), Request: r}, nil
	})
	client, err := shopify.New(shopify.Config{BaseURL: "example.myshopify.com", Auth: shopify.AccessToken("shpat_x")},
		connector.WithHTTPClient(&http.Client{Transport: rt}))
	require.NoError(t, err)
	for l, err := range client.Locations.List(context.Background()) {
		require.NoError(t, err)
		assert.Equal(t, "Main", l.Name)
	}
	require.NotNil(t, got)
	assert.Equal(t, "https://example.myshopify.com/admin/api/"+shopify.APIVersion+"/graphql.json", got.URL.String())
	assert.Equal(t, "shpat_x", got.Header.Get("X-Shopify-Access-Token"))
	assert.Empty(t, got.Header.Get("Authorization"))
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// A token source that cannot refresh stops a stock adjustment before
// anything is sent: the error says why (the token endpoint refused, or is
// down) and is never ErrOutcomeUnknown, keyed or not, so the caller knows
// the stock did not change.
func TestOAuthFailureIsNotSent(t *testing.T) {
	const refreshToken = "shprt_SENTINEL_refresh_4c1d9a"
	tests := []struct {
		name   string
		status int
		body   string
		want   error
	}{
		{"token endpoint down", http.StatusServiceUnavailable, `{"error":"temporarily_unavailable"}`, connector.ErrUnavailable},
		{"client refused", http.StatusUnauthorized, `{"error":"invalid_client","error_description":"bad secret for ` + refreshToken + `"}`, connector.ErrUnauthorized},
		{"refresh token revoked", http.StatusBadRequest, `{"error":"invalid_grant"}`, connector.ErrReauthRequired},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tokens := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(tt.status)
				_, _ = io.WriteString(w, tt.body)
			}))
			defer tokens.Close()
			ctx := context.WithValue(context.Background(), oauth2.HTTPClient, tokens.Client())
			conf := &oauth2.Config{ClientID: "app", ClientSecret: "shpss_app_secret",
				Endpoint: oauth2.Endpoint{TokenURL: tokens.URL, AuthStyle: oauth2.AuthStyleInParams}}
			ts := conf.TokenSource(ctx, &oauth2.Token{AccessToken: "expired", RefreshToken: refreshToken, Expiry: time.Now().Add(-time.Hour)})

			srv := shopifytest.NewServer()
			defer srv.Close()
			item := srv.AddProduct("Mug", "MUG-1", 10)
			tr := &http.Transport{}
			defer tr.CloseIdleConnections()
			client, err := shopify.New(shopify.Config{BaseURL: srv.URL(), Auth: shopify.OAuth(ts)},
				connector.WithHTTPClient(&http.Client{Transport: tr}), connector.WithRetryPolicy(fastRetry))
			require.NoError(t, err)

			change := []inventory.Change{{ItemID: item, LocationID: srv.LocationID(), Delta: -1, Reason: "correction"}}
			for _, opts := range [][]connector.CallOption{nil, {connector.WithIdempotencyKey("order-1001-stock")}} {
				_, err := client.Stock.Adjust(context.Background(), change, opts...)
				require.Error(t, err)
				assert.NotErrorIs(t, err, connector.ErrOutcomeUnknown)
				assert.ErrorIs(t, err, tt.want)
				assert.NotContains(t, err.Error(), refreshToken)
			}
			assert.Zero(t, srv.Requests(), "nothing may reach the shop without a token")
			assert.Equal(t, 10, srv.Available(item, srv.LocationID()))
		})
	}
}

// A query changes nothing and a mutation carries @idempotent(key:), so a
// 5xx before the answer is retried and the change applied once.
func TestRetriesKeyedCalls(t *testing.T) {
	srv, client := sandbox(t, nil)
	item := srv.AddProduct("Mug", "MUG-RETRY", 10)
	ctx := context.Background()

	srv.FailNext(1, http.StatusServiceUnavailable)
	_, err := client.Items.GetBySKU(ctx, "MUG-RETRY")
	require.NoError(t, err)

	srv.FailNext(1, http.StatusBadGateway)
	left, err := client.Stock.Adjust(ctx, []inventory.Change{{ItemID: item, LocationID: srv.LocationID(), Delta: -4}},
		connector.WithIdempotencyKey("order-77-stock"))
	require.NoError(t, err)
	require.Len(t, left, 1)
	assert.Equal(t, 6, left[0].After)
	assert.Equal(t, 1, srv.Adjustments())
}
