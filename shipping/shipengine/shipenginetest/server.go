// Package shipenginetest is a stateful in-memory ShipEngine (and
// ShipStation API v2, under /v2) for tests and demos: carriers, rating
// with deterministic prices, label purchase from a rate with
// custom_field1 kept on the shipment, label purchase from a shipment's
// details with external_shipment_id kept unique (and looked up), label and shipment lists paged with
// page and page_size, voids answered approved or not, tracking that
// advances on command, ShipEngine's errors[] bodies, 429 with Retry-After,
// fault switches (including a purchase whose answer is lost after the
// charge), a JSON Web Key Set at /jwks, and tracking webhooks signed with
// RSA-SHA256 as ShipEngine signs them.
//
//	sandbox := shipenginetest.NewServer()
//	defer sandbox.Close()
//	client, err := shipengine.New(shipengine.Config{BaseURL: sandbox.URL(), Auth: sandbox.Auth()})
//
// It listens on 127.0.0.1 only.
package shipenginetest

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
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
	"github.com/patchbay-go/patchbay/connector/webhook"
	"github.com/patchbay-go/patchbay/shipping/shipengine"
)

// Service is a carrier service the sandbox rates.
type Service struct {
	CarrierID, CarrierCode, Carrier string // "se-100001", "stamps_com", "USPS"
	Code, Name                      string // "usps_priority_mail", "USPS Priority Mail"
	Days                            int
	Base                            string // price of the first 500 g, USD
	PerHalfKilo                     string // each further 500 g
}

// Services are the sandbox's carrier services. Prices are deterministic:
// Base plus PerHalfKilo for each 500 g after the first.
var Services = []Service{
	{"se-100001", "stamps_com", "USPS", "usps_ground_advantage", "USPS Ground Advantage", 5, "5.40", "0.65"},
	{"se-100001", "stamps_com", "USPS", "usps_priority_mail", "USPS Priority Mail", 2, "7.90", "0.85"},
	{"se-100002", "ups", "UPS", "ups_ground", "UPS Ground", 4, "9.20", "0.70"},
	{"se-100002", "ups", "UPS", "ups_next_day_air", "UPS Next Day Air", 1, "34.50", "2.10"},
	{"se-100003", "dhl_express", "DHL Express", "dhl_express_worldwide", "DHL Express Worldwide", 3, "41.00", "3.00"},
}

// Server is a running sandbox.
type Server struct {
	// Sandbox gives URL, Close, Throttle (ShipEngine's 429 with
	// Retry-After), FailNext (5xx in ShipEngine's error shape), Now and
	// Advance.
	connectortest.Sandbox

	apiKey     string
	key        *rsa.PrivateKey
	retryAfter int
	requests   atomic.Int64

	mu         sync.Mutex
	seq        int
	shipments  map[string]*shipment
	order      []*shipment
	rates      map[string]*rate
	labels     []*label
	tracks     map[string]*track // tracking number
	loseNext   bool
	failLabels bool
	purchases  int
	webhookURL string
}

type shipment struct {
	id                string
	created, modified time.Time
	status            string
	shipTo, shipFrom  map[string]any
	packages          []map[string]any
	grams             decimal.Decimal
	customField1      *string
	externalID        string // external_shipment_id, unique per account
}

type rate struct {
	id, shipment string
	svc          Service
	amount       decimal.Decimal
	created      time.Time
}

type label struct {
	id, rateID, shipmentID, status, trackingNumber string
	svc                                            Service
	cost                                           decimal.Decimal
	created                                        time.Time
	voidedAt                                       time.Time
}

type track struct {
	svc     Service
	number  string
	history []event // oldest first
}

type event struct {
	code, description string
	at                time.Time
}

// Option configures a sandbox.
type Option func(*Server)

// WithAPIKey makes the sandbox accept key instead of a random TEST_ one.
func WithAPIKey(key string) Option { return func(s *Server) { s.apiKey = key } }

// WithSigningKey makes the sandbox sign its webhooks with priv (and
// publish its public key at /jwks) instead of the package's own key.
func WithSigningKey(priv *rsa.PrivateKey) Option { return func(s *Server) { s.key = priv } }

// WithRetryAfter sets the Retry-After, in seconds, of the sandbox's 429s
// (default 1; 0 sends none).
func WithRetryAfter(seconds int) Option { return func(s *Server) { s.retryAfter = seconds } }

