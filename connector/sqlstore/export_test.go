package sqlstore

import (
	"context"
	"database/sql"
	"time"
)

// OpenAt opens dsn migrated to version v only, as an older build left it.
func OpenAt(ctx context.Context, dsn string, v int) (*DB, error) { return openAt(ctx, dsn, v) }

// Raw is the pool, for tests that look under the API.
func (d *DB) Raw() *sql.DB { return d.db }

// SetNow sets the clock of leases and expiries.
func (d *DB) SetNow(now func() time.Time) { d.now = now }

// Latest is the schema version of this build.
var Latest = latest
