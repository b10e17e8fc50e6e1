package oauth

import (
	"context"
	"errors"
	"sync"

	"golang.org/x/oauth2"
)

// Version identifies one saved state of a store's token. 0 means no token
// was ever saved; every save makes a new, larger one.
type Version uint64

// Errors of a TokenStore.
var (
	// ErrNoToken: the store holds no token yet; run the authorization flow.
	ErrNoToken = errors.New("oauth: no token stored")
	// ErrVersionConflict: the token changed since it was loaded (another
	// process refreshed it). Load again and use what is there.
	ErrVersionConflict = errors.New("oauth: token changed since it was loaded")
)

// TokenStore persists one credential's token. Save is compare-and-swap:
// it succeeds only if the stored version is still expected, so that two
// processes sharing a store cannot overwrite each other's rotation.
//
// A database-backed store implements it with a version column:
//
//	Load: SELECT token, version FROM oauth_tokens WHERE account = $1
//	Save: UPDATE oauth_tokens SET token = $2, version = version + 1
//	      WHERE account = $1 AND version = $3 RETURNING version
//	      (no row updated: ErrVersionConflict; first save: INSERT ... ON CONFLICT DO NOTHING)
//
// and, for Locker, a row lock (SELECT ... FOR UPDATE in a transaction) or an
// advisory lock keyed on the account.
type TokenStore interface {
	Load(ctx context.Context) (*oauth2.Token, Version, error)
	Save(ctx context.Context, tok *oauth2.Token, expected Version) (Version, error)
}

// Locker is implemented by stores that can exclude other processes from
// refreshing the same credential at once. The Source holds the lock from
// loading the token to saving the refreshed one, so that exactly one
// process spends the refresh token and the others read its result. Lock
// returns a view of the store whose Load and Save run under the held lock.
type Locker interface {
	Lock(ctx context.Context) (locked TokenStore, unlock func(), err error)
}

// MemoryStore is a TokenStore for one process (and for tests).
type MemoryStore struct {
	mu      sync.Mutex
	tok     *oauth2.Token
	version Version
	lock    chan struct{} // the refresh lock, held across load → save
}

// NewMemoryStore returns a store holding tok (nil for none).
func NewMemoryStore(tok *oauth2.Token) *MemoryStore {
	s := &MemoryStore{lock: make(chan struct{}, 1)}
	if tok != nil {
		s.tok, s.version = copyToken(tok), 1
	}
	return s
}

func (s *MemoryStore) Load(context.Context) (*oauth2.Token, Version, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tok == nil {
		return nil, 0, ErrNoToken
	}
	return copyToken(s.tok), s.version, nil
}

func (s *MemoryStore) Save(_ context.Context, tok *oauth2.Token, expected Version) (Version, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.version != expected {
		return s.version, ErrVersionConflict
	}
	s.tok = copyToken(tok)
	s.version++
	return s.version, nil
}

// Lock takes the refresh lock. Load and Save never take it, so the locked
// view is the store itself.
func (s *MemoryStore) Lock(ctx context.Context) (TokenStore, func(), error) {
	select {
	case s.lock <- struct{}{}:
		return s, func() { <-s.lock }, nil
	case <-ctx.Done():
		return nil, nil, ctx.Err()
	}
}

// copyToken keeps callers from changing a stored token through a pointer.
func copyToken(t *oauth2.Token) *oauth2.Token {
	c := *t
	return &c
}
