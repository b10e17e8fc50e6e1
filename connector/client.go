package connector

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// Connector is every vendor package's Client: a name, and Do through the
// whole stack for any endpoint no service covers.
type Connector interface {
	Vendor() string
	Do(ctx context.Context, req *http.Request, opts ...CallOption) (*http.Response, error)
}

var _ Connector = (*Client)(nil)

// Client is the transport every vendor client embeds, safe for concurrent
// use: one per connected account, all sharing one connection pool.
type Client struct {
	vendor            string
	baseString        string            // base without a trailing slash
	stack             http.RoundTripper // below retry: rate limit → attempt → base
	redirect          func(*http.Request, []*http.Request) error
	logger            *slog.Logger
	retry             RetryPolicy
	quota             *retryQuota
	limiter           *RateLimiter
	redactor          *Redactor
	decodeError       ErrorDecoder
	decide            func(*http.Response) RetryDecision
	requestIDHeaders  []string
	idempotencyHeader string
	keyEveryWrite     bool
	maxBody           int64
	reauth            reauthorizer // nil unless the auth can renew a rejected credential
	backoffFn         retryablehttp.Backoff
	tel               *telemetry     // nil when off
	shared            *AccountBudget // nil unless WithSharedBudget
}

// New builds a client for v with the user's options.
func New(v Vendor, opts ...Option) (*Client, error) {
	base, err := v.check()
	if err != nil {
		return nil, err
	}
	s := defaultSettings(v.Name)
	for _, opt := range opts {
		if err := opt(&s); err != nil {
			return nil, err
		}
	}
	requestIDs := v.RequestIDHeaders
	if len(requestIDs) == 0 {
		requestIDs = []string{"X-Request-Id"}
	}
	c := &Client{
		vendor:            v.Name,
		baseString:        strings.TrimSuffix(base.String(), "/"),
		retry:             s.retry,
		quota:             newRetryQuota(s.retry.Quota),
		limiter:           newRateLimiter(s.rateLimit, s.rateBurst),
		redactor:          newRedactor(),
		decodeError:       v.DecodeError,
		decide:            v.DecideRetry,
		requestIDHeaders:  requestIDs,
		idempotencyHeader: http.CanonicalHeaderKey(v.IdempotencyHeader),
		keyEveryWrite:     v.KeyEveryWrite,
		maxBody:           s.maxBody,
	}
	if c.tel, err = newTelemetry(v.Name, s.tracerProvider, s.meterProvider); err != nil {
		return nil, err
	}
	c.reauth, _ = v.Auth.(reauthorizer)
	c.backoffFn = c.backoff // bound once, not per call
	if c.decodeError == nil {
		c.decodeError = decodeCommonError
	}
	header := make(http.Header, len(v.Header))
	for name, values := range v.Header {
		header[http.CanonicalHeaderKey(name)] = values
	}
	trusted := map[string]bool{base.Host: true}
	for _, h := range v.TrustedHosts {
		trusted[h] = true
	}
	sensitive := []string{"Authorization", "Proxy-Authorization", "Cookie"}
	if hn, ok := v.Auth.(HeaderNamer); ok {
		sensitive = append(sensitive, hn.HeaderName())
	}

	// The stack, outermost first: retry (go-retryablehttp, one per call) →
	// the call's own transport (one log line per attempt) → rate limit →
	// attempt (timeout, headers, auth) → base transport. Each attempt so
	// takes a fresh rate-limit slot and a fresh token.
	var stack http.RoundTripper = &attemptTransport{next: s.base, timeout: s.attemptTimeout, userAgent: []string{s.userAgent},
		headers: header, auth: v.Auth, redactor: c.redactor, trusted: trusted}
	rl := &rateLimitTransport{next: stack, limiter: c.limiter, feedback: v.RateFeedback, maxRetryAfter: s.retry.MaxRetryAfter}
	if v.Limit.Valid() {
		c.limiter.limit.Store(&v.Limit)
	}
	if s.shared != nil {
		c.shared = newAccountBudget(s.shared, v.Name+":"+s.account+"@"+base.Host)
		c.limiter.shared, rl.shared, rl.limitFor = c.shared, c.shared, v.LimitFor
	}
	if v.MaxConcurrent > 0 {
		rl.slots = make(chan struct{}, v.MaxConcurrent)
	}
	c.stack, c.redirect, c.logger = rl, redirectPolicy(sensitive), s.logger
	return c, nil
}

