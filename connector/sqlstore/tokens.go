package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"

	"github.com/patchbay-go/patchbay/connector/oauth"
)

// TokenStore keeps one credential's OAuth token in the database, under a
// name of the caller's choosing (one per connected account, e.g.
// "xero:tenant-42"). Save is compare-and-swap on a version column; Lock
// holds the credential's row locked from load to save, so that of several
// processes refreshing at once exactly one spends the refresh token.
//
// The token is kept as JSON, as oauth.FileStore keeps it: not encrypted.
type TokenStore struct {
	d    *DB
	name string
}

var (
	_ oauth.TokenStore = (*TokenStore)(nil)
	_ oauth.Locker     = (*TokenStore)(nil)
)

// TokenStore returns the store of the credential called name.
func (d *DB) TokenStore(name string) *TokenStore { return &TokenStore{d: d, name: name} }

// storedToken is the JSON of a token at rest, the fields oauth.FileStore
// keeps.
type storedToken struct {
	AccessToken  string    `json:"access_token"`
	TokenType    string    `json:"token_type,omitempty"`
	RefreshToken string    `json:"refresh_token,omitempty"`
	Expiry       time.Time `json:"expiry,omitzero"`
}

type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Load returns the stored token and its version, or oauth.ErrNoToken.
func (s *TokenStore) Load(ctx context.Context) (*oauth2.Token, oauth.Version, error) {
	return s.load(ctx, s.d.db)
}

// Save stores tok if the stored version is still expected (0: none
// stored), and returns the new version. Otherwise it returns the stored
// version and oauth.ErrVersionConflict.
func (s *TokenStore) Save(ctx context.Context, tok *oauth2.Token, expected oauth.Version) (oauth.Version, error) {
	return s.save(ctx, s.d.db, tok, expected)
}

func (s *TokenStore) load(ctx context.Context, q querier) (*oauth2.Token, oauth.Version, error) {
	var raw string
	var version int64
	err := q.QueryRowContext(ctx, `SELECT token, version FROM patchbay_oauth_tokens WHERE name = $1`, s.name).Scan(&raw, &version)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && version == 0) { // version 0: Lock's placeholder
		return nil, 0, oauth.ErrNoToken
	}
	if err != nil {
		return nil, 0, fmt.Errorf("sqlstore: loading token %q: %w", s.name, err)
	}
	var st storedToken
	if err := json.Unmarshal([]byte(raw), &st); err != nil {
		// The row holds secrets: say where, not what.
		return nil, 0, fmt.Errorf("sqlstore: token %q is not valid JSON", s.name)
	}
	tok := &oauth2.Token{AccessToken: st.AccessToken, TokenType: st.TokenType, RefreshToken: st.RefreshToken, Expiry: st.Expiry}
	return tok, oauth.Version(version), nil
}

func (s *TokenStore) save(ctx context.Context, q querier, tok *oauth2.Token, expected oauth.Version) (oauth.Version, error) {
	if tok == nil {
		return 0, errors.New("sqlstore: saving a nil token")
	}
	b, err := json.Marshal(storedToken{AccessToken: tok.AccessToken, TokenType: tok.TokenType, RefreshToken: tok.RefreshToken, Expiry: tok.Expiry})
	if err != nil {
		return 0, fmt.Errorf("sqlstore: encoding token %q", s.name)
	}
	var res sql.Result
	if expected == 0 {
		// The first save, or one over Lock's placeholder row.
		res, err = q.ExecContext(ctx, `INSERT INTO patchbay_oauth_tokens (name, token, version, updated_ms) VALUES ($1, $2, 1, $3)
			ON CONFLICT (name) DO UPDATE SET token = excluded.token, version = 1, updated_ms = excluded.updated_ms
			WHERE patchbay_oauth_tokens.version = 0`, s.name, string(b), s.d.ms())
	} else {
		res, err = q.ExecContext(ctx, `UPDATE patchbay_oauth_tokens SET token = $2, version = version + 1, updated_ms = $3
			WHERE name = $1 AND version = $4`, s.name, string(b), s.d.ms(), int64(expected))
	}
	if err != nil {
		return 0, s.scrub("saving", err, tok)
	}
	if n, err := res.RowsAffected(); err != nil {
		return 0, s.scrub("saving", err, tok)
	} else if n == 1 {
		return expected + 1, nil
	}
	var current int64
	err = q.QueryRowContext(ctx, `SELECT version FROM patchbay_oauth_tokens WHERE name = $1`, s.name).Scan(&current)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, s.scrub("saving", err, tok)
	}
	return oauth.Version(current), oauth.ErrVersionConflict
}

