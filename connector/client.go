package connector

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/hashicorp/go-retryablehttp"
	"golang.org/x/time/rate"
)

// Connector is what every vendor client is: a name, and a raw call through
// the whole stack (retry, rate limit, auth, errors, redaction) for any
// endpoint that no domain interface covers yet. It stays this small;
// capabilities come as other small interfaces.
type Connector interface {
	Vendor() string
	Do(ctx context.Context, req *http.Request, opts ...CallOption) (*http.Response, error)
}

var _ Connector = (*Client)(nil)

// Client is the transport every vendor client embeds. It is safe for
// concurrent use. Make one per connected account (tenant): rate limits,
// retry quota and tokens are per account at every vendor, while the
// connection pool is shared (see WithHTTPClient).
type Client struct {
	vendor            string
	base              *url.URL
	baseString        string // base without a trailing slash
	retrying          *retryablehttp.Client
	retry             RetryPolicy
	quota             *retryQuota
	limiter           *RateLimiter
	redactor          *Redactor
	decodeError       ErrorDecoder
	requestIDHeaders  []string
	idempotencyHeader string
	autoKeys          bool
	maxBody           int64
	reauth            Reauthorizer // nil unless the auth can renew a rejected credential
}

// New builds a client for vendor ("hubspot", "xero", ...), the name that
// errors and logs carry.
func New(vendor string, opts ...Option) (*Client, error) {
	if vendor == "" {
		return nil, errors.New("connector: empty vendor name")
	}
	cfg := config{
		retry:            DefaultRetryPolicy(),
		rateLimit:        rate.Inf,
		logger:           discardLogger,
		userAgent:        "patchbay-go",
		attemptTimeout:   30 * time.Second,
		requestIDHeaders: []string{"X-Request-Id"},
		maxBody:          32 << 20,
	}
	for _, opt := range opts {
		if err := opt(&cfg); err != nil {
			return nil, err
		}
	}
	if cfg.baseURL == nil {
		return nil, errors.New("connector: WithBaseURL is required")
	}
	if cfg.retry.Decide == nil {
		cfg.retry.Decide = cfg.decide
	}
	if cfg.autoKeys && cfg.idempotencyHeader == "" {
		return nil, errors.New("connector: WithAutoIdempotencyKeys needs WithIdempotencyHeader")
	}

	c := &Client{
		vendor:            vendor,
		base:              cfg.baseURL,
		baseString:        strings.TrimSuffix(cfg.baseURL.String(), "/"),
		retry:             cfg.retry,
		quota:             newRetryQuota(),
		limiter:           NewRateLimiter(cfg.rateLimit, max(cfg.rateBurst, 1)),
		redactor:          NewRedactor(),
		decodeError:       cfg.decodeError,
		requestIDHeaders:  cfg.requestIDHeaders,
		idempotencyHeader: cfg.idempotencyHeader,
		autoKeys:          cfg.autoKeys,
		maxBody:           cfg.maxBody,
	}
	c.reauth, _ = cfg.auth.(Reauthorizer)
	if c.decodeError == nil {
		c.decodeError = DecodeCommonError
	}

	var base http.RoundTripper = SharedTransport()
	if cfg.httpClient != nil && cfg.httpClient.Transport != nil {
		base = cfg.httpClient.Transport
	}
	// crypto/tls already defaults clients to TLS 1.2; refuse a transport
	// that explicitly allows less.
	if tr, ok := base.(*http.Transport); ok && tr.TLSClientConfig != nil &&
		tr.TLSClientConfig.MinVersion != 0 && tr.TLSClientConfig.MinVersion < tls.VersionTLS12 {
		return nil, errors.New("connector: the HTTP client allows TLS below 1.2")
	}
	trusted := map[string]bool{cfg.baseURL.Host: true}
	for _, h := range cfg.trustedHosts {
		trusted[h] = true
	}
	sensitive := append([]string{"Authorization", "Proxy-Authorization", "Cookie"}, cfg.sensitiveHeaders...)
	if hn, ok := cfg.auth.(HeaderNamer); ok {
		sensitive = append(sensitive, hn.HeaderName())
	}

	// The stack, outermost first: retry (go-retryablehttp) → rate limit →
	// attempt (timeout, headers, auth) → logging → base transport. Each attempt so
	// takes a fresh rate-limit slot and a fresh token.
	var stack http.RoundTripper = &loggingTransport{next: base, logger: cfg.logger, redactor: c.redactor, vendor: vendor, requestID: cfg.requestIDHeaders}
	stack = &attemptTransport{next: stack, timeout: cfg.attemptTimeout, userAgent: []string{cfg.userAgent},
		idempotencyHeader: cfg.idempotencyHeader, headers: cfg.headers, auth: cfg.auth, redactor: c.redactor, trusted: trusted}
	rl := &rateLimitTransport{next: stack, limiter: c.limiter, feedback: cfg.feedback, maxRetryAfter: cfg.retry.MaxRetryAfter}
	if cfg.maxConcurrent > 0 {
		rl.slots = make(chan struct{}, cfg.maxConcurrent)
	}
	stack = rl

	c.retrying = &retryablehttp.Client{
		HTTPClient:   &http.Client{Transport: stack, CheckRedirect: redirectPolicy(sensitive)},
		Logger:       nil, // we log per attempt ourselves, redacted
		RetryWaitMin: cfg.retry.BaseDelay,
		RetryWaitMax: cfg.retry.MaxDelay,
		RetryMax:     cfg.retry.MaxAttempts - 1,
		CheckRetry:   c.checkRetry,
		Backoff:      c.backoff,
		ErrorHandler: errorHandler,
		RequestLogHook: func(_ retryablehttp.Logger, req *http.Request, i int) {
			if st := stateFrom(req.Context()); st != nil {
				st.attempt = i + 1
			}
		},
	}
	return c, nil
}

