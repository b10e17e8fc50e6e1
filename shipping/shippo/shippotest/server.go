// Package shippotest is a stateful in-memory Shippo for tests and demos:
// shipments with deterministic rates from three carriers, synchronous label
// purchase with tracking numbers, transaction lists filtered by rate,
// refunds, tracking that advances on command, Shippo's error shapes, 429s,
// fault switches (including a purchase whose answer is lost after it went
// through), and webhooks.
//
//	sandbox := shippotest.NewServer()
//	defer sandbox.Close()
//	client, err := shippo.New(shippo.Config{BaseURL: sandbox.URL(), Auth: sandbox.Auth()})
//
// It listens on 127.0.0.1 only.
package shippotest

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/govalues/decimal"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/connector/connectortest"
	"github.com/patchbay-go/patchbay/shipping/shippo"
)

// Service is a carrier service the sandbox quotes.
type Service struct {
	Carrier, Name, Token string
	Days                 int
	Base                 string // price of the first 500 g, USD
	PerHalfKilo          string // each further 500 g
}

// Services are the sandbox's carrier services. Prices are deterministic:
// Base plus PerHalfKilo for each 500 g after the first.
var Services = []Service{
	{"USPS", "Ground Advantage", "usps_ground_advantage", 5, "5.40", "0.65"},
	{"USPS", "Priority Mail", "usps_priority", 2, "7.90", "0.85"},
	{"UPS", "Ground", "ups_ground", 4, "9.20", "0.70"},
	{"UPS", "Next Day Air", "ups_next_day_air", 1, "34.50", "2.10"},
	{"DHL Express", "Express Worldwide", "dhl_express_worldwide", 3, "41.00", "3.00"},
}

// Server is a running sandbox.
type Server struct {
	// Sandbox gives URL, Close, Throttle (Shippo's 429 "Request was
	// throttled"), FailNext (5xx), Now and Advance (milliseconds, as
	// Shippo keeps times).
	connectortest.Sandbox

	token         string
	webhookSecret string
	requests      atomic.Int64

	mu           sync.Mutex
	shipments    map[string]map[string]any
	rates        map[string]*rate
	transactions []*transaction
	tracks       map[string]*track // carrier/number
	loseNext     bool
	failLabels   bool
	purchases    int
	webhookURL   string
}

type rate struct {
	id, shipment string
	svc          Service
	amount       decimal.Decimal
	created      time.Time
}

type transaction struct {
	id, rateID, metadata, status, trackingNumber, carrier string
	messages                                              []map[string]string
	created, updated                                      time.Time
}

type track struct {
	carrier, number, transaction string
	history                      []map[string]any
}

// Option configures a sandbox.
type Option func(*Server)

// WithToken makes the sandbox accept token as its API token instead of a
// random shippo_test_ one.
func WithToken(token string) Option { return func(s *Server) { s.token = token } }

// WithWebhookSecret makes the sandbox append secret as the token of the
// webhooks it sends instead of a random one.
func WithWebhookSecret(secret string) Option { return func(s *Server) { s.webhookSecret = secret } }

