package oauth_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/connector/connectortest"
	"github.com/patchbay-go/patchbay/connector/oauth"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// fixture is a provider, an API that accepts its tokens, and a client.
type fixture struct {
	provider *connectortest.OAuthServer
	api      *connectortest.Server
	store    oauth.TokenStore
	src      *oauth.Source
	client   *connector.Client
	hc       *http.Client
}

func newFixture(t *testing.T, seed *oauth2.Token, cfg oauth.Config, api http.HandlerFunc) *fixture {
	t.Helper()
	f := &fixture{provider: connectortest.NewOAuthServer(t)}
	if seed == nil {
		seed = f.provider.IssueToken(-time.Minute) // expired: the first call refreshes
	}
	if api == nil {
		api = func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(`{"ok":true}`)) }
	}
	f.api = connectortest.NewServer(t, connectortest.Fault{Handler: f.provider.Protect(api).ServeHTTP})
	tr := &http.Transport{MaxIdleConnsPerHost: 64}
	t.Cleanup(tr.CloseIdleConnections)
	f.hc = &http.Client{Transport: tr}
	if cfg.Store == nil {
		cfg.Store = oauth.NewMemoryStore(seed)
	}
	if cfg.OAuth2 == nil && cfg.Grant == nil {
		cfg.OAuth2 = f.provider.Config(oauth2.AuthStyleInHeader)
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = f.hc
	}
	f.store = cfg.Store
	src, err := oauth.NewSource(cfg)
	if err != nil {
		t.Fatal(err)
	}
	f.src = src
	f.client, err = connector.New(connector.Vendor{Name: "xero", BaseURL: f.api.URL, Auth: connector.OAuth2(src)}, connector.WithHTTPClient(f.hc),
		connector.WithRetryPolicy(connector.RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond}))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) get(ctx context.Context) error {
	return f.client.JSON(ctx, http.MethodGet, "/api.xro/2.0/Invoices", nil, nil)
}

