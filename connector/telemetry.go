package connector

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strconv"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"
)

// WithTelemetry records, on the user's providers (nil: none of that kind;
// off by default, at no cost), a client span per call ("<vendor> <op>", an
// event per attempt with its retry reason) and the metrics
// patchbay.client.calls, .retries, .throttled and .duration. No URL, body,
// header, key or vendor message is recorded; no trace header is sent.
func WithTelemetry(tp trace.TracerProvider, mp metric.MeterProvider) Option {
	return func(s *settings) error { s.tracerProvider, s.meterProvider = tp, mp; return nil }
}

// Telemetry of a call, following the OpenTelemetry HTTP client conventions
// where they fit (https://opentelemetry.io/docs/specs/semconv/http/http-spans/
// and http-metrics/):
//
// The call span, kind client, is named "<vendor> <operation>" ("<vendor>
// <METHOD>" without an operation) and has http.request.method,
// server.address, server.port, http.response.status_code of the last
// answer, http.request.resend_count, error.type, and patchbay.vendor,
// patchbay.operation, patchbay.idempotent (keyed or replayable; never the
// key), patchbay.attempts and patchbay.error.kind (the sentinel's name).
// Each attempt is an event "patchbay.attempt" with patchbay.attempt, its
// status code or error.type, its duration and, when it was retried,
// patchbay.retry.reason: 429, 5xx, timeout, connection_error or vendor (a
// DecideRetry verdict). Never url.full: query strings carry tokens
// (Pipedrive's api_token) and paths carry emails; the operation names the
// endpoint instead. The span's status is the error's kind only: vendor
// messages and net/http errors may quote personal data, so the details
// stay in the redacted error and the debug log.
//
// No trace context is injected into vendor requests: vendors neither use
// nor want traceparent headers. A base transport of the user's
// (WithHTTPClient) may still add them.
//
// Metrics: patchbay.client.calls (vendor, operation, outcome: "ok" or the
// error kind), patchbay.client.retries (vendor, operation, reason),
// patchbay.client.throttled (vendor: 429 answers) and
// patchbay.client.duration (seconds, vendor and operation, retries and
// waits included).
type telemetry struct {
	tracer    trace.Tracer // nil: no spans
	calls     metric.Int64Counter
	retries   metric.Int64Counter
	throttled metric.Int64Counter
	duration  metric.Float64Histogram
	metrics   bool
	vendor    attribute.KeyValue
}

const instrumentationScope = "github.com/patchbay-go/patchbay/connector"

// durationBuckets are the HTTP client conventions' boundaries, extended to
// the minutes a call with Retry-After waits can take.
var durationBuckets = []float64{0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 30, 60, 120}

func newTelemetry(vendor string, tp trace.TracerProvider, mp metric.MeterProvider) (*telemetry, error) {
	if tp == nil && mp == nil {
		return nil, nil
	}
	t := &telemetry{vendor: attribute.String("patchbay.vendor", vendor)}
	if tp != nil {
		t.tracer = tp.Tracer(instrumentationScope)
	}
	if mp == nil {
		return t, nil
	}
	m := mp.Meter(instrumentationScope)
	var err error
	if t.calls, err = m.Int64Counter("patchbay.client.calls", metric.WithUnit("{call}"),
		metric.WithDescription("Calls to a vendor, by outcome.")); err != nil {
		return nil, err
	}
	if t.retries, err = m.Int64Counter("patchbay.client.retries", metric.WithUnit("{retry}"),
		metric.WithDescription("Attempts retried, by reason.")); err != nil {
		return nil, err
	}
	if t.throttled, err = m.Int64Counter("patchbay.client.throttled", metric.WithUnit("{response}"),
		metric.WithDescription("429 answers from a vendor.")); err != nil {
		return nil, err
	}
	if t.duration, err = m.Float64Histogram("patchbay.client.duration", metric.WithUnit("s"),
		metric.WithDescription("Duration of calls, retries and waits included."),
		metric.WithExplicitBucketBoundaries(durationBuckets...)); err != nil {
		return nil, err
	}
	t.metrics = true
	return t, nil
}

// callTelemetry is a call's telemetry state, allocated only when it is on.
type callTelemetry struct {
	span         trace.Span // nil without a tracer
	start        time.Time
	attemptStart time.Time // zero between attempts
	attempts     int
	status       int // of the last answer
}

// begin starts the call's span once its request is resolved.
func (t *telemetry) begin(st *call, req *http.Request) {
	ct := &callTelemetry{start: time.Now()}
	st.tel = ct
	if t.tracer == nil {
		return
	}
	name := st.c.vendor + " " + st.op
	if st.op == "" {
		name = st.c.vendor + " " + req.Method
	}
	attrs := make([]attribute.KeyValue, 0, 7)
	attrs = append(attrs, t.vendor, attribute.String("http.request.method", req.Method),
		attribute.Bool("patchbay.idempotent", st.keyed))
	if st.op != "" {
		attrs = append(attrs, attribute.String("patchbay.operation", st.op))
	}
	if req.URL != nil {
		attrs = append(attrs, attribute.String("server.address", req.URL.Hostname()))
		if port := urlPort(req); port != 0 {
			attrs = append(attrs, attribute.Int("server.port", port))
		}
	}
	_, ct.span = t.tracer.Start(st.ctx, name, trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(attrs...))
}

func urlPort(req *http.Request) int {
	if p := req.URL.Port(); p != "" {
		n, _ := strconv.Atoi(p)
		return n
	}
	switch req.URL.Scheme {
	case "https":
		return 443
	case "http":
		return 80
	}
	return 0
}

