// Package connector is the transport that every Patchbay vendor package
// builds on. It holds no business logic: it sends a vendor's requests safely
// and turns the vendor's answers into typed Go values and errors.
//
// A Client is built once per connected account (tenant) and is safe for
// concurrent use. Each call goes through one stack, outermost first:
//
//	retry (go-retryablehttp, with the rules below and a retry quota)
//	→ rate limit (golang.org/x/time/rate, paused by Retry-After)
//	→ attempt timeout
//	→ auth (API key, Basic, Bearer, OAuth2), for the vendor's host only
//	→ logging (one redacted debug line per attempt)
//	→ base transport (one shared, tuned connection pool)
//
// Retries never duplicate a write: a POST or PATCH is repeated only when it
// provably never arrived, or when it carries an idempotency key the vendor
// honours (WithIdempotencyKey, DeriveKey). Otherwise a lost answer is
// reported as ErrOutcomeUnknown, for the caller to look the record up.
//
// Errors unwrap to the sentinels in errors.go (ErrNotFound, ErrRateLimited,
// ...); a vendor's non-2xx answer is an *APIError with its status, code,
// message and request id. No error or log line carries a secret: the client
// redacts every credential its auth applied.
//
// Lists are iterators (All) or, for resumable syncs, Pagers with a cursor
// that can be stored. Webhooks are verified with VerifyHMAC and
// CheckTimestamp and served by WebhookHandler.
package connector