// Scenario 12: 200 goroutines find the token expired; exactly one refresh
// goes to the token endpoint and every call succeeds.
func TestTokenStampede(t *testing.T) {
	f := newFixture(t, nil, oauth.Config{}, nil)
	var wg sync.WaitGroup
	var failures atomic.Int32
	for range 200 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := f.get(context.Background()); err != nil {
				failures.Add(1)
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if got := f.provider.TokenRequests("refresh_token"); got != 1 {
		t.Fatalf("token requests = %d, want exactly 1", got)
	}
	if failures.Load() != 0 {
		t.Fatalf("%d calls failed", failures.Load())
	}
}

// Scenario 13: the rotated refresh token is in the store before the new
// access token reaches the API; replaying the old refresh token gets
// ErrReauthRequired.
func TestRotationPersistsBeforeUse(t *testing.T) {
	var store *oauth.MemoryStore
	var checked atomic.Int32
	api := func(w http.ResponseWriter, r *http.Request) {
		stored, _, err := store.Load(r.Context())
		presented := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		if err != nil || stored.AccessToken != presented {
			t.Errorf("the API saw access token %q before the store held it", presented)
		}
		checked.Add(1)
		w.Write([]byte(`{}`))
	}
	f := newFixture(t, nil, oauth.Config{}, api)
	old, _, _ := f.store.Load(context.Background())
	store = f.store.(*oauth.MemoryStore)

	var hooked []*oauth2.Token
	src, err := oauth.NewSource(oauth.Config{OAuth2: f.provider.Config(oauth2.AuthStyleInHeader), Store: store, HTTPClient: f.hc,
		OnRefresh: func(tok *oauth2.Token) { hooked = append(hooked, tok) }})
	if err != nil {
		t.Fatal(err)
	}
	client, _ := connector.New(connector.Vendor{Name: "xero", BaseURL: f.api.URL, Auth: connector.OAuth2(src)}, connector.WithHTTPClient(f.hc))
	if err := client.JSON(context.Background(), http.MethodGet, "/x", nil, nil); err != nil {
		t.Fatal(err)
	}
	if checked.Load() != 1 {
		t.Fatal("the API was not called")
	}
	now, ver, _ := store.Load(context.Background())
	if now.RefreshToken == old.RefreshToken || ver != 2 {
		t.Fatalf("store holds refresh token %q at version %d, want a rotated one at version 2", now.RefreshToken, ver)
	}
	if len(hooked) != 1 || hooked[0].RefreshToken != now.RefreshToken {
		t.Fatalf("OnRefresh got %v, want the saved token once", hooked)
	}

	// The old refresh token, replayed by a process that kept a stale copy.
	stale, err := oauth.NewSource(oauth.Config{OAuth2: f.provider.Config(oauth2.AuthStyleInHeader), Store: oauth.NewMemoryStore(old), HTTPClient: f.hc})
	if err != nil {
		t.Fatal(err)
	}
	_, err = stale.TokenContext(context.Background())
	if !errors.Is(err, connector.ErrReauthRequired) || !errors.Is(err, connector.ErrUnauthorized) {
		t.Fatalf("err = %v, want ErrReauthRequired", err)
	}
	if strings.Contains(err.Error(), old.RefreshToken) {
		t.Fatalf("error carries the refresh token: %v", err)
	}
}

// Scenario 14: the token endpoint hangs. Callers return when their own
// context ends; the refresh itself ends at RefreshTimeout.
func TestTokenEndpointHangs(t *testing.T) {
	f := newFixture(t, nil, oauth.Config{RefreshTimeout: 300 * time.Millisecond}, nil)
	f.provider.Hang(true)

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := f.src.TokenContext(ctx)
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 200*time.Millisecond {
		t.Fatalf("caller with a 50ms deadline: err = %v after %v", err, time.Since(start))
	}

	start = time.Now()
	err = f.get(context.Background()) // no deadline of its own
	elapsed := time.Since(start)
	if !errors.Is(err, connector.ErrUnavailable) && !errors.Is(err, connector.ErrUnauthorized) {
		t.Fatalf("err = %v, want the refresh to fail", err)
	}
	if elapsed > 2*time.Second {
		t.Fatalf("took %v, want the refresh bounded near its 300ms timeout", elapsed)
	}
}

// Scenario 15: the API rejects the access token. The client refreshes once
// and replays once, then gives ErrReauthRequired: no loop.
func TestRevokedTokenNoLoop(t *testing.T) {
	t.Run("API keeps refusing", func(t *testing.T) {
		var hits atomic.Int32
		f := newFixture(t, nil, oauth.Config{}, nil)
		f.api.SetScript(connectortest.Fault{Handler: func(w http.ResponseWriter, r *http.Request) {
			hits.Add(1)
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte(`{"message":"access revoked"}`))
		}})
		err := f.get(context.Background())
		if !errors.Is(err, connector.ErrReauthRequired) {
			t.Fatalf("err = %v, want ErrReauthRequired", err)
		}
		// One refresh for the expired seed, one forced after the 401.
		if hits.Load() != 2 || f.provider.TokenRequests("refresh_token") != 2 {
			t.Fatalf("API hits = %d, refreshes = %d; want 2 and 2", hits.Load(), f.provider.TokenRequests("refresh_token"))
		}
	})
	t.Run("grant revoked", func(t *testing.T) {
		f := newFixture(t, nil, oauth.Config{}, nil)
		if err := f.get(context.Background()); err != nil {
			t.Fatal(err)
		}
		f.provider.RevokeAll()
		before := f.api.Hits()
		err := f.get(context.Background())
		if !errors.Is(err, connector.ErrReauthRequired) {
			t.Fatalf("err = %v, want ErrReauthRequired", err)
		}
		if f.api.Hits()-before != 1 || f.provider.TokenRequests("refresh_token") != 2 {
			t.Fatalf("API hits = %d, refreshes = %d; want 1 more hit and 1 forced refresh", f.api.Hits()-before, f.provider.TokenRequests("refresh_token"))
		}
	})
	t.Run("valid token replayed after 401", func(t *testing.T) {
		f := newFixture(t, nil, oauth.Config{}, nil)
		if err := f.get(context.Background()); err != nil {
			t.Fatal(err)
		}
		tok, _ := f.src.Token()
		f.provider.Revoke(tok.AccessToken) // access token revoked, grant alive
		if err := f.get(context.Background()); err != nil {
			t.Fatalf("err = %v, want the forced refresh and replay to succeed", err)
		}
	})
}

