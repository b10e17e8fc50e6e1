package connector_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
	"golang.org/x/oauth2"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/connector/connectortest"
)

// recorded is what the SDK's in-memory exporters hold for a test.
type recorded struct {
	spans  *tracetest.SpanRecorder
	reader *sdkmetric.ManualReader
	opt    connector.Option
}

func newRecorded(t *testing.T) *recorded {
	t.Helper()
	r := &recorded{spans: tracetest.NewSpanRecorder(), reader: sdkmetric.NewManualReader()}
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(r.spans))
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(r.reader))
	t.Cleanup(func() {
		_ = tp.Shutdown(context.Background())
		_ = mp.Shutdown(context.Background())
	})
	r.opt = connector.WithTelemetry(tp, mp)
	return r
}

// point is one metric data point: its instrument, attributes and value
// (a sum, or a histogram's count).
type point struct {
	name  string
	attrs map[string]string
	value float64
}

func (r *recorded) points(t *testing.T) []point {
	t.Helper()
	var rm metricdata.ResourceMetrics
	require.NoError(t, r.reader.Collect(context.Background(), &rm))
	var out []point
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			switch d := m.Data.(type) {
			case metricdata.Sum[int64]:
				for _, dp := range d.DataPoints {
					out = append(out, point{m.Name, attrMap(dp.Attributes.ToSlice()), float64(dp.Value)})
				}
			case metricdata.Histogram[float64]:
				for _, dp := range d.DataPoints {
					out = append(out, point{m.Name, attrMap(dp.Attributes.ToSlice()), float64(dp.Count)})
				}
			default:
				t.Fatalf("unexpected metric data %T for %s", m.Data, m.Name)
			}
		}
	}
	return out
}

func attrMap(kvs []attribute.KeyValue) map[string]string {
	m := make(map[string]string, len(kvs))
	for _, kv := range kvs {
		m[string(kv.Key)] = kv.Value.Emit()
	}
	return m
}

// value is the data point of name with exactly attrs, or -1.
func value(points []point, name string, attrs map[string]string) float64 {
	for _, p := range points {
		if p.name == name && assert.ObjectsAreEqual(p.attrs, attrs) {
			return p.value
		}
	}
	return -1
}

// A GET answered 429, then 503, then 200 is one client span with three
// attempt events, each with its status and the reason it was retried, and
// counts one call, two retries, one 429 and one latency.
func TestTelemetryRetriedCall(t *testing.T) {
	rec := newRecorded(t)
	srv := connectortest.NewServer(t,
		connectortest.Fault{Status: 429, RetryAfter: "0"},
		connectortest.Fault{Status: 503},
		connectortest.Fault{Body: `{"id":"1"}`})
	c := newClient(t, srv.URL, srv.Client(), rec.opt)

	require.NoError(t, c.JSON(context.Background(), http.MethodGet, "/contacts/1", nil, nil, connector.WithOperation("contacts.get")))

	spans := rec.spans.Ended()
	require.Len(t, spans, 1)
	s := spans[0]
	assert.Equal(t, "testvendor contacts.get", s.Name())
	assert.Equal(t, trace.SpanKindClient, s.SpanKind())
	assert.Equal(t, codes.Unset, s.Status().Code)
	attrs := attrMap(s.Attributes())
	host, port, _ := strings.Cut(strings.TrimPrefix(srv.URL, "http://"), ":")
	assert.Equal(t, map[string]string{
		"patchbay.vendor": "testvendor", "patchbay.operation": "contacts.get", "http.request.method": "GET",
		"server.address": host, "server.port": port, "patchbay.idempotent": "false",
		"patchbay.attempts": "3", "http.request.resend_count": "2", "http.response.status_code": "200",
	}, attrs)

	events := s.Events()
	require.Len(t, events, 3)
	wantStatus := []string{"429", "503", "200"}
	wantReason := []string{"429", "5xx", ""}
	for i, e := range events {
		assert.Equal(t, "patchbay.attempt", e.Name)
		ea := attrMap(e.Attributes)
		assert.Equal(t, fmt.Sprint(i+1), ea["patchbay.attempt"], "event %d", i)
		assert.Equal(t, wantStatus[i], ea["http.response.status_code"], "event %d", i)
		assert.Equal(t, wantReason[i], ea["patchbay.retry.reason"], "event %d", i)
		assert.Contains(t, ea, "patchbay.attempt.duration")
	}

	points := rec.points(t)
	vop := map[string]string{"patchbay.vendor": "testvendor", "patchbay.operation": "contacts.get"}
	with := func(k, v string) map[string]string {
		m := map[string]string{k: v}
		for k, v := range vop {
			m[k] = v
		}
		return m
	}
	assert.Equal(t, 1.0, value(points, "patchbay.client.calls", with("patchbay.outcome", "ok")), "%+v", points)
	assert.Equal(t, 1.0, value(points, "patchbay.client.retries", with("patchbay.retry.reason", "429")), "%+v", points)
	assert.Equal(t, 1.0, value(points, "patchbay.client.retries", with("patchbay.retry.reason", "5xx")), "%+v", points)
	assert.Equal(t, 1.0, value(points, "patchbay.client.throttled", map[string]string{"patchbay.vendor": "testvendor"}), "%+v", points)
	assert.Equal(t, 1.0, value(points, "patchbay.client.duration", vop), "%+v", points)
	assert.Len(t, points, 5)
}