// scrub wraps a database error, and drops it for its text alone if that
// text holds one of tok's secrets (no driver is known to echo a bound
// value, but the message must not depend on it).
func (s *TokenStore) scrub(op string, err error, tok *oauth2.Token) error {
	msg := err.Error()
	for _, secret := range []string{tok.AccessToken, tok.RefreshToken} {
		if secret != "" {
			msg = strings.ReplaceAll(msg, secret, "[redacted]")
		}
	}
	if msg != err.Error() {
		return fmt.Errorf("sqlstore: %s token %q: %s", op, s.name, msg)
	}
	return fmt.Errorf("sqlstore: %s token %q: %w", op, s.name, err)
}

// Lock holds the credential's row locked until unlock: on PostgreSQL a
// row lock (SELECT ... FOR UPDATE) on this credential alone, on SQLite the
// database's write lock (BEGIN IMMEDIATE). Within one process the
// refreshers of one DB and name also queue on a mutex, so that they wait
// without holding a pooled connection each. The lock ends at unlock, when
// the returned view's Save commits, or when ctx ends, whichever is first.
func (s *TokenStore) Lock(ctx context.Context) (oauth.TokenStore, func(), error) {
	l := s.d.tokenLock(s.name)
	select {
	case l <- struct{}{}:
	case <-ctx.Done():
		return nil, nil, ctx.Err()
	}
	release := func() { <-l }
	tx, err := s.d.db.BeginTx(ctx, nil)
	if err != nil {
		release()
		return nil, nil, fmt.Errorf("sqlstore: locking token %q: %w", s.name, err)
	}
	// A placeholder row (version 0, no token) to lock when none is stored
	// yet. On SQLite this write is what takes the write lock, should the
	// pool not begin transactions IMMEDIATE.
	_, err = tx.ExecContext(ctx, `INSERT INTO patchbay_oauth_tokens (name, token, version, updated_ms) VALUES ($1, '', 0, $2)
		ON CONFLICT (name) DO NOTHING`, s.name, s.d.ms())
	if err == nil && s.d.dialect == Postgres {
		var v int64
		err = tx.QueryRowContext(ctx, `SELECT version FROM patchbay_oauth_tokens WHERE name = $1 FOR UPDATE`, s.name).Scan(&v)
	}
	if err != nil {
		tx.Rollback()
		release()
		return nil, nil, fmt.Errorf("sqlstore: locking token %q: %w", s.name, err)
	}
	v := &lockedTokens{s: s, tx: tx}
	var once sync.Once
	unlock := func() {
		once.Do(func() {
			v.mu.Lock()
			if v.tx != nil {
				v.tx.Rollback()
				v.tx = nil
			}
			v.mu.Unlock()
			release()
		})
	}
	return v, unlock, nil
}

func (d *DB) tokenLock(name string) chan struct{} {
	d.mu.Lock()
	defer d.mu.Unlock()
	l, ok := d.locks[name]
	if !ok {
		l = make(chan struct{}, 1)
		d.locks[name] = l
	}
	return l
}

// lockedTokens is a TokenStore under Lock: it reads and writes in the
// locking transaction, and its Save commits it.
type lockedTokens struct {
	s  *TokenStore
	mu sync.Mutex
	tx *sql.Tx // nil once committed or rolled back
}

func (v *lockedTokens) Load(ctx context.Context) (*oauth2.Token, oauth.Version, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.tx == nil {
		return v.s.Load(ctx)
	}
	return v.s.load(ctx, v.tx)
}

// Save writes and commits: the refreshed token is durable before Save
// returns, and the lock ends with it.
func (v *lockedTokens) Save(ctx context.Context, tok *oauth2.Token, expected oauth.Version) (oauth.Version, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.tx == nil {
		return v.s.Save(ctx, tok, expected)
	}
	ver, err := v.s.save(ctx, v.tx, tok, expected)
	if err != nil {
		return ver, err
	}
	tx := v.tx
	v.tx = nil
	if err := tx.Commit(); err != nil {
		return 0, v.s.scrub("committing", err, tok)
	}
	return ver, nil
}
