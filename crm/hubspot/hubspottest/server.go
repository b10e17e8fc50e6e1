// Package hubspottest is a stateful in-memory HubSpot for tests and demos:
// the CRM v3 objects endpoints (contacts, companies, deals, notes), custom
// properties and v4 associations, with HubSpot's paths, JSON, error
// bodies, paging.next.after pagination, the search API's 10,000-result
// cap, the X-HubSpot-RateLimit-* headers and 429 bodies, signed webhook
// batches of the changes made, and switches for faults.
//
//	sandbox := hubspottest.NewServer()
//	defer sandbox.Close()
//	client, err := hubspot.New(hubspot.Config{BaseURL: sandbox.URL(), Auth: sandbox.Auth()})
//
// It listens on 127.0.0.1 only.
package hubspottest

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/connector/connectortest"
)

// Server is a running sandbox.
type Server struct {
	// Sandbox gives URL, Close, Throttle (TEN_SECONDLY_ROLLING 429s),
	// FailNext (5xx), Now and Advance (the clock record timestamps come
	// from, in milliseconds as HubSpot keeps them).
	connectortest.Sandbox

	token         string
	validToken    func(string) bool
	webhookSecret string

	mu         sync.Mutex
	nextID     int64
	types      map[string]*objectType // by path name and by type id ("contacts", "0-1")
	assocs     map[assocKey]int       // association → type id
	searchCap  int
	limitMax   int           // requests per window; 0: unlimited
	window     time.Duration // HubSpot's is a rolling 10 s
	recent     []time.Time
	throttled  int // 429s sent
	dailySpent bool
	requests   int
	eventSeq   int64
	events     []Event // webhook events not yet delivered
}

// Option configures a Server.
type Option func(*Server)

// WithToken sets the one bearer token the sandbox accepts, and Auth gives.
// By default it is a random pat-na1-sandbox- one.
func WithToken(token string) Option { return func(s *Server) { s.token = token } }

// WithTokenValidator accepts every bearer token valid says is live, for
// testing OAuth2 apps: pass connectortest.OAuthServer.Valid. The sandbox's
// own Auth() is then refused.
func WithTokenValidator(valid func(token string) bool) Option {
	return func(s *Server) { s.validToken = valid }
}

// WithWebhookSecret makes the sandbox sign webhooks with secret, the app's
// client secret, instead of a random one.
func WithWebhookSecret(secret string) Option { return func(s *Server) { s.webhookSecret = secret } }

// WithSearchCap lowers the search API's cap on after+limit (HubSpot:
// 10,000), so that tests can page past it cheaply.
func WithSearchCap(n int) Option { return func(s *Server) { s.searchCap = n } }

// WithRateLimit enforces n requests per rolling window (HubSpot: 10 s),
// answering 429 TEN_SECONDLY_ROLLING beyond, with HubSpot's headers
// counting down. By default the sandbox does not limit and reports a full
// budget.
func WithRateLimit(n int, window time.Duration) Option {
	return func(s *Server) { s.limitMax, s.window = n, window }
}

// WithCustomProperties defines custom contact properties in the portal.
func WithCustomProperties(names ...string) Option {
	return func(s *Server) {
		for _, n := range names {
			s.types["contacts"].custom[n] = false
		}
	}
}

