package quickbooks_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/patchbay-go/patchbay/accounting"
	"github.com/patchbay-go/patchbay/accounting/quickbooks"
	"github.com/patchbay-go/patchbay/accounting/quickbooks/quickbookstest"
	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/connector/connectortest"
	"github.com/patchbay-go/patchbay/connector/oauth"
)

// journal is what happened to tokens, in order: "saved <access token>"
// once the store holds it, "used <access token>" when a request carries it.
type journal struct {
	mu     sync.Mutex
	events []string
}

func (j *journal) add(e string) { j.mu.Lock(); j.events = append(j.events, e); j.mu.Unlock() }

func (j *journal) list() []string { j.mu.Lock(); defer j.mu.Unlock(); return slices.Clone(j.events) }

// journaledStore is a FileStore that notes each token it has saved, under
// its lock too (the Source saves through the locked view).
type journaledStore struct {
	*oauth.FileStore
	j *journal
}

func (s journaledStore) Save(ctx context.Context, tok *oauth2.Token, expected oauth.Version) (oauth.Version, error) {
	return journaledView{s.FileStore, s.j}.Save(ctx, tok, expected)
}

func (s journaledStore) Lock(ctx context.Context) (oauth.TokenStore, func(), error) {
	locked, unlock, err := s.FileStore.Lock(ctx)
	return journaledView{locked, s.j}, unlock, err
}

type journaledView struct {
	oauth.TokenStore
	j *journal
}

func (v journaledView) Save(ctx context.Context, tok *oauth2.Token, expected oauth.Version) (oauth.Version, error) {
	ver, err := v.TokenStore.Save(ctx, tok, expected)
	if err == nil {
		v.j.add("saved " + tok.AccessToken)
	}
	return ver, err
}

// process is one run of an app: a Source over the token file and a client.
func process(t *testing.T, srv *quickbookstest.Server, path string, j *journal) (*quickbooks.Client, *oauth.Source) {
	t.Helper()
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	src, err := oauth.NewSource(oauth.Config{OAuth2: srv.OAuthConfig(), Store: journaledStore{oauth.NewFileStore(path), j},
		HTTPClient: &http.Client{Transport: tr}})
	require.NoError(t, err)
	client, err := quickbooks.New(quickbooks.Config{BaseURL: srv.URL(), Auth: connector.OAuth2(src), RealmID: srv.RealmID(), HomeCurrency: srv.HomeCurrency()},
		connector.WithHTTPClient(connectortest.TestClient(t, func(next http.RoundTripper) http.RoundTripper {
			return roundTripFunc(func(r *http.Request) (*http.Response, error) {
				j.add("used " + strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "))
				return next.RoundTrip(r)
			})
		})), connector.WithRetryPolicy(fastRetry))
	require.NoError(t, err)
	return client, src
}

// refreshWith spends a refresh token at the sandbox's token endpoint.
func refreshWith(srv *quickbookstest.Server, refreshToken string) error {
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	ctx := context.WithValue(context.Background(), oauth2.HTTPClient, &http.Client{Transport: tr})
	_, err := srv.OAuthConfig().TokenSource(ctx, &oauth2.Token{RefreshToken: refreshToken}).Token()
	return err
}

// Intuit rotates the refresh token on every refresh. The client's
// connector/oauth Source saves the new pair before the new access token
// is sent; the old refresh token is then refused; and a process started
// again from the store goes on working, refreshing with the saved token.
func TestRefreshTokenRotationSavedBeforeUse(t *testing.T) {
	srv := quickbookstest.NewServer()
	t.Cleanup(srv.Close)
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "quickbooks-token.json")
	first := srv.Provider.IssueToken(-time.Minute) // connected earlier: the access token has expired
	_, err := oauth.NewFileStore(path).Save(ctx, first, 0)
	require.NoError(t, err)

	j := &journal{}
	client, _ := process(t, srv, path, j)
	c, err := client.Customers.Create(ctx, accounting.Customer{Name: "Rotation Ltd", Email: "rotation@example.com"})
	require.NoError(t, err)
	saved, _, err := oauth.NewFileStore(path).Load(ctx)
	require.NoError(t, err)
	require.NotEqual(t, first.RefreshToken, saved.RefreshToken, "the refresh token did not rotate")
	require.NotEqual(t, first.AccessToken, saved.AccessToken)
	events := j.list()
	require.Contains(t, events, "saved "+saved.AccessToken)
	require.Contains(t, events, "used "+saved.AccessToken)
	assert.Less(t, slices.Index(events, "saved "+saved.AccessToken), slices.Index(events, "used "+saved.AccessToken),
		"the new access token was used before the rotated pair was saved: %v", events)
	assert.NotContains(t, events, "used "+first.AccessToken, "the expired token was sent")
	assert.Equal(t, 1, srv.Provider.TokenRequests("refresh_token"))

	err = refreshWith(srv, first.RefreshToken)
	require.Error(t, err, "the old refresh token still works")
	assert.Contains(t, err.Error(), "invalid_grant")

	// A restart: a new process from the same file. Intuit revokes the
	// access token (as at a disconnect and reconnect of the app): the
	// 401 makes the Source refresh with the saved refresh token.
	srv.Provider.Revoke(saved.AccessToken)
	refreshes := srv.Provider.TokenRequests("refresh_token")
	j2 := &journal{}
	again, _ := process(t, srv, path, j2)
	got, err := again.Customers.Get(ctx, c.ID)
	require.NoError(t, err)
	assert.Equal(t, "Rotation Ltd", got.Name)
	assert.Equal(t, refreshes+1, srv.Provider.TokenRequests("refresh_token"))
	latest, _, err := oauth.NewFileStore(path).Load(ctx)
	require.NoError(t, err)
	assert.NotEqual(t, saved.RefreshToken, latest.RefreshToken)
	events = j2.list()
	assert.Less(t, slices.Index(events, "saved "+latest.AccessToken), slices.Index(events, "used "+latest.AccessToken), "%v", events)
}

