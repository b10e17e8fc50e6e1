package connector

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"time"
)

// discardLogger is what a client logs to unless told otherwise.
var discardLogger = slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelError + 1}))

// loggingTransport writes one debug line per attempt: method, redacted URL,
// status or error, attempt number, duration and the vendor's request id. It
// never logs headers or bodies, and nothing at all above debug level, so a
// healthy integration is silent.
type loggingTransport struct {
	next      http.RoundTripper
	logger    *slog.Logger
	redactor  *Redactor
	vendor    string
	requestID []string // header names carrying the vendor's request id
}

func (t *loggingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	if !t.logger.Enabled(ctx, slog.LevelDebug) {
		return t.next.RoundTrip(req)
	}
	start := time.Now()
	resp, err := t.next.RoundTrip(req)
	attrs := make([]slog.Attr, 0, 8)
	attrs = append(attrs,
		slog.String("vendor", t.vendor),
		slog.String("method", req.Method),
		slog.String("url", t.redactor.url(req.URL)),
		slog.Duration("duration", time.Since(start)),
	)
	if st := callFrom(ctx); st != nil {
		attrs = append(attrs, slog.Int("attempt", st.attempt))
		if st.op != "" {
			attrs = append(attrs, slog.String("op", st.op))
		}
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", t.redactor.String(err.Error())))
	} else {
		attrs = append(attrs, slog.Int("status", resp.StatusCode))
		if id := requestID(resp.Header, t.requestID); id != "" {
			attrs = append(attrs, slog.String("request_id", t.redactor.String(id)))
		}
	}
	t.logger.LogAttrs(context.WithoutCancel(ctx), slog.LevelDebug, "http attempt", attrs...)
	return resp, err
}

func requestID(h http.Header, names []string) string {
	for _, name := range names {
		if v := h.Get(name); v != "" {
			return v
		}
	}
	return ""
}