// Two processes (two Sources, two FileStores on one file) need a token at
// once: exactly one refresh happens, and the other reads the winner's.
func TestTwoProcessesOneFileStore(t *testing.T) {
	provider := connectortest.NewOAuthServer(t)
	path := filepath.Join(t.TempDir(), "xero-token.json")
	if _, err := oauth.NewFileStore(path).Save(context.Background(), provider.IssueToken(-time.Minute), 0); err != nil {
		t.Fatal(err)
	}
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	provider.Slow(50 * time.Millisecond) // widen the window for a race
	var srcs []*oauth.Source
	for range 2 {
		src, err := oauth.NewSource(oauth.Config{OAuth2: provider.Config(oauth2.AuthStyleInParams), Store: oauth.NewFileStore(path),
			HTTPClient: &http.Client{Transport: tr}})
		if err != nil {
			t.Fatal(err)
		}
		srcs = append(srcs, src)
	}
	toks := make([]*oauth2.Token, 2)
	var wg sync.WaitGroup
	for i, src := range srcs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tok, err := src.TokenContext(context.Background())
			if err != nil {
				t.Error(err)
				return
			}
			toks[i] = tok
		}()
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	if n := provider.TokenRequests("refresh_token"); n != 1 {
		t.Fatalf("refreshes = %d, want 1", n)
	}
	if toks[0].AccessToken != toks[1].AccessToken || !provider.Valid(toks[0].AccessToken) {
		t.Fatal("the two processes hold different tokens")
	}
	info, err := os.Stat(path)
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("token file mode = %v, want 0600", info.Mode().Perm())
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Fatalf("temporary file left behind: %s", e.Name())
		}
	}
}

