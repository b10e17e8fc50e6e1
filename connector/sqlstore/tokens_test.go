package sqlstore_test

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/patchbay-go/patchbay/connector/connectortest"
	"github.com/patchbay-go/patchbay/connector/oauth"
	"github.com/patchbay-go/patchbay/connector/sqlstore"
)

// Save is compare-and-swap on the version, as oauth.MemoryStore's: a save
// from a stale version gets oauth.ErrVersionConflict and the stored
// version, and changes nothing.
func TestTokenStoreCompareAndSwap(t *testing.T) {
	eachDialect(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := open(t, dsn)
		s := db.TokenStore("xero:tenant-1")

		_, _, err := s.Load(ctx)
		require.ErrorIs(t, err, oauth.ErrNoToken)

		expiry := time.Date(2026, 11, 29, 9, 0, 0, 0, time.UTC)
		first := &oauth2.Token{AccessToken: "a1", TokenType: "Bearer", RefreshToken: "r1", Expiry: expiry}
		v1, err := s.Save(ctx, first, 0)
		require.NoError(t, err)
		require.Equal(t, oauth.Version(1), v1)

		// A second first save (another process connected the account too).
		cur, err := s.Save(ctx, &oauth2.Token{AccessToken: "a-other"}, 0)
		require.ErrorIs(t, err, oauth.ErrVersionConflict)
		require.Equal(t, v1, cur)

		v2, err := s.Save(ctx, &oauth2.Token{AccessToken: "a2", RefreshToken: "r2"}, v1)
		require.NoError(t, err)
		require.Equal(t, oauth.Version(2), v2)

		cur, err = s.Save(ctx, &oauth2.Token{AccessToken: "a-stale", RefreshToken: "r-stale"}, v1)
		require.ErrorIs(t, err, oauth.ErrVersionConflict)
		require.Equal(t, v2, cur)

		tok, v, err := s.Load(ctx)
		require.NoError(t, err)
		require.Equal(t, v2, v)
		require.Equal(t, "a2", tok.AccessToken)
		require.Equal(t, "r2", tok.RefreshToken)

		// Every field round-trips; names are separate credentials.
		other := db.TokenStore("xero:tenant-2")
		_, _, err = other.Load(ctx)
		require.ErrorIs(t, err, oauth.ErrNoToken)
		_, err = other.Save(ctx, first, 0)
		require.NoError(t, err)
		tok, _, err = open(t, dsn).TokenStore("xero:tenant-2").Load(ctx)
		require.NoError(t, err)
		require.Equal(t, "a1", tok.AccessToken)
		require.Equal(t, "Bearer", tok.TokenType)
		require.Equal(t, "r1", tok.RefreshToken)
		require.True(t, expiry.Equal(tok.Expiry), "expiry %v", tok.Expiry)
	})
}

// The locked view reads and saves under the lock; a first save works over
// the placeholder row that locking an empty credential leaves, and a
// conflicting save is still refused.
func TestTokenStoreLockedView(t *testing.T) {
	eachDialect(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		s := open(t, dsn).TokenStore("acct")

		locked, unlock, err := s.Lock(ctx)
		require.NoError(t, err)
		_, _, err = locked.Load(ctx)
		require.ErrorIs(t, err, oauth.ErrNoToken)
		v, err := locked.Save(ctx, &oauth2.Token{AccessToken: "a1", RefreshToken: "r1"}, 0)
		require.NoError(t, err)
		require.Equal(t, oauth.Version(1), v)
		unlock()
		unlock() // twice is harmless

		// Unlocking without saving leaves the placeholder of another name
		// looking empty.
		_, unlock2, err := open(t, dsn).TokenStore("empty").Lock(ctx)
		require.NoError(t, err)
		unlock2()
		_, _, err = open(t, dsn).TokenStore("empty").Load(ctx)
		require.ErrorIs(t, err, oauth.ErrNoToken)

		locked, unlock, err = s.Lock(ctx)
		require.NoError(t, err)
		defer unlock()
		_, err = locked.Save(ctx, &oauth2.Token{AccessToken: "stale"}, 0)
		require.ErrorIs(t, err, oauth.ErrVersionConflict)
		tok, v, err := locked.Load(ctx)
		require.NoError(t, err)
		require.Equal(t, oauth.Version(1), v)
		require.Equal(t, "a1", tok.AccessToken)
	})
}

