// Package connector is the transport every Patchbay vendor package builds
// on: safe requests, typed answers and errors, no business logic.
//
// A vendor package declares its vendor once (Vendor: base URL, auth, error
// decoder, idempotency header, rate feedback); a user tunes only what a
// user owns (Option: HTTP client, logger, retry policy, rate limit,
// timeouts, telemetry). A call goes through retry (go-retryablehttp, with
// a quota), rate limit, attempt timeout, auth (vendor's hosts only), a
// redacted debug line per attempt, and a shared pool.
//
// A write is retried only when it provably never arrived or carries an
// idempotency key the vendor honours (WithIdempotencyKey, DeriveKey);
// otherwise a lost answer is ErrOutcomeUnknown. Every error unwraps to at
// most one sentinel kind (ErrNotFound, ErrRateLimited, ...) and carries no
// secret. Lists are iterators (All); webhooks are in connector/webhook.
//
// Each client paces itself from what its vendor reports. Clients of one
// vendor account in several processes draw on one budget with
// WithSharedBudget: the vendor's documented limit (Vendor.Limit) or what
// it reports is left, kept in a SharedBudget (sqlstore.DB.Budgets across
// processes, NewMemoryBudget in one).
package connector
