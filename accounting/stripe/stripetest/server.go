// Package stripetest is a stateful in-memory Stripe for tests and demos:
// customers, tax rates, invoices with lines and per-line tax, out-of-band
// payments, events, search, Idempotency-Key replays, throttling and faults,
// and signed webhooks, on 127.0.0.1:
//
//	sandbox := stripetest.NewServer()
//	defer sandbox.Close()
//	client, err := stripe.New(stripe.Config{BaseURL: sandbox.URL(), Auth: sandbox.Auth()})
//
// It answers in Stripe's shapes for the API version the connector pins
// (lines priced under pricing, taxes under taxes and total_taxes), with
// the fields the connector and a reader of the answers need. stripe-mock
// (github.com/stripe/stripe-mock) is the check on request validity; this
// sandbox is the check on behaviour: what a sequence of calls leaves.
package stripetest

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/connector/connectortest"
)

// TaxRatePercent is the sandbox's one tax rate, 15 % exclusive; its id is
// TaxRate().
const TaxRatePercent = "15"

// Server is a running sandbox.
type Server struct {
	// Sandbox gives URL, Close, Throttle (Stripe's rate_limit 429s),
	// FailNext (api_error 5xx), Now and Advance (whole seconds, as Stripe
	// keeps times).
	connectortest.Sandbox

	key           string
	webhookSecret string
	taxID         string
	requests      atomic.Int64

	mu        sync.Mutex
	seq       int
	customers map[string]*customer
	invoices  map[string]*invoice
	order     []string // invoice ids, oldest first
	custOrder []string
	events    []event
	replays   map[string]replay
	finalized int
}

type replay struct {
	fingerprint [32]byte
	status      int
	body        []byte
}

// Option configures a sandbox.
type Option func(*Server)

// WithKey makes the sandbox accept key as its secret key instead of a
// random sk_test_ one.
func WithKey(key string) Option { return func(s *Server) { s.key = key } }

// WithWebhookSecret makes the sandbox sign webhooks with secret instead of
// a random whsec_ one.
func WithWebhookSecret(secret string) Option { return func(s *Server) { s.webhookSecret = secret } }

