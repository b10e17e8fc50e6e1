// Package easyposttest is a stateful in-memory EasyPost for tests and
// demos: addresses, parcels and shipments with deterministic rates from two
// carriers, purchase (by rate, or EasyPost's one-call buy with a
// reference), refunds, trackers that advance on command, before_id/after_id
// pagination, EasyPost's error shapes, 429s, fault switches (including a
// purchase whose answer is lost after the charge), and tracker webhooks
// signed with X-Hmac-Signature.
//
//	sandbox := easyposttest.NewServer()
//	defer sandbox.Close()
//	client, err := easypost.New(easypost.Config{BaseURL: sandbox.URL(), Auth: sandbox.Auth()})
//
// It listens on 127.0.0.1 only.
package easyposttest

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/govalues/decimal"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/connector/connectortest"
	"github.com/patchbay-go/patchbay/shipping/easypost"
)

// Service is a carrier service the sandbox rates.
type Service struct {
	Carrier, Name string // "USPS", "Priority": EasyPost's carrier and service strings
	Days          int
	Base          string // price up to 16 oz, USD
	PerPound      string // each further 16 oz or part of it
}

// Services are the sandbox's carrier services. Prices are deterministic:
// Base plus PerPound for each 16 oz after the first.
var Services = []Service{
	{"USPS", "GroundAdvantage", 3, "5.40", "0.65"},
	{"USPS", "Priority", 2, "7.90", "0.85"},
	{"USPS", "Express", 1, "29.95", "2.40"},
	{"UPS", "Ground", 4, "9.20", "0.70"},
	{"UPS", "NextDayAir", 1, "34.50", "2.10"},
}

// carrierAccounts are the sandbox account's carrier accounts.
var carrierAccounts = map[string]string{"USPS": "ca_9685a1198a75477885a3cdca37559bac", "UPS": "ca_1e2f9b8a6c3d4e5f8a7b6c5d4e3f2a1b"}

// Server is a running sandbox.
type Server struct {
	// Sandbox gives URL, Close, Throttle (EasyPost's 429 RATE_LIMITED),
	// FailNext (5xx), Now and Advance.
	connectortest.Sandbox

	key           string
	webhookSecret string
	requests      atomic.Int64

	mu         sync.Mutex
	seq        int
	addresses  map[string]map[string]any
	parcels    map[string]map[string]any
	shipments  []*shipment // in creation order
	byID       map[string]*shipment
	rates      map[string]*rate
	trackers   map[string]*tracker // by tracking code
	loseNext   bool
	failLabels bool
	purchases  int
	webhookURL string
}

// Option configures a sandbox.
type Option func(*Server)

// WithAPIKey makes the sandbox accept key instead of a random EZTK one.
func WithAPIKey(key string) Option { return func(s *Server) { s.key = key } }

// WithWebhookSecret makes the sandbox sign its webhooks with secret
// instead of a random one.
func WithWebhookSecret(secret string) Option { return func(s *Server) { s.webhookSecret = secret } }

// NewServer starts the sandbox on 127.0.0.1. Close it when done.
func NewServer(opts ...Option) *Server {
	s := &Server{key: "EZTK" + connectortest.RandomHex(16), webhookSecret: "whsec_" + connectortest.RandomHex(16),
		addresses: map[string]map[string]any{}, parcels: map[string]map[string]any{}, byID: map[string]*shipment{},
		rates: map[string]*rate{}, trackers: map[string]*tracker{}}
	for _, o := range opts {
		o(s)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v2/shipments", s.createShipment)
	mux.HandleFunc("GET /v2/shipments", s.listShipments)
	mux.HandleFunc("GET /v2/shipments/{id}", s.getShipment)
	mux.HandleFunc("POST /v2/shipments/{id}/buy", s.buyShipment)
	mux.HandleFunc("POST /v2/shipments/{id}/refund", s.refundShipment)
	mux.HandleFunc("GET /v2/rates/{id}", s.getRate)
	mux.HandleFunc("GET /v2/trackers", s.listTrackers)
	mux.HandleFunc("POST /v2/trackers", s.createTracker)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "NOT_FOUND", "The requested resource could not be found.", nil)
	})
	s.Start(s.gate(mux))
	return s
}

// Auth is the credential the sandbox accepts, as easypost.Config.Auth
// takes it: its test API key.
func (s *Server) Auth() connector.Auth { return easypost.APIKey(s.key) }

// WebhookSecret is the secret the sandbox signs its webhooks with, for
// webhook.Config.Secrets.
func (s *Server) WebhookSecret() string { return s.webhookSecret }

// Requests counts the API requests the sandbox received, refused ones
// included.
func (s *Server) Requests() int { return int(s.requests.Load()) }

// LoseNextPurchaseAnswer makes the next purchase (a buy or a one-call buy)
// go through, charge, and lose its answer: the connection is reset after
// the label is bought.
func (s *Server) LoseNextPurchaseAnswer() { s.mu.Lock(); s.loseNext = true; s.mu.Unlock() }

