// Package pipedrivetest is a stateful in-memory Pipedrive for tests and
// demos: API v2 persons, organizations, deals (with their search and
// custom fields) and v1 notes, with Pipedrive's paths, JSON envelopes,
// error bodies, cursor pagination, x-ratelimit-* and x-daily-requests-left
// headers and 429s, webhook v2 deliveries with HTTP Basic credentials, and
// fault switches.
//
//	sandbox := pipedrivetest.NewServer()
//	defer sandbox.Close()
//	client, err := pipedrive.New(pipedrive.Config{BaseURL: sandbox.URL(), Auth: sandbox.Auth()})
//
// It listens on 127.0.0.1 only.
package pipedrivetest

import (
	"context"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/connector/connectortest"
	"github.com/patchbay-go/patchbay/crm/pipedrive"
)

// Server is a running sandbox.
type Server struct {
	// Sandbox gives URL, Close, Throttle (burst-limit 429s), FailNext
	// (5xx), Now and Advance (the clock record times come from).
	connectortest.Sandbox

	token      string
	validToken func(string) bool
	webhook    string // "user:password"

	mu       sync.Mutex
	nextID   int64
	entities map[string]*entity // "persons", "organizations", "deals"
	notes    []*record
	burst    int // requests per 2-second window; 0: unlimited
	recent   []time.Time
	daily    int // requests left today; <0: unlimited
	requests int
	loseNext int // writes committed whose answer is then lost
	events   [][]byte
	eventSeq int64
	stages   map[int64]bool
	fieldSeq int64
}

// Option configures a Server.
type Option func(*Server)

// WithToken sets the API token the sandbox accepts (x-api-token header or
// api_token query parameter) and Auth gives.
func WithToken(token string) Option { return func(s *Server) { s.token = token } }

// WithTokenValidator also accepts every OAuth bearer token valid says is
// live: pass connectortest.OAuthServer.Valid.
func WithTokenValidator(valid func(token string) bool) Option {
	return func(s *Server) { s.validToken = valid }
}

// WithWebhookCredentials sets the "user:password" the sandbox sends its
// webhooks with.
func WithWebhookCredentials(userPassword string) Option {
	return func(s *Server) { s.webhook = userPassword }
}

// WithBurstLimit enforces n requests per 2-second window, as Pipedrive
// does per token, answering 429 beyond (a refused request does not count).
func WithBurstLimit(n int) Option { return func(s *Server) { s.burst = n } }

// WithDailyBudget gives the account n requests for the day, reads
// included; past them every request is a 429 with x-daily-requests-left:
// 0. The header is on answers to writes made with the API token only, as
// Pipedrive sends it.
func WithDailyBudget(n int) Option { return func(s *Server) { s.daily = n } }

// NewServer starts a sandbox on 127.0.0.1. Close it when done.
func NewServer(opts ...Option) *Server {
	s := &Server{
		token:    connectortest.RandomHex(20), // Pipedrive's tokens are 40 hex digits
		webhook:  "pipedrive:" + connectortest.RandomHex(12),
		nextID:   100,
		daily:    -1,
		entities: map[string]*entity{},
		stages:   map[int64]bool{1: true, 2: true, 3: true, 4: true, 5: true},
	}
	for _, name := range []string{"persons", "organizations", "deals"} {
		s.entities[name] = &entity{name: name, records: map[int64]*record{}, fields: standardFields[name]}
	}
	for _, opt := range opts {
		opt(s)
	}
	mux := http.NewServeMux()
	for _, name := range []string{"persons", "organizations", "deals"} {
		e := s.entities[name]
		mux.HandleFunc("GET /api/v2/"+name, func(w http.ResponseWriter, r *http.Request) { s.list(w, r, e) })
		mux.HandleFunc("POST /api/v2/"+name, func(w http.ResponseWriter, r *http.Request) { s.create(w, r, e) })
		mux.HandleFunc("GET /api/v2/"+name+"/search", func(w http.ResponseWriter, r *http.Request) { s.search(w, r, e) })
		mux.HandleFunc("GET /api/v2/"+name+"/{id}", func(w http.ResponseWriter, r *http.Request) { s.get(w, r, e) })
		mux.HandleFunc("PATCH /api/v2/"+name+"/{id}", func(w http.ResponseWriter, r *http.Request) { s.update(w, r, e) })
		mux.HandleFunc("DELETE /api/v2/"+name+"/{id}", func(w http.ResponseWriter, r *http.Request) { s.remove(w, r, e) })
		fields := map[string]string{"persons": "personFields", "organizations": "organizationFields", "deals": "dealFields"}[name]
		mux.HandleFunc("GET /api/v2/"+fields, func(w http.ResponseWriter, r *http.Request) { s.listFields(w, r, e) })
		mux.HandleFunc("POST /api/v2/"+fields, func(w http.ResponseWriter, r *http.Request) { s.createField(w, r, e) })
	}
	mux.HandleFunc("GET /v1/notes", s.listNotes)
	mux.HandleFunc("POST /v1/notes", s.addNote)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "Unknown method .", "")
	})
	s.Start(s.gate(mux))
	return s
}

