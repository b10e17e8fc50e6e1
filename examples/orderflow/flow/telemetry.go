package flow

import (
	"context"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"
)

// Telemetry reports the flow through OpenTelemetry: a span for every order
// and, under it, one for every step (the vendor calls the connector makes
// in a step, with connector.WithTelemetry, are that step's children), and
// a count and duration of orders by how they ended. No personal data and
// no vendor message goes into an attribute: the order's id, the step, the
// status, and where an order failed.
type Telemetry struct {
	tracer   trace.Tracer
	orders   metric.Int64Counter
	duration metric.Float64Histogram
}

const instrumentation = "github.com/patchbay-go/patchbay/examples/orderflow/flow"

// NewTelemetry reports to tp and mp (either may be nil). A Flow with nil
// Telemetry reports nothing.
func NewTelemetry(tp trace.TracerProvider, mp metric.MeterProvider) (*Telemetry, error) {
	t := &Telemetry{}
	if tp != nil {
		t.tracer = tp.Tracer(instrumentation)
	}
	if mp != nil {
		m := mp.Meter(instrumentation)
		var err error
		if t.orders, err = m.Int64Counter("orderflow.orders", metric.WithUnit("{order}"),
			metric.WithDescription("Orders run, by how they ended: done, failed (for good) or open (to run again).")); err != nil {
			return nil, err
		}
		if t.duration, err = m.Float64Histogram("orderflow.order.duration", metric.WithUnit("s"),
			metric.WithDescription("How long one run of an order took.")); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// startOrder opens an order's span; a nil Telemetry does nothing.
func (t *Telemetry) startOrder(ctx context.Context, o Order) (context.Context, trace.Span) {
	if t == nil || t.tracer == nil {
		return ctx, nil
	}
	return t.tracer.Start(ctx, "orderflow order", trace.WithAttributes(attribute.String("orderflow.order.id", o.ID)))
}

// endOrder closes the order's span and counts how it ended.
func (t *Telemetry) endOrder(ctx context.Context, span trace.Span, res Result, took time.Duration) {
	if t == nil {
		return
	}
	status := string(res.Status)
	if res.Status == Failed && res.Open {
		status = "open"
	}
	attrs := []attribute.KeyValue{attribute.String("orderflow.order.status", status)}
	if span != nil {
		span.SetAttributes(attrs...)
		if res.Status == Failed {
			step := res.Reason
			for i, r := range res.Reason {
				if r == ':' {
					step = res.Reason[:i] // the step, not the vendor's message
					break
				}
			}
			span.SetAttributes(attribute.String("orderflow.order.failed_at", step))
			span.SetStatus(codes.Error, status+" at "+step)
		}
		span.End()
	}
	if t.orders != nil {
		t.orders.Add(ctx, 1, metric.WithAttributes(attrs...))
		t.duration.Record(ctx, took.Seconds(), metric.WithAttributes(attrs...))
	}
}

// startStep opens a step's span under the order's.
func (t *Telemetry) startStep(ctx context.Context, step string) (context.Context, trace.Span) {
	if t == nil || t.tracer == nil {
		return ctx, nil
	}
	return t.tracer.Start(ctx, "orderflow "+step, trace.WithAttributes(attribute.String("orderflow.step", step)))
}

// endStep closes a step's span: an error says whether it was for good,
// not what the vendor said.
func (t *Telemetry) endStep(span trace.Span, err error) {
	if span == nil {
		return
	}
	if err != nil {
		_, permanent := IsPermanent(err)
		span.SetAttributes(attribute.Bool("orderflow.step.permanent", permanent))
		span.SetStatus(codes.Error, map[bool]string{true: "failed for good", false: "failed; the order stays open"}[permanent])
	}
	span.End()
}
