package connector

import (
	"context"
	"net/http"
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
	ctx := req.Context()
	var cancel context.CancelFunc
	if t.timeout > 0 {
		// From sending the request to the last byte of the body, so that
		// a vendor that hangs or trickles cannot hold a call past it.
		ctx, cancel = context.WithTimeout(ctx, t.timeout)
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
			if cancel != nil {
				cancel()
			}
			// Nothing was sent: no retry can send it twice.
			return nil, &authError{err: err}
		}
	}
	resp, err := t.next.RoundTrip(r)
	if err != nil {
		if cancel != nil {
			cancel()
		}
		return nil, err
	}
	if cancel != nil {
		resp.Body = &cancelOnClose{ReadCloser: resp.Body, cancel: cancel}
	}
	if resp.Request == nil {
		resp.Request = r // a 401 names the credential it refused
	}
	return resp, nil
}