// Auth is the credential the sandbox accepts, as pipedrive.Config.Auth
// takes it: its API token.
func (s *Server) Auth() connector.Auth { return pipedrive.APIToken(s.token) }

// Token is the sandbox's API token.
func (s *Server) Token() string { return s.token }

// WebhookSecret is the "user:password" the sandbox's webhooks carry as
// Basic credentials: what webhook.Config.Secrets takes.
func (s *Server) WebhookSecret() string { return s.webhook }

// SendWebhook posts body to url as Pipedrive does, with the webhook's
// Basic credentials.
func (s *Server) SendWebhook(ctx context.Context, url string, body []byte) (int, error) {
	return connectortest.SendWebhook(ctx, url, body, func(r *http.Request) { pipedrive.SignWebhook(r, body, s.webhook, s.Now()) })
}

// Webhooks returns, and forgets, the webhook v2 deliveries of the changes
// made so far, oldest first: one body per change, for SendWebhook.
func (s *Server) Webhooks() [][]byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.events
	s.events = nil
	return out
}

// Requests counts the requests the sandbox received.
func (s *Server) Requests() int { s.mu.Lock(); defer s.mu.Unlock(); return s.requests }

// LoseNextAnswers makes the next n writes (POST, PATCH, DELETE) commit and
// then drop the connection before answering: an answer lost after commit.
func (s *Server) LoseNextAnswers(n int) { s.mu.Lock(); s.loseNext = n; s.mu.Unlock() }

// Count counts the live records of "persons", "organizations", "deals"
// or "notes".
func (s *Server) Count(name string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if name == "notes" {
		return len(s.notes)
	}
	n := 0
	for _, r := range s.entities[name].records {
		if !r.deleted {
			n++
		}
	}
	return n
}

// AddCustomField defines a custom field on "persons", "organizations" or
// "deals" and returns its hash key, as a user does in Pipedrive's UI.
func (s *Server) AddCustomField(entityName, name, fieldType string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addField(s.entities[entityName], name, fieldType)
}