// Vendor returns the vendor name the client was built for.
func (c *Client) Vendor() string { return c.vendor }

// RateLimiter returns the client's limiter, for vendor packages that pace
// from their own signals (Shopify's query cost, for one).
func (c *Client) RateLimiter() *RateLimiter { return c.limiter }

// Redactor returns the client's redactor, for vendor packages that build
// their own error strings.
func (c *Client) Redactor() *Redactor { return c.redactor }

// URL resolves a path (with an optional query) against the base URL. An
// absolute URL, such as a vendor's next-page link, is returned as is.
func (c *Client) URL(path string) (*url.URL, error) {
	if strings.HasPrefix(path, "https://") || strings.HasPrefix(path, "http://") {
		return url.Parse(path)
	}
	if path != "" && path[0] != '/' && path[0] != '?' {
		path = "/" + path
	}
	return url.Parse(c.baseString + path)
}

// NewRequest builds a request for path (see URL) with ctx.
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

// Do sends req through the whole stack and returns a 2xx or 3xx response,
// whose body the caller must close and which reads through the size cap.
// Anything else is an error: *APIError for a vendor's non-2xx answer,
// otherwise an error that unwraps to one of the sentinels.
//
// Retry rules: a request that provably never reached the vendor (refused
// dial, DNS failure, TLS handshake timeout) is retried whatever its method.
// 408, 500, 502, 503, 504 and connections lost after sending are retried
// only for GET, HEAD, OPTIONS, PUT and DELETE, or for a write that carries
// an idempotency key (WithIdempotencyKey); a keyless POST or PATCH instead
// fails with ErrOutcomeUnknown. 429, and 503 with Retry-After, are retried
// after the wait the vendor asked for, unless it would pass ctx's deadline
// or the policy's MaxRetryAfter: then ErrRateLimited comes back at once,
// with RetryAfter set. Retries also stop when the client's retry quota is
// spent, so a vendor outage does not multiply the load on it.
//
// Do reads the request body into memory once, so that every attempt sends
// the same bytes.
func (c *Client) Do(ctx context.Context, req *http.Request, opts ...CallOption) (*http.Response, error) {
	o := ResolveCallOptions(opts...)
	if req.URL != nil && req.URL.Host == "" {
		u, err := c.URL(req.URL.RequestURI())
		if err != nil {
			return nil, fmt.Errorf("connector: %s: bad path: %w", c.vendor, err)
		}
		req = req.Clone(ctx)
		req.URL, req.Host = u, ""
	}

	c.redactor.AddQuery(req.URL)
	st := &callState{Context: ctx, method: req.Method, op: o.Operation}
	key := o.IdempotencyKey
	if c.idempotencyHeader != "" {
		if key == "" {
			key = req.Header.Get(c.idempotencyHeader)
		}
		if key == "" && c.autoKeys && isWrite(req.Method) {
			key = NewKey()
		}
	}
	st.key, st.keyed = key, key != ""
	// Headers, the key and credentials are set on each attempt's own copy
	// (attemptTransport), so the caller's request is never modified.
	r := req.WithContext(st)

	rreq, err := retryablehttp.FromRequest(r)
	if err != nil {
		return nil, c.transportErr(st, ErrValidation, fmt.Errorf("reading request body: %w", err))
	}
	resp, err := c.retrying.Do(rreq)
	if err == nil && resp.StatusCode == http.StatusUnauthorized && c.reauth != nil && st.credential != "" {
		// One forced refresh and one replay; a second 401 is final.
		drain(resp)
		if rerr := c.reauth.Reauthorize(ctx, st.credential); rerr != nil {
			return nil, c.transportErr(st, reauthKind(rerr), rerr)
		}
		resp, err = c.retrying.Do(rreq)
		if err == nil && resp.StatusCode == http.StatusUnauthorized {
			apiErr := c.apiError(st, resp).(*APIError)
			apiErr.Kind = ErrReauthRequired
			return nil, apiErr
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

// isWrite reports whether a method can change state. PUT counts: some
// vendors create with it (Xero).
func isWrite(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace:
		return false
	}
	return true
}

// reauthKind types a failed forced refresh.
func reauthKind(err error) error {
	if errors.Is(err, ErrReauthRequired) {
		return ErrReauthRequired
	}
	return ErrUnauthorized
}

// drain reads a little of a body we discard, so that the connection can be
// reused, and closes it.
func drain(resp *http.Response) {
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxErrorRead))
	resp.Body.Close()
}