// Nothing secret reaches an error or a log line: the access and refresh
// tokens, the client secret and the webhook verifier token, through a
// refusal of the sandbox's token endpoint (it names the spent refresh
// token) and of a token endpoint that echoes the refresh token and the
// client secret.
func TestOAuthRefusalsKeepSecrets(t *testing.T) {
	srv := quickbookstest.NewServer()
	t.Cleanup(srv.Close)
	ctx := context.Background()
	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	secrets := func(tok *oauth2.Token) []string {
		return []string{tok.AccessToken, tok.RefreshToken, srv.Provider.ClientSecret, srv.WebhookSecret()}
	}

	// The sandbox: a refresh token already spent.
	spent := srv.Provider.IssueToken(-time.Minute)
	require.NoError(t, refreshWith(srv, spent.RefreshToken))
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	src, err := oauth.NewSource(oauth.Config{OAuth2: srv.OAuthConfig(), Store: oauth.NewMemoryStore(spent), HTTPClient: &http.Client{Transport: tr}})
	require.NoError(t, err)
	client, err := quickbooks.New(quickbooks.Config{BaseURL: srv.URL(), Auth: connector.OAuth2(src), RealmID: srv.RealmID()},
		connector.WithLogger(logger), connector.WithHTTPClient(connectortest.TestClient(t, nil)), connector.WithRetryPolicy(fastRetry))
	require.NoError(t, err)
	_, err = client.Customers.Get(ctx, "1")
	require.ErrorIs(t, err, connector.ErrReauthRequired)
	for _, s := range secrets(spent) {
		connectortest.CheckNoSecret(t, err, s)
		assert.NotContains(t, logs.String(), s)
	}

	// A token endpoint that repeats what it was sent.
	var echoed sync.Map
	echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		_, secret, _ := r.BasicAuth()
		echoed.Store(r.PostForm.Get("refresh_token"), true)
		echoed.Store(secret, true)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"error":"invalid_grant","error_description":"refresh token ` + r.PostForm.Get("refresh_token") +
			` is not valid for client secret ` + secret + `"}`))
	}))
	t.Cleanup(echo.Close)
	cfg := srv.OAuthConfig()
	cfg.Endpoint.TokenURL = echo.URL
	tok := srv.Provider.IssueToken(-time.Minute)
	src2, err := oauth.NewSource(oauth.Config{OAuth2: cfg, Store: oauth.NewMemoryStore(tok), HTTPClient: echo.Client()})
	require.NoError(t, err)
	client2, err := quickbooks.New(quickbooks.Config{BaseURL: srv.URL(), Auth: connector.OAuth2(src2), RealmID: srv.RealmID()},
		connector.WithLogger(logger), connector.WithHTTPClient(connectortest.TestClient(t, nil)), connector.WithRetryPolicy(fastRetry))
	require.NoError(t, err)
	_, err = client2.Invoices.Create(ctx, oneLine("1", "ORDER-ECHO"))
	require.ErrorIs(t, err, connector.ErrReauthRequired)
	for _, s := range secrets(tok) {
		connectortest.CheckNoSecret(t, err, s)
		assert.NotContains(t, logs.String(), s)
	}
	for _, s := range []string{tok.RefreshToken, srv.Provider.ClientSecret} {
		_, ok := echoed.Load(s)
		assert.True(t, ok, "the token endpoint was not sent %q: the echo proves nothing", s)
	}
	assert.NotEmpty(t, logs.String(), "nothing was logged: the log check proves nothing")
}
