package connector

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
)

// WebhookHandler is the one http.Handler behind every vendor's webhooks: it
// reads the exact raw body (capped), verifies it, drops redeliveries, and
// hands the rest on. Vendor packages fill Verify with their signature scheme
// and decode typed events in Handle.
//
// Answers: 401 with no body for a bad signature or timestamp, 200 for a duplicate (so the
// vendor stops redelivering), 500 when Handle fails (so it redelivers; the
// claim is released first, and nothing is lost), 200 when handled.
type WebhookHandler struct {
	// Verify checks the delivery against the raw body and returns its
	// delivery id for de-duplication ("" if the vendor sends none).
	Verify func(r *http.Request, body []byte) (id string, err error)
	// Handle processes a verified, first-seen delivery.
	Handle func(ctx context.Context, r *http.Request, body []byte) error
	// Seen de-duplicates by id; nil turns de-duplication off.
	Seen SeenStore
	// MaxBody caps the body; default 1 MiB.
	MaxBody int64
	// Logger gets one line per rejected or failed delivery; nil discards.
	Logger *slog.Logger
}

func (h *WebhookHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	limit := h.MaxBody
	if limit <= 0 {
		limit = 1 << 20
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if err != nil {
		h.log(r, "reading webhook body", err)
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	if int64(len(body)) > limit {
		http.Error(w, "payload too large", http.StatusRequestEntityTooLarge)
		return
	}
	id, err := h.Verify(r, body)
	if err != nil {
		h.log(r, "webhook rejected", err)
		// No body: some vendors' handshakes (Xero's intent to receive)
		// expect none, and no sender reads one.
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	ctx := r.Context()
	if h.Seen != nil && id != "" {
		first, err := h.Seen.Claim(ctx, id)
		if err != nil {
			h.log(r, "webhook dedup store failed", err)
			http.Error(w, "try again", http.StatusInternalServerError)
			return
		}
		if !first {
			w.WriteHeader(http.StatusOK)
			return
		}
	}
	if err := h.Handle(ctx, r, body); err != nil {
		if h.Seen != nil && id != "" {
			// Let the vendor's redelivery through: releasing on a
			// detached context, since ctx may be what failed.
			_ = h.Seen.Release(context.WithoutCancel(ctx), id)
		}
		h.log(r, "webhook handling failed", err)
		http.Error(w, "try again", http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusOK)
}

func (h *WebhookHandler) log(r *http.Request, msg string, err error) {
	if h.Logger == nil {
		return
	}
	level := slog.LevelWarn
	if errors.Is(err, ErrSignatureInvalid) || errors.Is(err, ErrTimestampStale) {
		level = slog.LevelInfo
	}
	h.Logger.LogAttrs(r.Context(), level, msg, slog.String("path", r.URL.Path), slog.String("error", err.Error()))
}
