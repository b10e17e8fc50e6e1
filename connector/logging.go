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

// logAttempt writes one debug line for an attempt: method, redacted URL,
// status or error, attempt number, duration (rate-limit waits included)
// and the vendor's request id, redacted too: a proxy may echo headers into
// it. It never logs headers or bodies, and nothing above debug level, so a
// healthy integration is silent.
func (c *Client) logAttempt(st *call, req *http.Request, resp *http.Response, err error, took time.Duration) {
	attrs := make([]slog.Attr, 0, 8)
	attrs = append(attrs,
		slog.String("vendor", c.vendor),
		slog.String("method", req.Method),
		slog.String("url", c.redactor.url(req.URL)),
		slog.Duration("duration", took),
		slog.Int("attempt", st.attempt),
	)
	if st.op != "" {
		attrs = append(attrs, slog.String("op", st.op))
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", c.redactor.String(err.Error())))
	} else {
		attrs = append(attrs, slog.Int("status", resp.StatusCode))
		if id := requestID(resp.Header, c.requestIDHeaders); id != "" {
			attrs = append(attrs, slog.String("request_id", c.redactor.String(id)))
		}
	}
	c.logger.LogAttrs(context.WithoutCancel(req.Context()), slog.LevelDebug, "http attempt", attrs...)
}

func requestID(h http.Header, names []string) string {
	for _, name := range names {
		if v := h.Get(name); v != "" {
			return v
		}
	}
	return ""
}
