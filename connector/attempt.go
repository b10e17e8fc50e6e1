package connector

import (
	"context"
	"io"
	"net/http"
	"strings"
	"time"
)

// attemptTransport prepares one attempt, in the order of the stack: it
// starts the attempt timeout, then sets the call's headers and, for the
// vendor's own hosts only, its credentials. Doing all three on one copy of
// the request costs one request and one header map per attempt; the
// caller's request is never modified.
type attemptTransport struct {
	next      http.RoundTripper
	timeout   time.Duration
	userAgent []string
	headers   http.Header // the vendor's fixed headers
	auth      Auth
	redactor  *Redactor
	trusted   map[string]bool // host[:port] as in URL.Host
}

func (t *attemptTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	parent := req.Context()
	ctx := parent
	var timer *attemptTimer
	if t.timeout > 0 {
		// From sending the request to the last byte of the body, so that
		// a vendor that hangs or trickles cannot hold a call past it. A
		// cancel func on a timer costs an allocation less per call than
		// context.WithTimeout; attemptTimer says "timeout", not "canceled".
		var cancel context.CancelFunc
		ctx, cancel = context.WithCancel(parent)
		timer = &attemptTimer{parent: parent, ctx: ctx, cancel: cancel, timer: time.AfterFunc(t.timeout, cancel)}
	}
	r := req.WithContext(ctx)
	// A new map sharing the caller's value slices: entries are replaced,
	// never modified in place.
	r.Header = make(http.Header, len(req.Header)+3+len(t.headers))
	for k, v := range req.Header {
		r.Header[k] = v
	}
	if _, ok := r.Header["User-Agent"]; !ok {
		r.Header["User-Agent"] = t.userAgent
	}
	for k, v := range t.headers {
		if _, ok := r.Header[k]; !ok {
			r.Header[k] = v
		}
	}
	if t.auth != nil && t.trusted[req.URL.Host] {
		if err := t.auth.Apply(r, t.redactor); err != nil {
			timer.stop()
			// Nothing was sent: no retry can send it twice.
			return nil, &authError{err: err}
		}
	}
	resp, err := t.next.RoundTrip(r)
	if err != nil {
		err = timer.explain(err)
		timer.stop()
		return nil, err
	}
	if timer != nil {
		timer.ReadCloser = resp.Body
		resp.Body = timer
	}
	if resp.Request == nil {
		resp.Request = r // a 401 names the credential it refused
	}
	return resp, nil
}

// attemptTimer bounds one attempt, and is its answer's body: closing the
// body ends the attempt.
type attemptTimer struct {
	io.ReadCloser
	parent, ctx context.Context
	cancel      context.CancelFunc
	timer       *time.Timer
}

func (a *attemptTimer) Read(p []byte) (int, error) {
	n, err := a.ReadCloser.Read(p)
	if err != nil && err != io.EOF {
		err = a.explain(err)
	}
	return n, err
}

func (a *attemptTimer) Close() error {
	err := a.ReadCloser.Close()
	a.stop()
	return err
}

func (a *attemptTimer) stop() {
	if a != nil {
		a.timer.Stop()
		a.cancel()
	}
}

// explain reports a failure the attempt's own timer caused as a timeout,
// not as the cancellation it was made with.
func (a *attemptTimer) explain(err error) error {
	if a != nil && a.ctx.Err() != nil && a.parent.Err() == nil {
		return &attemptTimeoutError{err: err}
	}
	return err
}

// attemptTimeoutError is an attempt that outlasted the attempt timeout.
type attemptTimeoutError struct{ err error }

func (e *attemptTimeoutError) Error() string {
	return "the attempt timed out: " + strings.TrimSuffix(e.err.Error(), ": context canceled")
}
func (e *attemptTimeoutError) Timeout() bool { return true }
func (e *attemptTimeoutError) Unwrap() error { return context.DeadlineExceeded }