// Vendor returns the vendor name the client was built for.
func (c *Client) Vendor() string { return c.vendor }

// Redact removes the client's secrets from s (for errors sent with a 200).
func (c *Client) Redact(s string) string { return c.redactor.String(s) }

// RateLimiter returns the client's limiter, for pacing from other signals.
func (c *Client) RateLimiter() *RateLimiter { return c.limiter }

// URL resolves path against the base URL; an absolute URL stays as is.
func (c *Client) URL(path string) (*url.URL, error) {
	if strings.HasPrefix(path, "https://") || strings.HasPrefix(path, "http://") {
		return url.Parse(path)
	}
	if path != "" && path[0] != '/' && path[0] != '?' {
		path = "/" + path
	}
	return url.Parse(c.baseString + path)
}

// NewRequest builds a request for path.
func (c *Client) NewRequest(ctx context.Context, method, path string, body io.Reader) (*http.Request, error) {
	u, err := c.URL(path)
	if err != nil {
		return nil, fmt.Errorf("connector: %s: bad path: %w", c.vendor, err)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), body)
	if err != nil {
		return nil, fmt.Errorf("connector: %s: %w", c.vendor, err)
	}
	return req, nil
}

// Do sends req, never modified, through the whole stack: for any endpoint
// no service covers; one with no host goes to the base URL. It returns a
// 2xx or 3xx answer (the caller closes its body, read through the size
// cap), else an *APIError or another error of one sentinel kind.
//
// Retries: a request that provably never arrived (refused dial, DNS, TLS
// handshake timeout) is retried whatever its method; 408, 5xx and lost
// connections only for GET, HEAD, OPTIONS, PUT, DELETE or a keyed write. A
// keyless POST or PATCH that may have arrived is ErrOutcomeUnknown instead.
// 429 (and 503 with Retry-After) waits as asked, unless that passes ctx's
// deadline or MaxRetryAfter: then ErrRateLimited with RetryAfter, at once.
func (c *Client) Do(ctx context.Context, req *http.Request, opts ...CallOption) (*http.Response, error) {
	st := c.newCall(ctx, req.Method, opts)
	resp, err := c.do(st, req)
	if c.tel != nil {
		c.tel.end(st, err)
	}
	return resp, err
}