// attempt records one attempt's end, with the retry rules' verdict on it.
// Attempts are numbered by the telemetry itself: the replay after a 401
// and a forced token refresh is one more.
func (t *telemetry) attempt(st *call, resp *http.Response, err error, retried bool) {
	ct := st.tel
	if ct == nil {
		return
	}
	ct.attempts++
	var took time.Duration
	if !ct.attemptStart.IsZero() {
		took = time.Since(ct.attemptStart)
		ct.attemptStart = time.Time{}
	}
	if resp != nil {
		ct.status = resp.StatusCode
		if resp.StatusCode == http.StatusTooManyRequests && t.metrics {
			t.throttled.Add(st.ctx, 1, metric.WithAttributes(t.vendor))
		}
	}
	reason := ""
	if retried {
		reason = retryReason(resp, err)
		if t.metrics {
			t.retries.Add(st.ctx, 1, metric.WithAttributes(t.vendor,
				attribute.String("patchbay.operation", st.op), attribute.String("patchbay.retry.reason", reason)))
		}
	}
	if ct.span == nil || !ct.span.IsRecording() {
		return
	}
	attrs := make([]attribute.KeyValue, 0, 4)
	attrs = append(attrs, attribute.Int("patchbay.attempt", ct.attempts), attribute.Float64("patchbay.attempt.duration", took.Seconds()))
	if resp != nil {
		attrs = append(attrs, attribute.Int("http.response.status_code", resp.StatusCode))
	} else if err != nil {
		attrs = append(attrs, attribute.String("error.type", transportErrorType(err)))
	}
	if reason != "" {
		attrs = append(attrs, attribute.String("patchbay.retry.reason", reason))
	}
	ct.span.AddEvent("patchbay.attempt", trace.WithAttributes(attrs...))
}

// retryReason names why an attempt was retried.
func retryReason(resp *http.Response, err error) string {
	switch {
	case resp == nil:
		if isTimeout(err) {
			return "timeout"
		}
		return "connection_error"
	case resp.StatusCode == http.StatusTooManyRequests:
		return "429"
	case resp.StatusCode == http.StatusRequestTimeout:
		return "timeout"
	case resp.StatusCode >= 500:
		return "5xx"
	}
	return "vendor"
}

// transportErrorType is a failed attempt's error.type: its class, never
// its text.
func transportErrorType(err error) string {
	var ae *authError
	var rw *rateWaitError
	var dns *net.DNSError
	switch {
	case errors.As(err, &rw):
		return "rate_wait"
	case errors.As(err, &ae):
		return "auth"
	case isTimeout(err):
		return "timeout"
	case errors.As(err, &dns):
		return "dns"
	}
	return "connection_error"
}

// end ends the call's span and counts it; err is what the caller gets.
func (t *telemetry) end(st *call, err error) {
	ct := st.tel
	if ct == nil {
		return
	}
	kind := errorKind(err)
	outcome := kind
	if err == nil {
		outcome = "ok"
	}
	if t.metrics {
		op := attribute.String("patchbay.operation", st.op)
		t.calls.Add(st.ctx, 1, metric.WithAttributes(t.vendor, op, attribute.String("patchbay.outcome", outcome)))
		t.duration.Record(st.ctx, time.Since(ct.start).Seconds(), metric.WithAttributes(t.vendor, op))
	}
	if ct.span == nil {
		return
	}
	if ct.span.IsRecording() {
		attrs := make([]attribute.KeyValue, 0, 5)
		attrs = append(attrs, attribute.Int("patchbay.attempts", ct.attempts))
		if ct.attempts > 1 {
			attrs = append(attrs, attribute.Int("http.request.resend_count", ct.attempts-1))
		}
		status := ct.status
		var apiErr *APIError
		if errors.As(err, &apiErr) && apiErr.StatusCode != 0 {
			status = apiErr.StatusCode
		}
		if status != 0 {
			attrs = append(attrs, attribute.Int("http.response.status_code", status))
		}
		if err != nil {
			attrs = append(attrs, attribute.String("error.type", kind), attribute.String("patchbay.error.kind", kind))
			desc := kind
			if status != 0 {
				desc = strconv.Itoa(status) + " " + kind
			}
			ct.span.SetStatus(codes.Error, desc)
		}
		ct.span.SetAttributes(attrs...)
	}
	ct.span.End()
}

// errorKinds are the sentinels by name, most specific first.
var errorKinds = []struct {
	err  error
	name string
}{
	{ErrReauthRequired, "ErrReauthRequired"}, {ErrUnauthorized, "ErrUnauthorized"},
	{ErrNotFound, "ErrNotFound"}, {ErrForbidden, "ErrForbidden"}, {ErrConflict, "ErrConflict"},
	{ErrValidation, "ErrValidation"}, {ErrRateLimited, "ErrRateLimited"},
	{ErrOutcomeUnknown, "ErrOutcomeUnknown"}, {ErrUnavailable, "ErrUnavailable"},
	{ErrInvalidResponse, "ErrInvalidResponse"},
	{context.Canceled, "context.Canceled"}, {context.DeadlineExceeded, "context.DeadlineExceeded"},
}

// errorKind names err's sentinel; "" for nil, "other" for none.
func errorKind(err error) string {
	if err == nil {
		return ""
	}
	for _, k := range errorKinds {
		if errors.Is(err, k.err) {
			return k.name
		}
	}
	return "other"
}
