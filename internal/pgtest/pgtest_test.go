package pgtest_test

import (
	"context"
	"database/sql"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/patchbay-go/patchbay/internal/pgtest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(pgtest.Main(m)) }

// Two tests' databases are distinct, empty, and usable.
func TestURLGivesEachTestItsOwnDatabase(t *testing.T) {
	names := map[string]bool{}
	for _, sub := range []string{"a", "b"} {
		t.Run(sub, func(t *testing.T) {
			u := pgtest.URL(t)
			parsed, err := url.Parse(u)
			require.NoError(t, err)
			require.False(t, names[parsed.Path], "database %s handed out twice", parsed.Path)
			names[parsed.Path] = true

			db, err := sql.Open("pgx", u)
			require.NoError(t, err)
			defer db.Close()
			ctx := context.Background()
			var current string
			require.NoError(t, db.QueryRowContext(ctx, "SELECT current_database()").Scan(&current))
			require.Equal(t, parsed.Path[1:], current)
			var tables int
			require.NoError(t, db.QueryRowContext(ctx, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").Scan(&tables))
			require.Zero(t, tables)
			_, err = db.ExecContext(ctx, "CREATE TABLE t (x int)")
			require.NoError(t, err)
		})
	}
	require.Len(t, names, 2)
}