// NewServer starts the sandbox on 127.0.0.1. Close it when done.
func NewServer(opts ...Option) *Server {
	s := &Server{token: "shippo_test_" + connectortest.RandomHex(16), webhookSecret: "whtok_" + connectortest.RandomHex(16),
		shipments: map[string]map[string]any{}, rates: map[string]*rate{}, tracks: map[string]*track{}}
	for _, o := range opts {
		o(s)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /shipments", s.createShipment)
	mux.HandleFunc("GET /shipments/{id}", s.getShipment)
	mux.HandleFunc("GET /rates/{id}", s.getRate)
	mux.HandleFunc("POST /transactions", s.createTransaction)
	mux.HandleFunc("GET /transactions", s.listTransactions)
	mux.HandleFunc("GET /transactions/{id}", s.getTransaction)
	mux.HandleFunc("POST /refunds", s.createRefund)
	mux.HandleFunc("GET /tracks/{carrier}/{number}", s.getTrack)
	s.Start(s.gate(mux))
	return s
}

// Auth is the credential the sandbox accepts, as shippo.Config.Auth takes
// it: its test API token.
func (s *Server) Auth() connector.Auth { return shippo.APIToken(s.token) }

// WebhookSecret is the token the sandbox appends to the URL of the
// webhooks it sends (?token=...), for webhook.Config.Secrets.
func (s *Server) WebhookSecret() string { return s.webhookSecret }

// Requests counts the API requests the sandbox received, refused ones
// included.
func (s *Server) Requests() int { return int(s.requests.Load()) }

// LoseNextPurchaseAnswer makes the next label purchase go through and its
// answer get lost (the connection is reset after the label is bought).
func (s *Server) LoseNextPurchaseAnswer() { s.mu.Lock(); s.loseNext = true; s.mu.Unlock() }

// FailLabels makes purchases end in a transaction with status ERROR, as
// when a carrier rejects the shipment.
func (s *Server) FailLabels(on bool) { s.mu.Lock(); s.failLabels = on; s.mu.Unlock() }

// Purchases counts labels bought (charges made).
func (s *Server) Purchases() int { s.mu.Lock(); defer s.mu.Unlock(); return s.purchases }

// SendWebhook posts body to url as Shippo delivers an event, with
// ?token=WebhookSecret() added to the URL (Shippo does not sign webhooks),
// and returns the receiver's status. url must be on this machine.
func (s *Server) SendWebhook(ctx context.Context, url string, body []byte) (int, error) {
	return connectortest.SendWebhook(ctx, url, body, func(r *http.Request) {
		shippo.SignWebhook(r, body, s.webhookSecret, s.Now())
	})
}

// DeliverWebhooksTo makes the sandbox deliver, from now on, a
// transaction_created event for every label bought and a track_updated
// event for every AdvanceTracking to url, each through SendWebhook, before
// the call that caused it returns. An empty url stops the deliveries.
func (s *Server) DeliverWebhooksTo(url string) {
	s.mu.Lock()
	s.webhookURL = url
	s.mu.Unlock()
}

func (s *Server) gate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.requests.Add(1)
		if r.Header.Get("Authorization") != "ShippoToken "+s.token {
			writeJSON(w, http.StatusUnauthorized, map[string]string{"detail": "Invalid token."})
			return
		}
		throttled := s.NextThrottled()
		code := s.NextFailure()
		fail := code != 0
		switch {
		case throttled:
			writeJSON(w, http.StatusTooManyRequests, map[string]string{"detail": "Request was throttled. Expected available in 1 second."})
		case fail:
			writeJSON(w, code, map[string]string{"detail": "A server error occurred."})
		default:
			next.ServeHTTP(w, r)
		}
	})
}

// fieldErrors is Shippo's 400 body: a map of field to messages, nested
// for objects.
func writeFieldErrors(w http.ResponseWriter, errs map[string]any) {
	writeJSON(w, http.StatusBadRequest, errs)
}

func writeNotFound(w http.ResponseWriter) {
	writeJSON(w, http.StatusNotFound, map[string]string{"detail": "Not found."})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	connectortest.WriteJSON(w, status, "application/json", v)
}

func stamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// notify delivers an event if a receiver is set; failures are ignored,
// as Shippo retries later.
func (s *Server) notify(event string, data map[string]any) {
	s.mu.Lock()
	url := s.webhookURL
	s.mu.Unlock()
	if url == "" {
		return
	}
	body, _ := json.Marshal(map[string]any{"event": event, "test": true, "data": data})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, _ = s.SendWebhook(ctx, url, body)
}

func price(svc Service, grams decimal.Decimal) decimal.Decimal {
	p := decimal.MustParse(svc.Base)
	extra, _ := grams.Sub(decimal.MustParse("500"))
	if extra.IsPos() {
		steps, _ := extra.Quo(decimal.MustParse("500"))
		steps = steps.Ceil(0)
		add, _ := decimal.MustParse(svc.PerHalfKilo).Mul(steps)
		p, _ = p.Add(add)
	}
	return p.Round(2)
}

var gramsPer = map[string]string{"g": "1", "kg": "1000", "oz": "28.349523125", "lb": "453.59237"}

func itoa(n int) string { return strconv.Itoa(n) }

func equalFold(a, b string) bool { return strings.EqualFold(a, b) }