// NewServer starts a sandbox on 127.0.0.1. Close it when done.
func NewServer(opts ...Option) *Server {
	s := &Server{
		token:         "pat-na1-sandbox-" + connectortest.RandomHex(8),
		webhookSecret: connectortest.UUID(), // an app's client secret is a UUID
		nextID:        100,
		types:         newObjectTypes(),
		assocs:        map[assocKey]int{},
		searchCap:     10_000,
		window:        10 * time.Second,
	}
	for _, opt := range opts {
		opt(s)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /crm/v3/objects/{type}", s.withType(s.listObjects))
	mux.HandleFunc("POST /crm/v3/objects/{type}", s.withType(s.createObject))
	mux.HandleFunc("GET /crm/v3/objects/{type}/{id}", s.withType(s.getObject))
	mux.HandleFunc("PATCH /crm/v3/objects/{type}/{id}", s.withType(s.updateObject))
	mux.HandleFunc("DELETE /crm/v3/objects/{type}/{id}", s.withType(s.archiveObject))
	mux.HandleFunc("POST /crm/v3/objects/{type}/search", s.withType(s.searchObjects))
	mux.HandleFunc("POST /crm/v3/objects/{type}/batch/upsert", s.withType(s.upsertObjects))
	mux.HandleFunc("GET /crm/v3/properties/{type}/{name}", s.withType(s.getProperty))
	mux.HandleFunc("POST /crm/v3/properties/{type}", s.withType(s.createProperty))
	mux.HandleFunc("PUT /crm/v4/objects/{type}/{id}/associations/default/{toType}/{toID}", s.withType(s.associateDefault))
	mux.HandleFunc("GET /crm/v4/objects/{type}/{id}/associations/{toType}", s.withType(s.listAssociations))
	mux.HandleFunc("DELETE /crm/v4/objects/{type}/{id}/associations/{toType}/{toID}", s.withType(s.dissociate))
	s.Start(s.gate(mux))
	return s
}

// Auth is the credential the sandbox accepts, as hubspot.Config.Auth takes
// it: its private-app token as a bearer token.
func (s *Server) Auth() connector.Auth { return connector.Bearer(s.token) }

// WebhookSecret is the client secret the sandbox signs webhooks with: what
// webhook.Config.Secrets takes.
func (s *Server) WebhookSecret() string { return s.webhookSecret }

// SpendDailyLimit makes every request hit the DAILY limit until it is
// called with false.
func (s *Server) SpendDailyLimit(spent bool) { s.mu.Lock(); s.dailySpent = spent; s.mu.Unlock() }

// Throttled counts the 429 TEN_SECONDLY_ROLLING answers sent, on cue or
// from the rate limit.
func (s *Server) Throttled() int { s.mu.Lock(); defer s.mu.Unlock(); return s.throttled }

// Requests counts the requests the sandbox received.
func (s *Server) Requests() int { s.mu.Lock(); defer s.mu.Unlock(); return s.requests }

// ContactCount counts live (not archived) contacts.
func (s *Server) ContactCount() int { return s.Count("contacts") }

// Count counts live records of an object type ("contacts", "companies",
// "deals").
func (s *Server) Count(objectType string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.types[objectType]
	if t == nil {
		return 0
	}
	n := 0
	for _, o := range t.objects {
		if !o.archived {
			n++
		}
	}
	return n
}

// gate authenticates, applies faults and rate limits, and sets HubSpot's
// headers, before any endpoint runs.
func (s *Server) gate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-HubSpot-Correlation-Id", connectortest.UUID())
		if !s.authorized(r.Header.Get("Authorization")) {
			writeError(w, http.StatusUnauthorized, "INVALID_AUTHENTICATION",
				"Authentication credentials not found. This API supports OAuth 2.0 authentication.", nil)
			return
		}
		s.mu.Lock()
		s.requests++
		remaining := s.countRequest()
		throttled := s.NextThrottled() || (s.limitMax > 0 && remaining < 0)
		daily := s.dailySpent
		failStatus := s.NextFailure()
		fail := failStatus != 0
		limitMax := s.limitMax
		s.mu.Unlock()

		h := w.Header()
		h.Set("X-HubSpot-RateLimit-Daily", "1000000")
		h.Set("X-HubSpot-RateLimit-Interval-Milliseconds", strconv.FormatInt(s.window.Milliseconds(), 10))
		if limitMax > 0 {
			h.Set("X-HubSpot-RateLimit-Max", strconv.Itoa(limitMax))
			h.Set("X-HubSpot-RateLimit-Remaining", strconv.Itoa(max(remaining, 0)))
		} else {
			h.Set("X-HubSpot-RateLimit-Max", "190")
			h.Set("X-HubSpot-RateLimit-Remaining", "190")
		}
		switch {
		case daily:
			h.Set("X-HubSpot-RateLimit-Daily-Remaining", "0")
			writeRateLimit(w, "DAILY", "You have reached your daily limit.")
		case throttled:
			s.mu.Lock()
			s.throttled++
			s.mu.Unlock()
			writeRateLimit(w, "TEN_SECONDLY_ROLLING", "You have reached your ten_secondly_rolling limit.")
		case fail:
			writeError(w, failStatus, "INTERNAL_ERROR", "internal error", nil)
		default:
			h.Set("X-HubSpot-RateLimit-Daily-Remaining", "999000")
			next.ServeHTTP(w, r)
		}
	})
}

