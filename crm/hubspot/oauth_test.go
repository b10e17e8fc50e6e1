package hubspot_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/connector/connectortest"
	"github.com/patchbay-go/patchbay/connector/oauth"
	"github.com/patchbay-go/patchbay/crm"
	"github.com/patchbay-go/patchbay/crm/hubspot"
	"github.com/patchbay-go/patchbay/crm/hubspot/hubspottest"
)

// A HubSpot OAuth app: the token expires, the client refreshes it once, and
// a token revoked mid-way is replaced after one 401.
func TestOAuth2App(t *testing.T) {
	provider := connectortest.NewOAuthServer(t)
	srv := hubspottest.NewServer(hubspottest.WithTokenValidator(provider.Valid))
	t.Cleanup(srv.Close)
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	src, err := oauth.NewSource(oauth.Config{OAuth2: provider.Config(oauth2.AuthStyleInParams),
		Store: oauth.NewMemoryStore(provider.IssueToken(-time.Minute)), HTTPClient: &http.Client{Transport: tr}})
	if err != nil {
		t.Fatal(err)
	}
	client, err := hubspot.New(hubspot.Config{BaseURL: srv.URL(), Auth: connector.OAuth2(src)},
		connector.WithHTTPClient(&http.Client{Transport: tr}), connector.WithRetryPolicy(fastRetry))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	c, err := client.Contacts.Create(ctx, crm.Contact{Email: "oauth@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	tok, _ := src.Token()
	provider.Revoke(tok.AccessToken)
	if _, err := client.Contacts.Get(ctx, c.ID); err != nil {
		t.Fatalf("after revoking the access token: %v", err)
	}
	if n := provider.TokenRequests("refresh_token"); n != 2 {
		t.Fatalf("refreshes = %d, want 2 (the expired seed, then the revoked token)", n)
	}
}
