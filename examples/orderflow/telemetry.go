package main

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"

	"go.opentelemetry.io/otel/exporters/stdout/stdouttrace"
	"go.opentelemetry.io/otel/metric"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/connector/sqlstore"
	"github.com/patchbay-go/patchbay/examples/orderflow/flow"
)

// telemetry is -telemetry FILE: every span (orders, steps, vendor calls)
// written to FILE as JSON, and the metrics summed up at the end of the
// run. It shows what a user's own tracer and meter providers receive.
type telemetry struct {
	file   *os.File
	tp     *sdktrace.TracerProvider
	reader *sdkmetric.ManualReader
	mp     *sdkmetric.MeterProvider
}

func startTelemetry(path string) (*telemetry, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, &configError{"-telemetry: " + err.Error()}
	}
	exp, err := stdouttrace.New(stdouttrace.WithWriter(f))
	if err != nil {
		f.Close()
		return nil, err
	}
	t := &telemetry{file: f, tp: sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp)), reader: sdkmetric.NewManualReader()}
	t.mp = sdkmetric.NewMeterProvider(sdkmetric.WithReader(t.reader))
	return t, nil
}

// option is the connector option that reports vendor calls here.
func (t *telemetry) option() connector.Option { return connector.WithTelemetry(t.tp, t.mp) }

// flow is the flow's telemetry, reporting here.
func (t *telemetry) flow() (*flow.Telemetry, error) { return flow.NewTelemetry(t.tp, t.mp) }

// observeInbox reports the inbox's depth (orders not done) as the gauge
// orderflow.inbox.depth, read when the metrics are collected.
func (t *telemetry) observeInbox(inbox *sqlstore.Inbox) error {
	_, err := t.mp.Meter("github.com/patchbay-go/patchbay/examples/orderflow").Int64ObservableGauge("orderflow.inbox.depth",
		metric.WithUnit("{order}"), metric.WithDescription("Orders in the inbox not done: waiting, taken, or released to run again."),
		metric.WithInt64Callback(func(ctx context.Context, o metric.Int64Observer) error {
			n, err := inbox.Depth(ctx)
			if err != nil {
				return err
			}
			o.Observe(int64(n))
			return nil
		}))
	return err
}

// summary sums every counter (and reads every gauge) by its attributes,
// one line each.
func (t *telemetry) summary(ctx context.Context) []string {
	var rm metricdata.ResourceMetrics
	if err := t.reader.Collect(ctx, &rm); err != nil {
		return []string{"telemetry: " + err.Error()}
	}
	var lines []string
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			var points []metricdata.DataPoint[int64]
			switch d := m.Data.(type) {
			case metricdata.Sum[int64]:
				points = d.DataPoints
			case metricdata.Gauge[int64]:
				points = d.DataPoints
			}
			for _, dp := range points {
				var attrs []string
				for _, kv := range dp.Attributes.ToSlice() {
					attrs = append(attrs, string(kv.Key)+"="+kv.Value.Emit())
				}
				lines = append(lines, fmt.Sprintf("%s{%s} %d", m.Name, strings.Join(attrs, ","), dp.Value))
			}
		}
	}
	slices.Sort(lines)
	return lines
}

func (t *telemetry) close(ctx context.Context) {
	t.tp.Shutdown(ctx)
	t.mp.Shutdown(ctx)
	t.file.Close()
}
