package connector

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metricnoop "go.opentelemetry.io/otel/metric/noop"
	tracenoop "go.opentelemetry.io/otel/trace/noop"
)

// okTransport answers every request at once with a small JSON body.
type okTransport struct{}

func (okTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	const body = `{"id":"1"}`
	return &http.Response{StatusCode: http.StatusOK, Header: http.Header{}, Request: req,
		Body: io.NopCloser(bytes.NewReader([]byte(body))), ContentLength: int64(len(body))}, nil
}

// allocsBeforeTelemetry is what one GET through the stack allocated before
// telemetry existed (BenchmarkCall, Go 1.26): off, it must cost nothing.
const allocsBeforeTelemetry = 30

// Telemetry is off unless a provider is given, and then no telemetry code
// runs: a call allocates what it did before telemetry existed.
func TestTelemetryOffByDefault(t *testing.T) {
	v := Vendor{Name: "off", BaseURL: "https://api.vendor.test", Auth: Bearer("off-token-0123456789")}
	hc := &http.Client{Transport: okTransport{}}
	off, err := New(v, WithHTTPClient(hc))
	require.NoError(t, err)
	require.Nil(t, off.tel)
	nilBoth, err := New(v, WithHTTPClient(hc), WithTelemetry(nil, nil))
	require.NoError(t, err)
	require.Nil(t, nilBoth.tel)
	on, err := New(v, WithHTTPClient(hc), WithTelemetry(tracenoop.NewTracerProvider(), metricnoop.NewMeterProvider()))
	require.NoError(t, err)
	require.NotNil(t, on.tel)

	call := func(c *Client) func() {
		return func() {
			st := c.newCall(context.Background(), http.MethodGet, []CallOption{WithOperation("x.get")})
			req, _ := c.NewRequest(context.Background(), http.MethodGet, "/x", nil)
			resp, err := c.do(st, req)
			if err == nil {
				drain(resp)
			}
			if c.tel != nil {
				c.tel.end(st, err)
			}
			if (st.tel != nil) != (c.tel != nil) {
				t.Errorf("call telemetry %v with client telemetry %v", st.tel, c.tel)
			}
		}
	}
	call(off)()
	call(on)()
	if raceEnabled {
		t.Skip("allocation counts differ under the race detector")
	}
	offAllocs := testing.AllocsPerRun(100, call(off))
	assert.Equal(t, offAllocs, testing.AllocsPerRun(100, call(nilBoth)))
	assert.Greater(t, testing.AllocsPerRun(100, call(on)), offAllocs, "the count must see telemetry when it runs")
	// The public path, JSON, as BenchmarkCall measured it.
	jsonAllocs := testing.AllocsPerRun(100, func() {
		_ = off.JSON(context.Background(), http.MethodGet, "/x", nil, nil, WithOperation("x.get"))
	})
	assert.LessOrEqual(t, jsonAllocs, float64(allocsBeforeTelemetry))
}

// Each sentinel is named by its own name, the most specific first.
func TestErrorKindNames(t *testing.T) {
	for err, want := range map[error]string{
		nil:                          "",
		ErrReauthRequired:            "ErrReauthRequired",
		ErrUnauthorized:              "ErrUnauthorized",
		ErrCursorLoop:                "ErrInvalidResponse",
		&APIError{Kind: ErrNotFound}: "ErrNotFound",
		&transportError{kind: ErrUnavailable, err: &attemptTimeoutError{err: context.Canceled}}: "ErrUnavailable",
		&transportError{kind: context.Canceled, err: context.Canceled}:                          "context.Canceled",
		io.EOF: "other",
	} {
		assert.Equal(t, want, errorKind(err), "%v", err)
	}
}