func (s *Server) authorized(header string) bool {
	token, ok := strings.CutPrefix(header, "Bearer ")
	if !ok {
		return false
	}
	if s.validToken != nil {
		return s.validToken(token)
	}
	return token == s.token
}

// countRequest records a request in the rolling 10-second window and
// returns what remains of the budget (negative: over it).
func (s *Server) countRequest() int {
	if s.limitMax <= 0 {
		return 0
	}
	now := time.Now()
	cut := 0
	for cut < len(s.recent) && now.Sub(s.recent[cut]) >= s.window {
		cut++
	}
	s.recent = append(s.recent[cut:], now)
	return s.limitMax - len(s.recent)
}

// errorBody is HubSpot's error JSON.
type errorBody struct {
	Status        string        `json:"status"`
	Message       string        `json:"message"`
	CorrelationID string        `json:"correlationId"`
	Category      string        `json:"category"`
	Errors        []errorDetail `json:"errors,omitempty"`
}

type errorDetail struct {
	Message string              `json:"message"`
	Code    string              `json:"code,omitempty"`
	Context map[string][]string `json:"context,omitempty"`
}

func writeError(w http.ResponseWriter, status int, category, message string, details []errorDetail) {
	writeJSON(w, status, errorBody{Status: "error", Message: message, CorrelationID: w.Header().Get("X-HubSpot-Correlation-Id"),
		Category: category, Errors: details})
}

// writeRateLimit is HubSpot's 429 body, which differs from its other
// errors: errorType and policyName instead of category.
func writeRateLimit(w http.ResponseWriter, policy, message string) {
	writeJSON(w, http.StatusTooManyRequests, map[string]string{
		"status": "error", "message": message, "errorType": "RATE_LIMIT",
		"correlationId": w.Header().Get("X-HubSpot-Correlation-Id"), "policyName": policy,
		"groupName": "publicapi:private-app:sandbox",
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	connectortest.WriteJSON(w, status, "application/json;charset=utf-8", v)
}

func formatTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// parseTimeValue reads a search filter value for a date property: epoch
// milliseconds, as HubSpot documents, or an ISO 8601 timestamp.
func parseTimeValue(v string) (time.Time, bool) {
	if ms, err := strconv.ParseInt(v, 10, 64); err == nil {
		return time.UnixMilli(ms).UTC(), true
	}
	t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(v))
	return t, err == nil
}

// SeedContacts adds n contacts directly (no requests, no webhook events),
// for tests and benchmarks that need a large portal fast. Emails are
// seed-<i>@example.com.
func (s *Server) SeedContacts(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.types["contacts"]
	now := s.Now()
	for i := range n {
		s.nextID++
		o := &object{id: strconv.FormatInt(s.nextID, 10), num: s.nextID, created: now, updated: now, props: map[string]string{
			"email": fmt.Sprintf("seed-%d@example.com", i), "firstname": "Seed", "lastname": strconv.Itoa(i),
		}}
		t.add(o)
	}
}
