// Package squaretest is a stateful in-memory Square API (Connect v2) for
// tests and demos: locations, the catalog's items and variations
// (ListCatalog, SearchCatalogObjects by SKU, BatchRetrieveCatalogObjects),
// inventory counts and changes (BatchRetrieveInventoryCounts,
// BatchChangeInventory with ADJUSTMENT and PHYSICAL_COUNT), customers, and
// orders with shipment fulfillments and versions (RetrieveOrder,
// SearchOrders, UpdateOrder). It keeps Square's idempotency keys (a
// repeated key answers what the first request did; the same key with
// another request is IDEMPOTENCY_KEY_REUSED), its error bodies, its cursor
// pagination and page limits, and answers 429 RATE_LIMITED on Throttle,
// a 5xx on FailNext, and loses the answer of a committed write on
// LoseNextAnswer. PlaceOrder places an order as a Square Online checkout
// does (the stock of tracked variations taken) and makes the order.created
// notification, which SendWebhook delivers signed as Square signs.
//
//	srv := squaretest.NewServer()
//	defer srv.Close()
//	client, _ := square.New(square.Config{BaseURL: srv.URL(), Auth: srv.Auth()})
//
// It listens on 127.0.0.1 only.
package squaretest

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/connector/connectortest"
	"github.com/patchbay-go/patchbay/inventory/square"
)

// Server is a running sandbox.
type Server struct {
	connectortest.Sandbox // Throttle: 429 RATE_LIMITED; FailNext: 5xx; URL, Close, Now, Advance

	token        string
	signatureKey string
	merchantID   string
	requests     atomic.Int64

	mu          sync.Mutex
	loseNext    int
	locations   []*location
	items       []*item               // in creation order: ListCatalog's order
	variations  map[string]*variation // by id
	counts      map[[2]string]*count  // IN_STOCK by variation id, location id
	idem        map[string]idemEntry  // by endpoint and idempotency key
	changes     int                   // inventory changes applied
	customers   map[string]*customer
	orders      map[string]*order
	orderSeq    int
	webhookSent int
}

type location struct{ id, name string }

type item struct {
	id, name   string
	variations []*variation
	updatedAt  time.Time
}

type variation struct {
	id, itemID, name, sku string
	price                 int64
	currency              string
	tracked               bool
	updatedAt             time.Time
}

type count struct {
	quantity     int
	calculatedAt time.Time
}

// idemEntry is what Square keeps of a write under a key: what was asked
// (its fingerprint) and what was answered.
type idemEntry struct {
	fingerprint string
	answer      []byte
}

// Option configures a Server.
type Option func(*Server)

// WithAccessToken sets the access token the sandbox accepts (random by
// default).
func WithAccessToken(token string) Option { return func(s *Server) { s.token = token } }

// WithSignatureKey sets the webhook subscription's signature key the
// sandbox signs notifications with (random by default).
func WithSignatureKey(key string) Option { return func(s *Server) { s.signatureKey = key } }

// NewServer starts the sandbox with one active location, "Main store".
func NewServer(opts ...Option) *Server {
	s := &Server{token: "EAAA" + randomID(60), signatureKey: randomID(22), merchantID: "ML" + randomID(11),
		variations: map[string]*variation{}, counts: map[[2]string]*count{}, idem: map[string]idemEntry{},
		customers: map[string]*customer{}, orders: map[string]*order{}}
	for _, opt := range opts {
		opt(s)
	}
	s.locations = []*location{{id: "L" + randomID(12), name: "Main store"}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v2/locations", s.listLocations)
	mux.HandleFunc("GET /v2/catalog/list", s.listCatalog)
	mux.HandleFunc("POST /v2/catalog/search", s.searchCatalog)
	mux.HandleFunc("POST /v2/catalog/batch-retrieve", s.batchRetrieveCatalog)
	mux.HandleFunc("POST /v2/inventory/counts/batch-retrieve", s.batchRetrieveCounts)
	mux.HandleFunc("POST /v2/inventory/changes/batch-create", s.batchChange)
	mux.HandleFunc("GET /v2/customers/{id}", s.getCustomer)
	mux.HandleFunc("GET /v2/orders/{id}", s.getOrder)
	mux.HandleFunc("PUT /v2/orders/{id}", s.updateOrder)
	mux.HandleFunc("POST /v2/orders/search", s.searchOrders)
	s.Start(s.gate(mux))
	return s
}

// Auth is the credential the sandbox accepts, as square.Config.Auth takes
// it.
func (s *Server) Auth() connector.Auth { return square.AccessToken(s.token) }

// AccessToken is the token the sandbox accepts, for a test that sends
// its own requests.
func (s *Server) AccessToken() string { return s.token }

// WebhookSecret is the subscription's signature key the sandbox signs
// notifications with: what webhook.Config.Secrets takes.
func (s *Server) WebhookSecret() string { return s.signatureKey }

// Requests counts the API requests the sandbox received, refused ones
// included.
func (s *Server) Requests() int { return int(s.requests.Load()) }

// LocationID is the id of the sandbox's first location.
func (s *Server) LocationID() string { s.mu.Lock(); defer s.mu.Unlock(); return s.locations[0].id }

// AddLocation adds an active location and returns its id.
func (s *Server) AddLocation(name string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	l := &location{id: "L" + randomID(12), name: name}
	s.locations = append(s.locations, l)
	return l.id
}

// LoseNextAnswer makes the sandbox commit the next write (a
// BatchChangeInventory or an UpdateOrder) and then drop the connection
// without an answer, as a connection cut after the commit does.
func (s *Server) LoseNextAnswer() { s.mu.Lock(); s.loseNext++; s.mu.Unlock() }

// Changes counts the inventory changes applied (a replayed key applies
// none).
func (s *Server) Changes() int { s.mu.Lock(); defer s.mu.Unlock(); return s.changes }

// gate counts requests, checks the token and the Square-Version header,
// and plays the fault switches, in Square's error shapes.
func (s *Server) gate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.requests.Add(1)
		if r.Header.Get("Authorization") != "Bearer "+s.token {
			writeError(w, http.StatusUnauthorized, "AUTHENTICATION_ERROR", "UNAUTHORIZED", "This request could not be authorized.", "")
			return
		}
		if v := r.Header.Get("Square-Version"); v != "" && !versionFormat.MatchString(v) {
			writeError(w, http.StatusBadRequest, "INVALID_REQUEST_ERROR", "INVALID_SQUARE_VERSION_FORMAT",
				"Invalid Square-Version format: "+v, "")
			return
		}
		if s.NextThrottled() {
			writeError(w, http.StatusTooManyRequests, "RATE_LIMIT_ERROR", "RATE_LIMITED", "Rate limit exceeded.", "")
			return
		}
		if status := s.NextFailure(); status != 0 {
			code := "INTERNAL_SERVER_ERROR"
			if status == http.StatusServiceUnavailable {
				code = "SERVICE_UNAVAILABLE"
			}
			writeError(w, status, "API_ERROR", code, "An internal error has occurred, and the API was unable to service your request.", "")
			return
		}
		next.ServeHTTP(w, r)
	})
}