// gate authenticates, applies faults and limits, and sets Pipedrive's
// rate-limit headers as documented: x-ratelimit-limit, -remaining and
// -reset (the seconds left of the 2-second window) on every answer, and
// x-daily-requests-left only on answers to writes made with the API token
// ("This field only appears in responses for POST and PUT endpoints";
// "Applicable only to api_token requests"), and on the 429 of a spent
// daily budget, whatever the credential.
// https://pipedrive.readme.io/docs/core-api-concepts-rate-limiting
func (s *Server) gate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Correlation-Id", connectortest.UUID())
		ok, apiToken := s.authorized(r)
		if !ok {
			writeJSON(w, http.StatusUnauthorized, map[string]any{"success": false, "error": "unauthorized access", "errorCode": 401,
				"error_info": "Please check developers.pipedrive.com for more information about Pipedrive API."})
			return
		}
		s.mu.Lock()
		s.requests++
		remaining, reset := s.countRequest()
		throttled := s.NextThrottled() || (s.burst > 0 && remaining < 0)
		dailyOut := s.daily == 0
		if s.daily > 0 {
			s.daily--
		}
		daily := s.daily
		fail := s.NextFailure()
		burst := s.burst
		s.mu.Unlock()

		h := w.Header()
		if burst <= 0 {
			burst, remaining, reset = 80, 79, 2
			if throttled {
				reset = 1 // a Throttle 429: the window's last second
			}
		}
		h.Set("X-Ratelimit-Limit", strconv.Itoa(burst))
		h.Set("X-Ratelimit-Reset", strconv.Itoa(reset))
		if apiToken && r.Method != http.MethodGet && r.Method != http.MethodHead {
			if daily >= 0 {
				h.Set("X-Daily-Requests-Left", strconv.Itoa(daily))
			} else {
				h.Set("X-Daily-Requests-Left", "10000")
			}
		}
		switch {
		case dailyOut:
			h.Set("X-Ratelimit-Remaining", strconv.Itoa(max(remaining, 0)))
			h.Set("X-Daily-Requests-Left", "0")
			writeRateLimit(w)
		case throttled:
			h.Set("X-Ratelimit-Remaining", "0")
			writeRateLimit(w)
		case fail != 0:
			h.Set("X-Ratelimit-Remaining", strconv.Itoa(max(remaining, 0)))
			writeError(w, fail, "Internal server error", "")
		default:
			h.Set("X-Ratelimit-Remaining", strconv.Itoa(max(remaining, 0)))
			next.ServeHTTP(w, r)
		}
	})
}

// authorized says whether r carries a credential the sandbox accepts, and
// whether that is the API token (rather than an OAuth access token).
func (s *Server) authorized(r *http.Request) (ok, apiToken bool) {
	if t := r.Header.Get("X-Api-Token"); t != "" {
		return t == s.token, true
	}
	if t := r.URL.Query().Get("api_token"); t != "" {
		return t == s.token, true
	}
	if t, ok := cutBearer(r.Header.Get("Authorization")); ok && s.validToken != nil {
		return s.validToken(t), false
	}
	return false, false
}

func cutBearer(h string) (string, bool) {
	const p = "Bearer "
	if len(h) > len(p) && h[:len(p)] == p {
		return h[len(p):], true
	}
	return "", false
}

// countRequest records a request in the 2-second window and returns what
// is left of it (negative: over, and then not counted) and the whole
// seconds until the oldest request in it leaves the window (at least 1).
func (s *Server) countRequest() (remaining, reset int) {
	if s.burst <= 0 {
		return 0, 2
	}
	now := time.Now()
	cut := 0
	for cut < len(s.recent) && now.Sub(s.recent[cut]) >= 2*time.Second {
		cut++
	}
	s.recent = s.recent[cut:]
	remaining = s.burst - len(s.recent) - 1
	if remaining >= 0 {
		s.recent = append(s.recent, now) // a refused request does not count
	}
	left := 2 * time.Second
	if len(s.recent) > 0 {
		left -= now.Sub(s.recent[0])
	}
	return remaining, max(1, int((left+time.Second-1)/time.Second))
}

// writeError is Pipedrive's error body.
func writeError(w http.ResponseWriter, status int, msg, code string) {
	body := map[string]any{"success": false, "error": msg,
		"error_info": "Please check developers.pipedrive.com for more information about Pipedrive API.", "data": nil, "additional_data": nil}
	if code != "" {
		body["code"] = code
	}
	writeJSON(w, status, body)
}

func writeRateLimit(w http.ResponseWriter) {
	writeJSON(w, http.StatusTooManyRequests, map[string]any{"success": false, "error": "Request over limit", "errorCode": 429,
		"error_info": "Please check developers.pipedrive.com for more information about Pipedrive API."})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	connectortest.WriteJSON(w, status, "application/json", v)
}

func formatTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }
