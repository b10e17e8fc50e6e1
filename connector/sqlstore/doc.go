// Package sqlstore keeps Patchbay's durable state in a SQL database: OAuth
// tokens (an oauth.TokenStore and oauth.Locker), webhook de-duplication (a
// webhook.SeenStore), keyed records (what a flow journal needs), an
// order inbox that workers take items from under leases, and vendor
// budgets the processes share (Budgets, a connector.SharedBudget).
//
// Which store to use when:
//
//   - memory (oauth.MemoryStore, webhook.MemorySeen, the flow's
//     MemoryJournal): tests, and a process whose state may die with it.
//   - SQLite (Open("sqlite:/var/lib/app/patchbay.db")): the embedded
//     default for one process on one host. A pure-Go driver
//     (modernc.org/sqlite): no cgo. The file is in WAL mode, every write
//     transaction takes the write lock when it begins (BEGIN IMMEDIATE), and
//     writers wait up to 15 s for each other (busy_timeout). Processes on
//     one host sharing the file are safe but wait for each other: while a
//     process refreshes a token it holds the file's write lock.
//   - PostgreSQL (Open("postgres://...")): several processes or hosts at
//     once. Through pgx's database/sql driver. The token refresh holds a row
//     lock on that credential only, and workers take inbox items with
//     FOR UPDATE SKIP LOCKED, so no two processes ever take one item.
//
// The package creates its tables (all named patchbay_*) and migrates them
// itself, in a transaction, recording the version in
// patchbay_schema_version; on PostgreSQL an advisory lock lets several
// processes open a new database at once.
//
// Tokens are stored as the oauth.FileStore keeps them: as JSON, not
// encrypted. Protect the database as you would the token file (its
// credentials, its backups). Errors from this package never carry a
// token.
//
// Times (leases, webhook id expiry, budgets) are taken from the clock of the process
// that writes them: keep the hosts sharing a PostgreSQL database in NTP
// sync, and leases much longer than any skew.
package sqlstore