// Bounded retry on 5xx: two failures, then success, one saved token.
func TestRefreshRetries5xx(t *testing.T) {
	f := newFixture(t, nil, oauth.Config{}, nil)
	f.provider.FailNext(2)
	if err := f.get(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := f.provider.TokenRequests("refresh_token"); got != 3 {
		t.Fatalf("token requests = %d, want 3", got)
	}

	g := newFixture(t, nil, oauth.Config{RefreshAttempts: 2}, nil)
	g.provider.FailNext(5)
	err := g.get(context.Background())
	if err == nil || g.provider.TokenRequests("refresh_token") != 2 {
		t.Fatalf("err = %v after %d requests, want failure after 2", err, g.provider.TokenRequests("refresh_token"))
	}
}

// A token that the store cannot save is not used, and is saved (not
// fetched again) once the store works.
func TestUnsavedTokenIsKept(t *testing.T) {
	provider := connectortest.NewOAuthServer(t)
	store := &flakyStore{MemoryStore: oauth.NewMemoryStore(provider.IssueToken(-time.Minute)), fail: true}
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	src, err := oauth.NewSource(oauth.Config{OAuth2: provider.Config(oauth2.AuthStyleInHeader), Store: store, HTTPClient: &http.Client{Transport: tr}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := src.Token(); err == nil {
		t.Fatal("a token that could not be saved was handed out")
	}
	store.fail = false
	tok, err := src.Token()
	if err != nil {
		t.Fatal(err)
	}
	if provider.TokenRequests("refresh_token") != 1 || !provider.Valid(tok.AccessToken) {
		t.Fatalf("refreshes = %d, want the first token saved on the second try, not a second refresh", provider.TokenRequests("refresh_token"))
	}
}

type flakyStore struct {
	*oauth.MemoryStore
	fail bool
}

// Lock keeps the locked view flaky too.
func (s *flakyStore) Lock(ctx context.Context) (oauth.TokenStore, func(), error) {
	_, unlock, err := s.MemoryStore.Lock(ctx)
	return s, unlock, err
}

func (s *flakyStore) Save(ctx context.Context, tok *oauth2.Token, v oauth.Version) (oauth.Version, error) {
	if s.fail {
		return 0, errors.New("disk full")
	}
	return s.MemoryStore.Save(ctx, tok, v)
}

func TestAuthorizationCodeFlow(t *testing.T) {
	provider := connectortest.NewOAuthServer(t)
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	store := oauth.NewMemoryStore(nil)
	src, err := oauth.NewSource(oauth.Config{OAuth2: provider.Config(oauth2.AuthStyleInHeader), Store: store, HTTPClient: &http.Client{Transport: tr}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := src.Token(); !errors.Is(err, connector.ErrReauthRequired) {
		t.Fatalf("with an empty store: err = %v, want ErrReauthRequired", err)
	}

	state := oauth.NewState()
	authURL, verifier := src.AuthCodeURL(state, oauth2.AccessTypeOffline)
	code, gotState, err := provider.Consent(authURL)
	if err != nil {
		t.Fatal(err)
	}
	if err := oauth.CheckState(state, gotState); err != nil {
		t.Fatal(err)
	}
	if oauth.CheckState(state, "forged") == nil {
		t.Fatal("a forged state passed")
	}
	if _, err := src.Exchange(context.Background(), code, "wrong-verifier-"+verifier); !errors.Is(err, connector.ErrReauthRequired) {
		t.Fatalf("wrong PKCE verifier: err = %v", err)
	}
	code, _, _ = provider.Consent(authURL)
	tok, err := src.Exchange(context.Background(), code, verifier)
	if err != nil {
		t.Fatal(err)
	}
	stored, ver, err := store.Load(context.Background())
	if err != nil || ver != 1 || stored.RefreshToken != tok.RefreshToken {
		t.Fatalf("store after the exchange: %v, version %d, %v", stored, ver, err)
	}
	again, err := src.Token()
	if err != nil || again.AccessToken != tok.AccessToken {
		t.Fatalf("Token after Exchange = %v, %v; want the exchanged token without a refresh", again, err)
	}
}

func TestClientCredentialsGrant(t *testing.T) {
	provider := connectortest.NewOAuthServer(t)
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	cc := &clientcredentials.Config{ClientID: provider.ClientID, ClientSecret: provider.ClientSecret, TokenURL: provider.TokenURL, AuthStyle: oauth2.AuthStyleInParams}
	src, err := oauth.NewSource(oauth.Config{Grant: oauth.ClientCredentials(cc), Store: oauth.NewMemoryStore(nil), HTTPClient: &http.Client{Transport: tr}})
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		tok, err := src.Token()
		if err != nil || !provider.Valid(tok.AccessToken) {
			t.Fatalf("token = %v, %v", tok, err)
		}
	}
	if n := provider.TokenRequests("client_credentials"); n != 1 {
		t.Fatalf("token requests = %d, want 1 (cached after)", n)
	}
}

func TestNewSourceRequiresExplicitAuthStyle(t *testing.T) {
	cfg := &oauth2.Config{ClientID: "id", Endpoint: oauth2.Endpoint{TokenURL: "https://example.test/token"}}
	if _, err := oauth.NewSource(oauth.Config{OAuth2: cfg, Store: oauth.NewMemoryStore(nil)}); err == nil {
		t.Fatal("AuthStyleAutoDetect accepted")
	}
}

// A token whose expiry is within EarlyExpiry is refreshed before use.
func TestEarlyExpiryMargin(t *testing.T) {
	f := newFixture(t, nil, oauth.Config{EarlyExpiry: 2 * time.Minute}, nil)
	f.provider.SetAccessTTL(90 * time.Second) // always inside the margin
	for range 2 {
		if _, err := f.src.Token(); err != nil {
			t.Fatal(err)
		}
	}
	if n := f.provider.TokenRequests("refresh_token"); n != 2 {
		t.Fatalf("refreshes = %d, want 2: a token expiring within the margin is not used", n)
	}
}

// After an ambiguous failure (the answer was lost), the Source re-reads the
// store before trying again: another process may have rotated the token,
// and spending the old refresh token again would only get invalid_grant.
func TestAmbiguousFailureRereadsStore(t *testing.T) {
	store := oauth.NewMemoryStore(&oauth2.Token{AccessToken: "old", RefreshToken: "rt-1", Expiry: time.Now().Add(-time.Hour)})
	calls := 0
	grant := func(ctx context.Context, cur *oauth2.Token) (*oauth2.Token, error) {
		calls++
		// Meanwhile another process rotated the token and saved it.
		_, ver, _ := store.Load(ctx)
		if _, err := store.Save(ctx, &oauth2.Token{AccessToken: "theirs", RefreshToken: "rt-2", Expiry: time.Now().Add(time.Hour)}, ver); err != nil {
			t.Fatal(err)
		}
		return nil, errors.New("read tcp: connection reset by peer")
	}
	src, err := oauth.NewSource(oauth.Config{Grant: grant, Store: store})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := src.Token()
	if err != nil || tok.AccessToken != "theirs" || calls != 1 {
		t.Fatalf("token %v, err %v after %d grant calls; want the other process's token after 1", tok, err, calls)
	}
}

// One stuck connection to the token endpoint spends only its try's share
// of RefreshTimeout: the next try is answered and the refresh succeeds
// well within the timeout.
func TestHungTryLeavesTimeForTheNext(t *testing.T) {
	f := newFixture(t, nil, oauth.Config{RefreshTimeout: 3 * time.Second, RefreshAttempts: 3}, nil)
	f.provider.HangNext(1)
	start := time.Now()
	if _, err := f.src.TokenContext(context.Background()); err != nil {
		t.Fatalf("after one hung try: %v", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("the refresh took %v: the hung try spent more than its share", d)
	}
	if n := f.provider.TokenRequests("refresh_token"); n != 2 {
		t.Fatalf("%d token requests, want 2", n)
	}
}

// loseFirstAnswer lets the first token request reach the endpoint and
// loses its answer, as a connection cut after the provider committed.
type loseFirstAnswer struct {
	next http.RoundTripper
	lost atomic.Bool
}

func (l *loseFirstAnswer) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := l.next.RoundTrip(r)
	if err == nil && l.lost.CompareAndSwap(false, true) {
		resp.Body.Close()
		return nil, errors.New("read tcp: connection reset by peer")
	}
	return resp, err
}

// A refresh whose answer was lost after the provider rotated the token:
// where the provider keeps the old refresh token usable for a grace
// period (Xero: 30 minutes), the Source's retry with the token it has gets
// a new pair; where it does not, the grant is gone and the error says the
// account must be authorized again (never a retry loop).
func TestLostRefreshAnswer(t *testing.T) {
	for _, grace := range []time.Duration{30 * time.Minute, 0} {
		t.Run(fmt.Sprint("grace ", grace), func(t *testing.T) {
			f := newFixture(t, nil, oauth.Config{}, nil)
			f.provider.SetGrace(grace)
			lose := &loseFirstAnswer{next: f.hc.Transport}
			src, err := oauth.NewSource(oauth.Config{OAuth2: f.provider.Config(oauth2.AuthStyleInHeader), Store: f.store,
				HTTPClient: &http.Client{Transport: lose}})
			if err != nil {
				t.Fatal(err)
			}
			tok, err := src.TokenContext(context.Background())
			if grace > 0 {
				if err != nil || !f.provider.Valid(tok.AccessToken) {
					t.Fatalf("within the grace period: %v, %v", tok, err)
				}
				return
			}
			if !errors.Is(err, connector.ErrReauthRequired) {
				t.Fatalf("strict provider: err = %v, want ErrReauthRequired", err)
			}
		})
	}
}
