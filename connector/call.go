package connector

import (
	"context"
	"net/http"

	"github.com/hashicorp/go-retryablehttp"
)

// call is one Do: what the retry rules must know of it, and its own
// go-retryablehttp client, whose hooks are bound to it. Only those hooks,
// run by the goroutine making the call, change it. The layers below see it
// as the attempt's context and only read it (the operation and attempt
// number for the log line); nothing comes back up through the context:
// the answer carries the request it answered.
type call struct {
	context.Context
	c       *Client
	method  string
	op      string
	keyed   bool // carries an idempotency key the vendor honours
	attempt int  // 1-based
	// lastCost is the quota tokens the last retry took.
	lastCost int
	// outcomeUnknown is set when the rules refuse to retry a sent write:
	// its effect is unknown.
	outcomeUnknown bool

	rc retryablehttp.Client
}

func (c *Client) newCall(ctx context.Context, method, op string) *call {
	st := &call{Context: ctx, c: c, method: method, op: op, attempt: 1}
	st.rc = retryablehttp.Client{
		HTTPClient:   c.http,
		Logger:       nil, // we log per attempt ourselves, redacted
		RetryWaitMin: c.retry.BaseDelay,
		RetryWaitMax: c.retry.MaxDelay,
		RetryMax:     c.retry.MaxAttempts - 1,
		CheckRetry:   st.checkRetry,
		Backoff:      c.backoff,
		ErrorHandler: errorHandler,
	}
	return st
}

type callKey struct{}

// Value makes the call findable by the layers below it.
func (st *call) Value(key any) any {
	if key == (callKey{}) {
		return st
	}
	return st.Context.Value(key)
}

// callFrom returns the call an attempt belongs to, or nil.
func callFrom(ctx context.Context) *call {
	st, _ := ctx.Value(callKey{}).(*call)
	return st
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