// NewServer starts a sandbox on 127.0.0.1. Close it when done.
func NewServer(opts ...Option) *Server {
	s := &Server{key: "sk_test_sandbox_" + connectortest.RandomHex(12), webhookSecret: "whsec_" + connectortest.RandomHex(16),
		customers: map[string]*customer{}, invoices: map[string]*invoice{}, replays: map[string]replay{}}
	s.Sandbox.Clock.Resolution = time.Second
	s.taxID = "txr_" + connectortest.RandomHex(12)
	for _, o := range opts {
		o(s)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/customers", s.createCustomer)
	mux.HandleFunc("POST /v1/customers/{id}", s.updateCustomer)
	mux.HandleFunc("GET /v1/customers/{id}", s.getCustomer)
	mux.HandleFunc("GET /v1/customers", s.listCustomers)
	mux.HandleFunc("POST /v1/invoices", s.createInvoice)
	mux.HandleFunc("GET /v1/invoices", s.listInvoices)
	mux.HandleFunc("GET /v1/invoices/search", s.searchInvoices)
	mux.HandleFunc("GET /v1/invoices/{id}", s.getInvoice)
	mux.HandleFunc("DELETE /v1/invoices/{id}", s.deleteInvoice)
	mux.HandleFunc("GET /v1/invoices/{id}/lines", s.listLines)
	mux.HandleFunc("POST /v1/invoices/{id}/add_lines", s.addLines)
	mux.HandleFunc("POST /v1/invoices/{id}/finalize", s.finalize)
	mux.HandleFunc("POST /v1/invoices/{id}/void", s.void)
	mux.HandleFunc("POST /v1/invoices/{id}/pay", s.pay)
	mux.HandleFunc("GET /v1/events", s.listEvents)
	s.Start(s.gate(mux))
	return s
}

// Auth is the credential the sandbox accepts, as stripe.Config.Auth takes
// it: its secret key as a bearer token.
func (s *Server) Auth() connector.Auth { return connector.Bearer(s.key) }

// WebhookSecret is the endpoint secret the sandbox signs webhooks with,
// for webhook.Config.Secrets.
func (s *Server) WebhookSecret() string { return s.webhookSecret }

// Requests counts the API requests the sandbox received, refused ones
// included.
func (s *Server) Requests() int { return int(s.requests.Load()) }

// TaxRate is the id of the sandbox's 15 % tax rate.
func (s *Server) TaxRate() string { return s.taxID }

// InvoiceCount is how many invoices exist, drafts and voided included.
func (s *Server) InvoiceCount() int { s.mu.Lock(); defer s.mu.Unlock(); return len(s.invoices) }

// CustomerCount is how many customers exist.
func (s *Server) CustomerCount() int { s.mu.Lock(); defer s.mu.Unlock(); return len(s.customers) }

// gate checks the key and Stripe-Version, injects throttling and faults,
// and replays POSTs by Idempotency-Key as Stripe does for 24 hours: the
// same key with the same parameters gets the first answer again (with
// Idempotent-Replayed: true); with other parameters, an idempotency_error.
func (s *Server) gate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.requests.Add(1)
		w.Header().Set("Request-Id", "req_"+connectortest.RandomHex(7))
		if r.Header.Get("Authorization") != "Bearer "+s.key {
			writeError(w, http.StatusUnauthorized, "invalid_request_error", "", "", "Invalid API Key provided: sk_test_****")
			return
		}
		if s.NextThrottled() {
			writeError(w, http.StatusTooManyRequests, "invalid_request_error", "rate_limit", "",
				"Request rate limit exceeded. Learn more about rate limits here https://stripe.com/docs/rate-limits.")
			return
		}
		if code := s.NextFailure(); code != 0 {
			writeError(w, code, "api_error", "", "", "An unknown error occurred")
			return
		}
		key := r.Header.Get("Idempotency-Key")
		if r.Method != http.MethodPost || key == "" {
			next.ServeHTTP(w, r)
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil {
			writeError(w, http.StatusBadRequest, "invalid_request_error", "", "", "The request body could not be read.")
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		fp := sha256.Sum256(append([]byte(r.URL.Path+"\n"), body...))
		s.mu.Lock()
		prev, seen := s.replays[key]
		s.mu.Unlock()
		if seen {
			if prev.fingerprint != fp {
				writeError(w, http.StatusBadRequest, "idempotency_error", "", "",
					"Keys for idempotent requests can only be used with the same parameters they were first used with.")
				return
			}
			w.Header().Set("Idempotent-Replayed", "true")
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(prev.status)
			w.Write(prev.body)
			return
		}
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		if rec.Code < 500 { // Stripe does not keep answers to failed (5xx) requests
			s.mu.Lock()
			s.replays[key] = replay{fingerprint: fp, status: rec.Code, body: rec.Body.Bytes()}
			s.mu.Unlock()
		}
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		w.Write(rec.Body.Bytes())
	})
}

func (s *Server) id(prefix string) string {
	s.seq++
	return fmt.Sprintf("%s_%s%06d", prefix, connectortest.RandomHex(5), s.seq)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	connectortest.WriteJSON(w, status, "application/json", v)
}

// writeError writes Stripe's error object.
func writeError(w http.ResponseWriter, status int, typ, code, param, msg string) {
	e := map[string]any{"type": typ, "message": msg}
	if code != "" {
		e["code"] = code
		e["doc_url"] = "https://stripe.com/docs/error-codes/" + strings.ReplaceAll(code, "_", "-")
	}
	if param != "" {
		e["param"] = param
	}
	if id := w.Header().Get("Request-Id"); id != "" {
		e["request_log_url"] = "https://dashboard.stripe.com/test/logs/" + id
	}
	writeJSON(w, status, map[string]any{"error": e})
}

func notFound(w http.ResponseWriter, kind, id string) {
	writeError(w, http.StatusNotFound, "invalid_request_error", "resource_missing", "id", "No such "+kind+": '"+id+"'")
}

// formOf parses the request's form (body or query).
func formOf(r *http.Request) url.Values {
	_ = r.ParseForm()
	return r.Form
}