// failure turns an error with no vendor answer into a typed error.
func (c *Client) failure(ctx context.Context, st *callState, err error) error {
	var rw *rateWaitError
	if errors.As(err, &rw) {
		return &APIError{Vendor: c.vendor, Op: st.op, Kind: ErrRateLimited, RetryAfter: rw.wait,
			Message: "not sent: the client is rate limited past the context deadline"}
	}
	var te *tokenError
	switch {
	case st.outcomeUnknown:
		return c.transportErr(st, ErrOutcomeUnknown, err)
	case ctx.Err() != nil:
		return c.transportErr(st, ctx.Err(), err)
	case errors.As(err, &te):
		return c.transportErr(st, reauthKind(err), err)
	}
	return c.transportErr(st, ErrUnavailable, err)
}

func (c *Client) transportErr(st *callState, kind, err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		// The cause stays available to errors.Is, so scrub its URL too.
		if u, perr := url.Parse(ue.URL); perr == nil {
			ue.URL = c.redactor.URL(u)
		} else {
			ue.URL = Redacted
		}
	}
	msg := c.redactor.String(err.Error())
	if errors.Is(kind, ErrOutcomeUnknown) {
		msg = "the request was sent and its answer lost; it may have taken effect: " + msg
	}
	return &transportError{vendor: c.vendor, op: st.op, kind: kind, msg: msg, err: err}
}

// maxErrorRead bounds what is read of an error body for decoding.
const maxErrorRead = 64 << 10

// apiError reads, redacts and decodes a vendor's error answer, and closes it.
func (c *Client) apiError(st *callState, resp *http.Response) error {
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorRead))
	body := c.redactor.Bytes(raw)
	e := &APIError{
		Vendor:     c.vendor,
		Op:         st.op,
		StatusCode: resp.StatusCode,
		RequestID:  c.redactor.String(requestID(resp.Header, c.requestIDHeaders)),
		Kind:       KindForStatus(resp.StatusCode),
		Body:       body[:min(len(body), maxErrorBody)],
	}
	if wait, ok := ParseRetryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
		e.RetryAfter = wait
	}
	c.decodeError(resp, body, e)
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

// Send sends body (nil for none) as contentType to path and decodes a 2xx
// JSON answer into out (nil to discard it). JSON is Send with a JSON body;
// a vendor with another encoding (Stripe's forms) calls Send itself. Each
// call's WithRequestHeader headers are set on the request.
func (c *Client) Send(ctx context.Context, method, path, contentType string, body io.Reader, out any, opts ...CallOption) error {
	req, err := c.NewRequest(ctx, method, path, body)
	if err != nil {
		return err
	}
	req.Header["Accept"] = []string{"application/json"}
	if body != nil {
		req.Header["Content-Type"] = []string{contentType}
	}
	for name, values := range ResolveCallOptions(opts...).Header {
		req.Header[name] = values
	}
	resp, err := c.Do(ctx, req, opts...)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if out == nil {
		_, err = io.Copy(io.Discard, resp.Body)
		return c.readErr(opts, err)
	}
	return c.readErr(opts, DecodeJSON(resp.Body, out))
}

func (c *Client) readErr(opts []CallOption, err error) error {
	if err == nil {
		return nil
	}
	kind := ErrUnavailable // the body stopped coming: a timeout or a reset
	if errors.Is(err, ErrInvalidResponse) {
		kind = ErrInvalidResponse
	}
	return c.transportErr(&callState{op: ResolveCallOptions(opts...).Operation}, kind, err)
}