// do sends req as the call st. The call's options were resolved once, when
// it was made.
func (c *Client) do(st *call, req *http.Request) (*http.Response, error) {
	ctx, o := st.ctx, &st.opts
	// The caller's request is sent as it is unless something of it must
	// change: then a shallow copy is (go-retryablehttp sets the body of
	// the request it is given on every attempt).
	r := req
	key := c.keyFor(req, *o)
	relative := req.URL != nil && req.URL.Host == ""
	hasBody := req.Body != nil && req.Body != http.NoBody
	switch {
	case req.Context() != ctx:
		r = req.WithContext(ctx) // Do's ctx governs the call, as documented
	case relative || hasBody || key != "" || len(o.Header) > 0:
		cp := *req
		r = &cp
	}
	if relative {
		u, err := c.URL(r.URL.RequestURI())
		if err != nil {
			return nil, fmt.Errorf("connector: %s: bad path: %w", c.vendor, err)
		}
		r.URL, r.Host = u, ""
	}
	c.redactor.addQuery(r.URL)

	if key != "" || len(o.Header) > 0 {
		r.Header = req.Header.Clone()
		if r.Header == nil {
			r.Header = http.Header{}
		}
		for name, values := range o.Header {
			r.Header[name] = values
		}
		if key != "" {
			r.Header[c.idempotencyHeader] = []string{key}
		}
	}
	// A call with the caller's key is safe to repeat however the vendor
	// package carries the key (a header, a GraphQL directive, a unique
	// field it looks up), and so is one the client keyed itself.
	st.keyed = key != "" || o.IdempotencyKey != "" || o.Replayable
	if c.tel != nil {
		c.tel.begin(st, r)
	}

	// A request with no body needs no replayable copy of one: the call
	// holds its wrapper, which saves an allocation on every read.
	rreq := &st.bodiless
	rreq.Request = r
	if hasBody {
		var err error
		if rreq, err = retryablehttp.FromRequest(r); err != nil {
			return nil, c.transportErr(st.op, ErrValidation, fmt.Errorf("reading request body: %w", err))
		}
	}
	resp, err := st.rc.Do(rreq)
	if err == nil && resp.StatusCode == http.StatusUnauthorized && c.reauth != nil {
		if rejected := sentCredential(resp); rejected != "" {
			// One forced refresh and one replay; a second 401 is final.
			drain(resp)
			if rerr := c.reauth.Reauthorize(ctx, rejected); rerr != nil {
				return nil, c.transportErr(st.op, authKind(rerr), rerr)
			}
			resp, err = st.rc.Do(rreq)
			if err == nil && resp.StatusCode == http.StatusUnauthorized {
				apiErr := c.apiError(st, resp)
				apiErr.Kind = ErrReauthRequired
				return nil, apiErr
			}
		}
	}
	if err != nil {
		if resp != nil {
			resp.Body.Close()
		}
		return nil, c.failure(ctx, st, err)
	}
	if resp.StatusCode >= 400 {
		return nil, c.apiError(st, resp)
	}
	// A body with a Content-Length within the cap already stops there.
	if resp.ContentLength < 0 || resp.ContentLength > c.maxBody {
		resp.Body = &cappedBody{ReadCloser: resp.Body, left: c.maxBody}
	}
	return resp, nil
}

// sentCredential is the Authorization value the rejected attempt carried:
// the request on the answer is the attempt's own copy.
func sentCredential(resp *http.Response) string {
	if resp.Request == nil {
		return ""
	}
	return resp.Request.Header.Get("Authorization")
}

// keyFor is the idempotency key the request carries to the vendor: the
// call's, one already on the request, or a fresh one for a write when the
// vendor package asked for keys on every write. "" when the vendor takes
// none.
func (c *Client) keyFor(req *http.Request, o CallOptions) string {
	if c.idempotencyHeader == "" {
		return ""
	}
	if o.IdempotencyKey != "" {
		return o.IdempotencyKey
	}
	if key := req.Header.Get(c.idempotencyHeader); key != "" {
		return key
	}
	if c.keyEveryWrite && isWrite(req.Method) {
		return NewKey()
	}
	return ""
}

// isWrite reports whether a method can change state. PUT counts: some
// vendors create with it (Xero).
func isWrite(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace:
		return false
	}
	return true
}

// authKind types a failure to put credentials on a request: an outage of
// the token endpoint is ErrUnavailable, a refusal ErrUnauthorized (or
// ErrReauthRequired). A failure of the token source's own (a store that
// cannot save) keeps its own error and has no kind: it is not the
// vendor's doing.
func authKind(err error) error {
	for _, kind := range []error{ErrReauthRequired, ErrUnavailable, ErrUnauthorized, context.Canceled, context.DeadlineExceeded} {
		if errors.Is(err, kind) {
			return kind
		}
	}
	var se *sourceError
	if errors.As(err, &se) {
		return nil
	}
	return ErrUnauthorized // a custom Auth's refusal
}

// drain reads a little of a body we discard, so that the connection can be
// reused, and closes it.
func drain(resp *http.Response) {
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxErrorRead))
	resp.Body.Close()
}