var (
	defaultKeyOnce sync.Once
	defaultKey     *rsa.PrivateKey
)

// signingKey is one RSA key for every sandbox of the process: generating
// 2048-bit keys is slow, and a sandbox's key is no secret.
func signingKey() *rsa.PrivateKey {
	defaultKeyOnce.Do(func() {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		defaultKey = k
	})
	return defaultKey
}

// NewServer starts the sandbox on 127.0.0.1. Close it when done.
func NewServer(opts ...Option) *Server {
	s := &Server{apiKey: "TEST_" + connectortest.RandomHex(16), retryAfter: 1,
		shipments: map[string]*shipment{}, rates: map[string]*rate{}, tracks: map[string]*track{}}
	for _, o := range opts {
		o(s)
	}
	if s.key == nil {
		s.key = signingKey()
	}
	mux := http.NewServeMux()
	for _, v := range []string{"/v1", "/v2"} {
		mux.HandleFunc("GET "+v+"/carriers", s.listCarriers)
		mux.HandleFunc("POST "+v+"/rates", s.calculateRates)
		mux.HandleFunc("GET "+v+"/rates/{rate_id}", s.getRate)
		mux.HandleFunc("POST "+v+"/labels/rates/{rate_id}", s.createLabelFromRate)
		mux.HandleFunc("POST "+v+"/labels", s.createLabel)
		mux.HandleFunc("GET "+v+"/shipments/external_shipment_id/{external_shipment_id}", s.getShipmentByExternalID)
		mux.HandleFunc("GET "+v+"/labels", s.listLabels)
		mux.HandleFunc("GET "+v+"/labels/{label_id}", s.getLabel)
		mux.HandleFunc("PUT "+v+"/labels/{label_id}/void", s.voidLabel)
		mux.HandleFunc("GET "+v+"/shipments", s.listShipments)
		mux.HandleFunc("GET "+v+"/shipments/{shipment_id}", s.getShipment)
		// {label_id}/track and external_shipment_id/{id}: one pattern,
		// since the two overlap.
		mux.HandleFunc("GET "+v+"/labels/{label_id}/{what}", s.labelSubresource)
	}
	mux.HandleFunc("GET /v1/tracking", s.getTracking) // ShipStation v2 has none: it tracks by label
	s.Start(s.gate(mux))
	return s
}

// Auth is the credential the sandbox accepts, as shipengine.Config.Auth
// takes it: its API key in the API-Key header.
func (s *Server) Auth() connector.Auth { return shipengine.APIKey(s.apiKey) }

// WebhookSecret is what webhook.Config.Secrets takes to verify the
// sandbox's webhooks: its public keys as a JSON Web Key Set, the document
// its /jwks serves. (ShipEngine signs with a private key: there is no
// shared secret.)
func (s *Server) WebhookSecret() string { return string(s.jwks()) }

// SigningKey is the sandbox's private key, PEM-encoded: what
// shipengine.SignWebhook takes as its secret to sign as the sandbox does.
func (s *Server) SigningKey() string { return webhook.EncodeRSAPrivateKeyPEM(s.key) }

func (s *Server) jwks() []byte {
	return webhook.EncodeJWKS(map[string]*rsa.PublicKey{webhook.RSAKeyID(&s.key.PublicKey): &s.key.PublicKey})
}

// Requests counts the API requests the sandbox received, refused ones
// included (/jwks excepted).
func (s *Server) Requests() int { return int(s.requests.Load()) }

// LoseNextPurchaseAnswer makes the next label purchase go through, the
// label bought and charged, and its answer get lost (the connection is
// reset).
func (s *Server) LoseNextPurchaseAnswer() { s.mu.Lock(); s.loseNext = true; s.mu.Unlock() }

// FailLabels makes the carrier refuse purchases while on: 400 with the
// carrier's errors, nothing charged.
func (s *Server) FailLabels(on bool) { s.mu.Lock(); s.failLabels = on; s.mu.Unlock() }

// Purchases counts labels bought (charges made).
func (s *Server) Purchases() int { s.mu.Lock(); defer s.mu.Unlock(); return s.purchases }

