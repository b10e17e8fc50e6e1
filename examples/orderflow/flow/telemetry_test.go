package flow_test

import (
	"context"
	"strings"
	"testing"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/examples/orderflow/flow"
	"github.com/patchbay-go/patchbay/examples/orderflow/flow/flowtest"
)

// An order is a span, each step a span under it, and each vendor call
// (connector.WithTelemetry) a span under its step; orders are counted by
// how they ended. No customer's email, name or address is in any of it.
func TestTelemetry(t *testing.T) {
	ctx := context.Background()
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	env, err := flowtest.Start(ctx, connector.WithTelemetry(tp, nil))
	if err != nil {
		t.Fatal(err)
	}
	defer env.Close()
	if env.Flow.Telemetry, err = flow.NewTelemetry(tp, mp); err != nil {
		t.Fatal(err)
	}
	done := flowtest.Order("T1", line("MUG-001", 1, "12.50"))
	oversold := flowtest.Order("T2", line("LAST-ONE", 2, "80.00"))
	for _, o := range []flow.Order{done, oversold} {
		env.Flow.Process(ctx, o)
	}

	spans := rec.Ended()
	byID := map[string]sdktrace.ReadOnlySpan{}
	for _, s := range spans {
		byID[s.SpanContext().SpanID().String()] = s
	}
	steps, calls := 0, 0
	for _, s := range spans {
		parent := byID[s.Parent().SpanID().String()]
		switch {
		case strings.HasPrefix(s.Name(), "orderflow order"):
		case strings.HasPrefix(s.Name(), "orderflow "):
			steps++
			if parent == nil || parent.Name() != "orderflow order" {
				t.Errorf("step span %s is not under its order", s.Name())
			}
		default: // a vendor call
			calls++
			if parent == nil || !strings.HasPrefix(parent.Name(), "orderflow ") {
				t.Errorf("vendor call %s is not under a step", s.Name())
			}
		}
		for _, secret := range []string{done.Customer.Email, oversold.Customer.Email, done.Customer.LastName, done.ShipTo.Street1} {
			for _, a := range s.Attributes() {
				if strings.Contains(a.Value.Emit(), secret) {
					t.Errorf("span %s carries personal data in %s", s.Name(), a.Key)
				}
			}
			if strings.Contains(s.Status().Description, secret) {
				t.Errorf("span %s carries personal data in its status", s.Name())
			}
		}
	}
	if steps < 6 || calls < 6 {
		t.Fatalf("%d step spans, %d vendor call spans; want the steps of two orders and their calls", steps, calls)
	}

	var rm metricdata.ResourceMetrics
	if err := reader.Collect(ctx, &rm); err != nil {
		t.Fatal(err)
	}
	counted := map[string]int64{}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if sum, ok := m.Data.(metricdata.Sum[int64]); ok && m.Name == "orderflow.orders" {
				for _, dp := range sum.DataPoints {
					status, _ := dp.Attributes.Value("orderflow.order.status")
					counted[status.AsString()] += dp.Value
				}
			}
		}
	}
	if counted["done"] != 1 || counted["failed"] != 1 {
		t.Fatalf("orders counted %v; want one done and one failed", counted)
	}
}
