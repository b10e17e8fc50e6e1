package sqlstore

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/patchbay-go/patchbay/connector/webhook"
)

// DefaultSeenTTL is how long SeenStore remembers an id when given no ttl:
// longer than vendors redeliver (Shopify 48 hours, Stripe 3 days).
const DefaultSeenTTL = 7 * 24 * time.Hour

// pruneEvery spaces the deletions of expired ids.
const pruneEvery = time.Minute

// SeenStore is a webhook.SeenStore in the database, shared by every
// process using it: of concurrent claims of one id, in any process,
// exactly one is first.
type SeenStore struct {
	d         *DB
	ttl       time.Duration
	lastPrune atomic.Int64 // Unix ms
}

var _ webhook.SeenStore = (*SeenStore)(nil)

// SeenStore returns a store that remembers a claimed id for ttl
// (DefaultSeenTTL if ttl <= 0). An expired id can be claimed again; expired
// rows are deleted as claims go by, at most once a minute per store.
func (d *DB) SeenStore(ttl time.Duration) *SeenStore {
	if ttl <= 0 {
		ttl = DefaultSeenTTL
	}
	return &SeenStore{d: d, ttl: ttl}
}

// Claim records id and reports whether it was new (or its claim expired).
// One upsert: it inserts, or takes over an expired row, or changes nothing
// and reports no row affected. https://www.sqlite.org/lang_upsert.html,
// https://www.postgresql.org/docs/current/sql-insert.html#SQL-ON-CONFLICT
func (s *SeenStore) Claim(ctx context.Context, id string) (bool, error) {
	now := s.d.ms()
	s.prune(ctx, now)
	res, err := s.d.db.ExecContext(ctx, `INSERT INTO patchbay_webhook_seen (id, expires_ms) VALUES ($1, $2)
		ON CONFLICT (id) DO UPDATE SET expires_ms = excluded.expires_ms
		WHERE patchbay_webhook_seen.expires_ms <= $3`, id, now+s.ttl.Milliseconds(), now)
	if err != nil {
		return false, fmt.Errorf("sqlstore: claiming webhook id: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("sqlstore: claiming webhook id: %w", err)
	}
	return n == 1, nil
}

// Release forgets id, so that its next delivery is handled.
func (s *SeenStore) Release(ctx context.Context, id string) error {
	if _, err := s.d.db.ExecContext(ctx, `DELETE FROM patchbay_webhook_seen WHERE id = $1`, id); err != nil {
		return fmt.Errorf("sqlstore: releasing webhook id: %w", err)
	}
	return nil
}

// prune deletes expired ids, if this store has not for pruneEvery. A
// failure is left for the next claim: it does not make this one fail.
func (s *SeenStore) prune(ctx context.Context, now int64) {
	last := s.lastPrune.Load()
	if now-last < pruneEvery.Milliseconds() || !s.lastPrune.CompareAndSwap(last, now) {
		return
	}
	if _, err := s.d.db.ExecContext(ctx, `DELETE FROM patchbay_webhook_seen WHERE expires_ms <= $1`, now); err != nil {
		s.lastPrune.CompareAndSwap(now, last)
	}
}
