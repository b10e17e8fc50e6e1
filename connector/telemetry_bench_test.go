package connector_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"testing"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/patchbay-go/patchbay/connector"
)

// BenchmarkCall is one authenticated GET through the whole stack over an
// in-memory transport: the client's own cost, with telemetry off (the
// default) and on (the SDK's providers, spans sampled, no exporter).
//
//	go test -run '^$' -bench Call -benchmem ./connector
func BenchmarkCall(b *testing.B) {
	tp := sdktrace.NewTracerProvider()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
	defer tp.Shutdown(context.Background())
	defer mp.Shutdown(context.Background())
	for _, bc := range []struct {
		name string
		opts []connector.Option
	}{{"telemetry=off", nil}, {"telemetry=on", []connector.Option{connector.WithTelemetry(tp, mp)}}} {
		b.Run(bc.name, func(b *testing.B) {
			v := connector.Vendor{Name: "bench", BaseURL: "https://api.vendor.test", Auth: connector.Bearer("bench-token-0123456789")}
			hc := &http.Client{Transport: memoryTransport{}}
			c, err := connector.New(v, append([]connector.Option{connector.WithHTTPClient(hc)}, bc.opts...)...)
			if err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				if err := c.JSON(ctx, http.MethodGet, "/crm/v3/objects/contacts/123", nil, nil, connector.WithOperation("contacts.get")); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

const memoryBody = `{"id":"123","properties":{"firstname":"Ada"}}`

// memoryTransport answers every request at once with a small JSON body.
type memoryTransport struct{}

func (memoryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		req.Body.Close()
	}
	return &http.Response{
		StatusCode: http.StatusOK, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header:        http.Header{"Content-Type": {"application/json"}},
		Body:          io.NopCloser(bytes.NewReader([]byte(memoryBody))),
		ContentLength: int64(len(memoryBody)), Request: req,
	}, nil
}
