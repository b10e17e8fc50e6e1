package main

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"

	colmetricpb "go.opentelemetry.io/proto/otlp/collector/metrics/v1"
	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/protobuf/proto"
)

// collector is an OTLP/HTTP receiver on 127.0.0.1: it keeps the span and
// metric names of what it is sent.
type collector struct {
	mu      sync.Mutex
	spans   []string
	metrics []string
	headers []string // the Authorization header of each request
}

func (c *collector) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.headers = append(c.headers, r.Header.Get("Authorization"))
	switch r.URL.Path {
	case "/v1/traces":
		var req coltracepb.ExportTraceServiceRequest
		if proto.Unmarshal(body, &req) != nil {
			http.Error(w, "not a trace export", http.StatusBadRequest)
			return
		}
		for _, rs := range req.ResourceSpans {
			for _, ss := range rs.ScopeSpans {
				for _, s := range ss.Spans {
					c.spans = append(c.spans, s.Name)
				}
			}
		}
		out, _ := proto.Marshal(&coltracepb.ExportTraceServiceResponse{})
		w.Header().Set("Content-Type", "application/x-protobuf")
		w.Write(out)
	case "/v1/metrics":
		var req colmetricpb.ExportMetricsServiceRequest
		if proto.Unmarshal(body, &req) != nil {
			http.Error(w, "not a metrics export", http.StatusBadRequest)
			return
		}
		for _, rm := range req.ResourceMetrics {
			for _, sm := range rm.ScopeMetrics {
				for _, m := range sm.Metrics {
					c.metrics = append(c.metrics, m.Name)
				}
			}
		}
		out, _ := proto.Marshal(&colmetricpb.ExportMetricsServiceResponse{})
		w.Header().Set("Content-Type", "application/x-protobuf")
		w.Write(out)
	default:
		http.NotFound(w, r)
	}
}

// With the standard OTEL_ variables set, the run's spans and metrics go
// to the collector over OTLP, with the headers the variables name, and
// no -telemetry file is needed.
func TestTelemetryOverOTLP(t *testing.T) {
	c := &collector{}
	srv := httptest.NewServer(c)
	defer srv.Close()
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", srv.URL)
	t.Setenv("OTEL_EXPORTER_OTLP_HEADERS", "Authorization=Bearer%20collector-token")
	if err := run(context.Background(), options{n: 2, concurrency: 1, crm: "hubspot", accounting: "xero", inventory: "shopify", shipping: "shippo"}); err != nil {
		t.Fatal(err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, name := range []string{"orderflow order", "orderflow invoice", "xero invoices.create"} {
		if !slices.Contains(c.spans, name) {
			t.Errorf("no span %q sent; sent %d spans", name, len(c.spans))
		}
	}
	for _, name := range []string{"orderflow.orders", "patchbay.client.calls"} {
		if !slices.Contains(c.metrics, name) {
			t.Errorf("no metric %q sent; sent %v", name, c.metrics)
		}
	}
	for _, h := range c.headers {
		if h != "Bearer collector-token" {
			t.Errorf("an export came with Authorization %q", h)
		}
	}
}

// OTEL_SDK_DISABLED keeps telemetry off whatever else is set, and a
// protocol this example does not send is a configuration error.
func TestTelemetryOTLPSettings(t *testing.T) {
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:1")
	t.Setenv("OTEL_SDK_DISABLED", "true")
	tel, err := startTelemetry(context.Background(), "")
	if err != nil || tel != nil {
		t.Fatalf("disabled: %v, %v", tel, err)
	}
	t.Setenv("OTEL_SDK_DISABLED", "")
	t.Setenv("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc")
	_, err = startTelemetry(context.Background(), "")
	var ce *configError
	if !errors.As(err, &ce) {
		t.Fatalf("grpc: %v", err)
	}
}