var versionFormat = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)

// lose says whether this write's answer is to be lost. Call with s.mu held.
func (s *Server) lose() bool {
	if s.loseNext > 0 {
		s.loseNext--
		return true
	}
	return false
}

// answer writes a committed write's answer, or loses it.
func answer(w http.ResponseWriter, lost bool, body []byte) {
	if lost {
		connectortest.Reset(w)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}

// writeError writes Square's error body: {"errors": [{category, code,
// detail, field}]}.
func writeError(w http.ResponseWriter, status int, category, code, detail, field string) {
	e := map[string]any{"category": category, "code": code, "detail": detail}
	if field != "" {
		e["field"] = field
	}
	writeJSON(w, status, map[string]any{"errors": []any{e}})
}

func invalid(w http.ResponseWriter, code, detail, field string) {
	writeError(w, http.StatusBadRequest, "INVALID_REQUEST_ERROR", code, detail, field)
}

func notFound(w http.ResponseWriter, detail, field string) {
	writeError(w, http.StatusNotFound, "INVALID_REQUEST_ERROR", "NOT_FOUND", detail, field)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	connectortest.WriteJSON(w, status, "application/json", v)
}

func marshal(v any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
	return buf.Bytes()
}

// decode reads a JSON request body into v, answering Square's error for
// one that is not JSON.
func decode(w http.ResponseWriter, r *http.Request, v any) ([]byte, bool) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
	if err == nil {
		err = json.Unmarshal(body, v)
	}
	if err != nil {
		invalid(w, "EXPECTED_JSON_BODY", "The request body is not valid JSON.", "")
		return nil, false
	}
	return body, true
}

// page cuts a list at cursor, limit a page, and returns the next cursor.
// Square's cursors are opaque: these are the offset, base64.
func page[T any](w http.ResponseWriter, all []T, cursor string, limit int) ([]T, string, bool) {
	off := 0
	if cursor != "" {
		b, err := base64.RawURLEncoding.DecodeString(cursor)
		n, err2 := strconv.Atoi(strings.TrimPrefix(string(b), "offset:"))
		if err != nil || err2 != nil || n < 0 || n > len(all) {
			invalid(w, "INVALID_CURSOR", "The pagination cursor is invalid.", "cursor")
			return nil, "", false
		}
		off = n
	}
	end := min(off+limit, len(all))
	next := ""
	if end < len(all) {
		next = base64.RawURLEncoding.EncodeToString([]byte("offset:" + strconv.Itoa(end)))
	}
	return all[off:end], next, true
}

// limitOf checks a request's limit against Square's maximum for the
// endpoint, with its default for none.
func limitOf(w http.ResponseWriter, limit *int, def, maxLimit int) (int, bool) {
	if limit == nil {
		return def, true
	}
	if *limit < 1 {
		invalid(w, "VALUE_TOO_LOW", "`limit` must be at least 1.", "limit")
		return 0, false
	}
	if *limit > maxLimit {
		invalid(w, "VALUE_TOO_HIGH", fmt.Sprintf("`limit` must be at most %d.", maxLimit), "limit")
		return 0, false
	}
	return *limit, true
}

func stamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// randomID is n characters of Square's ids: upper-case letters and
// digits.
func randomID(n int) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

func (s *Server) listLocations(w http.ResponseWriter, _ *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []any
	for _, l := range s.locations {
		out = append(out, map[string]any{"id": l.id, "name": l.name, "status": "ACTIVE", "type": "PHYSICAL",
			"merchant_id": s.merchantID, "country": "US", "currency": "USD", "timezone": "America/Los_Angeles",
			"capabilities": []string{"CREDIT_CARD_PROCESSING"}, "created_at": stamp(s.Now()),
			"address": map[string]any{"address_line_1": "1 Market St", "locality": "San Francisco",
				"administrative_district_level_1": "CA", "postal_code": "94105", "country": "US"}})
	}
	writeJSON(w, http.StatusOK, map[string]any{"locations": out})
}