// SendWebhook posts body to url as ShipEngine delivers an event, signed
// with the sandbox's key (shipengine.SignWebhook), and returns the
// receiver's status. url must be on this machine.
func (s *Server) SendWebhook(ctx context.Context, url string, body []byte) (int, error) {
	priv := s.SigningKey()
	return connectortest.SendWebhook(ctx, url, body, func(r *http.Request) {
		shipengine.SignWebhook(r, body, priv, s.Now())
	})
}

// DeliverWebhooksTo makes the sandbox deliver an API_TRACK event for every
// AdvanceTracking to url, through SendWebhook, before AdvanceTracking
// returns. An empty url stops the deliveries.
func (s *Server) DeliverWebhooksTo(url string) { s.mu.Lock(); s.webhookURL = url; s.mu.Unlock() }

func (s *Server) gate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && r.URL.Path == "/jwks" { // public, as ShipEngine's is
			connectortest.WriteJSON(w, http.StatusOK, "application/json", json.RawMessage(s.jwks()))
			return
		}
		s.requests.Add(1)
		if strings.HasPrefix(r.URL.Path, "/v2/") {
			w = &shipStationWriter{w} // its errors say ShipStation where ShipEngine's say shipengine
		}
		if r.Header.Get("API-Key") != s.apiKey {
			writeErrors(w, http.StatusUnauthorized, apiError{"shipengine", "security", "unauthorized",
				"The request is not authorized. Check your API key.", ""})
			return
		}
		throttled := s.NextThrottled()
		code := s.NextFailure()
		switch {
		case throttled:
			if s.retryAfter > 0 {
				w.Header().Set("Retry-After", strconv.Itoa(s.retryAfter))
			}
			writeErrors(w, http.StatusTooManyRequests, apiError{"shipengine", "system", "rate_limit_exceeded",
				"You have exceeded the rate limit. Please wait before sending more requests.", ""})
		case code != 0:
			writeErrors(w, code, apiError{"shipengine", "system", "unspecified", "An unexpected error occurred. Please try again.", ""})
		default:
			next.ServeHTTP(w, r)
		}
	})
}

// apiError is one entry of ShipEngine's errors[].
type apiError struct{ source, typ, code, message, field string }

// shipStationWriter answers a ShipStation API v2 request: the platform's
// own errors there name their source "ShipStation", as that spec's
// error_source enum has it, where ShipEngine's say "shipengine".
type shipStationWriter struct{ http.ResponseWriter }

// Unwrap lets http.ResponseController reach the connection (to reset it).
func (w *shipStationWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func writeErrors(w http.ResponseWriter, status int, errs ...apiError) {
	_, station := w.(*shipStationWriter)
	list := make([]map[string]any, 0, len(errs))
	for _, e := range errs {
		if station && e.source == "shipengine" {
			e.source = "ShipStation"
		}
		m := map[string]any{"error_source": e.source, "error_type": e.typ, "error_code": e.code, "message": e.message}
		if e.field != "" {
			m["field_name"] = e.field
		}
		list = append(list, m)
	}
	writeJSON(w, status, map[string]any{"request_id": connectortest.UUID(), "errors": list})
}

func writeNotFound(w http.ResponseWriter, what, id string) {
	writeErrors(w, http.StatusNotFound, apiError{"shipengine", "validation", "invalid_identifier",
		what + " " + strconv.Quote(id) + " was not found", ""})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	connectortest.WriteJSON(w, status, "application/json", v)
}

func stamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// newID is an id as the platform makes them: se- and digits.
func (s *Server) newID() string { s.seq++; return "se-" + strconv.Itoa(1000000+s.seq) }

func usd(d decimal.Decimal) map[string]any {
	return map[string]any{"currency": "usd", "amount": json.Number(d.Round(2).String())}
}

func price(svc Service, grams decimal.Decimal) decimal.Decimal {
	p := decimal.MustParse(svc.Base)
	extra, _ := grams.Sub(decimal.MustParse("500"))
	if extra.IsPos() {
		steps, _ := extra.Quo(decimal.MustParse("500"))
		add, _ := decimal.MustParse(svc.PerHalfKilo).Mul(steps.Ceil(0))
		p, _ = p.Add(add)
	}
	return p.Round(2)
}

var gramsPer = map[string]string{"gram": "1", "kilogram": "1000", "ounce": "28.349523125", "pound": "453.59237"}

// resetConnection drops the connection with no answer.
func resetConnection(w http.ResponseWriter) { connectortest.Reset(w) }
