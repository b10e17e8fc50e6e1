package webhook

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"time"
)

// Scheme is what a vendor package tells NewHandler about its webhooks.
type Scheme[P any] struct {
	// Vendor names the vendor in errors, logs and de-duplication ids.
	Vendor string
	// Verify checks a delivery against its exact raw body: a signature, a
	// signed timestamp, or the shared token of a vendor that does not
	// sign. It returns ErrSignatureInvalid or ErrTimestampStale.
	Verify func(r *http.Request, body []byte, cfg Config) error
	// Parse splits a verified delivery into its events, each with an ID.
	Parse func(r *http.Request, body []byte) ([]Event[P], error)
	// Redelivery is how long the vendor keeps redelivering a failed
	// delivery. The default seen store remembers ids for longer.
	Redelivery time.Duration
}

// NewHandler returns the http.Handler behind every vendor's
// NewWebhookHandler: see the package documentation for what it answers.
func NewHandler[P any](s Scheme[P], cfg Config, handle func(ctx context.Context, e Event[P]) error) (http.Handler, error) {
	if err := cfg.check(s.Vendor); err != nil {
		return nil, err
	}
	if handle == nil {
		return nil, errors.New(s.Vendor + ": NewWebhookHandler needs a handle function")
	}
	if cfg.Seen == nil {
		cfg.Seen = NewMemorySeen(100_000, s.Redelivery+s.Redelivery/2)
	}
	if cfg.MaxBody <= 0 {
		cfg.MaxBody = 1 << 20
	}
	return &handler[P]{scheme: s, cfg: cfg, handle: handle}, nil
}

type handler[P any] struct {
	scheme Scheme[P]
	cfg    Config
	handle func(ctx context.Context, e Event[P]) error
}

func (h *handler[P]) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, h.cfg.MaxBody+1))
	if err != nil {
		h.log(r, "reading webhook body", err)
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	if int64(len(body)) > h.cfg.MaxBody {
		http.Error(w, "payload too large", http.StatusRequestEntityTooLarge)
		return
	}
	if err := h.scheme.Verify(r, body, h.cfg); err != nil {
		if !errors.Is(err, ErrSignatureInvalid) && !errors.Is(err, ErrTimestampStale) {
			// Not a verdict on the delivery (the vendor's key endpoint is
			// down): ask for a redelivery instead of refusing it.
			h.log(r, "webhook not verified", err)
			http.Error(w, "try again", http.StatusInternalServerError)
			return
		}
		h.log(r, "webhook rejected", err)
		// No body: some vendors' handshakes (Xero's intent to receive)
		// expect none, and no sender reads one.
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	events, err := h.scheme.Parse(r, body)
	if err != nil {
		// Signed by the vendor, yet no event: a redelivery cannot help.
		h.log(r, "webhook body is no event", err)
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	ctx := r.Context()
	for _, e := range events {
		id := h.scheme.Vendor + ":" + e.ID
		first, err := h.cfg.Seen.Claim(ctx, id)
		if err != nil {
			h.log(r, "webhook dedup store failed", err)
			http.Error(w, "try again", http.StatusInternalServerError)
			return
		}
		if !first {
			continue
		}
		if err := h.handle(ctx, e); err != nil {
			// Let the vendor's redelivery through: released on a detached
			// context, since ctx may be what failed. Events after this one
			// were not claimed; those before it stay handled.
			_ = h.cfg.Seen.Release(context.WithoutCancel(ctx), id)
			h.log(r, "webhook handling failed", err)
			http.Error(w, "try again", http.StatusInternalServerError)
			return
		}
	}
	w.WriteHeader(http.StatusOK)
}

func (h *handler[P]) log(r *http.Request, msg string, err error) {
	if h.cfg.Logger == nil {
		return
	}
	level := slog.LevelWarn
	if errors.Is(err, ErrSignatureInvalid) || errors.Is(err, ErrTimestampStale) {
		level = slog.LevelInfo
	}
	h.cfg.Logger.LogAttrs(r.Context(), level, msg, slog.String("vendor", h.scheme.Vendor),
		slog.String("path", r.URL.Path), slog.String("error", err.Error()))
}
