package main

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"go.opentelemetry.io/otel/exporters/otlp/otlpmetric/otlpmetrichttp"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/exporters/stdout/stdouttrace"
	"go.opentelemetry.io/otel/metric"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/connector/sqlstore"
	"github.com/patchbay-go/patchbay/examples/orderflow/flow"
)

// telemetry is what -telemetry FILE and the standard OTEL_ variables ask
// for: every span (orders, steps, vendor calls) written to FILE as JSON,
// with the metrics summed up at the end of the run; and spans and metrics
// sent over OTLP (HTTP/protobuf) when OTEL_EXPORTER_OTLP_ENDPOINT (or its
// _TRACES_ / _METRICS_ variants) names a collector. It shows what a
// user's own tracer and meter providers receive.
// https://opentelemetry.io/docs/specs/otel/protocol/exporter/
type telemetry struct {
	file   *os.File                // -telemetry FILE, or nil
	reader *sdkmetric.ManualReader // the summary's, with a file
	tp     *sdktrace.TracerProvider
	mp     *sdkmetric.MeterProvider
}

// otlpWanted says whether the standard OTEL_ variables ask for OTLP
// export: a collector named, and the SDK not disabled.
func otlpWanted() bool {
	if strings.EqualFold(os.Getenv("OTEL_SDK_DISABLED"), "true") {
		return false
	}
	for _, k := range []string{"OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT"} {
		if os.Getenv(k) != "" {
			return true
		}
	}
	return false
}

// startTelemetry starts what path and the environment ask for; nil when
// neither asks for anything, and telemetry stays off and free.
func startTelemetry(ctx context.Context, path string) (*telemetry, error) {
	otlp := otlpWanted()
	if path == "" && !otlp {
		return nil, nil
	}
	var tpOpts []sdktrace.TracerProviderOption
	var mpOpts []sdkmetric.Option
	t := &telemetry{}
	if path != "" {
		f, err := os.Create(path)
		if err != nil {
			return nil, &configError{"-telemetry: " + err.Error()}
		}
		exp, err := stdouttrace.New(stdouttrace.WithWriter(f))
		if err != nil {
			f.Close()
			return nil, err
		}
		t.file, t.reader = f, sdkmetric.NewManualReader()
		tpOpts = append(tpOpts, sdktrace.WithSyncer(exp))
		mpOpts = append(mpOpts, sdkmetric.WithReader(t.reader))
	}
	if otlp {
		// The exporters read the rest of the OTEL_EXPORTER_OTLP_*
		// variables themselves (endpoint, headers, timeout, TLS).
		if p := os.Getenv("OTEL_EXPORTER_OTLP_PROTOCOL"); p != "" && p != "http/protobuf" {
			t.closeFile()
			return nil, &configError{"OTEL_EXPORTER_OTLP_PROTOCOL=" + p + ": this example sends http/protobuf only"}
		}
		spans, err := otlptracehttp.New(ctx)
		if err != nil {
			t.closeFile()
			return nil, &configError{"OTLP traces: " + err.Error()}
		}
		metrics, err := otlpmetrichttp.New(ctx)
		if err != nil {
			t.closeFile()
			return nil, &configError{"OTLP metrics: " + err.Error()}
		}
		tpOpts = append(tpOpts, sdktrace.WithBatcher(spans))
		mpOpts = append(mpOpts, sdkmetric.WithReader(sdkmetric.NewPeriodicReader(metrics)))
	}
	t.tp = sdktrace.NewTracerProvider(tpOpts...)
	t.mp = sdkmetric.NewMeterProvider(mpOpts...)
	return t, nil
}

func (t *telemetry) closeFile() {
	if t.file != nil {
		t.file.Close()
	}
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
	if t.reader == nil {
		return nil // sent over OTLP only
	}
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

// close sends what is left (the OTLP batch, the last metrics) and closes
// the file.
func (t *telemetry) close(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	t.tp.Shutdown(ctx)
	t.mp.Shutdown(ctx)
	t.closeFile()
}
