package connector_test

import (
	"context"
	"errors"
	"fmt"
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
	"github.com/patchbay-go/patchbay/connector/connectortest"
	"github.com/patchbay-go/patchbay/connector/oauth"
)

// The kinds a caller branches on. ErrReauthRequired is a refinement of
// ErrUnauthorized (it matches both, by design: test for it first), so it
// is not in this list.
var kinds = []error{
	connector.ErrNotFound, connector.ErrUnauthorized, connector.ErrForbidden, connector.ErrConflict,
	connector.ErrValidation, connector.ErrRateLimited, connector.ErrUnavailable, connector.ErrOutcomeUnknown,
	connector.ErrInvalidResponse,
}

func matching(err error) []error {
	var out []error
	for _, k := range kinds {
		if errors.Is(err, k) {
			out = append(out, k)
		}
	}
	return out
}

var errDiskFull = errors.New("disk full")

// failingStore is a token store whose saves fail.
type failingStore struct{ oauth.TokenStore }

func (s failingStore) Save(ctx context.Context, tok *oauth2.Token, version oauth.Version) (oauth.Version, error) {
	return 0, errDiskFull
}

// Every failure the SDK can produce, and the one kind it must match. A
// store's own failure matches none: it is not the vendor's doing.
func TestEveryFailureHasExactlyOneKind(t *testing.T) {
	expired := func() *oauth2.Token {
		return &oauth2.Token{AccessToken: "old-access-token", RefreshToken: "refresh-token-1", Expiry: time.Now().Add(-time.Hour)}
	}
	// oauthClient builds a client whose token comes from a connector/oauth
	// Source refreshing against tokenURL, with store (nil: memory).
	oauthClient := func(t *testing.T, apiURL, tokenURL string, store oauth.TokenStore) *connector.Client {
		if store == nil {
			store = oauth.NewMemoryStore(expired())
		}
		src, err := oauth.NewSource(oauth.Config{
			OAuth2: &oauth2.Config{ClientID: "app", ClientSecret: "client-secret-1",
				Endpoint: oauth2.Endpoint{TokenURL: tokenURL, AuthStyle: oauth2.AuthStyleInHeader}},
			Store: store, RefreshAttempts: 1, RefreshTimeout: 300 * time.Millisecond,
		})
		require.NoError(t, err)
		return newVendorClient(t, connector.Vendor{BaseURL: apiURL, Auth: connector.OAuth2(src)}, nil)
	}
	// plainClient is the same over x/oauth2's own token source.
	plainClient := func(t *testing.T, apiURL, tokenURL string) *connector.Client {
		cfg := &oauth2.Config{ClientID: "app", ClientSecret: "client-secret-1",
			Endpoint: oauth2.Endpoint{TokenURL: tokenURL, AuthStyle: oauth2.AuthStyleInHeader}}
		ts := cfg.TokenSource(context.Background(), expired())
		return newVendorClient(t, connector.Vendor{BaseURL: apiURL, Auth: connector.OAuth2(ts)}, nil)
	}
	status := func(code int, body string) string {
		return connectortest.NewServer(t, connectortest.Fault{Status: code, Body: body}, connectortest.Fault{Status: code, Body: body},
			connectortest.Fault{Status: code, Body: body}).URL
	}
	ok := func() string { return connectortest.NewServer(t).URL }
	hang := func() string { return connectortest.NewServer(t, connectortest.Fault{Hang: true}).URL }
	refusing := func() string {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, `{"error":"invalid_grant"}`)
		}))
		t.Cleanup(srv.Close)
		return srv.URL
	}
	refreshed := func() string {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"access_token":"new-access-token","refresh_token":"refresh-token-2","token_type":"Bearer","expires_in":3600}`)
		}))
		t.Cleanup(srv.Close)
		return srv.URL
	}
	short := func() (context.Context, context.CancelFunc) {
		return context.WithTimeout(context.Background(), 150*time.Millisecond)
	}

	tests := []struct {
		name string
		call func(t *testing.T) error
		want error // nil: no kind at all
		also error // another error it must match too
	}{
		{"400", func(t *testing.T) error { return get(context.Background(), newClient(t, status(400, `{}`), nil), "/x") }, connector.ErrValidation, nil},
		{"401", func(t *testing.T) error { return get(context.Background(), newClient(t, status(401, `{}`), nil), "/x") }, connector.ErrUnauthorized, nil},
		{"403", func(t *testing.T) error { return get(context.Background(), newClient(t, status(403, `{}`), nil), "/x") }, connector.ErrForbidden, nil},
		{"404", func(t *testing.T) error { return get(context.Background(), newClient(t, status(404, `{}`), nil), "/x") }, connector.ErrNotFound, nil},
		{"409", func(t *testing.T) error { return get(context.Background(), newClient(t, status(409, `{}`), nil), "/x") }, connector.ErrConflict, nil},
		{"429 past the deadline", func(t *testing.T) error {
			srv := connectortest.NewServer(t, connectortest.Fault{Status: 429, RetryAfter: "30"})
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			defer cancel()
			return get(ctx, newClient(t, srv.URL, srv.Client()), "/x")
		}, connector.ErrRateLimited, nil},
		{"500 on a GET", func(t *testing.T) error { return get(context.Background(), newClient(t, status(500, `{}`), nil), "/x") }, connector.ErrUnavailable, nil},
		{"500 on a keyless POST", func(t *testing.T) error {
			return post(context.Background(), newClient(t, status(500, `{}`), nil), "/x")
		}, connector.ErrOutcomeUnknown, nil},
		{"reset after a keyless POST", func(t *testing.T) error {
			srv := connectortest.NewServer(t, connectortest.Fault{Reset: true})
			return post(context.Background(), newClient(t, srv.URL, srv.Client()), "/x")
		}, connector.ErrOutcomeUnknown, nil},
		{"closed port", func(t *testing.T) error {
			return get(context.Background(), newClient(t, connectortest.ClosedURL(t), nil), "/x")
		}, connector.ErrUnavailable, nil},
		{"malformed JSON", func(t *testing.T) error {
			srv := connectortest.NewServer(t, connectortest.Fault{Body: `{"a":`})
			var out map[string]any
			return newClient(t, srv.URL, srv.Client()).JSON(context.Background(), http.MethodGet, "/x", nil, &out)
		}, connector.ErrInvalidResponse, nil},
		{"caller's deadline on a GET", func(t *testing.T) error {
			ctx, cancel := short()
			defer cancel()
			return get(ctx, newClient(t, hang(), nil), "/x")
		}, nil, context.DeadlineExceeded},
		{"caller's deadline on a keyless POST that was sent", func(t *testing.T) error {
			ctx, cancel := short()
			defer cancel()
			return post(ctx, newClient(t, hang(), nil), "/x")
		}, connector.ErrOutcomeUnknown, context.DeadlineExceeded},
		{"caller's cancel on a keyless POST that was sent", func(t *testing.T) error {
			ctx, cancel := context.WithCancel(context.Background())
			time.AfterFunc(150*time.Millisecond, cancel)
			return post(ctx, newClient(t, hang(), nil), "/x")
		}, connector.ErrOutcomeUnknown, context.Canceled},
		{"token endpoint refused", func(t *testing.T) error {
			return get(context.Background(), oauthClient(t, ok(), refusing(), nil), "/x")
		}, connector.ErrUnauthorized, connector.ErrReauthRequired},
		{"token endpoint closed", func(t *testing.T) error {
			return get(context.Background(), oauthClient(t, ok(), connectortest.ClosedURL(t)+"/token", nil), "/x")
		}, connector.ErrUnavailable, nil},
		{"token endpoint hangs", func(t *testing.T) error { return get(context.Background(), oauthClient(t, ok(), hang(), nil), "/x") }, connector.ErrUnavailable, nil},
		{"token endpoint host unknown", func(t *testing.T) error {
			return get(context.Background(), oauthClient(t, ok(), "http://token.invalid/token", nil), "/x")
		}, connector.ErrUnavailable, nil},
		{"token endpoint 503", func(t *testing.T) error {
			return get(context.Background(), oauthClient(t, ok(), status(503, `{}`), nil), "/x")
		}, connector.ErrUnavailable, nil},
		{"token store cannot save", func(t *testing.T) error {
			return get(context.Background(), oauthClient(t, ok(), refreshed(), failingStore{oauth.NewMemoryStore(expired())}), "/x")
		}, nil, errDiskFull},
		{"plain source: token endpoint refused", func(t *testing.T) error { return get(context.Background(), plainClient(t, ok(), refusing()), "/x") }, connector.ErrUnauthorized, connector.ErrReauthRequired},
		{"plain source: token endpoint closed", func(t *testing.T) error {
			return get(context.Background(), plainClient(t, ok(), connectortest.ClosedURL(t)+"/token"), "/x")
		}, connector.ErrUnavailable, nil},
		{"plain source: token endpoint 503", func(t *testing.T) error {
			return get(context.Background(), plainClient(t, ok(), status(503, `{}`)), "/x")
		}, connector.ErrUnavailable, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call(t)
			require.Error(t, err)
			got := matching(err)
			if tt.want == nil {
				assert.Empty(t, got, "err = %v", err)
			} else {
				assert.Equal(t, []error{tt.want}, got, "err = %v", err)
			}
			if tt.also != nil {
				assert.ErrorIs(t, err, tt.also)
			}
			assertNoRepeat(t, err)
		})
	}
}

// assertNoRepeat fails when an error's text says the same thing twice,
// such as "context deadline exceeded: context deadline exceeded".
func assertNoRepeat(t *testing.T, err error) {
	t.Helper()
	parts := strings.Split(err.Error(), ": ")
	seen := map[string]bool{}
	for _, p := range parts {
		if len(p) > 12 && seen[p] {
			t.Errorf("the error repeats %q: %v", p, err)
		}
		seen[p] = true
	}
}

// A token endpoint's refusal echoing the refresh token and client secret
// in its code and description never reaches the error, through x/oauth2's
// own token source too (the client never saw that refresh token).
func TestPlainTokenSourceRefusalRedacted(t *testing.T) {
	const refresh, secret = "SENTINEL-refresh-9z8y", "SENTINEL-secret-7x6w"
	tokenEndpoint := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, `{"error":"%s","error_description":"refresh %s secret %s","error_uri":"https://x/%s"}`, refresh, refresh, secret, secret)
	}))
	defer tokenEndpoint.Close()
	cfg := &oauth2.Config{ClientID: "app", ClientSecret: secret, Endpoint: oauth2.Endpoint{TokenURL: tokenEndpoint.URL, AuthStyle: oauth2.AuthStyleInParams}}
	ts := cfg.TokenSource(context.Background(), &oauth2.Token{RefreshToken: refresh, Expiry: time.Now().Add(-time.Hour)})
	c := newVendorClient(t, connector.Vendor{BaseURL: connectortest.NewServer(t).URL, Auth: connector.OAuth2(ts)}, nil)
	err := get(context.Background(), c, "/x")
	require.Error(t, err)
	for _, text := range []string{err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err)} {
		assert.NotContains(t, text, "SENTINEL")
	}
}