// A failed call's span has an error status naming its kind only, and the
// call is counted under that kind; a keyed write says it is idempotent.
func TestTelemetryFailedCall(t *testing.T) {
	rec := newRecorded(t)
	srv := connectortest.NewServer(t, connectortest.Fault{Status: 404, Body: `{"message":"no such contact"}`})
	c := newClient(t, srv.URL, srv.Client(), rec.opt)

	err := post(context.Background(), c, "/contacts/9", connector.WithOperation("contacts.update"), connector.WithIdempotencyKey("k-123456789"))
	require.ErrorIs(t, err, connector.ErrNotFound)

	spans := rec.spans.Ended()
	require.Len(t, spans, 1)
	s := spans[0]
	assert.Equal(t, codes.Error, s.Status().Code)
	assert.Equal(t, "404 ErrNotFound", s.Status().Description)
	attrs := attrMap(s.Attributes())
	assert.Equal(t, "ErrNotFound", attrs["patchbay.error.kind"])
	assert.Equal(t, "ErrNotFound", attrs["error.type"])
	assert.Equal(t, "true", attrs["patchbay.idempotent"])
	assert.Equal(t, "404", attrs["http.response.status_code"])
	assert.NotContains(t, attrs, "http.request.resend_count")
	require.Len(t, s.Events(), 1)
	assert.NotContains(t, attrMap(s.Events()[0].Attributes), "patchbay.retry.reason")

	points := rec.points(t)
	assert.Equal(t, 1.0, value(points, "patchbay.client.calls", map[string]string{
		"patchbay.vendor": "testvendor", "patchbay.operation": "contacts.update", "patchbay.outcome": "ErrNotFound"}), "%+v", points)
}

// A connection error is retried with the reason connection_error, and the
// span names no text of the error.
func TestTelemetryConnectionError(t *testing.T) {
	rec := newRecorded(t)
	c := newClient(t, connectortest.ClosedURL(t), nil, rec.opt)

	err := get(context.Background(), c, "/x")
	require.ErrorIs(t, err, connector.ErrUnavailable)

	spans := rec.spans.Ended()
	require.Len(t, spans, 1)
	assert.Equal(t, "testvendor GET", spans[0].Name())
	assert.Equal(t, "ErrUnavailable", spans[0].Status().Description)
	events := spans[0].Events()
	require.Len(t, events, 3)
	for i, e := range events {
		ea := attrMap(e.Attributes)
		assert.Equal(t, "connection_error", ea["error.type"], "event %d", i)
		if i < 2 {
			assert.Equal(t, "connection_error", ea["patchbay.retry.reason"], "event %d", i)
		}
	}
}

