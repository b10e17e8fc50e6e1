package oauth

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/sync/singleflight"

	"github.com/patchbay-go/patchbay/connector"
)

// Config configures a Source.
type Config struct {
	// OAuth2 is the app's client configuration. Endpoint.AuthStyle must be
	// oauth2.AuthStyleInHeader or oauth2.AuthStyleInParams, as the vendor
	// documents: auto-detection sends a refresh token twice when the first
	// style fails, and a rotating vendor honours only the first.
	OAuth2 *oauth2.Config
	// Store persists the token. Required.
	Store TokenStore
	// Grant gets a new token; nil means the refresh-token grant of OAuth2.
	// ClientCredentials(...) is the other grant most vendors offer.
	Grant Grant
	// HTTPClient calls the token endpoint; nil uses the connector's shared
	// transport.
	HTTPClient *http.Client
	// RefreshTimeout bounds one refresh, retries included. It runs on its
	// own context: a caller that gives up does not abort a refresh that
	// other callers wait for, and a refresh never outlives this. Default 10 s.
	RefreshTimeout time.Duration
	// EarlyExpiry refreshes a token this long before it expires, so that it
	// does not expire in flight. Default 60 s.
	EarlyExpiry time.Duration
	// RefreshAttempts bounds tries of the token endpoint after 5xx or
	// network errors. Default 3. Each try gets its share of
	// RefreshTimeout, so an endpoint that hangs one connection leaves
	// time for the next try instead of spending the whole refresh.
	RefreshAttempts int
	// OnRefresh is called with each new token, after it has been saved.
	OnRefresh func(tok *oauth2.Token)
}

// Grant fetches a new token. current is the stored token, or nil if the
// store holds none.
type Grant func(ctx context.Context, current *oauth2.Token) (*oauth2.Token, error)

// Source is a token source for one credential (one connected account). It
// is safe for concurrent use, and implements oauth2.TokenSource,
// connector.ContextTokenSource and connector.ForcedRefresher, so that
// connector.OAuth2(src) refreshes and replays on a 401.
type Source struct {
	cfg    Config
	grant  Grant
	client *http.Client
	flight singleflight.Group

	mu  sync.RWMutex
	tok *oauth2.Token // the last token loaded or saved
	ver Version

	// unsaved is a token the endpoint issued but the store refused to save
	// (not a conflict: an I/O error). It is saved before anything else is
	// tried, so a rotated refresh token is not lost.
	unsaved     *oauth2.Token
	unsavedBase Version
}

// NewSource checks cfg and returns a Source.
func NewSource(cfg Config) (*Source, error) {
	if cfg.Store == nil {
		return nil, errors.New("oauth: Config.Store is required")
	}
	if cfg.Grant == nil {
		if cfg.OAuth2 == nil {
			return nil, errors.New("oauth: Config.OAuth2 is required for the refresh-token grant")
		}
		cfg.Grant = RefreshTokenGrant(cfg.OAuth2)
	}
	if cfg.OAuth2 != nil && cfg.OAuth2.Endpoint.AuthStyle == oauth2.AuthStyleAutoDetect {
		return nil, errors.New("oauth: set Endpoint.AuthStyle explicitly (AuthStyleInHeader or AuthStyleInParams): auto-detection can spend a refresh token twice")
	}
	if cfg.RefreshTimeout <= 0 {
		cfg.RefreshTimeout = 10 * time.Second
	}
	if cfg.EarlyExpiry < 0 {
		return nil, errors.New("oauth: negative EarlyExpiry")
	}
	if cfg.EarlyExpiry == 0 {
		cfg.EarlyExpiry = 60 * time.Second
	}
	if cfg.RefreshAttempts <= 0 {
		cfg.RefreshAttempts = 3
	}
	client := cfg.HTTPClient
	if client == nil {
		client = &http.Client{Transport: connector.SharedTransport()}
	}
	return &Source{cfg: cfg, grant: cfg.Grant, client: client}, nil
}

// Token returns a valid token, refreshing it if needed. It waits at most
// RefreshTimeout; prefer TokenContext.
func (s *Source) Token() (*oauth2.Token, error) { return s.TokenContext(context.Background()) }

// TokenContext returns a valid token. ctx bounds only this caller's wait:
// the refresh itself runs on its own context.
func (s *Source) TokenContext(ctx context.Context) (*oauth2.Token, error) {
	s.mu.RLock()
	tok := s.tok
	s.mu.RUnlock()
	if s.usable(tok, "") {
		return tok, nil
	}
	return s.refresh(ctx, "")
}

// ForceRefresh replaces a token the API rejected. If the current token is
// already another one (a concurrent call refreshed it), nothing is fetched.
func (s *Source) ForceRefresh(ctx context.Context, rejectedAccessToken string) error {
	_, err := s.refresh(ctx, rejectedAccessToken)
	return err
}

