package connector

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// call is one Do: its resolved options, what the retry rules must know of
// it, and its own go-retryablehttp and http.Client values, whose hooks and
// transport are bound to it. Only the goroutine making the call runs
// them, so the state they keep is plain fields, and nothing travels
// through the request's context.
type call struct {
	ctx     context.Context // the caller's
	c       *Client
	opts    CallOptions // resolved once, when the call is made
	method  string
	op      string
	keyed   bool // carries an idempotency key, or is replayable by nature
	attempt int  // 1-based
	// lastCost is the quota tokens the last retry took.
	lastCost int
	// outcomeUnknown is set when the rules refuse to retry a sent write:
	// its effect is unknown.
	outcomeUnknown bool
	tel            *callTelemetry // nil unless telemetry is on

	rc       retryablehttp.Client
	hc       http.Client           // its Transport is the call: RoundTrip below
	bodiless retryablehttp.Request // the wrapper of a request with no body
}

func (c *Client) newCall(ctx context.Context, method string, opts []CallOption) *call {
	st := &call{ctx: ctx, c: c, method: method, attempt: 1}
	for _, opt := range opts {
		if opt != nil {
			opt(&st.opts)
		}
	}
	st.op = st.opts.Operation
	// The call is its client's transport: it has no CloseIdleConnections,
	// which go-retryablehttp calls after every failed call and which would
	// empty the connection pool every client of the process shares.
	st.hc = http.Client{Transport: st, CheckRedirect: c.redirect}
	st.rc = retryablehttp.Client{
		HTTPClient:   &st.hc,
		Logger:       nil, // we log per attempt ourselves, redacted
		RetryWaitMin: c.retry.BaseDelay,
		RetryWaitMax: c.retry.MaxDelay,
		RetryMax:     c.retry.MaxAttempts - 1,
		CheckRetry:   st.checkRetry,
		Backoff:      c.backoffFn,
		ErrorHandler: errorHandler,
	}
	return st
}

// RoundTrip is one attempt (or redirect hop) of the call: the client's
// layers below retry (rate limit, attempt timeout, auth, base transport),
// and one debug line for it.
func (st *call) RoundTrip(req *http.Request) (*http.Response, error) {
	if st.tel != nil && st.tel.attemptStart.IsZero() {
		st.tel.attemptStart = time.Now() // a redirect hop continues its attempt
	}
	if !st.c.logger.Enabled(req.Context(), slog.LevelDebug) {
		return st.c.stack.RoundTrip(req)
	}
	start := time.Now()
	resp, err := st.c.stack.RoundTrip(req)
	st.c.logAttempt(st, req, resp, err, time.Since(start))
	return resp, err
}

// replayable reports whether repeating the request cannot cause a second
// side effect: the method is idempotent, or the write carries a key.
func (st *call) replayable() bool {
	switch st.method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodPut, http.MethodDelete:
		return true
	}
	return st.keyed
}