// Processes refreshing one expired credential at once: exactly one spends
// the refresh token at the (rotating, single-use) token endpoint, and every
// caller gets the token it saved. Two DBs on one DSN are two processes;
// several Sources per DB are several clients in one process.
func TestTokenRefreshSpendsTheRefreshTokenOnce(t *testing.T) {
	eachDialect(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		provider := connectortest.NewOAuthServer(t)
		provider.Slow(30 * time.Millisecond) // widen the window for a second refresh
		tr := &http.Transport{}
		t.Cleanup(tr.CloseIdleConnections)
		hc := &http.Client{Transport: tr}

		dbs := []*sqlstore.DB{open(t, dsn), open(t, dsn)}
		_, err := dbs[0].TokenStore("xero:acct").Save(ctx, provider.IssueToken(-time.Minute), 0)
		require.NoError(t, err)

		var wg sync.WaitGroup
		var mu sync.Mutex
		got := map[string]int{}
		for _, db := range dbs {
			for range 3 {
				src, err := oauth.NewSource(oauth.Config{OAuth2: provider.Config(oauth2.AuthStyleInHeader),
					Store: db.TokenStore("xero:acct"), HTTPClient: hc, RefreshAttempts: 1})
				require.NoError(t, err)
				for range 2 {
					wg.Add(1)
					go func() {
						defer wg.Done()
						tok, err := src.TokenContext(ctx)
						if !assert.NoError(t, err) {
							return
						}
						mu.Lock()
						got[tok.AccessToken]++
						mu.Unlock()
					}()
				}
			}
		}
		wg.Wait()
		require.Equal(t, 1, provider.TokenRequests("refresh_token"), "the refresh token was spent more than once")
		require.Len(t, got, 1, "callers got different tokens: %v", got)
		for access, n := range got {
			require.Equal(t, 12, n)
			require.True(t, provider.Valid(access))
		}
		tok, v, err := dbs[1].TokenStore("xero:acct").Load(ctx)
		require.NoError(t, err)
		require.Equal(t, oauth.Version(2), v)
		require.True(t, provider.Valid(tok.AccessToken))
	})
}

// A token's access and refresh tokens never reach an error of this
// package: not a failed save, not a corrupt row, not a conflict.
func TestTokenSecretSentinel(t *testing.T) {
	const (
		access  = "SENTINEL-access-9f8e"
		refresh = "SENTINEL-refresh-7d6c"
	)
	tok := &oauth2.Token{AccessToken: access, RefreshToken: refresh, Expiry: time.Now().Add(time.Hour)}
	check := func(t *testing.T, err error) {
		t.Helper()
		connectortest.CheckNoSecret(t, err, access)
		connectortest.CheckNoSecret(t, err, refresh)
	}
	eachDialect(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := open(t, dsn)
		s := db.TokenStore("acct")

		canceled, cancel := context.WithCancel(ctx)
		cancel()
		_, err := s.Save(canceled, tok, 0)
		check(t, err)

		v, err := s.Save(ctx, tok, 0)
		require.NoError(t, err)
		_, err = s.Save(ctx, tok, v+5)
		require.ErrorIs(t, err, oauth.ErrVersionConflict)
		check(t, err)

		// A row another program left broken, holding the secrets.
		_, err = db.Raw().ExecContext(ctx, `UPDATE patchbay_oauth_tokens SET token = $1 WHERE name = 'acct'`,
			`{"access_token":"`+access+`","refresh_token":"`+refresh+`",`)
		require.NoError(t, err)
		_, _, err = s.Load(ctx)
		check(t, err)

		// The locked view's save, its context ending under it.
		lctx, lcancel := context.WithCancel(ctx)
		locked, unlock, err := db.TokenStore("other").Lock(lctx)
		require.NoError(t, err)
		lcancel()
		_, err = locked.Save(lctx, tok, 0)
		unlock()
		check(t, err)

		closed := open(t, dsn)
		require.NoError(t, closed.Close())
		_, err = closed.TokenStore("acct").Save(ctx, tok, 1)
		check(t, err)
		_, _, err = closed.TokenStore("acct").Lock(ctx)
		check(t, err)
	})
}