func (s *Source) refresh(ctx context.Context, rejected string) (*oauth2.Token, error) {
	ch := s.flight.DoChan("refresh", func() (any, error) { return s.doRefresh(rejected) })
	select {
	case r := <-ch:
		if r.Err != nil {
			return nil, r.Err
		}
		return r.Val.(*oauth2.Token), nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// usable reports whether tok can be handed out: present, not the rejected
// one, and not expiring within EarlyExpiry. A token without an expiry is
// good until the API rejects it.
func (s *Source) usable(tok *oauth2.Token, rejected string) bool {
	if tok == nil || tok.AccessToken == "" || tok.AccessToken == rejected {
		return false
	}
	return tok.Expiry.IsZero() || time.Until(tok.Expiry) > s.cfg.EarlyExpiry
}

func (s *Source) set(tok *oauth2.Token, ver Version) *oauth2.Token {
	s.mu.Lock()
	s.tok, s.ver = tok, ver
	s.mu.Unlock()
	return tok
}

// doRefresh runs once at a time per Source (single flight), on its own
// bounded context.
func (s *Source) doRefresh(rejected string) (*oauth2.Token, error) {
	ctx, cancel := context.WithTimeout(context.WithValue(context.Background(), oauth2.HTTPClient, s.client), s.cfg.RefreshTimeout)
	defer cancel()

	// A flight that ended just before this one may have done the work.
	s.mu.RLock()
	cur := s.tok
	s.mu.RUnlock()
	if s.usable(cur, rejected) {
		return cur, nil
	}

	store := s.cfg.Store
	if l, ok := store.(Locker); ok {
		locked, unlock, err := l.Lock(ctx)
		if err != nil {
			return nil, fmt.Errorf("oauth: locking the token store: %w", err)
		}
		defer unlock()
		store = locked
	}
	tok, ver, err := store.Load(ctx)
	switch {
	case errors.Is(err, ErrNoToken):
		tok, ver = nil, 0
	case err != nil:
		return nil, fmt.Errorf("oauth: loading the token: %w", err)
	case s.usable(tok, rejected):
		return s.set(tok, ver), nil // another process refreshed it
	}

	fresh, err := s.takeUnsaved(ver)
	if fresh == nil {
		fresh, tok, ver, err = s.fetch(ctx, store, tok, ver, rejected)
		if err != nil || fresh == tok {
			return fresh, err
		}
	}
	newVer, err := store.Save(ctx, fresh, ver)
	if errors.Is(err, ErrVersionConflict) {
		// Another process saved first; its token wins, ours is dropped.
		if t2, v2, lerr := store.Load(ctx); lerr == nil && s.usable(t2, rejected) {
			return s.set(t2, v2), nil
		}
		return nil, fmt.Errorf("oauth: saving the refreshed token: %w", err)
	}
	if err != nil {
		s.mu.Lock()
		s.unsaved, s.unsavedBase = fresh, ver
		s.mu.Unlock()
		return nil, fmt.Errorf("oauth: saving the refreshed token (kept to save again): %w", err)
	}
	s.set(fresh, newVer)
	if s.cfg.OnRefresh != nil {
		s.cfg.OnRefresh(copyToken(fresh))
	}
	return fresh, nil
}

// takeUnsaved returns a token a previous flight could not save, if the
// store is still where it was then.
func (s *Source) takeUnsaved(ver Version) (*oauth2.Token, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	tok := s.unsaved
	s.unsaved = nil
	if tok != nil && s.unsavedBase == ver {
		return tok, nil
	}
	return nil, nil
}

// fetch calls the grant with bounded retries. After a refusal or an
// ambiguous failure it re-reads the store first: another process may have
// rotated the token meanwhile. It returns (stored, stored, ...) when the
// store already holds a usable token, which the caller then uses as is.
func (s *Source) fetch(ctx context.Context, store TokenStore, tok *oauth2.Token, ver Version, rejected string) (fresh, cur *oauth2.Token, curVer Version, err error) {
	for attempt := 1; ; attempt++ {
		actx, cancel := context.WithTimeout(ctx, s.cfg.RefreshTimeout/time.Duration(s.cfg.RefreshAttempts))
		fresh, err := s.grant(actx, tok)
		cancel()
		if err == nil {
			return fresh, tok, ver, nil
		}
		if t2, v2, lerr := store.Load(ctx); lerr == nil && v2 != ver {
			if s.usable(t2, rejected) {
				t := s.set(t2, v2)
				return t, t, v2, nil
			}
			tok, ver = t2, v2 // a newer refresh token to try
			if attempt < s.cfg.RefreshAttempts {
				continue
			}
		}
		kind := classify(err)
		if kind == refused {
			return nil, tok, ver, refusedError(err)
		}
		if attempt >= s.cfg.RefreshAttempts || ctx.Err() != nil {
			return nil, tok, ver, failedError(err, attempt)
		}
		wait := rand.N(50 * time.Millisecond << attempt)
		select {
		case <-ctx.Done():
			return nil, tok, ver, failedError(ctx.Err(), attempt)
		case <-time.After(wait):
		}
	}
}