// FailLabels makes purchases fail as when the carrier refuses the
// shipment: 422 SHIPMENT.POSTAGE.FAILURE, nothing charged.
func (s *Server) FailLabels(on bool) { s.mu.Lock(); s.failLabels = on; s.mu.Unlock() }

// Purchases counts labels bought (charges made).
func (s *Server) Purchases() int { s.mu.Lock(); defer s.mu.Unlock(); return s.purchases }

// SendWebhook posts body to url as EasyPost delivers an event, signed in
// X-Hmac-Signature with WebhookSecret(), and returns the receiver's
// status.
func (s *Server) SendWebhook(ctx context.Context, url string, body []byte) (int, error) {
	return connectortest.SendWebhook(ctx, url, body, func(r *http.Request) {
		easypost.SignWebhook(r, body, s.webhookSecret, s.Now())
	})
}

// DeliverWebhooksTo makes the sandbox deliver, from now on, a
// tracker.created event for every label bought and a tracker.updated event
// for every AdvanceTracking to url, through SendWebhook, before the call
// that caused it returns. An empty url stops the deliveries.
func (s *Server) DeliverWebhooksTo(url string) { s.mu.Lock(); s.webhookURL = url; s.mu.Unlock() }

func (s *Server) gate(next http.Handler) http.Handler {
	want := "Basic " + base64.StdEncoding.EncodeToString([]byte(s.key+":"))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.requests.Add(1)
		w.Header().Set("X-Ep-Request-Uuid", connectortest.UUID())
		switch r.Header.Get("Authorization") {
		case "":
			writeError(w, http.StatusUnauthorized, "APIKEY.REQUIRED", "No API key provided.", nil)
			return
		case want:
		default:
			writeError(w, http.StatusUnauthorized, "APIKEY.INACTIVE", "This API key is no longer active.", nil)
			return
		}
		throttled := s.NextThrottled()
		code := s.NextFailure()
		switch {
		case throttled:
			writeError(w, http.StatusTooManyRequests, "RATE_LIMITED", "You have exceeded the rate limit.", nil)
		case code != 0:
			writeError(w, code, "INTERNAL_SERVER_ERROR", "We're sorry, something went wrong.", nil)
		default:
			next.ServeHTTP(w, r)
		}
	})
}

// fieldError is one entry of an error's errors list.
type fieldError struct{ field, message string }

// writeError writes EasyPost's error body.
func writeError(w http.ResponseWriter, status int, code, message string, fields []fieldError) {
	errs := make([]map[string]any, 0, len(fields))
	for _, f := range fields {
		errs = append(errs, map[string]any{"field": f.field, "message": f.message, "suggestion": nil})
	}
	writeJSON(w, status, map[string]any{"error": map[string]any{"code": code, "message": message, "errors": errs}})
}

func writeNotFound(w http.ResponseWriter) {
	writeError(w, http.StatusNotFound, "NOT_FOUND", "The requested resource could not be found.", nil)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	connectortest.WriteJSON(w, status, "application/json; charset=utf-8", v)
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// newID is an EasyPost id: a prefix and 32 hex digits.
func newID(prefix string) string { return prefix + "_" + connectortest.RandomHex(16) }

// notify delivers an event if a receiver is set; failures are ignored,
// as EasyPost retries later.
func (s *Server) notify(description string, previous map[string]any, result map[string]any) {
	s.mu.Lock()
	url := s.webhookURL
	s.mu.Unlock()
	if url == "" {
		return
	}
	body, _ := json.Marshal(s.event(description, previous, result, url))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, _ = s.SendWebhook(ctx, url, body)
}

// event is an EasyPost Event around result.
func (s *Server) event(description string, previous, result map[string]any, url string) map[string]any {
	now := s.Now().UTC().Format("2006-01-02T15:04:05.000Z")
	if previous == nil {
		previous = map[string]any{}
	}
	pending := []string{}
	if url != "" {
		pending = append(pending, url)
	}
	return map[string]any{"id": newID("evt"), "object": "Event", "description": description, "mode": "test",
		"previous_attributes": previous, "created_at": now, "updated_at": now, "pending_urls": pending,
		"completed_urls": []string{}, "user_id": "user_060ab38db3c04ffaa60f262e5781a9be", "status": "pending", "result": result}
}

// price is Base plus PerPound for each 16 oz after the first.
func price(svc Service, ounces decimal.Decimal) decimal.Decimal {
	p := decimal.MustParse(svc.Base)
	extra, _ := ounces.Sub(decimal.MustParse("16"))
	if extra.IsPos() {
		steps, _ := extra.Quo(decimal.MustParse("16"))
		add, _ := decimal.MustParse(svc.PerPound).Mul(steps.Ceil(0))
		p, _ = p.Add(add)
	}
	return p.Round(2)
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}