// Secret sentinel: a bearer token, an api_token query parameter and an
// email in the path, all echoed back by the vendor in its error body and
// request id, appear nowhere in what telemetry recorded: span names,
// attributes, events, statuses, metric attributes.
func TestTelemetryNoSecret(t *testing.T) {
	const (
		bearer   = "SENTINEL-bearer-7f3a9c"
		apiToken = "SENTINEL-apitoken-2b8e41"
		email    = "ada.sentinel@example.com"
	)
	rec := newRecorded(t)
	echo := `{"message":"token ` + bearer + ` api_token ` + apiToken + ` for ` + email + `"}`
	srv := connectortest.NewServer(t,
		connectortest.Fault{Status: 429, RetryAfter: "0", Header: http.Header{"X-Request-Id": {email}}},
		connectortest.Fault{Status: 400, Body: echo, Header: http.Header{"X-Request-Id": {bearer}}})
	v := connector.Vendor{BaseURL: srv.URL, Auth: connector.Bearer(bearer)}
	c := newVendorClient(t, v, srv.Client(), rec.opt)
	path := "/contacts/" + email + "?api_token=" + apiToken

	ctx := context.Background()
	err := c.JSON(ctx, http.MethodGet, path, nil, nil, connector.WithOperation("contacts.get"))
	require.Error(t, err)
	req, err := c.NewRequest(ctx, http.MethodGet, path, nil)
	require.NoError(t, err)
	_, err = c.Do(ctx, req) // no operation: the span is named by the method
	require.Error(t, err)
	// A transport error quotes the URL, path included.
	closed := newVendorClient(t, connector.Vendor{BaseURL: connectortest.ClosedURL(t), Auth: connector.Bearer(bearer)}, nil, rec.opt)
	require.Error(t, closed.JSON(ctx, http.MethodGet, path, nil, nil))

	var texts []string
	kv := func(kvs []attribute.KeyValue) {
		for _, a := range kvs {
			texts = append(texts, string(a.Key)+"="+a.Value.Emit())
		}
	}
	spans := rec.spans.Ended()
	require.Len(t, spans, 3)
	for _, s := range spans {
		texts = append(texts, s.Name(), s.Status().Description)
		kv(s.Attributes())
		for _, e := range s.Events() {
			texts = append(texts, e.Name)
			kv(e.Attributes)
		}
		for _, l := range s.Links() {
			kv(l.Attributes)
		}
	}
	points := rec.points(t)
	require.NotEmpty(t, points)
	for _, p := range points {
		texts = append(texts, p.name)
		for k, v := range p.attrs {
			texts = append(texts, k+"="+v)
		}
	}
	all := strings.Join(texts, "\n")
	for _, secret := range []string{bearer, apiToken, email, "ada.sentinel", "example.com"} {
		assert.NotContains(t, all, secret)
	}
	assert.Contains(t, all, "patchbay.retry.reason=429") // what was recorded is checked
}

// Telemetry with only a meter provider counts calls and records no span;
// with only a tracer provider, spans and no metric.
func TestTelemetryEitherProvider(t *testing.T) {
	spans := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	t.Cleanup(func() {
		_ = tp.Shutdown(context.Background())
		_ = mp.Shutdown(context.Background())
	})
	srv := connectortest.NewServer(t, connectortest.Fault{})

	require.NoError(t, get(context.Background(), newClient(t, srv.URL, srv.Client(), connector.WithTelemetry(nil, mp)), "/x"))
	assert.Empty(t, spans.Ended())
	rec := &recorded{reader: reader}
	assert.NotEmpty(t, rec.points(t))

	require.NoError(t, get(context.Background(), newClient(t, srv.URL, srv.Client(), connector.WithTelemetry(tp, nil)), "/x"))
	assert.Len(t, spans.Ended(), 1)
}

// The call's span is a child of the caller's span: a flow step's span
// holds its vendor calls.
func TestTelemetryParentSpan(t *testing.T) {
	rec := newRecorded(t)
	srv := connectortest.NewServer(t, connectortest.Fault{})
	c := newClient(t, srv.URL, srv.Client(), rec.opt)
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec.spans))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	ctx, parent := tp.Tracer("test").Start(context.Background(), "step")
	require.NoError(t, get(ctx, c, "/x"))
	parent.End()
	spans := rec.spans.Ended()
	require.Len(t, spans, 2)
	assert.Equal(t, parent.SpanContext().SpanID(), spans[0].Parent().SpanID())
	assert.Equal(t, parent.SpanContext().TraceID(), spans[0].SpanContext().TraceID())
	// No trace context travels to the vendor.
	for _, r := range srv.Requests() {
		assert.Empty(t, r.Header.Get("Traceparent"))
	}
}

// refreshable is a token source that renews a rejected token.
type refreshable struct{ token string }

func (r *refreshable) Token() (*oauth2.Token, error) { return &oauth2.Token{AccessToken: r.token}, nil }
func (r *refreshable) ForceRefresh(context.Context, string) error {
	r.token = "tok-renewed-123456"
	return nil
}

// The replay after a 401 and a forced refresh is a second attempt, numbered
// so.
func TestTelemetryReauthReplay(t *testing.T) {
	rec := newRecorded(t)
	srv := connectortest.NewServer(t, connectortest.Fault{Status: 401}, connectortest.Fault{})
	v := connector.Vendor{BaseURL: srv.URL, Auth: connector.OAuth2(&refreshable{token: "tok-old-123456"})}
	c := newVendorClient(t, v, srv.Client(), rec.opt)
	require.NoError(t, get(context.Background(), c, "/x"))

	spans := rec.spans.Ended()
	require.Len(t, spans, 1)
	assert.Equal(t, "2", attrMap(spans[0].Attributes())["patchbay.attempts"])
	var got []string
	for _, e := range spans[0].Events() {
		ea := attrMap(e.Attributes)
		got = append(got, ea["patchbay.attempt"]+":"+ea["http.response.status_code"])
	}
	assert.Equal(t, []string{"1:401", "2:200"}, got)
}