// failure turns an error with no vendor answer into a typed error.
func (c *Client) failure(ctx context.Context, st *call, err error) error {
	var rw *rateWaitError
	if errors.As(err, &rw) {
		return &APIError{Vendor: c.vendor, Op: st.op, Kind: ErrRateLimited, RetryAfter: rw.wait,
			Message: "not sent: the client is rate limited past the context deadline"}
	}
	var ae *authError
	switch {
	case st.outcomeUnknown:
		return c.transportErr(st.op, ErrOutcomeUnknown, err)
	case errors.As(err, &ae):
		return c.transportErr(st.op, authKind(ae.err), err)
	case ctx.Err() != nil:
		return c.transportErr(st.op, ctx.Err(), err)
	}
	return c.transportErr(st.op, ErrUnavailable, err)
}

func (c *Client) transportErr(op string, kind, err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		// The cause stays available to errors.Is, so scrub its URL too.
		if u, perr := url.Parse(ue.URL); perr == nil {
			ue.URL = c.redactor.url(u)
		} else {
			ue.URL = redacted
		}
	}
	msg := c.redactor.String(err.Error())
	if errors.Is(kind, ErrOutcomeUnknown) {
		msg = "the request was sent and its answer lost; it may have taken effect: " + msg
	}
	return &transportError{vendor: c.vendor, op: op, kind: kind, msg: msg, err: err}
}

// maxErrorRead bounds what is read of an error body for decoding.
const maxErrorRead = 64 << 10

// apiError reads, redacts and decodes a vendor's error answer, and closes it.
func (c *Client) apiError(st *call, resp *http.Response) *APIError {
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorRead))
	body := c.redactor.bytes(raw)
	e := &APIError{
		Vendor:     c.vendor,
		Op:         st.op,
		StatusCode: resp.StatusCode,
		RequestID:  c.redactor.String(requestID(resp.Header, c.requestIDHeaders)),
		Kind:       kindForStatus(resp.StatusCode),
		Body:       body[:min(len(body), maxErrorBody)],
	}
	if wait, ok := parseRetryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
		e.RetryAfter = wait
	}
	c.decodeError(resp, body, e)
	if e.Message == "" {
		// Not the vendor's shape (a gateway's or a proxy's page): its
		// text still says what happened.
		e.Message = bodyText(body)
	}
	e.Code = c.redactor.String(e.Code)
	e.Message = c.redactor.String(e.Message)
	if st.outcomeUnknown {
		e.Kind = ErrOutcomeUnknown
	}
	return e
}

// JSON sends in as a JSON body (nil for none) to path and decodes a 2xx
// answer into out (nil to discard it).
func (c *Client) JSON(ctx context.Context, method, path string, in, out any, opts ...CallOption) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("connector: %s: encoding request: %w", c.vendor, err)
		}
		body = bytes.NewReader(b)
	}
	return c.Send(ctx, method, path, "application/json", body, out, opts...)
}

// Send is JSON for a body of another encoding (Stripe's forms).
func (c *Client) Send(ctx context.Context, method, path, contentType string, body io.Reader, out any, opts ...CallOption) error {
	req, err := c.NewRequest(ctx, method, path, body)
	if err != nil {
		return err
	}
	req.Header["Accept"] = []string{"application/json"}
	if body != nil {
		req.Header["Content-Type"] = []string{contentType}
	}
	st := c.newCall(ctx, method, opts)
	err = c.send(st, req, out)
	if c.tel != nil {
		c.tel.end(st, err)
	}
	return err
}

func (c *Client) send(st *call, req *http.Request, out any) error {
	resp, err := c.do(st, req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if out == nil {
		_, err = io.Copy(io.Discard, resp.Body)
	} else {
		err = DecodeJSON(resp.Body, out)
	}
	if err == nil {
		return nil
	}
	kind := ErrUnavailable // the body stopped coming: a timeout or a reset
	if errors.Is(err, ErrInvalidResponse) {
		kind = ErrInvalidResponse
	}
	return c.transportErr(st.op, kind, err)
}
